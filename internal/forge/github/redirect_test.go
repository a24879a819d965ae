package github_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/testclock"
)

// TestRedirectsKeepTheToken: an API answer that redirects to another
// scheme, host or port is not followed, by the token checks nor by the
// API changes: the second server receives nothing (so neither the
// Authorization header nor the token anywhere), and the check is "could
// not verify". A redirect to the same origin is followed.
func TestRedirectsKeepTheToken(t *testing.T) {
	tests := []struct {
		name   string
		tls    bool // the API serves HTTPS
		status int
		target func(second *url.URL) string // where the API redirects to
		follow bool                         // a redirect rtconf follows
	}{
		{"another port, 302", false, http.StatusFound, func(u *url.URL) string { return u.String() }, false},
		{"another port, 301", false, http.StatusMovedPermanently, func(u *url.URL) string { return u.String() }, false},
		{"another port, 307", false, http.StatusTemporaryRedirect, func(u *url.URL) string { return u.String() }, false},
		{"another port, 308", false, http.StatusPermanentRedirect, func(u *url.URL) string { return u.String() }, false},
		{"another host name", false, http.StatusFound, func(u *url.URL) string {
			return "http://localhost:" + u.Port() + u.Path
		}, false},
		{"https to http", true, http.StatusFound, func(u *url.URL) string { return u.String() }, false},
		{"https to http, 303", true, http.StatusSeeOther, func(u *url.URL) string { return u.String() }, false},
		{"same origin (control)", false, http.StatusPermanentRedirect, nil, true},
		{"same origin over https (control)", true, http.StatusTemporaryRedirect, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			second := fakegithub.New(t, fakegithub.Options{Now: testclock.Fixed(testclock.Default())})
			for _, call := range []string{"check", "pull request"} {
				api := fake(t, fakegithub.Options{TLS: tt.tls})
				to := api.URL() + "repos/acme/shared-config"
				if call == "pull request" {
					to += "/pulls"
				}
				if tt.target != nil {
					u, _ := url.Parse(second.URL() + strings.TrimPrefix(to, api.URL()))
					to = tt.target(u)
				}
				api.Fault("/repos/acme/", 1, tt.status, http.Header{"Location": {to}}, "")

				var err error
				if call == "check" {
					var res forge.Result
					res, err = github.Check(context.Background(), parse(t, classicFull), forge.RuntimeToken, opts(api))
					if tt.follow {
						if err != nil || res.Outcome() != forge.Met {
							t.Fatalf("%s: Check = %+v, %v; want the same-origin redirect followed to a pass", call, res, err)
						}
						continue
					}
					var uv *forge.UnverifiedError
					if !errors.As(err, &uv) || !strings.Contains(err.Error(), "not followed, so the token was not sent there") {
						t.Errorf("%s: Check = %+v, %v; want could not verify, the redirect not followed", call, res, err)
					}
				} else {
					c, cerr := newClient(api, api.URL(), parse(t, classicFull), api.Client())
					if cerr != nil {
						t.Fatal(cerr)
					}
					_, err = c.OpenChangeRequest(context.Background(), "acme", "shared-config", forge.ChangeRequest{Title: "t", Body: "b", Head: "h", Base: "main"})
					if tt.follow {
						// Followed to the fake's real answer (its branches exist).
						if err != nil {
							t.Fatalf("%s: %v; want the same-origin redirect followed", call, err)
						}
						continue
					}
					if err == nil || !strings.Contains(err.Error(), "not followed, so the token was not sent there") {
						t.Errorf("%s: error %v; want the redirect not followed", call, err)
					}
				}
				if err != nil && strings.Contains(err.Error(), classicFull) {
					t.Fatalf("%s: the error shows the token", call)
				}
			}
			for _, q := range second.Requests() {
				text := q.Method + " " + q.Path + "\n" + q.Body
				for k, v := range q.Header {
					text += "\n" + k + ": " + strings.Join(v, ", ")
				}
				t.Errorf("the redirect's target received %s %s (Authorization %q, token anywhere: %v)",
					q.Method, q.Path, q.Header.Get("Authorization"), strings.Contains(text, classicFull))
			}
		})
	}
}
