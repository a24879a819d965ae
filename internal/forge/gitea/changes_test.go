package gitea_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakegitea"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/gitea"
	"github.com/rtconf/rtconf/internal/testclock"
)

func client(t *testing.T, s *fakegitea.Server, tok string) *gitea.Client {
	t.Helper()
	c, err := gitea.NewClient(parse(t, tok), opts(s, testclock.Default()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEnsureRepository(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	c := client(t, s, tokAdmin)

	repo, created, err := c.EnsureRepository(ctx, "acme", "shared-config", true)
	if err != nil || created || repo.Owner != "acme" || repo.Name != "shared-config" || !repo.Private || repo.DefaultBranch != "main" {
		t.Fatalf("existing: %+v, %v, %v", repo, created, err)
	}

	repo, created, err = c.EnsureRepository(ctx, "acme", "new-config", true)
	if err != nil || !created || !s.HasRepo("acme", "new-config") || !strings.HasSuffix(repo.CloneURL, "/acme/new-config.git") {
		t.Fatalf("in the organisation: %+v, %v, %v", repo, created, err)
	}
	if _, created, err := c.EnsureRepository(ctx, "acme", "new-config", true); err != nil || created {
		t.Errorf("a re-run: created %v, %v", created, err)
	}

	// The token's own user: POST /user/repos, which needs write:user.
	_, _, err = c.EnsureRepository(ctx, "robot", "mine", false)
	var ae *forge.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || !strings.Contains(ae.Hint, "write:user") {
		t.Errorf("for the user without write:user: %v", err)
	}
	all := client(t, s, tokAll)
	if repo, created, err := all.EnsureRepository(ctx, "robot", "mine", false); err != nil || !created || repo.Private {
		t.Errorf("for the user: %+v, %v, %v", repo, created, err)
	}

	// A token without an organisation scope may still create for its user.
	userOnly := client(t, s, tokUserRepo)
	if _, created, err := userOnly.EnsureRepository(ctx, "robot", "second", true); err != nil || !created {
		t.Errorf("for the user, without organisation scope: %v, %v", created, err)
	}
	if _, _, err := userOnly.EnsureRepository(ctx, "acme", "third", true); !errors.As(err, &ae) || !strings.Contains(ae.Hint, "read:organization") {
		t.Errorf("in an organisation without its scope: %v", err)
	}

	// Neither an organisation nor the token's user.
	if _, _, err := all.EnsureRepository(ctx, "nobody", "x", true); !errors.As(err, &ae) || !strings.Contains(ae.Reason, "no organisation nobody") {
		t.Errorf("for someone else: %v", err)
	}

	// A member who may not create repositories in the organisation.
	push := client(t, s, tokPush)
	if _, _, err := push.EnsureRepository(ctx, "acme", "other", true); !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		t.Errorf("a member: %v", err)
	}
	if s.HasRepo("acme", "other") {
		t.Errorf("created without the right")
	}
}

func TestProtect(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	c := client(t, s, tokAdmin)
	// The status is the one Gitea Actions reports for the workflow's job
	// "rtconf validate" on a pull request.
	for range 2 { // a re-run converges on the same one rule
		if err := c.Protect(ctx, "acme", "shared-config", "main", "rtconf validate"); err != nil {
			t.Fatal(err)
		}
	}
	ps := s.Protections("acme", "shared-config")
	if len(ps) != 1 {
		t.Fatalf("protections %+v; want one", ps)
	}
	p := ps[0]
	if p.RuleName != "main" || p.EnablePush || !p.EnableStatusCheck || p.RequiredApprovals != 1 ||
		len(p.StatusCheckContexts) != 1 || p.StatusCheckContexts[0] != "rtconf / rtconf validate (pull_request)" {
		t.Errorf("protection %+v", p)
	}

	var ae *forge.APIError
	if err := client(t, s, tokPush).Protect(ctx, "acme", "shared-config", "main", "rtconf validate"); !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		t.Errorf("without admin: %v", err)
	}
}

func TestOpenChangeRequest(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	url, err := client(t, s, tokPush).OpenChangeRequest(ctx, "acme", "shared-config",
		forge.ChangeRequest{Title: "Add user", Body: "body", Head: "rtconf/user", Base: "main"})
	if err != nil || !strings.HasSuffix(url, "/acme/shared-config/pulls/1") {
		t.Fatalf("OpenChangeRequest = %q, %v", url, err)
	}
	if ps := s.Pulls("acme", "shared-config"); len(ps) != 1 || ps[0].Head != "rtconf/user" || ps[0].Base != "main" {
		t.Errorf("pulls %+v", ps)
	}

	// A write is not retried: it may have been made.
	s.Fault("/repos/acme/shared-config/pulls", 1, http.StatusBadGateway, nil, "")
	_, err = client(t, s, tokPush).OpenChangeRequest(ctx, "acme", "shared-config",
		forge.ChangeRequest{Title: "t", Head: "h", Base: "main"})
	if err == nil || !strings.Contains(err.Error(), "not retried") {
		t.Errorf("a 502 on a write: %v", err)
	}

	// Without write:repository, the error names the scope.
	_, err = client(t, s, tokRead).OpenChangeRequest(ctx, "acme", "shared-config",
		forge.ChangeRequest{Title: "t", Head: "h", Base: "main"})
	var ae *forge.APIError
	if !errors.As(err, &ae) || !strings.Contains(ae.Hint, "write:repository") {
		t.Errorf("without the scope: %v", err)
	}
}
