package gitea_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakegitea"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/gitea"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/token"
)

// Tokens of the fake, each 40 hexadecimal characters.
var (
	tokAdmin    = hex("a")
	tokPush     = hex("b")
	tokRead     = hex("c")
	tokNoRepo   = hex("d")
	tokNoUser   = hex("e")
	tokOutsider = hex("f")
	tokAll      = hex("1")
	tokUnknown  = hex("2")
	tokUserRepo = hex("3")
)

func hex(c string) string { return strings.Repeat(c, 40) }

func fake(t *testing.T, now time.Time) *fakegitea.Server {
	t.Helper()
	return fakegitea.New(t, fakegitea.Options{
		Now: testclock.Fixed(now),
		Tokens: []fakegitea.Token{
			{Value: tokAdmin, User: "robot", Scopes: []string{"write:repository", "read:user", "write:organization"}},
			{Value: tokPush, User: "dev", Scopes: []string{"write:repository", "read:user"}},
			{Value: tokRead, User: "robot", Scopes: []string{"read:repository", "read:user"}},
			{Value: tokNoRepo, User: "robot", Scopes: []string{"read:user"}},
			{Value: tokNoUser, User: "robot", Scopes: []string{"write:repository"}},
			{Value: tokOutsider, User: "outsider", Scopes: []string{"all"}},
			{Value: tokAll, User: "robot", Scopes: []string{"all"}},
			{Value: tokUserRepo, User: "robot", Scopes: []string{"write:repository", "write:user"}},
		},
		Orgs: []fakegitea.Org{{Name: "acme", Owners: []string{"robot"}, Members: []string{"dev"}}},
		Repos: []fakegitea.Repo{{Owner: "acme", Name: "shared-config", Private: true,
			Perms: map[string]fakegitea.Perm{"dev": {Push: true}}}},
	})
}

func opts(s *fakegitea.Server, now time.Time) forge.Options {
	o := gitea.DefaultOptions()
	o.APIURL, o.HTTPClient, o.Now = s.URL(), s.Client(), now
	o.Owner, o.Repo = "acme", "shared-config"
	o.Sleep = func(context.Context, time.Duration) error { return nil }
	o.Timeout = 2 * time.Second
	o.ProbeWrites = true
	return o
}

func parse(t testing.TB, v string) token.Token {
	t.Helper()
	tok, err := gitea.ParseToken(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func verdicts(res forge.Result) map[string]forge.Requirement {
	out := map[string]forge.Requirement{}
	for _, r := range res.Requirements {
		out[r.Name] = r
	}
	return out
}

// TestCheck is the table of tokens × kinds → outcome, at each of
// testclock's instants: Gitea access tokens do not expire, so the clock
// changes nothing.
func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		tok     string
		kind    forge.Kind
		probe   bool
		outcome forge.Outcome
		scope   forge.Verdict
		role    forge.Verdict
		invalid bool
	}{
		{"admin runtime", tokAdmin, forge.RuntimeToken, true, forge.Met, forge.Granted, forge.Granted, false},
		{"admin user", tokAdmin, forge.UserToken, true, forge.Met, forge.Granted, forge.Granted, false},
		{"push user", tokPush, forge.UserToken, true, forge.Met, forge.Granted, forge.Granted, false},
		{"push runtime: no admin", tokPush, forge.RuntimeToken, true, forge.NotMet, forge.Granted, forge.Missing, false},
		{"read scope only", tokRead, forge.UserToken, true, forge.NotMet, forge.Missing, forge.Granted, false},
		{"no repository scope", tokNoRepo, forge.RuntimeToken, true, forge.NotMet, forge.Missing, forge.Unknown, false},
		{"no read:user is fine", tokNoUser, forge.RuntimeToken, true, forge.Met, forge.Granted, forge.Granted, false},
		{"all scope, no access", tokOutsider, forge.UserToken, true, forge.NotMet, forge.Unknown, forge.Missing, false},
		{"all scope", tokAll, forge.RuntimeToken, true, forge.Met, forge.Granted, forge.Granted, false},
		{"unknown token", tokUnknown, forge.RuntimeToken, true, forge.NotMet, "", "", true},
		{"no probe: scope unknown", tokAdmin, forge.RuntimeToken, false, forge.Inconclusive, forge.Unknown, forge.Granted, false},
	}
	testclock.Run(t, func(t *testing.T, now time.Time) {
		s := fake(t, now)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				o := opts(s, now)
				o.ProbeWrites = tt.probe
				res, err := gitea.Check(context.Background(), parse(t, tt.tok), forge.NeedFor(tt.kind, false), o)
				if err != nil {
					t.Fatal(err)
				}
				if res.Outcome() != tt.outcome || res.Invalid != tt.invalid {
					t.Fatalf("outcome %s invalid %v; want %s %v: %+v", res.Outcome(), res.Invalid, tt.outcome, tt.invalid, res)
				}
				if !res.ExpiresAt.IsZero() || res.Expired || res.Expiring {
					t.Errorf("a Gitea token has no expiry: %+v", res)
				}
				if tt.invalid {
					return
				}
				v := verdicts(res)
				role := "push permission on the repository"
				if tt.kind == forge.RuntimeToken {
					role = "admin permission on the repository"
				}
				if got := v["write:repository"]; got.Verdict != tt.scope || (got.Verdict != forge.Unknown && got.Certainty != forge.Inferred) {
					t.Errorf("write:repository = %+v; want %s, inferred", got, tt.scope)
				}
				if got := v[role]; got.Verdict != tt.role {
					t.Errorf("%s = %+v; want %s", role, got, tt.role)
				}
				names := gitea.RequirementNames(gitea.AccessToken, forge.NeedFor(tt.kind, false))
				if len(names) != len(res.Requirements) {
					t.Errorf("RequirementNames %v, requirements %+v", names, res.Requirements)
				}
			})
		}
	})
}

