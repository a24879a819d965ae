package fakegitlab

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/rtconf/rtconf/internal/testclock"
)

func TestTokenSelfAndUser(t *testing.T) {
	s := New(t, options())
	for _, tc := range []struct {
		name, token      string
		bearer           bool
		wantName         string
		wantScopes       []string
		wantUser         string
		wantBot, expires bool
	}{
		{"private-token", tokMaint, false, "rtconf", []string{"api"}, "robot", false, true},
		{"bearer", tokMaint, true, "rtconf", []string{"api"}, "robot", false, true},
		{"project access token", tokBot, false, "ci", []string{"api"}, "project_1001_bot_abc", true, false},
		{"read_repository only", tokRepo, false, "token", []string{"read_repository", "write_repository"}, "robot", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t, s, tc.token, tc.bearer)
			pat, _, err := c.PersonalAccessTokens.GetSinglePersonalAccessToken()
			if err != nil {
				t.Fatal(err)
			}
			if pat.Name != tc.wantName || !slices.Equal(pat.Scopes, tc.wantScopes) || !pat.Active || pat.Revoked {
				t.Errorf("token = %+v", pat)
			}
			if got := pat.ExpiresAt != nil; got != tc.expires || got && time.Time(*pat.ExpiresAt).Format("2006-01-02") != "2031-05-30" {
				t.Errorf("expires_at = %v, want set: %v", pat.ExpiresAt, tc.expires)
			}
			if pat.CreatedAt == nil || !pat.CreatedAt.Equal(testclock.Default()) || pat.LastUsedAt == nil {
				t.Errorf("created_at = %v, last_used_at = %v", pat.CreatedAt, pat.LastUsedAt)
			}
			u, _, err := c.Users.CurrentUser()
			if tc.token == tokRepo {
				if statusOf(t, err) != http.StatusForbidden {
					t.Fatalf("GET /user with read_repository: %v, want 403", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Username != tc.wantUser || u.Bot != tc.wantBot || u.State != "active" || u.ID != pat.UserID {
				t.Errorf("user = %+v, token's user_id %d", u, pat.UserID)
			}
		})
	}
}

// TestRefusedTokens checks GitLab's answers to tokens it refuses, on the
// wire: bodies, and WWW-Authenticate where GitLab sends one.
func TestRefusedTokens(t *testing.T) {
	s := New(t, options())
	const scopeBody = `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"%s"}`
	for _, tc := range []struct {
		name, method, path, token string
		status                    int
		body, wwwAuthenticate     string
	}{
		{"unknown", "GET", "/user", "glpat-nope", 401, `{"message":"401 Unauthorized"}`, ""},
		{"unknown on a public project", "GET", "/projects/open%2Fsite", "glpat-nope", 401, `{"message":"401 Unauthorized"}`, ""},
		{"none", "GET", "/user", "", 401, `{"message":"401 Unauthorized"}`, ""},
		{"none, token self", "GET", "/personal_access_tokens/self", "", 401, `{"message":"401 Unauthorized"}`, ""},
		{"revoked", "GET", "/personal_access_tokens/self", tokRevoked, 401,
			`{"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."}`,
			`Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="Token was revoked. You have to re-authorize from the user."`},
		{"read_api writes", "POST", "/projects", tokReadAPI, 403, fmt.Sprintf(scopeBody, "api read_api"), ""},
		{"read_user reads a project", "GET", "/projects/1001", tokReadUser, 403, fmt.Sprintf(scopeBody, "api read_api"), ""},
		{"read_repository reads the user", "GET", "/user", tokRepo, 403, fmt.Sprintf(scopeBody, "read_user api read_api"), ""},
		{"scope before existence", "GET", "/projects/nope%2Fnope", tokRepo, 403, fmt.Sprintf(scopeBody, "api read_api"), ""},
		{"unknown route", "GET", "/nope", tokMaint, 404, `{"error":"404 Not Found"}`, ""},
		{"private_token parameter", "GET", "/user?private_token=" + tokRevoked, "", 401,
			`{"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."}`,
			`Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="Token was revoked. You have to re-authorize from the user."`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := ""
			if tc.method == "POST" {
				body = `{"name":"x"}`
			}
			resp, got := raw(t, s, tc.method, tc.path, tc.token, body)
			if resp.StatusCode != tc.status || got != tc.body {
				t.Errorf("%d %s, want %d %s", resp.StatusCode, got, tc.status, tc.body)
			}
			if h := resp.Header.Get("WWW-Authenticate"); h != tc.wwwAuthenticate {
				t.Errorf("WWW-Authenticate = %q, want %q", h, tc.wwwAuthenticate)
			}
		})
	}
}

// TestScopes checks which scopes reach which endpoints through client-go.
func TestScopes(t *testing.T) {
	s := New(t, options())
	for _, tc := range []struct {
		token                  string
		self, user, get, write int // statuses
	}{
		{tokMaint, 0, 0, 0, 0},
		{tokReadAPI, 0, 0, 0, 403},
		{tokReadUser, 0, 0, 403, 403},
		{tokRepo, 0, 403, 403, 403},
	} {
		t.Run(tc.token, func(t *testing.T) {
			c := client(t, s, tc.token, false)
			_, _, err := c.PersonalAccessTokens.GetSinglePersonalAccessToken()
			check(t, "token self", err, tc.self)
			_, _, err = c.Users.CurrentUser()
			check(t, "user", err, tc.user)
			_, _, err = c.Projects.GetProject("acme/platform/config", nil)
			check(t, "get project", err, tc.get)
			_, _, err = c.Projects.EditProject("acme/platform/config", &gitlab.EditProjectOptions{DefaultBranch: gitlab.Ptr("main")})
			check(t, "edit project", err, tc.write)
		})
	}
}

func check(t *testing.T, what string, err error, want int) {
	t.Helper()
	if got := statusOf(t, err); got != want {
		t.Errorf("%s: status %d (%v), want %d", what, got, err, want)
	}
}

// TestClock checks that expiry follows Options.Now, under every test instant:
// tokExpiring works before its date and is refused from 00:00 UTC that day.
func TestClock(t *testing.T) {
	testclock.Run(t, func(t *testing.T, now time.Time) {
		for _, tc := range []struct {
			clock time.Time
			ok    bool
		}{
			{now, now.Before(expiry)},
			{expiry.Add(-time.Nanosecond), true},
			{expiry, false},
			{expiry.Add(23 * time.Hour), false},
		} {
			o := options()
			o.Now = testclock.Fixed(tc.clock)
			s := New(t, o)
			resp, body := raw(t, s, "GET", "/personal_access_tokens/self", tokExpiring, "")
			if tc.ok {
				var pat struct{ Active bool }
				if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &pat) != nil || !pat.Active {
					t.Errorf("at %v: %d %s, want 200 active", tc.clock, resp.StatusCode, body)
				}
				continue
			}
			const want = `{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}`
			if resp.StatusCode != 401 || body != want || resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("at %v: %d %s, want 401 %s", tc.clock, resp.StatusCode, body, want)
			}
		}
	})
}
