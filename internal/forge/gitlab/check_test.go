package gitlab_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakegitlab"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/gitlab"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

// Tokens of the fake, each a valid glpat- shape.
var (
	tokMaint    = "glpat-" + chars(20)
	tokDev      = testcreds.GitLab("devdevdevdevdevdevde")
	tokReporter = testcreds.GitLab("reporterreporterrepo")
	tokReadAPI  = testcreds.GitLab("readapireadapireadap")
	tokRepoOnly = testcreds.GitLab("repositoryrepository")
	tokRevoked  = testcreds.GitLab("revokedrevokedrevoke")
	tokBot      = testcreds.GitLab("botbotbotbotbotbotbo")
	tokOutsider = testcreds.GitLab("outsideroutsiderouts")
	tokUserBoth = testcreds.GitLab("useruseruseruseruser")
	tokRoutable = "glpat-" + chars(27) + ".01." + chars(9)
)

// expiry is the date tokMaint expires on: after testclock.Default and
// before the last of testclock.Instants.
var expiry = time.Date(2031, 5, 30, 0, 0, 0, 0, time.UTC)

func fake(t *testing.T, now time.Time) *fakegitlab.Server {
	t.Helper()
	return fakegitlab.New(t, fakegitlab.Options{
		Now:   testclock.Fixed(now),
		Users: []fakegitlab.User{{Username: "robot"}, {Username: "project_7_bot_x", Bot: true}},
		Tokens: []fakegitlab.Token{
			{Value: tokMaint, User: "robot", Scopes: []string{"api"}, Expires: expiry},
			{Value: tokRoutable, User: "robot", Scopes: []string{"api"}},
			{Value: tokDev, User: "dev", Scopes: []string{"api"}},
			{Value: tokReporter, User: "rep", Scopes: []string{"api"}},
			{Value: tokReadAPI, User: "robot", Scopes: []string{"read_api"}},
			{Value: tokRepoOnly, User: "robot", Scopes: []string{"write_repository"}},
			{Value: tokRevoked, User: "robot", Scopes: []string{"api"}, Revoked: true},
			{Value: tokBot, User: "project_7_bot_x", Scopes: []string{"api"}},
			{Value: tokOutsider, User: "outsider", Scopes: []string{"api"}},
			{Value: tokUserBoth, User: "dev", Scopes: []string{"read_api", "write_repository"}},
		},
		Groups: []fakegitlab.Group{
			{FullPath: "acme", Members: map[string]int{"robot": fakegitlab.Maintainer, "rep": fakegitlab.Reporter}},
			{FullPath: "acme/platform", Members: map[string]int{"dev": fakegitlab.Developer}},
		},
		Projects: []fakegitlab.Project{
			{PathWithNamespace: "acme/platform/shared-config", Members: map[string]int{"project_7_bot_x": fakegitlab.Maintainer}},
		},
	})
}

func opts(s *fakegitlab.Server) forge.Options {
	o := gitlab.DefaultOptions()
	o.APIURL, o.HTTPClient, o.Now = s.URL(), s.Client(), s.Now()
	o.Owner, o.Repo = "acme/platform", "shared-config"
	o.Sleep = func(context.Context, time.Duration) error { return nil }
	o.Timeout = 2 * time.Second
	return o
}