// TestCheckRuntimeAsUserToken: a runtime token that serves as user token
// needs admin, the higher permission.
func TestCheckRuntimeAsUserToken(t *testing.T) {
	s := fake(t, testclock.Default())
	res, err := gitea.Check(context.Background(), parse(t, tokPush), forge.NeedFor(forge.RuntimeToken, true), opts(s, testclock.Default()))
	if err != nil || res.Outcome() != forge.NotMet {
		t.Fatalf("Check = %+v, %v; want not met (push only)", res, err)
	}
	if _, ok := verdicts(res)["admin permission on the repository"]; !ok {
		t.Errorf("requirements %+v; want admin", res.Requirements)
	}
}

// TestTokenOnlyInItsHeader: the token goes in Authorization: token … and
// nowhere else; constructing a client sends nothing (no version probe).
func TestTokenOnlyInItsHeader(t *testing.T) {
	s := fake(t, testclock.Default())
	o := opts(s, testclock.Default())
	if _, err := gitea.NewClient(parse(t, tokAdmin), o); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("NewClient sent %d requests: %+v", n, s.Requests())
	}
	if _, err := gitea.Check(context.Background(), parse(t, tokAdmin), forge.NeedFor(forge.RuntimeToken, false), o); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Errorf("%d requests; want 3 (user, repository, probe): %+v", len(reqs), reqs)
	}
	for _, r := range reqs {
		if r.Path == "/version" {
			t.Errorf("the SDK asked for the version")
		}
		if got := r.Header.Get("Authorization"); got != "token "+tokAdmin {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, got)
		}
		for k, vs := range r.Header {
			for _, v := range vs {
				if k != "Authorization" && strings.Contains(v, tokAdmin) {
					t.Errorf("%s %s: token in header %s", r.Method, r.Path, k)
				}
			}
		}
		if strings.Contains(r.Path+r.Query+r.Body, tokAdmin) {
			t.Errorf("%s %s: token in the URL or body", r.Method, r.Path)
		}
	}
}

