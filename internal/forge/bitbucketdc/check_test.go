package bitbucketdc_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakebitbucketdc"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/bitbucketdc"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/token"
)

const (
	admin = "PROJECT_ADMIN on the project"
	write = "REPO_WRITE on the repository"
)

// TestCheck is the table of tokens × kinds → outcome, verdicts, the kind
// the token's record tells, and its expiry.
func TestCheck(t *testing.T) {
	now := testclock.Default()
	s := fake(t, now)
	g, m, u := forge.Granted, forge.Missing, forge.Unknown
	for _, tc := range []struct {
		name    string
		tok     string
		kind    forge.Kind
		want    forge.Outcome
		verdict map[string]forge.Verdict
		tk      token.Kind
		expires bool
	}{
		{"personal admin, runtime", tokAdmin, forge.RuntimeToken, forge.Met, map[string]forge.Verdict{admin: g}, bitbucketdc.PersonalToken, true},
		{"personal admin, user", tokAdmin, forge.UserToken, forge.Met, map[string]forge.Verdict{write: g}, bitbucketdc.PersonalToken, true},
		{"token bound to project read", tokAdminRW, forge.RuntimeToken, forge.NotMet, map[string]forge.Verdict{admin: m}, bitbucketdc.PersonalToken, false},
		{"token bound to project read, user", tokAdminRW, forge.UserToken, forge.Met, map[string]forge.Verdict{write: g}, bitbucketdc.PersonalToken, false},
		{"developer, runtime", tokDev, forge.RuntimeToken, forge.NotMet, map[string]forge.Verdict{admin: m}, bitbucketdc.PersonalToken, false},
		{"developer, user", tokDev, forge.UserToken, forge.Met, map[string]forge.Verdict{write: g}, bitbucketdc.PersonalToken, false},
		{"reader, user", tokReader, forge.UserToken, forge.NotMet, map[string]forge.Verdict{write: m}, bitbucketdc.PersonalToken, false},
		{"project token, runtime", tokProject, forge.RuntimeToken, forge.Met, map[string]forge.Verdict{admin: g}, bitbucketdc.ProjectToken, false},
		{"repository token, runtime", tokRepo, forge.RuntimeToken, forge.NotMet, map[string]forge.Verdict{admin: m}, bitbucketdc.HTTPAccessToken, false},
		{"repository token, user", tokRepo, forge.UserToken, forge.Met, map[string]forge.Verdict{write: g}, bitbucketdc.HTTPAccessToken, false},
		{"outsider", tokOutsider, forge.UserToken, forge.NotMet, map[string]forge.Verdict{write: m}, bitbucketdc.HTTPAccessToken, false},
		{"expiring", tokExpiring, forge.RuntimeToken, forge.Met, map[string]forge.Verdict{admin: g}, bitbucketdc.PersonalToken, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := bitbucketdc.Check(context.Background(), parse(t, tc.tok), forge.NeedFor(tc.kind, false), opts(s, now))
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome() != tc.want {
				t.Errorf("outcome %s; want %s (%+v)", res.Outcome(), tc.want, res)
			}
			got := verdicts(res)
			for name, v := range tc.verdict {
				if got[name].Verdict != v || (v != u && got[name].Certainty != forge.Observed) {
					t.Errorf("%s: %+v; want %s, observed", name, got[name], v)
				}
			}
			if len(got) != len(tc.verdict) {
				t.Errorf("requirements %v; want only %v", res.Requirements, tc.verdict)
			}
			if res.TokenKind != tc.tk || res.ExpiresAt.IsZero() == tc.expires {
				t.Errorf("kind %s, expires %v; want %s, expiry %v", res.TokenKind, res.ExpiresAt, tc.tk, tc.expires)
			}
		})
	}
	res, _ := bitbucketdc.Check(context.Background(), parse(t, tokExpiring), forge.NeedFor(forge.RuntimeToken, false), opts(s, now))
	if !res.Expiring || res.Expired {
		t.Errorf("3 days left: %+v; want expiring", res)
	}
}

// TestCheckRuntimeAsUserToken: a runtime token that also serves as user
// token needs both permissions.
func TestCheckRuntimeAsUserToken(t *testing.T) {
	s := fake(t, testclock.Default())
	res, err := bitbucketdc.Check(context.Background(), parse(t, tokAdmin), forge.NeedFor(forge.RuntimeToken, true), opts(s, testclock.Default()))
	v := verdicts(res)
	if err != nil || res.Outcome() != forge.Met || v[admin].Verdict != forge.Granted || v[write].Verdict != forge.Granted {
		t.Fatalf("Check = %+v, %v", res, err)
	}
}

