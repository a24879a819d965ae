package fakegithub

// These tests use net/http directly, to see the wire format. Where
// they check what go-github would make of a response, they apply go-github
// v60's own rules (github.go: parseTokenExpiration, CheckResponse).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/testclock"
)

const (
	classic  = "ghp_classic"
	narrow   = "ghp_narrow"
	fine     = "github_pat_fine"
	revoked  = "ghp_revoked"
	sso      = "ghp_sso"
	reader   = "ghp_reader"
	ssoURL   = "https://github.com/orgs/acme/sso?authorization_request=abc"
	expiring = "2031-05-30 07:08:09 UTC"
)

func options() Options {
	exp, _ := time.Parse("2006-01-02 15:04:05 MST", expiring)
	return Options{
		Now: testclock.Fixed(testclock.Default()),
		Tokens: []Token{
			{Value: classic, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: exp},
			{Value: narrow, Login: "robot", Scopes: []string{"read:org"}},
			{Value: reader, Login: "reader", Scopes: []string{"repo"}},
			{Value: fine, Login: "robot", FineGrained: true, Repos: []string{"acme/config"}, Expires: exp,
				Permissions: map[string]string{"contents": "write", "pull_requests": "read"}},
			{Value: revoked, Login: "robot", Scopes: []string{"repo"}, Revoked: true},
			{Value: sso, Login: "robot", Scopes: []string{"repo"}, SSO: ssoURL},
		},
		Repos: []Repo{
			{Owner: "acme", Name: "config", Private: true, Collaborators: map[string]map[string]bool{
				"robot":  {"admin": true, "maintain": true, "push": true, "triage": true, "pull": true},
				"reader": {"pull": true},
			}},
			{Owner: "acme", Name: "secret", Private: true, Collaborators: map[string]map[string]bool{
				"robot": {"admin": true, "maintain": true, "push": true, "triage": true, "pull": true},
			}},
			{Owner: "acme", Name: "open"},
		},
	}
}

// call sends one request to the fake and returns the response and its body.
func call(t *testing.T, s *Server, method, path, token, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, string(b)
}

func message(t *testing.T, body string) string {
	t.Helper()
	var m struct{ Message string }
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return m.Message
}

func TestClassicTokenHeaders(t *testing.T) {
	s := New(t, options())
	resp, body := call(t, s, "GET", "/user", classic, "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, body %s", resp.StatusCode, body)
	}
	want := map[string]string{
		"Content-Type":                           "application/json; charset=utf-8",
		"X-OAuth-Scopes":                         "repo, admin:repo_hook",
		"X-GitHub-Api-Version-Selected":          "2022-11-28",
		"X-RateLimit-Limit":                      "5000",
		"X-RateLimit-Remaining":                  "4999",
		"X-RateLimit-Used":                       "1",
		"X-RateLimit-Resource":                   "core",
		"GitHub-Authentication-Token-Expiration": expiring,
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	for _, k := range []string{"X-Accepted-OAuth-Scopes", "X-GitHub-Request-Id", "X-RateLimit-Reset"} {
		if _, ok := resp.Header[http.CanonicalHeaderKey(k)]; !ok {
			t.Errorf("no %s header", k)
		}
	}
	// go-github v60 parseTokenExpiration uses this layout.
	got, err := time.Parse("2006-01-02 15:04:05 MST", resp.Header.Get("GitHub-Authentication-Token-Expiration"))
	if err != nil || !got.Equal(s.opts.Tokens[0].Expires) {
		t.Errorf("expiry parses to %v, %v; want %v", got, err, s.opts.Tokens[0].Expires)
	}
	var u struct {
		Login string
		ID    int64
		Type  string
	}
	if err := json.Unmarshal([]byte(body), &u); err != nil || u.Login != "robot" || u.ID != 1 || u.Type != "User" {
		t.Errorf("user %+v, %v", u, err)
	}
	// The count goes down per user, across the user's tokens.
	resp, _ = call(t, s, "GET", "/user", narrow, "")
	if got := resp.Header.Get("X-RateLimit-Remaining"); got != "4998" {
		t.Errorf("second request: remaining %s, want 4998", got)
	}
	if got := resp.Header.Get("X-OAuth-Scopes"); got != "read:org" {
		t.Errorf("narrow token scopes %q", got)
	}
}

