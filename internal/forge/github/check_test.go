package github_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/token"
)

func pad(prefix string, n int) string {
	s := prefix
	for i := 0; len(s) < n; i++ {
		s += string(rune('a' + i%26))
	}
	return s
}

var (
	classicFull    = pad("ghp_FULL", 40)
	classicRepo    = pad("ghp_REPO", 40)
	classicHook    = pad("ghp_HOOK", 40)
	classicExpired = pad("ghp_EXPD", 40)
	classicSoon    = pad("ghp_SOON", 40)
	classicRevoked = pad("ghp_REVK", 40)
	classicSSO     = pad("ghp_SSOO", 40)
	fineFull       = pad("github_pat_FULL", 93)
	fineRead       = pad("github_pat_READ", 93)
	fineUser       = pad("github_pat_USER", 93)
	fineNoRepo     = pad("github_pat_NORE", 93)
)

// fake starts the fake GitHub with the tokens of these tests, dated by
// o.Now (default: testclock.Default).
func fake(t testing.TB, o fakegithub.Options) *fakegithub.Server {
	if o.Now == nil {
		o.Now = testclock.Fixed(testclock.Default())
	}
	now := o.Now()
	admin := map[string]bool{"admin": true, "maintain": true, "push": true, "triage": true, "pull": true}
	o.Repos = []fakegithub.Repo{{Owner: "acme", Name: "shared-config", Private: true,
		Collaborators: map[string]map[string]bool{"robot": admin, "alice": admin}}}
	all := map[string]string{"administration": "write", "contents": "write", "metadata": "read", "pull_requests": "write", "statuses": "write", "webhooks": "write"}
	o.Tokens = append(o.Tokens, []fakegithub.Token{
		{Value: classicFull, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: now.Add(90 * 24 * time.Hour)},
		{Value: classicRepo, Login: "alice", Scopes: []string{"repo"}},
		{Value: classicHook, Login: "robot", Scopes: []string{"public_repo", "write:repo_hook"}},
		{Value: classicExpired, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: now.Add(-time.Hour)},
		{Value: classicSoon, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: now.Add(3 * 24 * time.Hour)},
		{Value: classicRevoked, Login: "robot", Revoked: true},
		{Value: classicSSO, Login: "robot", Scopes: []string{"repo"}, SSO: "https://github.com/orgs/acme/sso?authorization_request=X"},
		{Value: fineFull, Login: "robot", FineGrained: true, Permissions: all, Repos: []string{"acme/shared-config"}},
		{Value: fineRead, Login: "robot", FineGrained: true, Repos: []string{"acme/shared-config"},
			Permissions: map[string]string{"contents": "read", "metadata": "read", "pull_requests": "read", "statuses": "read", "webhooks": "read", "administration": "read"}},
		{Value: fineUser, Login: "alice", FineGrained: true, Repos: []string{"acme/shared-config"},
			Permissions: map[string]string{"contents": "write", "metadata": "read"}},
		{Value: fineNoRepo, Login: "robot", FineGrained: true, Permissions: all, Repos: []string{"acme/other"}},
	}...)
	return fakegithub.New(t, o)
}

func opts(s *fakegithub.Server) forge.Options {
	o := github.DefaultOptions()
	o.APIURL = s.URL()
	o.HTTPClient = s.Client()
	o.Owner, o.Repo = "acme", "shared-config"
	o.Now = s.Now()
	o.Sleep = func(context.Context, time.Duration) error { return nil }
	o.Timeout = 2 * time.Second
	return o
}