// TestCheckRefused: an unknown, an expired (Bitbucket refuses it) token is
// invalid; a repository that does not exist misses every requirement.
func TestCheckRefused(t *testing.T) {
	s := fake(t, testclock.Default())
	for _, v := range []string{tokUnknown, tokExpired} {
		res, err := bitbucketdc.Check(context.Background(), parse(t, v), forge.NeedFor(forge.UserToken, false), opts(s, testclock.Default()))
		if err != nil || !res.Invalid || res.Outcome() != forge.NotMet || strings.Contains(res.Problem, v) {
			t.Errorf("Check = %+v, %v; want invalid", res, err)
		}
	}
	o := opts(s, testclock.Default())
	o.Repo = "missing"
	res, err := bitbucketdc.Check(context.Background(), parse(t, tokAdmin), forge.NeedFor(forge.RuntimeToken, false), o)
	if err != nil || res.Invalid || res.Outcome() != forge.NotMet || !strings.Contains(res.Requirements[0].Detail, "404") {
		t.Errorf("missing repository: %+v, %v", res, err)
	}
}

// TestCheckSendsTheTokenOnlyAsBearer: every request carries the token in
// Authorization: Bearer and nowhere else.
func TestCheckSendsTheTokenOnlyAsBearer(t *testing.T) {
	s := fake(t, testclock.Default())
	if _, err := bitbucketdc.Check(context.Background(), parse(t, tokProject), forge.NeedFor(forge.RuntimeToken, true), opts(s, testclock.Default())); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) < 4 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		if r.Header.Get("Authorization") != "Bearer "+tokProject {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
		h := r.Header.Clone()
		h.Del("Authorization")
		if strings.Contains(r.Path+r.Query+r.Body+strings.Join(flatten(h), " "), tokProject) {
			t.Errorf("%s %s: the token outside its header", r.Method, r.Path)
		}
	}
}

func flatten(h http.Header) []string {
	var out []string
	for k, v := range h {
		out = append(out, k+": "+strings.Join(v, ","))
	}
	return out
}

// TestCheckPages: the writable repositories are read page by page
// (nextPageStart) until the repository is found.
func TestCheckPages(t *testing.T) {
	now := testclock.Default()
	var repos []fakebitbucketdc.Repo
	for i := range 150 {
		repos = append(repos, fakebitbucketdc.Repo{Project: "ACME", Slug: "a" + strings.Repeat("x", 3) + string(rune('a'+i%26)) + string(rune('a'+i/26))})
	}
	repos = append(repos, fakebitbucketdc.Repo{Project: "ACME", Slug: "shared-config"})
	s := fakebitbucketdc.New(t, fakebitbucketdc.Options{Now: testclock.Fixed(now),
		Tokens:   []fakebitbucketdc.Token{{Value: tokDev, User: "dev", ProjectPerm: fakebitbucketdc.Write, RepoPerm: fakebitbucketdc.Write}},
		Projects: []fakebitbucketdc.Proj{{Key: "ACME", Perms: map[string]int{"dev": fakebitbucketdc.Write}}},
		Repos:    repos})
	res, err := bitbucketdc.Check(context.Background(), parse(t, tokDev), forge.NeedFor(forge.UserToken, false), opts(s, now))
	if err != nil || res.Outcome() != forge.Met {
		t.Fatalf("Check = %+v, %v", res, err)
	}
	pages := 0
	for _, r := range s.Requests() {
		if r.Path == "/rest/api/1.0/repos" {
			pages++
		}
	}
	if pages != 2 {
		t.Errorf("%d pages read; want 2 (100 a page, shared-config last of 151)", pages)
	}
}

