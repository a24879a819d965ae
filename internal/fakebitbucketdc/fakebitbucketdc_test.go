package fakebitbucketdc_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakebitbucketdc"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

var (
	personal = testcreds.BitbucketDC("200000000001", "personal")
	project  = testcreds.BitbucketDC("200000000002", "project")
)

func start(t *testing.T, b fakebitbucketdc.Bucket) *fakebitbucketdc.Server {
	return fakebitbucketdc.New(t, fakebitbucketdc.Options{Now: testclock.Fixed(testclock.Default()), Bucket: b,
		Tokens: []fakebitbucketdc.Token{
			{Value: personal, User: "alice", ProjectPerm: fakebitbucketdc.Admin, RepoPerm: fakebitbucketdc.Admin},
			{Value: project, User: "bot-acme", Kind: fakebitbucketdc.Project, Project: "ACME", ProjectPerm: fakebitbucketdc.Read, RepoPerm: fakebitbucketdc.Write},
		},
		Projects: []fakebitbucketdc.Proj{{Key: "ACME", Perms: map[string]int{"alice": fakebitbucketdc.Admin}}},
		Repos:    []fakebitbucketdc.Repo{{Project: "ACME", Slug: "one"}, {Project: "ACME", Slug: "two"}, {Project: "ACME", Slug: "three"}},
	})
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func get(t *testing.T, s *fakebitbucketdc.Server, path string, auth func(*http.Request)) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, strings.TrimSuffix(s.URL(), "rest/api/1.0/")+path, nil)
	if auth != nil {
		auth(req)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(data, &a.body); err != nil {
		t.Fatalf("%s: body %q is not JSON", path, data)
	}
	return a
}

func bearer(v string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+v) }
}

func basic(user, v string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, v) }
}

func exception(a answer) string {
	errs, _ := a.body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	s, _ := e["exceptionName"].(string)
	return s
}

// TestAuthentication: Bearer for every token, basic auth for a personal
// token with its user's name only; X-AUSERNAME on authenticated answers;
// refusals and missing permissions are both 401, told apart by the
// exception.
func TestAuthentication(t *testing.T) {
	s := start(t, fakebitbucketdc.Bucket{})
	for _, tc := range []struct {
		name   string
		auth   func(*http.Request)
		status int
		user   string
		exc    string
	}{
		{"personal bearer", bearer(personal), 200, "alice", ""},
		{"personal basic", basic("alice", personal), 200, "alice", ""},
		{"personal basic, another user", basic("bob", personal), 401, "", "IncorrectPasswordAuthenticationException"},
		{"project bearer", bearer(project), 200, "bot-acme", ""},
		{"project basic", basic("bot-acme", project), 401, "", "IncorrectPasswordAuthenticationException"},
		{"anonymous", nil, 401, "", "AuthorisationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := get(t, s, "rest/api/latest/projects/ACME/repos/one", tc.auth)
			if a.status != tc.status || a.header.Get("X-AUSERNAME") != tc.user || !strings.HasSuffix(exception(a), tc.exc) {
				t.Errorf("%d, X-AUSERNAME %q, %s; want %d, %q, %s", a.status, a.header.Get("X-AUSERNAME"), exception(a), tc.status, tc.user, tc.exc)
			}
		})
	}
	if a := get(t, s, "rest/api/1.0/projects/ACME/permissions/users", bearer(project)); a.status != 401 || !strings.HasSuffix(exception(a), "AuthorisationException") {
		t.Errorf("a project token with PROJECT_READ lists permissions: %d", a.status)
	}
	if a := get(t, s, "rest/api/1.0/projects/ACME/repos/nope", bearer(personal)); a.status != 404 || !strings.HasSuffix(exception(a), "NoSuchRepositoryException") {
		t.Errorf("missing repository: %d %s", a.status, exception(a))
	}
}

// TestPaging: start and limit page a list; the last page has isLastPage
// and no nextPageStart.
func TestPaging(t *testing.T) {
	s := start(t, fakebitbucketdc.Bucket{})
	a := get(t, s, "rest/api/1.0/repos?limit=2", bearer(personal))
	if a.body["size"] != 2.0 || a.body["isLastPage"] != false || a.body["nextPageStart"] != 2.0 {
		t.Fatalf("first page %v", a.body)
	}
	a = get(t, s, "rest/api/1.0/repos?limit=2&start=2", bearer(personal))
	if _, ok := a.body["nextPageStart"]; a.body["size"] != 1.0 || a.body["isLastPage"] != true || ok {
		t.Fatalf("last page %v", a.body)
	}
}

// TestBucket: a user's bucket of 2 answers the third request 429 with
// Retry-After while the clock stands still.
func TestBucket(t *testing.T) {
	s := start(t, fakebitbucketdc.Bucket{Size: 2, Refill: 1})
	for i, want := range []int{200, 200, 429} {
		a := get(t, s, "rest/api/1.0/projects/ACME/repos/one", bearer(personal))
		if a.status != want || (want == 429 && a.header.Get("Retry-After") != "1") {
			t.Errorf("request %d: %d, Retry-After %q", i+1, a.status, a.header.Get("Retry-After"))
		}
	}
}