func TestAuthentication(t *testing.T) {
	s := New(t, options())
	for _, tc := range []struct {
		name, auth string
		status     int
		message    string
	}{
		{name: "bearer", auth: "Bearer " + classic, status: 200},
		{name: "token", auth: "token " + classic, status: 200},
		{name: "none", auth: "", status: 401, message: "Requires authentication"},
		{name: "unknown", auth: "Bearer ghp_nope", status: 401, message: "Bad credentials"},
		{name: "revoked", auth: "token " + revoked, status: 401, message: "Bad credentials"},
		{name: "odd scheme", auth: "Digest " + classic, status: 401, message: "Bad credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.URL()+"user", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tc.status, b)
			}
			if tc.status != 200 {
				if got := message(t, string(b)); got != tc.message {
					t.Errorf("message %q, want %q", got, tc.message)
				}
				if _, ok := resp.Header["X-Oauth-Scopes"]; ok {
					t.Error("X-OAuth-Scopes on an unauthenticated response")
				}
				if resp.Header.Get("X-RateLimit-Limit") != "60" {
					t.Errorf("unauthenticated limit %q, want 60", resp.Header.Get("X-RateLimit-Limit"))
				}
			}
		})
	}
}

func TestSSO(t *testing.T) {
	s := New(t, options())
	for _, path := range []string{"/user", "/repos/acme/config"} {
		resp, body := call(t, s, "GET", path, sso, "")
		if resp.StatusCode != 403 || resp.Header.Get("X-GitHub-SSO") != "required; url="+ssoURL {
			t.Errorf("%s: %d X-GitHub-SSO=%q (%s)", path, resp.StatusCode, resp.Header.Get("X-GitHub-SSO"), body)
		}
	}
}

// access is one row of the permission tables.
type access struct {
	method, path, token, body string
	status                    int
	accepted                  string // X-Accepted-GitHub-Permissions, or X-Accepted-OAuth-Scopes for classic tokens
}

func checkAccess(t *testing.T, s *Server, rows []access) {
	t.Helper()
	for _, a := range rows {
		t.Run(a.method+" "+a.path+" "+a.token, func(t *testing.T) {
			resp, body := call(t, s, a.method, a.path, a.token, a.body)
			if resp.StatusCode != a.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, a.status, body)
			}
			header := "X-Accepted-OAuth-Scopes"
			if strings.HasPrefix(a.token, "github_pat_") {
				header = "X-Accepted-GitHub-Permissions"
				if _, ok := resp.Header["X-Oauth-Scopes"]; ok {
					t.Error("fine-grained token answered with X-OAuth-Scopes")
				}
			}
			if a.accepted != "" && resp.Header.Get(header) != a.accepted {
				t.Errorf("%s = %q, want %q", header, resp.Header.Get(header), a.accepted)
			}
		})
	}
}

func TestFineGrainedPermissions(t *testing.T) {
	s := New(t, options())
	checkAccess(t, s, []access{
		{method: "GET", path: "/repos/acme/config", token: fine, status: 200, accepted: "metadata=read"},
		{method: "GET", path: "/repos/acme/config/contents/", token: fine, status: 200, accepted: "contents=read"},
		{method: "GET", path: "/repos/acme/config/contents/a/b.yaml", token: fine, status: 404},
		{method: "PUT", path: "/repos/acme/config/contents/a.yaml", token: fine, body: "{}", status: 422, accepted: "contents=write"},
		{method: "GET", path: "/repos/acme/config/pulls", token: fine, status: 200, accepted: "pull_requests=read"},
		{method: "POST", path: "/repos/acme/config/pulls", token: fine, body: "{}", status: 403, accepted: "pull_requests=write"},
		{method: "GET", path: "/repos/acme/config/hooks", token: fine, status: 403, accepted: "webhooks=read"},
		{method: "POST", path: "/repos/acme/config/hooks", token: fine, body: "{}", status: 403, accepted: "webhooks=write"},
		{method: "POST", path: "/repos/acme/config/statuses/abc", token: fine, body: "{}", status: 403, accepted: "statuses=write"},
		{method: "GET", path: "/repos/acme/config/commits/main/statuses", token: fine, status: 403, accepted: "statuses=read"},
		{method: "GET", path: "/repos/acme/config/branches/main/protection", token: fine, status: 403, accepted: "administration=read"},
		{method: "PATCH", path: "/repos/acme/config", token: fine, body: "{}", status: 403, accepted: "administration=write"},
		// Not among its repositories: private ones are hidden, public ones read-only.
		{method: "GET", path: "/repos/acme/secret", token: fine, status: 404},
		{method: "GET", path: "/repos/acme/secret/hooks", token: fine, status: 404},
		{method: "GET", path: "/repos/acme/open", token: fine, status: 200},
		{method: "PUT", path: "/repos/acme/open/contents/x", token: fine, body: "{}", status: 403, accepted: "contents=write"},
	})
	_, body := call(t, s, "POST", "/repos/acme/config/hooks", fine, "{}")
	if got := message(t, body); got != "Resource not accessible by personal access token" {
		t.Errorf("refusal message %q", got)
	}
	// GET /repos reports the user's role, not the token's permissions.
	_, body = call(t, s, "GET", "/repos/acme/config", fine, "")
	var repo struct {
		FullName      string `json:"full_name"`
		DefaultBranch string `json:"default_branch"`
		Private       bool
		Owner         struct{ Login string }
		Permissions   map[string]bool
	}
	if err := json.Unmarshal([]byte(body), &repo); err != nil {
		t.Fatal(err)
	}
	if repo.FullName != "acme/config" || repo.DefaultBranch != "main" || !repo.Private ||
		repo.Owner.Login != "acme" || !repo.Permissions["admin"] || len(repo.Permissions) != 5 {
		t.Errorf("repo %+v", repo)
	}
}