func parse(t testing.TB, v string) token.Token {
	t.Helper()
	tok, err := github.ParseToken(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// verdicts renders requirements as "name verdict certainty".
func verdicts(rs []forge.Requirement) []string {
	var out []string
	for _, r := range rs {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s", r.Name, r.Verdict, r.Certainty)))
	}
	return out
}

// TestCheck runs under every test clock: the fake and the check share it,
// and the tokens' expiry is relative to it.
func TestCheck(t *testing.T) {
	testclock.Run(t, func(t *testing.T, now time.Time) { testCheck(t, now) })
}

func testCheck(t *testing.T, now time.Time) {
	for _, enterprise := range []bool{false, true} {
		s := fake(t, fakegithub.Options{Enterprise: enterprise, Now: testclock.Fixed(now)})
		for _, tc := range []struct {
			name     string
			tok      string
			kind     forge.Kind
			also     []forge.Kind
			probe    bool
			want     []string
			code     int
			requests int
			expired  bool
			expiring bool
			problem  string
		}{
			{name: "classic runtime token with every scope", tok: classicFull, kind: forge.RuntimeToken,
				want: []string{"repo granted observed", "admin:repo_hook granted observed"}, requests: 1},
			{name: "classic token without admin:repo_hook", tok: classicRepo, kind: forge.RuntimeToken,
				want: []string{"repo granted observed", "admin:repo_hook missing observed"}, code: 1, requests: 1},
			{name: "classic user token", tok: classicRepo, kind: forge.UserToken,
				want: []string{"repo granted observed"}, requests: 1},
			{name: "scope hierarchy: write:repo_hook does not cover admin:repo_hook, public_repo not repo", tok: classicHook, kind: forge.RuntimeToken,
				code: 1, requests: 1},
			{name: "runtime token also used as user token", tok: classicFull, kind: forge.RuntimeToken, also: []forge.Kind{forge.UserToken},
				want: []string{"repo granted observed", "admin:repo_hook granted observed"}, requests: 1},
			// GitHub answers an expired token as it answers a revoked one.
			{name: "expired classic token", tok: classicExpired, kind: forge.RuntimeToken, code: 1, requests: 1,
				problem: "GitHub refuses the token (401 Bad credentials): it is invalid, expired or revoked"},
			{name: "classic token expiring in 3 days", tok: classicSoon, kind: forge.RuntimeToken,
				want: []string{"repo granted observed", "admin:repo_hook granted observed"}, requests: 1, expiring: true},
			{name: "revoked token", tok: classicRevoked, kind: forge.RuntimeToken, code: 1, requests: 1,
				problem: "GitHub refuses the token (401 Bad credentials): it is invalid, expired or revoked"},
			{name: "SSO not authorised", tok: classicSSO, kind: forge.UserToken, code: 1, requests: 1,
				problem: "the token is not authorised for the organisation's SAML single sign-on; authorise it at https://github.com/orgs/acme/sso?authorization_request=X"},
			{name: "fine-grained runtime token, writes probed", tok: fineFull, kind: forge.RuntimeToken, probe: true, requests: 11,
				want: []string{"Administration: read and write granted observed", "Commit statuses: read and write granted observed",
					"Contents: read and write granted observed", "Pull requests: read and write granted observed",
					"Webhooks: read and write granted observed", "Metadata: read granted observed"}},
			{name: "fine-grained runtime token, writes not probed", tok: fineFull, kind: forge.RuntimeToken, code: 2, requests: 6,
				want: []string{"Administration: read and write unknown", "Commit statuses: read and write unknown",
					"Contents: read and write unknown", "Pull requests: read and write unknown",
					"Webhooks: read and write unknown", "Metadata: read granted observed"}},
			{name: "fine-grained read-only token, writes probed", tok: fineRead, kind: forge.RuntimeToken, probe: true, code: 1, requests: 11,
				want: []string{"Administration: read and write missing observed", "Commit statuses: read and write missing observed",
					"Contents: read and write missing observed", "Pull requests: read and write missing observed",
					"Webhooks: read and write missing observed", "Metadata: read granted observed"}},
			{name: "fine-grained user token", tok: fineUser, kind: forge.UserToken, probe: true, requests: 3,
				want: []string{"Contents: read and write granted observed", "Metadata: read granted observed"}},
			{name: "fine-grained user token lacks runtime permissions", tok: fineUser, kind: forge.RuntimeToken, probe: true, code: 1},
			{name: "fine-grained token without the repository", tok: fineNoRepo, kind: forge.UserToken, code: 1, requests: 1,
				want: []string{"Contents: read and write missing observed", "Metadata: read missing observed"}},
		} {
			t.Run(fmt.Sprintf("enterprise=%v/%s", enterprise, tc.name), func(t *testing.T) {
				o := opts(s)
				o.ProbeWrites = tc.probe
				o.Also = tc.also
				res, err := github.Check(context.Background(), parse(t, tc.tok), tc.kind, o)
				if err != nil {
					t.Fatal(err)
				}
				if tc.want != nil {
					if diff := cmp.Diff(tc.want, verdicts(res.Requirements)); diff != "" {
						t.Errorf("requirements (-want +got):\n%s", diff)
					}
				}
				if got := exitCode(res.Outcome()); got != tc.code {
					t.Errorf("Code() = %d, want %d; %+v", got, tc.code, res)
				}
				if tc.requests != 0 && res.Requests != tc.requests {
					t.Errorf("%d requests, want %d", res.Requests, tc.requests)
				}
				if res.Expired != tc.expired {
					t.Errorf("Expired = %v, want %v", res.Expired, tc.expired)
				}
				if res.Expiring != tc.expiring {
					t.Errorf("Expiring = %v, want %v", res.Expiring, tc.expiring)
				}
				if res.Problem != tc.problem {
					t.Errorf("Problem = %q, want %q", res.Problem, tc.problem)
				}
			})
		}
	}
}

// TestCheckExpiredByRtconfsClock: when GitHub still serves a token whose
// expiry header is past on rtconf's clock (the two clocks disagree),
// rtconf calls it expired, under every test clock.
func TestCheckExpiredByRtconfsClock(t *testing.T) {
	testclock.Run(t, func(t *testing.T, now time.Time) {
		skewed := pad("ghp_SKEW", 40)
		s := fake(t, fakegithub.Options{Now: testclock.Fixed(now.Add(-2 * time.Hour)), Tokens: []fakegithub.Token{
			{Value: skewed, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: now.Add(-time.Hour)}}})
		o := opts(s)
		o.Now = now
		res, err := github.Check(context.Background(), parse(t, skewed), forge.RuntimeToken, o)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Expired || res.Outcome() != forge.NotMet || res.Problem != "" || !res.ExpiresAt.Equal(now.Add(-time.Hour)) {
			t.Errorf("Check = %+v; want expired at %s, code 1, no problem", res, now.Add(-time.Hour))
		}
	})
}

func TestCheckFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(*fakegithub.Server)
		maxW   time.Duration
		want   string // "" for a pass
	}{
		{"502 twice then fine", func(s *fakegithub.Server) { s.Fault("/repos", 2, http.StatusBadGateway, nil, "") }, time.Minute, ""},
		{"503 forever", func(s *fakegithub.Server) { s.Fault("/repos", -1, http.StatusServiceUnavailable, nil, "") }, time.Minute,
			"could not verify the token: GitHub answered 503 Service Unavailable (after 4 attempts)"},
		{"primary rate limit within max-wait", func(s *fakegithub.Server) { s.PrimaryRateLimit(1, s.Now().Add(10*time.Second)) }, time.Minute, ""},
		{"primary rate limit beyond max-wait", func(s *fakegithub.Server) { s.PrimaryRateLimit(1, s.Now().Add(time.Hour)) }, time.Minute,
			"could not verify the token: GitHub's primary rate limit asks to wait 1h0m1s, more than --max-wait 1m0s"},
		{"secondary rate limit 403 with Retry-After", func(s *fakegithub.Server) { s.SecondaryRateLimit(1, 30, false) }, time.Minute, ""},
		{"secondary rate limit 429 with Retry-After beyond max-wait", func(s *fakegithub.Server) { s.SecondaryRateLimit(1, 120, true) }, time.Minute,
			"could not verify the token: GitHub's secondary rate limit asks to wait 2m0s, more than --max-wait 1m0s"},
		{"secondary rate limit without Retry-After", func(s *fakegithub.Server) { s.SecondaryRateLimit(1, -1, false) }, 2 * time.Minute, ""},
		{"connection reset then fine", func(s *fakegithub.Server) { s.ResetConnection(1) }, time.Minute, ""},
		{"body cut half-way, every time", func(s *fakegithub.Server) { s.CutBody(10) }, time.Minute, "after 4 attempts"},
		{"stall longer than the timeout, every time", func(s *fakegithub.Server) { s.Stall(10, 30*time.Second) }, time.Minute, "after 4 attempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fake(t, fakegithub.Options{})
			tc.inject(s)
			o := opts(s)
			o.MaxWait = tc.maxW
			o.Timeout = 200 * time.Millisecond
			res, err := github.Check(context.Background(), parse(t, classicFull), forge.RuntimeToken, o)
			if tc.want == "" {
				if err != nil || res.Outcome() != forge.Met {
					t.Fatalf("Check = %+v, %v; want a pass", res, err)
				}
				return
			}
			var uv *forge.UnverifiedError
			if !errors.As(err, &uv) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want an UnverifiedError containing %q", err, tc.want)
			}
		})
	}
}