// TestFaults: 5xx and dropped connections are retried, then unverified;
// a rate limit is waited out within --max-wait, else unverified; nothing
// unanswered passes.
func TestFaults(t *testing.T) {
	need := forge.NeedFor(forge.RuntimeToken, false)
	t.Run("5xx retried", func(t *testing.T) {
		s := fake(t, testclock.Default())
		s.Fault("/user", 2, http.StatusBadGateway, nil, "bad gateway")
		res, err := gitea.Check(context.Background(), parse(t, tokAdmin), need, opts(s, testclock.Default()))
		if err != nil || res.Outcome() != forge.Met || res.Requests != 5 {
			t.Fatalf("Check = %+v, %v; want met after 2 retries (5 requests)", res, err)
		}
	})
	t.Run("5xx forever", func(t *testing.T) {
		s := fake(t, testclock.Default())
		s.Fault("/repos/", -1, http.StatusServiceUnavailable, nil, "")
		_, err := gitea.Check(context.Background(), parse(t, tokAdmin), need, opts(s, testclock.Default()))
		var ue *forge.UnverifiedError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "after 4 attempts") {
			t.Fatalf("err = %v; want unverified after 4 attempts", err)
		}
	})
	t.Run("reset forever", func(t *testing.T) {
		s := fake(t, testclock.Default())
		s.ResetConnection("/user", -1)
		_, err := gitea.Check(context.Background(), parse(t, tokAdmin), need, opts(s, testclock.Default()))
		var ue *forge.UnverifiedError
		if !errors.As(err, &ue) || strings.Contains(err.Error(), tokAdmin) {
			t.Fatalf("err = %v; want unverified, without the token", err)
		}
	})
	t.Run("rate limit waited out", func(t *testing.T) {
		s := fake(t, testclock.Default())
		s.RateLimit(1, 30)
		o := opts(s, testclock.Default())
		var slept time.Duration
		o.Sleep = func(_ context.Context, d time.Duration) error { slept += d; return nil }
		res, err := gitea.Check(context.Background(), parse(t, tokAdmin), need, o)
		if err != nil || res.Outcome() != forge.Met || slept != 30*time.Second {
			t.Fatalf("Check = %+v, %v, slept %s; want met after 30s", res, err, slept)
		}
	})
	t.Run("rate limit too long", func(t *testing.T) {
		s := fake(t, testclock.Default())
		s.RateLimit(1, 3600)
		_, err := gitea.Check(context.Background(), parse(t, tokAdmin), need, opts(s, testclock.Default()))
		if err == nil || !strings.Contains(err.Error(), "more than --max-wait") {
			t.Fatalf("err = %v; want unverified (max wait)", err)
		}
	})
	t.Run("not Gitea's JSON", func(t *testing.T) {
		s := fake(t, testclock.Default())
		s.Fault("/repos/", 1, http.StatusOK, nil, "<html>"+tokAdmin)
		_, err := gitea.Check(context.Background(), parse(t, tokAdmin), need, opts(s, testclock.Default()))
		if err == nil || strings.Contains(err.Error(), tokAdmin) {
			t.Fatalf("err = %v; want unverified, without the token", err)
		}
		if n := len(s.Requests()); n != 2 {
			t.Errorf("%d requests; an undecodable answer is not retried", n)
		}
	})
	t.Run("403 body echoing the token", func(t *testing.T) {
		s := fake(t, testclock.Default())
		s.Fault("/repos/", 1, http.StatusForbidden, nil, `{"message":"`+fakegitea.ScopeMessage("read:repository")+` `+tokAdmin+`"}`)
		res, err := gitea.Check(context.Background(), parse(t, tokAdmin), need, opts(s, testclock.Default()))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Requirements {
			if strings.Contains(r.Detail, tokAdmin) {
				t.Errorf("detail repeats the token: %s", r.Detail)
			}
		}
	})
}

// TestRedirectAndSize: a redirect to another host is not followed (the
// token is not sent there), and an answer over forge.MaxResponse ends the
// check; neither is retried, neither passes.
func TestRedirectAndSize(t *testing.T) {
	need := forge.NeedFor(forge.RuntimeToken, false)
	t.Run("redirect", func(t *testing.T) {
		other := fakegitea.New(t, fakegitea.Options{Now: testclock.Fixed(testclock.Default())})
		s := fake(t, testclock.Default())
		s.Fault("/user", 1, http.StatusFound, http.Header{"Location": {other.URL() + "user"}}, "")
		_, err := gitea.Check(context.Background(), parse(t, tokAdmin), need, opts(s, testclock.Default()))
		var re *forge.RedirectError
		if !errors.As(err, &re) {
			t.Fatalf("err = %v; want a refused redirect", err)
		}
		if n := len(other.Requests()); n != 0 {
			t.Errorf("the other host got %d requests", n)
		}
		if n := len(s.Requests()); n != 1 {
			t.Errorf("%d requests; a refused redirect is not retried", n)
		}
	})
	t.Run("too large", func(t *testing.T) {
		s := fake(t, testclock.Default())
		s.Fault("/repos/", 1, http.StatusForbidden, nil, `{"message":"`+strings.Repeat("x", forge.MaxResponse)+`"}`)
		_, err := gitea.Check(context.Background(), parse(t, tokAdmin), need, opts(s, testclock.Default()))
		if !errors.Is(err, forge.ErrResponseTooLarge) {
			t.Fatalf("err = %v; want ErrResponseTooLarge", err)
		}
		if n := len(s.Requests()); n != 2 {
			t.Errorf("%d requests; want 2 (not retried)", n)
		}
	})
}

// TestRefusedAccount: a 403 on GET /user that names no scope is Gitea
// refusing the account (inactive, prohibited from signing in): the token
// is invalid, and the message does not repeat the token.
func TestRefusedAccount(t *testing.T) {
	s := fake(t, testclock.Default())
	s.Fault("/user", 1, http.StatusForbidden, nil, `{"message":"user is prohibited from signing in `+tokAdmin+`"}`)
	res, err := gitea.Check(context.Background(), parse(t, tokAdmin), forge.NeedFor(forge.UserToken, false), opts(s, testclock.Default()))
	if err != nil || !res.Invalid || res.Outcome() != forge.NotMet || !strings.Contains(res.Problem, "prohibited") || strings.Contains(res.Problem, tokAdmin) {
		t.Fatalf("Check = %+v, %v", res, err)
	}
}
