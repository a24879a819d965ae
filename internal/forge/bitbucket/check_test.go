package bitbucket_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakebitbucket"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/bitbucket"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

const email = "robot@example.com"

// The scopes of a full runtime token, in both vocabularies.
var (
	accessScopes = []string{"webhook", "repository", "repository:write", "repository:admin", "pullrequest:write"}
	apiScopes    = []string{"read:user:bitbucket", "read:workspace:bitbucket", "read:webhook:bitbucket", "write:webhook:bitbucket",
		"read:repository:bitbucket", "write:repository:bitbucket", "admin:repository:bitbucket", "write:pullrequest:bitbucket"}
)

// Tokens of the fake.
var (
	apiAdmin   = testcreds.BitbucketAPIToken("apiadmin")
	apiDev     = testcreds.BitbucketAPIToken("apidev")
	apiNoHook  = testcreds.BitbucketAPIToken("apinohook")
	apiNoRead  = testcreds.BitbucketAPIToken("apinoread")
	repoToken  = testcreds.BitbucketAccessToken("repotoken")
	wsToken    = testcreds.BitbucketAccessToken("wstoken")
	readToken  = testcreds.BitbucketAccessToken("readtoken")
	otherToken = testcreds.BitbucketAccessToken("othertoken")
	unknownTok = testcreds.BitbucketAccessToken("unknown")
	noHookTk   = testcreds.BitbucketAccessToken("nohook")
	apiNoUser  = testcreds.BitbucketAPIToken("apinouser")
)