func parse(t testing.TB, v string) token.Token {
	t.Helper()
	tok, err := gitlab.ParseToken(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func verdicts(rs []forge.Requirement) string {
	var out []string
	for _, r := range rs {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s", r.Name, r.Verdict, r.Certainty)))
	}
	return strings.Join(out, "; ")
}

// TestCheck: each token against each kind, at every clock: the verdicts,
// the outcome and what the check says of the token.
func TestCheck(t *testing.T) {
	runtime, user := forge.Need{Kind: forge.RuntimeToken}, forge.Need{Kind: forge.UserToken}
	both := forge.NeedFor(forge.RuntimeToken, true)
	for _, tt := range []struct {
		name     string
		tok      string
		need     forge.Need
		want     string
		outcome  forge.Outcome
		note     string
		invalid  bool
		requests int
	}{
		{name: "runtime, api, maintainer", tok: tokMaint, need: runtime, want: "api granted observed; Maintainer role on the project granted observed", outcome: forge.Met, note: "personal access token of robot", requests: 3},
		{name: "routable token", tok: tokRoutable, need: runtime, want: "api granted observed; Maintainer role on the project granted observed", outcome: forge.Met, requests: 3},
		{name: "runtime as user too", tok: tokMaint, need: both, want: "api granted observed; read_api granted observed; write_repository granted observed; Maintainer role on the project granted observed", outcome: forge.Met, requests: 3},
		{name: "runtime, developer only", tok: tokDev, need: runtime, want: "api granted observed; Maintainer role on the project missing observed", outcome: forge.NotMet, requests: 3},
		{name: "user, developer", tok: tokDev, need: user, want: "read_api granted observed; write_repository granted observed; Developer role on the project granted observed", outcome: forge.Met, requests: 3},
		{name: "user, read_api and write_repository", tok: tokUserBoth, need: user, want: "read_api granted observed; write_repository granted observed; Developer role on the project granted observed", outcome: forge.Met, requests: 3},
		{name: "user, reporter", tok: tokReporter, need: user, want: "read_api granted observed; write_repository granted observed; Developer role on the project missing observed", outcome: forge.NotMet, requests: 3},
		{name: "runtime, read_api only", tok: tokReadAPI, need: runtime, want: "api missing observed; Maintainer role on the project granted observed", outcome: forge.NotMet, requests: 3},
		{name: "user, write_repository only", tok: tokRepoOnly, need: user, want: "read_api missing observed; write_repository granted observed; Developer role on the project unknown", outcome: forge.NotMet, requests: 3},
		{name: "project bot", tok: tokBot, need: runtime, want: "api granted observed; Maintainer role on the project granted observed", outcome: forge.Met, note: "project or group access token (bot user project_7_bot_x)", requests: 3},
		{name: "outsider", tok: tokOutsider, need: runtime, want: "api granted observed; Maintainer role on the project missing observed", outcome: forge.NotMet, requests: 3},
		{name: "revoked", tok: tokRevoked, need: runtime, outcome: forge.NotMet, invalid: true, requests: 1},
		{name: "unknown", tok: testcreds.GitLab("unknownunknownunknow"), need: runtime, outcome: forge.NotMet, invalid: true, requests: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testclock.Run(t, func(t *testing.T, now time.Time) {
				s := fake(t, now)
				res, err := gitlab.Check(context.Background(), parse(t, tt.tok), tt.need, opts(s))
				if tt.tok == tokMaint && !now.Before(expiry) {
					// Past its expiry date GitLab refuses it.
					if err != nil || !res.Invalid || res.Outcome() != forge.NotMet {
						t.Fatalf("at %s: %+v, %v; want an expired token refused", now, res, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := verdicts(res.Requirements); got != tt.want {
					t.Errorf("verdicts:\n got %s\nwant %s", got, tt.want)
				}
				if res.Outcome() != tt.outcome || res.Invalid != tt.invalid || res.Requests != tt.requests {
					t.Errorf("outcome %s invalid %v requests %d; want %s %v %d (%+v)", res.Outcome(), res.Invalid, res.Requests, tt.outcome, tt.invalid, tt.requests, res)
				}
				if tt.note != "" && !strings.Contains(strings.Join(res.Notes, "\n"), tt.note) {
					t.Errorf("notes %q; want %q", res.Notes, tt.note)
				}
				if tt.tok == tokMaint {
					expiring := expiry.Sub(now) < gitlab.DefaultOptions().ExpiryWarning
					if !res.ExpiresAt.Equal(expiry) || res.Expiring != expiring || res.Expired {
						t.Errorf("at %s: expires %s expiring %v expired %v; want %s, %v", now, res.ExpiresAt, res.Expiring, res.Expired, expiry, expiring)
					}
				}
			})
		})
	}
}

// TestCheckExpiredByRtconfsClock: a token whose date has passed on rtconf's
// clock is expired even while the host still serves it.
func TestCheckExpiredByRtconfsClock(t *testing.T) {
	s := fake(t, expiry.Add(-time.Hour))
	o := opts(s)
	o.Now = expiry.Add(time.Hour)
	res, err := gitlab.Check(context.Background(), parse(t, tokMaint), forge.Need{Kind: forge.RuntimeToken}, o)
	if err != nil || !res.Expired || res.Outcome() != forge.NotMet {
		t.Fatalf("%+v, %v; want expired", res, err)
	}
}

// TestCheckFaults: 5xx and broken connections are retried, 429 waited
// out within --max-wait, and what cannot be verified is never a pass.
func TestCheckFaults(t *testing.T) {
	need := forge.Need{Kind: forge.RuntimeToken}
	for _, tt := range []struct {
		name    string
		inject  func(*fakegitlab.Server)
		maxWait time.Duration
		wantErr string // "" for a pass
		slept   int
	}{
		{name: "one 502", inject: func(s *fakegitlab.Server) { s.Fault("/personal_access_tokens", 1, http.StatusBadGateway, nil, "") }, slept: 1},
		{name: "502 forever", inject: func(s *fakegitlab.Server) { s.Fault("/", -1, http.StatusBadGateway, nil, "") }, wantErr: "GitLab answered 502 Bad Gateway (after 4 attempts)", slept: 3},
		{name: "429 waited out", inject: func(s *fakegitlab.Server) { s.RateLimit(1, 5) }, maxWait: time.Minute, slept: 1},
		{name: "429 longer than --max-wait", inject: func(s *fakegitlab.Server) { s.RateLimit(1, 120) }, maxWait: time.Minute, wantErr: "GitLab's rate limit asks to wait 2m0s, more than --max-wait 1m0s"},
		{name: "reset connection", inject: func(s *fakegitlab.Server) { s.ResetConnection(1) }, slept: 1},
		{name: "project answer of another project", inject: func(s *fakegitlab.Server) {
			s.Fault("/projects/", 1, http.StatusOK, nil, `{"id":1,"path_with_namespace":"evil/other"}`)
		}, wantErr: "does not name that project"},
		{name: "token record not JSON", inject: func(s *fakegitlab.Server) {
			s.Fault("/personal_access_tokens", 1, http.StatusOK, nil, `<html>`)
		}, wantErr: "could not verify"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := fake(t, testclock.Default())
			tt.inject(s)
			o := opts(s)
			if tt.maxWait > 0 {
				o.MaxWait = tt.maxWait
			}
			slept := 0
			o.Sleep = func(context.Context, time.Duration) error { slept++; return nil }
			res, err := gitlab.Check(context.Background(), parse(t, tokMaint), need, o)
			if tt.wantErr == "" {
				if err != nil || res.Outcome() != forge.Met || slept != tt.slept {
					t.Fatalf("%+v, %v after %d waits; want a pass after %d", res, err, slept, tt.slept)
				}
				return
			}
			var unverified *forge.UnverifiedError
			if !errors.As(err, &unverified) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v; want could not verify: %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), tokMaint) {
				t.Fatal("the error shows the token")
			}
		})
	}
}

// TestCheckSendsTheTokenOnlyInItsHeader: the token travels in PRIVATE-TOKEN
// and nowhere else.
func TestCheckSendsTheTokenOnlyInItsHeader(t *testing.T) {
	s := fake(t, testclock.Default())
	s.Fault("/projects/", -1, http.StatusInternalServerError, nil, tokMaint)
	_, err := gitlab.Check(context.Background(), parse(t, tokMaint), forge.Need{Kind: forge.RuntimeToken}, opts(s))
	if err == nil || strings.Contains(err.Error(), tokMaint) {
		t.Fatalf("err = %v; want a failure that does not show the token", err)
	}
	for _, r := range s.Requests() {
		for name, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, tokMaint) && name != "Private-Token" {
					t.Errorf("the token is in header %s of %s %s", name, r.Method, r.Path)
				}
			}
		}
		if strings.Contains(r.Path+r.Query+r.Body, tokMaint) {
			t.Errorf("the token is in %s %s", r.Method, r.Path)
		}
	}
}
