package fakebitbucket_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakebitbucket"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

var (
	api       = testcreds.BitbucketAPIToken("fakeapi")
	access    = testcreds.BitbucketAccessToken("fakeaccess")
	apiNoUser = testcreds.BitbucketAPIToken("fakenouser")
)

func server(t *testing.T) *fakebitbucket.Server {
	t.Helper()
	repos := []fakebitbucket.Repo{}
	for _, name := range []string{"a", "b", "c"} {
		repos = append(repos, fakebitbucket.Repo{Workspace: "acme", Slug: name, Private: true, Perms: map[string]string{"robot": "admin"}})
	}
	return fakebitbucket.New(t, fakebitbucket.Options{
		Now: testclock.Fixed(testclock.Default()),
		Tokens: []fakebitbucket.Token{
			{Value: api, Kind: fakebitbucket.APIToken, Email: "robot@example.com", User: "robot", Scopes: []string{"read:user:bitbucket", "read:repository:bitbucket"}},
			{Value: apiNoUser, Kind: fakebitbucket.APIToken, Email: "robot@example.com", User: "robot", Scopes: []string{"read:repository:bitbucket"}},
			{Value: access, Kind: fakebitbucket.RepoAccessToken, User: "a token", Repo: "acme/a", Scopes: []string{"repository"}},
		},
		Workspaces: []fakebitbucket.Workspace{{Slug: "acme", Admins: []string{"robot"}}},
		Repos:      repos,
	})
}

func get(t *testing.T, s *fakebitbucket.Server, path string, auth func(*http.Request)) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	if auth != nil {
		auth(req)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s: %v: %s", path, err, data)
	}
	return resp, out
}

func basic(email, tok string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(email, tok) }
}

func bearer(tok string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

// TestAuth: an API token only as basic auth with its e-mail address, an
// access token only as Bearer; the scopes and kind in the headers.
func TestAuth(t *testing.T) {
	s := server(t)
	for _, c := range []struct {
		name   string
		auth   func(*http.Request)
		status int
		kind   string
	}{
		{"API token, basic", basic("robot@example.com", api), http.StatusOK, fakebitbucket.APIToken},
		{"API token, wrong e-mail", basic("other@example.com", api), http.StatusUnauthorized, ""},
		{"API token as Bearer", bearer(api), http.StatusUnauthorized, ""},
		{"access token, Bearer", bearer(access), http.StatusOK, fakebitbucket.RepoAccessToken},
		{"API token without read:user", basic("robot@example.com", apiNoUser), http.StatusForbidden, fakebitbucket.APIToken},
		{"access token as basic", basic("x-token-auth", access), http.StatusUnauthorized, ""},
		{"none", nil, http.StatusUnauthorized, ""},
	} {
		resp, body := get(t, s, "user", c.auth)
		if resp.StatusCode != c.status || resp.Header.Get("X-Credential-Type") != c.kind {
			t.Errorf("%s: %d %q; want %d %q", c.name, resp.StatusCode, resp.Header.Get("X-Credential-Type"), c.status, c.kind)
		}
		if c.kind != "" && resp.Header.Get("X-OAuth-Scopes") == "" {
			t.Errorf("%s: no X-OAuth-Scopes", c.name)
		}
		if resp.StatusCode == http.StatusForbidden {
			e := body["error"].(map[string]any)
			if !strings.Contains(e["message"].(string), "privilege scopes") || e["detail"].(map[string]any)["required"] == nil {
				t.Errorf("%s: 403 body %v", c.name, body)
			}
		}
	}
}

// TestPages: Bitbucket's paged lists, followed by next to the end.
func TestPages(t *testing.T) {
	s := server(t)
	path := "user/permissions/repositories?pagelen=2"
	var names []string
	for pages := 0; path != ""; pages++ {
		if pages > 3 {
			t.Fatal("no end to the pages")
		}
		resp, body := get(t, s, path, basic("robot@example.com", api))
		if resp.StatusCode != http.StatusOK || body["size"].(float64) != 3 {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, body)
		}
		for _, v := range body["values"].([]any) {
			names = append(names, v.(map[string]any)["repository"].(map[string]any)["full_name"].(string))
		}
		path = ""
		if next, ok := body["next"].(string); ok {
			path = strings.TrimPrefix(next, s.URL())
		}
	}
	if strings.Join(names, " ") != "acme/a acme/b acme/c" {
		t.Errorf("pages gave %v", names)
	}
}

// TestRateLimit: a spent limit is 429 with Bitbucket's headers, and a
// Retry-After only when asked.
func TestRateLimit(t *testing.T) {
	s := server(t)
	s.RateLimit(1, -1)
	s.RateLimit(1, 30)
	resp, _ := get(t, s, "user", basic("robot@example.com", api))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("X-RateLimit-Limit") == "" || resp.Header.Get("Retry-After") != "" {
		t.Errorf("first: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = get(t, s, "user", basic("robot@example.com", api))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "30" {
		t.Errorf("second: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := get(t, s, "user", basic("robot@example.com", api)); resp.StatusCode != http.StatusOK {
		t.Errorf("third: %d", resp.StatusCode)
	}
}

// TestPrivateRepoIsHidden: a repository outside an access token's reach is
// 404, as to anyone who cannot see it.
func TestPrivateRepoIsHidden(t *testing.T) {
	s := server(t)
	if resp, _ := get(t, s, "repositories/acme/a", bearer(access)); resp.StatusCode != http.StatusOK {
		t.Errorf("own repository: %d", resp.StatusCode)
	}
	if resp, _ := get(t, s, "repositories/acme/b", bearer(access)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another repository: %d", resp.StatusCode)
	}
}
