package bitbucket_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakebitbucket"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/bitbucket"
	"github.com/rtconf/rtconf/internal/testclock"
)

func client(t *testing.T, s *fakebitbucket.Server, v string) *bitbucket.Client {
	t.Helper()
	c, err := bitbucket.NewClient(parse(t, v), opts(s, testclock.Default()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEnsureRepository(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	c := client(t, s, email+":"+apiAdmin)
	repo, created, err := c.EnsureRepository(ctx, "acme", "shared-config", true)
	if err != nil || created || repo.Owner != "acme" || repo.Name != "shared-config" || !repo.Private || repo.DefaultBranch != "main" {
		t.Fatalf("existing: %+v, %v, %v", repo, created, err)
	}
	// The clone link names the caller; rtconf's copy does not.
	if repo.CloneURL != "https://bitbucket.org/acme/shared-config.git" {
		t.Errorf("clone URL %q", repo.CloneURL)
	}
	repo, created, err = c.EnsureRepository(ctx, "acme", "new-config", true)
	if err != nil || !created || !s.HasRepo("acme", "new-config") || !repo.Private {
		t.Fatalf("create: %+v, %v, %v", repo, created, err)
	}
	if _, created, err := c.EnsureRepository(ctx, "acme", "new-config", true); err != nil || created {
		t.Errorf("a re-run: created %v, %v", created, err)
	}
	var ae *forge.APIError
	// A writer may not create in the workspace.
	if _, _, err := client(t, s, "dev@example.com:"+apiDev).EnsureRepository(ctx, "acme", "dev-config", true); !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		t.Errorf("a writer: %v", err)
	}
	// A repository access token without the repository's reach sees 404,
	// then may not create.
	if _, _, err := client(t, s, otherToken).EnsureRepository(ctx, "acme", "third", true); !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		t.Errorf("another repository's token: %v", err)
	}
	if s.HasRepo("acme", "dev-config") || s.HasRepo("acme", "third") {
		t.Errorf("created without the right")
	}
}

func TestProtect(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	c := client(t, s, repoToken)
	for range 2 { // a re-run converges on the same restrictions
		if err := c.Protect(ctx, "acme", "shared-config", "main", "rtconf validate"); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	for _, r := range s.Restrictions("acme", "shared-config") {
		v := -1
		if r.Value != nil {
			v = *r.Value
		}
		if r.Pattern != "main" || r.BranchMatchKind != "glob" || len(r.Users) != 0 {
			t.Errorf("restriction %+v", r)
		}
		got[r.Kind] = v
	}
	want := map[string]int{"push": -1, "force": -1, "delete": -1, "require_approvals_to_merge": 1, "require_passing_builds_to_merge": 1}
	if len(got) != len(want) {
		t.Fatalf("restrictions %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d; want %d", k, got[k], v)
		}
	}
	// A weaker restriction set by hand is raised; a stricter one is kept.
	s.Fault("/repositories/acme/shared-config/branch-restrictions", 1, http.StatusOK, nil,
		`{"values":[{"id":4,"kind":"require_approvals_to_merge","branch_match_kind":"glob","pattern":"main","value":0,"users":[],"groups":[]},`+
			`{"id":5,"kind":"require_passing_builds_to_merge","branch_match_kind":"glob","pattern":"main","value":3,"users":[],"groups":[]},`+
			`{"id":1,"kind":"push","branch_match_kind":"glob","pattern":"main","users":[{"username":"dev"}],"groups":[]},`+
			`{"id":2,"kind":"force","branch_match_kind":"glob","pattern":"main","users":[],"groups":[]},`+
			`{"id":3,"kind":"delete","branch_match_kind":"glob","pattern":"main","users":[],"groups":[]}]}`)
	before := len(s.Requests())
	if err := c.Protect(ctx, "acme", "shared-config", "main", "rtconf validate"); err != nil {
		t.Fatal(err)
	}
	var puts []string
	for _, r := range s.Requests()[before:] {
		if r.Method != http.MethodGet {
			puts = append(puts, r.Method+" "+r.Path)
		}
	}
	if strings.Join(puts, ", ") != "PUT /repositories/acme/shared-config/branch-restrictions/1, PUT /repositories/acme/shared-config/branch-restrictions/4" {
		t.Errorf("writes %v; want the push restriction and the approvals raised, nothing else", puts)
	}
	var ae *forge.APIError
	if err := client(t, s, "dev@example.com:"+apiDev).Protect(ctx, "acme", "shared-config", "main", "rtconf validate"); !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		t.Errorf("without admin: %v", err)
	}
}

// TestProtectPages: the restrictions already there are read over every
// page, so a re-run does not create them twice.
func TestProtectPages(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	c := client(t, s, repoToken)
	if err := c.Protect(ctx, "acme", "shared-config", "main", "rtconf validate"); err != nil {
		t.Fatal(err)
	}
	// One restriction a page: the fake's next links carry the client on.
	page := `{"pagelen":1,"size":2,"page":1,"values":[{"id":1,"kind":"push","branch_match_kind":"glob","pattern":"main","users":[],"groups":[]}],"next":"` + s.URL() + `repositories/acme/shared-config/branch-restrictions?pattern=main&page=2&pagelen=1"}`
	s.Fault("/repositories/acme/shared-config/branch-restrictions", 1, http.StatusOK, nil, page)
	if err := c.Protect(ctx, "acme", "shared-config", "main", "rtconf validate"); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Restrictions("acme", "shared-config")); n != 5 {
		t.Errorf("%d restrictions after a paged re-run; want 5", n)
	}
	evil := `{"values":[],"next":"https://evil.example/2.0/x"}`
	s.Fault("/repositories/acme/shared-config/branch-restrictions", 1, http.StatusOK, nil, evil)
	if err := c.Protect(ctx, "acme", "shared-config", "main", "rtconf validate"); err == nil || !strings.Contains(err.Error(), "not followed") {
		t.Errorf("a next page elsewhere: %v", err)
	}
}

func TestOpenChangeRequest(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	url, err := client(t, s, "dev@example.com:"+apiDev).OpenChangeRequest(ctx, "acme", "shared-config",
		forge.ChangeRequest{Title: "Add user", Body: "body", Head: "rtconf/user", Base: "main"})
	if err != nil || !strings.HasSuffix(url, "/acme/shared-config/pull-requests/1") {
		t.Fatalf("OpenChangeRequest = %q, %v", url, err)
	}
	if ps := s.PullRequests("acme", "shared-config"); len(ps) != 1 || ps[0].Source != "rtconf/user" || ps[0].Dest != "main" || !ps[0].CloseSourceBranch || ps[0].Description != "body" {
		t.Errorf("pull requests %+v", ps)
	}
	// A write is not retried: it may have been made.
	s.Fault("/repositories/acme/shared-config/pullrequests", 1, http.StatusBadGateway, nil, "")
	_, err = client(t, s, repoToken).OpenChangeRequest(ctx, "acme", "shared-config", forge.ChangeRequest{Title: "t", Head: "h", Base: "main"})
	if err == nil || !strings.Contains(err.Error(), "not retried") {
		t.Errorf("a 502 on a write: %v", err)
	}
	// Without Pull requests: write, the 403 says so.
	_, err = client(t, s, readToken).OpenChangeRequest(ctx, "acme", "shared-config", forge.ChangeRequest{Title: "t", Head: "h", Base: "main"})
	var ae *forge.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || !strings.Contains(ae.Reason, "privilege scopes") {
		t.Errorf("without the scope: %v", err)
	}
}