// TestCheckNeverLeaksTheToken: the token appears in no result, error or
// request other than its Authorization header.
func TestCheckNeverLeaksTheToken(t *testing.T) {
	canary := pad("ghp_LEAKCANARY", 40)
	s := fake(t, fakegithub.Options{})
	s.Fault("/repos", -1, http.StatusBadGateway, nil, "")
	o := opts(s)
	_, err := github.Check(context.Background(), parse(t, canary), forge.RuntimeToken, o)
	if err == nil || strings.Contains(err.Error(), canary) {
		t.Fatalf("error %v: want a failure without the token", err)
	}
	for _, tok := range []string{canary, fineFull} {
		s2 := fake(t, fakegithub.Options{})
		o2 := opts(s2)
		o2.ProbeWrites = true
		res, err := github.Check(context.Background(), parse(t, tok), forge.RuntimeToken, o2)
		if strings.Contains(fmt.Sprintf("%+v %v", res, err), tok) {
			t.Errorf("the result or error shows the token")
		}
		for _, r := range append(s.Requests(), s2.Requests()...) {
			for name, vs := range r.Header {
				for _, v := range vs {
					if strings.Contains(v, tok) && name != "Authorization" {
						t.Errorf("the token is in header %s of %s %s", name, r.Method, r.Path)
					}
				}
			}
			if strings.Contains(r.Path+r.Body, tok) {
				t.Errorf("the token is in %s %s or its body", r.Method, r.Path)
			}
		}
	}
}