func TestClassicPermissions(t *testing.T) {
	s := New(t, options())
	checkAccess(t, s, []access{
		{method: "GET", path: "/repos/acme/config", token: classic, status: 200, accepted: "repo"},
		{method: "GET", path: "/repos/acme/config/hooks", token: classic, status: 200, accepted: "admin:repo_hook, read:repo_hook, repo, write:repo_hook"},
		{method: "POST", path: "/repos/acme/config/hooks", token: classic, body: "{}", status: 422},
		{method: "POST", path: "/repos/acme/config/hooks", token: classic, body: `{"config":`, status: 400},
		{method: "POST", path: "/repos/acme/config/pulls", token: classic, body: "{}", status: 422},
		{method: "POST", path: "/repos/acme/config/statuses/abc", token: classic, body: `{"state":"maybe"}`, status: 422},
		{method: "GET", path: "/repos/acme/config/commits/main/statuses", token: classic, status: 200, accepted: "repo, repo:status"},
		{method: "GET", path: "/repos/acme/config/branches/main/protection", token: classic, status: 404}, // Branch not protected
		{method: "PATCH", path: "/repos/acme/config", token: classic, body: `{"visibility":"none"}`, status: 422},
		{method: "PATCH", path: "/repos/acme/config", token: classic, body: `{}`, status: 200}, // no change asked, none made
		// Scopes that cannot see a private repository hide it.
		{method: "GET", path: "/repos/acme/config", token: narrow, status: 404},
		{method: "GET", path: "/repos/acme/open", token: narrow, status: 200},
		{method: "POST", path: "/repos/acme/open/pulls", token: narrow, body: "{}", status: 404},
		// A collaborator who is not admin cannot see hooks.
		{method: "GET", path: "/repos/acme/config/hooks", token: reader, status: 404},
		{method: "GET", path: "/repos/acme/config/pulls", token: reader, status: 200},
		{method: "GET", path: "/repos/acme/secret", token: reader, status: 404},
		// Anonymous callers see public repositories only.
		{method: "GET", path: "/repos/acme/open", status: 200},
		{method: "GET", path: "/repos/acme/config", status: 404},
		{method: "POST", path: "/repos/acme/open/pulls", body: "{}", status: 401},
		{method: "GET", path: "/repos/acme/missing", token: classic, status: 404},
		{method: "GET", path: "/nowhere", token: classic, status: 404},
		{method: "DELETE", path: "/repos/acme/config", token: classic, status: 404},
	})
	_, body := call(t, s, "POST", "/repos/acme/config/pulls", classic, "{}")
	var v struct {
		Message string
		Errors  []struct{ Resource, Field, Code string }
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.Message != "Validation Failed" || len(v.Errors) != 2 ||
		v.Errors[0].Field != "head" || v.Errors[0].Code != "missing_field" {
		t.Errorf("validation body %s (%v)", body, err)
	}
}

// TestClock: the fake decides expiry and rate-limit resets by the clock its
// test gives it, whatever the date: a token is served until the instant it
// expires and refused with 401 from then on.
func TestClock(t *testing.T) {
	testclock.Run(t, func(t *testing.T, now time.Time) {
		o := options()
		o.Now = testclock.Fixed(now)
		o.Tokens = []Token{
			{Value: "ghp_live", Login: "robot", Scopes: []string{"repo"}, Expires: now.Add(time.Second)},
			{Value: "ghp_dead", Login: "robot", Scopes: []string{"repo"}, Expires: now},
		}
		s := New(t, o)
		resp, _ := call(t, s, "GET", "/user", "ghp_live", "")
		if resp.StatusCode != 200 {
			t.Errorf("token expiring in a second: status %d, want 200", resp.StatusCode)
		}
		if got, want := resp.Header.Get("X-RateLimit-Reset"), fmt.Sprint(now.Add(time.Hour).Unix()); got != want {
			t.Errorf("X-RateLimit-Reset %s, want %s (an hour after the fake's start)", got, want)
		}
		if resp, _ := call(t, s, "GET", "/user", "ghp_dead", ""); resp.StatusCode != 401 {
			t.Errorf("token expiring now: status %d, want 401", resp.StatusCode)
		}
	})
}
