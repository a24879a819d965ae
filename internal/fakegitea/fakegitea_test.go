package fakegitea_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakegitea"
	"github.com/rtconf/rtconf/internal/testclock"
)

var tok = strings.Repeat("a", 40)

func get(t *testing.T, s *fakegitea.Server, method, path, auth, body string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL()+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func msg(t *testing.T, body string) string {
	t.Helper()
	var e struct{ Message string }
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return e.Message
}

// TestAnswers: Gitea's authentication, scope and visibility answers.
func TestAnswers(t *testing.T) {
	s := fakegitea.New(t, fakegitea.Options{
		Now:    testclock.Fixed(testclock.Default()),
		Tokens: []fakegitea.Token{{Value: tok, User: "robot", Scopes: []string{"read:repository"}}},
		Repos:  []fakegitea.Repo{{Owner: "acme", Name: "cfg", Private: true, Perms: map[string]fakegitea.Perm{"robot": {Pull: true}}}, {Owner: "acme", Name: "hidden", Private: true}},
	})
	for _, tt := range []struct {
		method, path, auth string
		status             int
		message            string
	}{
		{"GET", "/user", "", 401, "token is required"},
		{"GET", "/user", "token " + strings.Repeat("b", 40), 401, "token is required"},
		{"GET", "/user", "Bearer " + tok, 401, "token is required"},
		{"GET", "/user", "token " + tok, 403, fakegitea.ScopeMessage("read:user")},
		{"POST", "/repos/acme/cfg/pulls", "token " + tok, 403, fakegitea.ScopeMessage("write:repository")},
		{"GET", "/repos/acme/hidden", "token " + tok, 404, "The target couldn't be found."},
		{"GET", "/repos/acme/nothing", "token " + tok, 404, "The target couldn't be found."},
	} {
		status, body, _ := get(t, s, tt.method, tt.path, tt.auth, "")
		if status != tt.status || msg(t, body) != tt.message {
			t.Errorf("%s %s (%q) = %d %s; want %d %q", tt.method, tt.path, tt.auth, status, body, tt.status, tt.message)
		}
	}
	status, body, _ := get(t, s, "GET", "/repos/acme/cfg", "token "+tok, "")
	var repo struct {
		FullName    string          `json:"full_name"`
		Permissions map[string]bool `json:"permissions"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &repo) != nil || repo.FullName != "acme/cfg" || !repo.Permissions["pull"] || repo.Permissions["push"] {
		t.Errorf("GET /repos/acme/cfg = %d %s", status, body)
	}
	if n := len(s.Requests()); n != 8 {
		t.Errorf("%d requests logged; want 8", n)
	}
}

// TestInjection: faults and rate limits apply in order, to the requests
// they match, as many times as asked.
func TestInjection(t *testing.T) {
	s := fakegitea.New(t, fakegitea.Options{Now: testclock.Fixed(testclock.Default()),
		Tokens: []fakegitea.Token{{Value: tok, User: "robot", Scopes: []string{"all"}}}})
	s.Fault("/user", 1, http.StatusBadGateway, nil, "bad")
	s.RateLimit(1, 7)
	if status, _, _ := get(t, s, "GET", "/user", "token "+tok, ""); status != 502 {
		t.Errorf("fault: %d", status)
	}
	if status, _, h := get(t, s, "GET", "/user", "token "+tok, ""); status != 429 || h.Get("Retry-After") != "7" {
		t.Errorf("rate limit: %d %v", status, h)
	}
	if status, _, _ := get(t, s, "GET", "/user", "token "+tok, ""); status != 200 {
		t.Errorf("after the injections: %d", status)
	}
	s.ResetConnection("/user", 1)
	req, _ := http.NewRequest("POST", s.URL()+"user/repos", strings.NewReader(`{"name":"x"}`))
	req.Header.Set("Authorization", "token "+tok)
	// /user/repos has the prefix /user: dropped.
	if _, err := s.Client().Do(req); err == nil {
		t.Errorf("reset: want an error")
	}
}

func TestNowIsRequired(t *testing.T) {
	ft := &fatalT{TB: t}
	func() {
		defer func() { recover() }()
		fakegitea.New(ft, fakegitea.Options{})
	}()
	if !ft.failed {
		t.Errorf("New without Now did not fail")
	}
}

type fatalT struct {
	testing.TB
	failed bool
}

func (f *fatalT) Fatal(args ...any) { f.failed = true; panic("fatal") }
func (f *fatalT) Helper()           {}