func without(all []string, drop ...string) []string {
	var out []string
	for _, s := range all {
		keep := true
		for _, d := range drop {
			keep = keep && s != d
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

func fake(t *testing.T, now time.Time) *fakebitbucket.Server {
	t.Helper()
	return fakebitbucket.New(t, fakebitbucket.Options{
		Now: testclock.Fixed(now),
		Tokens: []fakebitbucket.Token{
			{Value: apiAdmin, Kind: fakebitbucket.APIToken, Email: email, User: "robot", Scopes: apiScopes},
			{Value: apiDev, Kind: fakebitbucket.APIToken, Email: "dev@example.com", User: "dev", Scopes: apiScopes},
			{Value: apiNoRead, Kind: fakebitbucket.APIToken, Email: email, User: "robot", Scopes: without(apiScopes, "read:repository:bitbucket")},
			{Value: apiNoHook, Kind: fakebitbucket.APIToken, Email: email, User: "robot", Scopes: without(apiScopes, "write:webhook:bitbucket")},
			{Value: repoToken, Kind: fakebitbucket.RepoAccessToken, User: "shared-config token", Scopes: accessScopes, Repo: "acme/shared-config"},
			{Value: wsToken, Kind: fakebitbucket.WorkspaceAccessToken, User: "acme token", Scopes: accessScopes, Workspace: "acme"},
			{Value: readToken, Kind: fakebitbucket.RepoAccessToken, User: "read token", Scopes: []string{"repository"}, Repo: "acme/shared-config"},
			{Value: otherToken, Kind: fakebitbucket.RepoAccessToken, User: "other token", Scopes: accessScopes, Repo: "acme/other"},
			{Value: noHookTk, Kind: fakebitbucket.RepoAccessToken, User: "no hook", Scopes: without(accessScopes, "webhook"), Repo: "acme/shared-config"},
			{Value: apiNoUser, Kind: fakebitbucket.APIToken, Email: email, User: "robot", Scopes: without(apiScopes, "read:user:bitbucket")},
		},
		Workspaces: []fakebitbucket.Workspace{{Slug: "acme", Admins: []string{"robot"}}},
		Repos: []fakebitbucket.Repo{
			{Workspace: "acme", Slug: "shared-config", Private: true, Perms: map[string]string{"robot": "admin", "dev": "write"}},
			{Workspace: "acme", Slug: "other", Private: true, Perms: map[string]string{"robot": "admin"}},
		},
	})
}

func opts(s *fakebitbucket.Server, now time.Time) forge.Options {
	o := bitbucket.DefaultOptions()
	o.APIURL, o.HTTPClient, o.Now = s.URL(), s.Client(), now
	o.Owner, o.Repo = "acme", "shared-config"
	o.Sleep = func(context.Context, time.Duration) error { return nil }
	o.Timeout = 2 * time.Second
	return o
}

func parse(t testing.TB, v string) token.Token {
	t.Helper()
	tok, err := bitbucket.ParseToken(v)
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

// TestCheck is the table of tokens × kinds → outcome and the verdicts that
// decide it, under each of the suite's clocks.
func TestCheck(t *testing.T) {
	cases := []struct {
		name    string
		value   string
		kind    forge.Kind
		outcome forge.Outcome
		invalid bool
		// missing names the requirements found missing; inferred those
		// whose verdict is inferred.
		missing  []string
		inferred []string
		note     string
	}{
		{name: "API token of an admin", value: email + ":" + apiAdmin, kind: forge.RuntimeToken, outcome: forge.Met, note: "an API token"},
		{name: "API token of a writer, as runtime token", value: "dev@example.com:" + apiDev, kind: forge.RuntimeToken, outcome: forge.NotMet,
			missing: []string{"admin permission on the repository"}},
		{name: "API token of a writer, as user token", value: "dev@example.com:" + apiDev, kind: forge.UserToken, outcome: forge.Met},
		{name: "API token without webhook write", value: email + ":" + apiNoHook, kind: forge.RuntimeToken, outcome: forge.NotMet,
			missing: []string{"Webhooks: read and write"}},
		// Without read:repository:bitbucket the repository is out of
		// sight: write does not imply read for API tokens.
		{name: "API token with write but not read", value: email + ":" + apiNoRead, kind: forge.UserToken, outcome: forge.NotMet,
			missing: []string{"Repositories: write", "write permission on the repository"}},
		{name: "API token with the wrong e-mail", value: "someone@example.com:" + apiAdmin, kind: forge.RuntimeToken, outcome: forge.NotMet, invalid: true},
		{name: "repository access token", value: repoToken, kind: forge.RuntimeToken, outcome: forge.Met,
			inferred: []string{"admin permission on the repository"}, note: "a repository access token"},
		{name: "workspace access token", value: wsToken, kind: forge.RuntimeToken, outcome: forge.Met,
			inferred: []string{"admin permission on the repository"}, note: "a workspace access token"},
		{name: "read-only access token", value: readToken, kind: forge.UserToken, outcome: forge.NotMet,
			missing:  []string{"Workspace membership: read", "Webhooks: read and write", "Repositories: write", "Repositories: admin", "write permission on the repository"},
			inferred: []string{"write permission on the repository"}},
		{name: "access token of another repository", value: otherToken, kind: forge.UserToken, outcome: forge.NotMet,
			missing: []string{"write permission on the repository"}},
		{name: "access token without webhook scope", value: noHookTk, kind: forge.RuntimeToken, outcome: forge.NotMet,
			missing: []string{"Webhooks: read and write"}, inferred: []string{"admin permission on the repository"}},
		// GET /user refuses it (403), but its scopes header still came.
		{name: "API token without read:user", value: email + ":" + apiNoUser, kind: forge.RuntimeToken, outcome: forge.NotMet,
			missing: []string{"Account: read"}, note: "refused GET /user"},
		{name: "unknown token", value: unknownTok, kind: forge.RuntimeToken, outcome: forge.NotMet, invalid: true},
	}
	testclock.Run(t, func(t *testing.T, now time.Time) {
		s := fake(t, now)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res, err := bitbucket.Check(context.Background(), parse(t, c.value), forge.NeedFor(c.kind, false), opts(s, now))
				if err != nil {
					t.Fatal(err)
				}
				if res.Outcome() != c.outcome || res.Invalid != c.invalid {
					t.Fatalf("outcome %s invalid %v; want %s %v: %+v", res.Outcome(), res.Invalid, c.outcome, c.invalid, res)
				}
				if c.invalid {
					return
				}
				v := verdicts(res)
				for _, name := range bitbucket.RequirementNames(res.TokenKind, forge.NeedFor(c.kind, false)) {
					r, ok := v[name]
					if !ok {
						t.Errorf("no verdict on %q", name)
						continue
					}
					wantMissing := contains(c.missing, name)
					if (r.Verdict == forge.Missing) != wantMissing || (!wantMissing && r.Verdict != forge.Granted) {
						t.Errorf("%s: %s (%s); want missing=%v", name, r.Verdict, r.Detail, wantMissing)
					}
					wantCert := forge.Observed
					if contains(c.inferred, name) {
						wantCert = forge.Inferred
					}
					if r.Certainty != wantCert {
						t.Errorf("%s: certainty %q; want %q", name, r.Certainty, wantCert)
					}
				}
				if c.note != "" && !strings.Contains(strings.Join(res.Notes, "\n"), c.note) {
					t.Errorf("notes %q lack %q", res.Notes, c.note)
				}
			})
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestCheckAuthHeaders: an API token goes as basic auth with its e-mail
// address, an access token as Bearer; neither in any other form.
func TestCheckAuthHeaders(t *testing.T) {
	s := fake(t, testclock.Default())
	ctx := context.Background()
	if _, err := bitbucket.Check(ctx, parse(t, email+":"+apiAdmin), forge.NeedFor(forge.RuntimeToken, false), opts(s, testclock.Default())); err != nil {
		t.Fatal(err)
	}
	if _, err := bitbucket.Check(ctx, parse(t, repoToken), forge.NeedFor(forge.RuntimeToken, false), opts(s, testclock.Default())); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+apiAdmin))
	var sawBasic, sawBearer bool
	for _, r := range reqs {
		switch r.Header.Get("Authorization") {
		case basic:
			sawBasic = true
		case "Bearer " + repoToken:
			sawBearer = true
		default:
			t.Errorf("%s %s: unexpected Authorization header", r.Method, r.Path)
		}
	}
	if !sawBasic || !sawBearer {
		t.Errorf("basic %v bearer %v over %d requests", sawBasic, sawBearer, len(reqs))
	}
	if reqs[0].Path != "/user" || reqs[1].Path != "/repositories/acme/shared-config" || reqs[2].Path != "/user/permissions/repositories" {
		t.Errorf("requests %v", reqs)
	}
}

// TestCheckFaults: the host's failures, each a could-not-verify (never a
// pass), with the token in no message.
func TestCheckFaults(t *testing.T) {
	now := testclock.Default()
	for _, c := range []struct {
		name   string
		inject func(*fakebitbucket.Server)
		want   string // in the error; "" for success
	}{
		{"429 without a wait", func(s *fakebitbucket.Server) { s.RateLimit(1, -1) }, "named no reset time"},
		{"429 with a short Retry-After", func(s *fakebitbucket.Server) { s.RateLimit(1, 5) }, ""},
		{"429 asking too long", func(s *fakebitbucket.Server) { s.RateLimit(1, 3600) }, "more than --max-wait"},
		{"502 then fine", func(s *fakebitbucket.Server) { s.Fault("/user", 1, http.StatusBadGateway, nil, "") }, ""},
		{"500 for ever", func(s *fakebitbucket.Server) { s.Fault("/user", -1, http.StatusInternalServerError, nil, "") }, "after 4 attempts"},
		{"dropped connection, then fine", func(s *fakebitbucket.Server) { s.ResetConnection(1) }, ""},
		{"cut body", func(s *fakebitbucket.Server) { s.CutBody(-1) }, "after 4 attempts"},
		{"not JSON", func(s *fakebitbucket.Server) { s.Fault("/user", 1, http.StatusOK, nil, "<html>") }, "not the JSON"},
		{"another repository", func(s *fakebitbucket.Server) {
			s.Fault("/repositories/", 1, http.StatusOK, nil, `{"full_name":"evil/repo"}`)
		}, "does not name that repository"},
		{"redirect elsewhere", func(s *fakebitbucket.Server) {
			s.Fault("/user", -1, http.StatusFound, http.Header{"Location": {"https://evil.example/"}}, "")
		}, "not followed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := fake(t, now)
			c.inject(s)
			res, err := bitbucket.Check(context.Background(), parse(t, repoToken), forge.NeedFor(forge.RuntimeToken, false), opts(s, now))
			if c.want == "" {
				if err != nil || res.Outcome() != forge.Met {
					t.Fatalf("Check = %+v, %v; want met", res, err)
				}
				return
			}
			var ue *forge.UnverifiedError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Check error %v; want an UnverifiedError with %q", err, c.want)
			}
			if strings.Contains(err.Error(), repoToken) {
				t.Errorf("the token is in %v", err)
			}
		})
	}
}

// TestScopesHeaderAbsent: without x-oauth-scopes, every scope is unknown,
// never granted.
func TestScopesHeaderAbsent(t *testing.T) {
	now := testclock.Default()
	s := fake(t, now)
	s.Fault("/user", 1, http.StatusOK, http.Header{"X-Oauth-Scopes": nil}, `{"username":"robot"}`)
	res, err := bitbucket.Check(context.Background(), parse(t, repoToken), forge.NeedFor(forge.RuntimeToken, false), opts(s, now))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome() == forge.Met {
		t.Fatalf("met without a scopes header: %+v", res)
	}
	for _, r := range res.Requirements[:3] { // an access token's three scopes
		if r.Verdict != forge.Unknown {
			t.Errorf("%s: %s", r.Name, r.Verdict)
		}
	}
}