// TestFaults: 5xx and dropped connections are retried, then unverified; a
// rate limit (429, Retry-After) is waited out within --max-wait, else
// unverified; a redirect elsewhere is refused; nothing unanswered passes.
func TestFaults(t *testing.T) {
	need := forge.NeedFor(forge.RuntimeToken, false)
	now := testclock.Default()
	check := func(s *fakebitbucketdc.Server, o forge.Options) (forge.Result, error) {
		return bitbucketdc.Check(context.Background(), parse(t, tokAdmin), need, o)
	}
	for _, tc := range []struct {
		name   string
		inject func(s *fakebitbucketdc.Server)
		want   string // "" met; else in the error
		slept  time.Duration
	}{
		{"5xx retried", func(s *fakebitbucketdc.Server) { s.Fault("/rest/api/1.0/projects/", 2, http.StatusBadGateway, nil, "") }, "", 3 * time.Second},
		{"5xx forever", func(s *fakebitbucketdc.Server) { s.Fault("/rest/", -1, http.StatusServiceUnavailable, nil, "") }, "after 4 attempts", 7 * time.Second},
		{"reset", func(s *fakebitbucketdc.Server) { s.ResetConnection(1) }, "", time.Second},
		{"cut body", func(s *fakebitbucketdc.Server) { s.CutBody(1) }, "", time.Second},
		{"rate limit waited out", func(s *fakebitbucketdc.Server) { s.RateLimit(1, 30) }, "", 30 * time.Second},
		{"rate limit too long", func(s *fakebitbucketdc.Server) { s.RateLimit(1, 3600) }, "more than --max-wait", 0},
		{"rate limit without Retry-After", func(s *fakebitbucketdc.Server) { s.RateLimit(1, -1) }, "named no reset time", 0},
		{"not JSON", func(s *fakebitbucketdc.Server) { s.Fault("/rest/api/1.0/projects/", 1, http.StatusOK, nil, "<html>") }, "not the JSON asked for", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fake(t, now)
			tc.inject(s)
			o := opts(s, now)
			var slept time.Duration
			o.Sleep = func(_ context.Context, d time.Duration) error { slept += d; return nil }
			res, err := check(s, o)
			switch {
			case tc.want == "" && (err != nil || res.Outcome() != forge.Met):
				t.Fatalf("Check = %+v, %v; want met", res, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v; want %q", err, tc.want)
			}
			var ue *forge.UnverifiedError
			if tc.want != "" && !errors.As(err, &ue) {
				t.Errorf("err %T; want *forge.UnverifiedError", err)
			}
			if err != nil && strings.Contains(err.Error(), tokAdmin) {
				t.Errorf("the error repeats the token")
			}
			if slept != tc.slept {
				t.Errorf("slept %s; want %s", slept, tc.slept)
			}
		})
	}
	t.Run("bucket", func(t *testing.T) {
		s := fakebitbucketdc.New(t, fakebitbucketdc.Options{Now: testclock.Fixed(now), Bucket: fakebitbucketdc.Bucket{Size: 1, Refill: 1},
			Tokens: []fakebitbucketdc.Token{{Value: tokAdmin, User: "robot", ProjectPerm: fakebitbucketdc.Admin, RepoPerm: fakebitbucketdc.Admin}},
			Repos:  []fakebitbucketdc.Repo{{Project: "ACME", Slug: "shared-config", Perms: map[string]int{"robot": fakebitbucketdc.Admin}}}})
		// The fake's clock stands still: the bucket never refills, and
		// each wait is a second.
		o := opts(s, now)
		o.MaxWait = 5 * time.Second
		_, err := bitbucketdc.Check(context.Background(), parse(t, tokAdmin), need, o)
		if err == nil || !strings.Contains(err.Error(), "rate limit") {
			t.Fatalf("err = %v; want the rate limit", err)
		}
	})
	t.Run("redirect elsewhere", func(t *testing.T) {
		other := fake(t, now)
		s := fake(t, now)
		s.Fault("/rest/", 1, http.StatusFound, http.Header{"Location": {other.URL() + "projects/ACME/repos/shared-config"}}, "")
		_, err := check(s, opts(s, now))
		var re *forge.RedirectError
		if !errors.As(err, &re) || len(other.Requests()) != 0 || len(s.Requests()) != 1 {
			t.Fatalf("err = %v, other host %d requests; want a refused redirect, not retried", err, len(other.Requests()))
		}
	})
	t.Run("error body echoing the token", func(t *testing.T) {
		s := fake(t, now)
		s.Fault("/rest/api/1.0/projects/ACME/permissions", 1, http.StatusUnauthorized, nil,
			`{"errors":[{"message":"no `+tokAdmin+`","exceptionName":"com.atlassian.bitbucket.AuthorisationException"}]}`)
		res, err := check(s, opts(s, now))
		if err != nil || res.Outcome() != forge.NotMet || strings.Contains(verdicts(res)[admin].Detail, tokAdmin) {
			t.Fatalf("Check = %+v, %v", res, err)
		}
	})
}
