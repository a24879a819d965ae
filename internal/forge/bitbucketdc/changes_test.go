package bitbucketdc_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/bitbucketdc"
	"github.com/rtconf/rtconf/internal/testclock"
)

func client(t *testing.T, tok string, o forge.Options) *bitbucketdc.Client {
	t.Helper()
	c, err := bitbucketdc.NewClient(parse(t, tok), o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEnsureRepository: an existing repository is found; a missing one is
// created in its project by a project admin, private unless told; a
// developer may not; a missing project says to create it.
func TestEnsureRepository(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	o := opts(s, testclock.Default())
	repo, created, err := client(t, tokAdmin, o).EnsureRepository(ctx, "ACME", "shared-config", true)
	if err != nil || created || repo.Owner != "ACME" || repo.Name != "shared-config" || !repo.Private || !strings.HasSuffix(repo.CloneURL, "/scm/acme/shared-config.git") {
		t.Fatalf("existing: %+v, %v, %v", repo, created, err)
	}
	repo, created, err = client(t, tokAdmin, o).EnsureRepository(ctx, "ACME", "new-config", true)
	if err != nil || !created || repo.Name != "new-config" || repo.DefaultBranch != "main" || !strings.Contains(repo.HTMLURL, "/projects/ACME/repos/new-config") || !s.HasRepo("ACME", "new-config") {
		t.Fatalf("created: %+v, %v, %v", repo, created, err)
	}
	_, _, err = client(t, tokDev, o).EnsureRepository(ctx, "ACME", "dev-config", true)
	var e *forge.APIError
	if !errors.As(err, &e) || e.Status != http.StatusUnauthorized || !strings.Contains(e.Hint, "PROJECT_ADMIN") || s.HasRepo("ACME", "dev-config") {
		t.Fatalf("developer: %v", err)
	}
	_, _, err = client(t, tokAdmin, o).EnsureRepository(ctx, "NOPE", "cfg", true)
	if !errors.As(err, &e) || e.Status != http.StatusNotFound || !strings.Contains(e.Hint, "create the project NOPE first") {
		t.Fatalf("missing project: %v", err)
	}
	_, _, err = client(t, tokAdmin, o).EnsureRepository(ctx, "ACME", "Mixed Name", true)
	if err == nil || !strings.Contains(err.Error(), "write repository.url with the slug") {
		t.Fatalf("a name whose slug differs: %v", err)
	}
}

// TestProtect: branch permissions (pull requests only, no deletes, no
// force pushes), one required approver and the required build; a second
// run adds nothing; a developer may not.
func TestProtect(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	o := opts(s, testclock.Default())
	for range 2 {
		if err := client(t, tokAdmin, o).Protect(ctx, "ACME", "shared-config", "main", "rtconf validate"); err != nil {
			t.Fatal(err)
		}
	}
	p := s.Protection("ACME", "shared-config")
	want := []string{"pull-request-only", "no-deletes", "fast-forward-only"}
	if !reflect.DeepEqual(p.Restrictions["refs/heads/main"], want) || !reflect.DeepEqual(p.Builds["refs/heads/main"], []string{"rtconf validate"}) || p.Approvers != 1 {
		t.Fatalf("protection %+v", p)
	}
	err := client(t, tokDev, o).Protect(ctx, "ACME", "shared-config", "main", "rtconf validate")
	var e *forge.APIError
	if !errors.As(err, &e) || e.Status != http.StatusUnauthorized || strings.Contains(err.Error(), tokDev) {
		t.Fatalf("developer: %v", err)
	}
}

// TestOpenChangeRequest: a pull request from head into base, its web
// address returned; the same one again is Bitbucket's 409.
func TestOpenChangeRequest(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	c := client(t, tokDev, opts(s, testclock.Default()))
	cr := forge.ChangeRequest{Title: "Add user carol", Body: "by rtconf", Head: "rtconf/user-add-carol", Base: "main"}
	url, err := c.OpenChangeRequest(ctx, "ACME", "shared-config", cr)
	if err != nil || !strings.HasSuffix(url, "/projects/ACME/repos/shared-config/pull-requests/1") {
		t.Fatalf("open: %q, %v", url, err)
	}
	prs := s.PullRequests("ACME", "shared-config")
	if len(prs) != 1 || prs[0].FromRef != "refs/heads/rtconf/user-add-carol" || prs[0].ToRef != "refs/heads/main" || prs[0].Author != "dev" || prs[0].Description != "by rtconf" {
		t.Fatalf("pull requests %+v", prs)
	}
	_, err = c.OpenChangeRequest(ctx, "ACME", "shared-config", cr)
	var e *forge.APIError
	if !errors.As(err, &e) || e.Status != http.StatusConflict {
		t.Fatalf("again: %v", err)
	}
}

// TestChangesAreNotRetried: a write that got a 5xx may have been made: it
// is not retried, and the error says so.
func TestChangesAreNotRetried(t *testing.T) {
	s := fake(t, testclock.Default())
	s.Fault("/rest/api/1.0/projects/ACME/repos/shared-config/pull-requests", 1, http.StatusBadGateway, nil, "")
	_, err := client(t, tokDev, opts(s, testclock.Default())).OpenChangeRequest(context.Background(), "ACME", "shared-config",
		forge.ChangeRequest{Title: "t", Head: "h", Base: "main"})
	if err == nil || !strings.Contains(err.Error(), "not retried") || len(s.Requests()) != 1 {
		t.Fatalf("err = %v, %d requests", err, len(s.Requests()))
	}
}