func TestParseHeaders(t *testing.T) {
	if diff := cmp.Diff([]string{"repo", "admin:repo_hook", "gist"}, github.ParseScopes(" repo,admin:repo_hook , gist,")); diff != "" {
		t.Error(diff)
	}
	got := github.ParseAcceptedPermissions("contents=read; webhooks=write, metadata=read")
	want := [][]github.Permission{{{Name: "contents", Level: "read"}}, {{Name: "webhooks", Level: "write"}, {Name: "metadata", Level: "read"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

// BenchmarkCheckClassicToken: one classic runtime token checked against
// the fake (no added latency): one request, its scopes header read.
func BenchmarkCheckClassicToken(b *testing.B) {
	o := opts(fake(b, fakegithub.Options{}))
	tok := parse(b, classicFull)
	b.ReportAllocs()
	for b.Loop() {
		res, err := github.Check(context.Background(), tok, forge.RuntimeToken, o)
		if err != nil {
			b.Fatal(err)
		}
		if res.Outcome() != forge.Met {
			b.Fatalf("outcome %s", res.Outcome())
		}
	}
}

// BenchmarkCheck100Tokens: 100 distinct classic tokens against the fake
// with 50 ms of latency, checked 10 at a time.
func BenchmarkCheck100Tokens(b *testing.B) {
	var toks []fakegithub.Token
	var values []string
	for i := 0; i < 100; i++ {
		v := pad(fmt.Sprintf("ghp_B%03d", i), 40)
		values = append(values, v)
		toks = append(toks, fakegithub.Token{Value: v, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}})
	}
	s := fake(b, fakegithub.Options{Latency: 50 * time.Millisecond, Tokens: toks})
	o := opts(s)
	for i := 0; i < b.N; i++ {
		sem := make(chan struct{}, 10)
		errs := make(chan error, len(values))
		for _, v := range values {
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				res, err := github.Check(context.Background(), parse(b, v), forge.RuntimeToken, o)
				if err == nil && res.Outcome() != forge.Met {
					err = fmt.Errorf("outcome %s", res.Outcome())
				}
				errs <- err
			}()
		}
		for range values {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestUnverifiedKeepsItsCause: a check that ends because the context did,
// or because GitHub could not be reached, unwraps to that cause, and the
// whole chain's messages hold no token.
func TestUnverifiedKeepsItsCause(t *testing.T) {
	s := fake(t, fakegithub.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := github.Check(ctx, parse(t, classicFull), forge.RuntimeToken, opts(s))
	var unverified *forge.UnverifiedError
	if !errors.As(err, &unverified) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v; want an *UnverifiedError that unwraps to context.Canceled", err)
	}

	s.ResetConnection(-1)
	_, err = github.Check(context.Background(), parse(t, classicFull), forge.RuntimeToken, opts(s))
	var netErr net.Error
	if !errors.As(err, &unverified) || !errors.As(err, &netErr) {
		t.Fatalf("reset connections: err = %v; want an *UnverifiedError that unwraps to a net.Error", err)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), classicFull) {
			t.Fatalf("%T in the chain shows the token: %v", e, e)
		}
	}
}

// exitCode is the exit code `rtconf token check` gives an outcome, as the
// table states them.
func exitCode(o forge.Outcome) int {
	switch o {
	case forge.NotMet:
		return 1
	case forge.Inconclusive:
		return 2
	}
	return 0
}
