package fakegithub

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"
)

func TestCreateRepository(t *testing.T) {
	forBoth(t, func(t *testing.T, enterprise bool) {
		tk := newWriteTokens()
		s := New(t, writeOptions(tk, enterprise))
		ctx := context.Background()
		web := "https://github.com"
		if enterprise {
			web = strings.TrimSuffix(s.URL(), "/api/v3/")
		}
		for _, tc := range []struct {
			name, token, org string
			repo             *github.Repository
			status           int
			owner            string
		}{
			{name: "user repo", token: tk.admin, repo: &github.Repository{Name: github.String("own"), Private: github.Bool(true)}, status: 201, owner: "robot"},
			{name: "org repo", token: tk.admin, org: "acme", repo: &github.Repository{Name: github.String("shared-config"), Private: github.Bool(true), AutoInit: github.Bool(false)}, status: 201, owner: "acme"},
			{name: "public with public_repo", token: tk.public, repo: &github.Repository{Name: github.String("open")}, status: 201, owner: "robot"},
			{name: "fine-grained administration write", token: tk.fineAdmin, org: "acme", repo: &github.Repository{Name: github.String("fine"), Private: github.Bool(true)}, status: 201, owner: "acme"},
			{name: "private with public_repo", token: tk.public, repo: &github.Repository{Name: github.String("hidden"), Private: github.Bool(true)}, status: 404},
			{name: "no repo scope", token: tk.narrow, repo: &github.Repository{Name: github.String("nope")}, status: 404},
			{name: "fine-grained without administration", token: tk.fineContents, repo: &github.Repository{Name: github.String("nope")}, status: 403},
			{name: "not a member", token: tk.outsider, org: "acme", repo: &github.Repository{Name: github.String("nope")}, status: 403},
			{name: "unknown organization", token: tk.admin, org: "elsewhere", repo: &github.Repository{Name: github.String("nope")}, status: 404},
			{name: "anonymous", repo: &github.Repository{Name: github.String("nope")}, status: 401},
			{name: "no name", token: tk.admin, repo: &github.Repository{Private: github.Bool(true)}, status: 422},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, resp, err := ghClient(t, s, tc.token).Repositories.Create(ctx, tc.org, tc.repo)
				if status(resp) != tc.status {
					t.Fatalf("status %d, want %d (%v)", status(resp), tc.status, err)
				}
				if tc.status != 201 {
					errorResponse(t, err)
					return
				}
				full := tc.owner + "/" + tc.repo.GetName()
				if err != nil || got.GetFullName() != full || got.GetOwner().GetLogin() != tc.owner ||
					got.GetPrivate() != tc.repo.GetPrivate() || got.GetDefaultBranch() != "main" || got.GetID() == 0 ||
					got.GetHTMLURL() != web+"/"+full || got.GetCloneURL() != web+"/"+full+".git" || !got.GetPermissions()["admin"] {
					t.Errorf("created %+v, %v", got, err)
				}
				// The creator administers it, and can read it back.
				if _, resp, err := ghClient(t, s, tc.token).Repositories.Get(ctx, tc.owner, tc.repo.GetName()); err != nil {
					t.Errorf("get the new repository: %d %v", status(resp), err)
				}
			})
		}
		want := []string{"robot/own", "acme/shared-config", "robot/open", "acme/fine"}
		if diff := cmp.Diff(want, s.CreatedRepos()); diff != "" {
			t.Errorf("CreatedRepos (-want +got):\n%s", diff)
		}

		// An existing name: GitHub's 422.
		for _, org := range []string{"", "acme"} {
			name := map[string]string{"": "own", "acme": "config"}[org]
			_, resp, err := ghClient(t, s, tk.admin).Repositories.Create(ctx, org, &github.Repository{Name: github.String(name)})
			er := errorResponse(t, err)
			if status(resp) != 422 || er.Message != "Repository creation failed." || len(er.Errors) != 1 ||
				er.Errors[0].Message != "name already exists on this account" || er.Errors[0].Field != "name" || er.Errors[0].Code != "custom" {
				t.Errorf("repeat %q: %d %+v", name, status(resp), er)
			}
		}
		if len(s.CreatedRepos()) != len(want) {
			t.Errorf("a refused creation was recorded: %v", s.CreatedRepos())
		}
	})
}

func TestCreateRepositoryCloneURL(t *testing.T) {
	tk := newWriteTokens()
	o := writeOptions(tk, false)
	calls := map[string]int{}
	o.CloneURL = func(owner, name string) string {
		calls[owner+"/"+name]++
		return "http://127.0.0.1:1/" + owner + "/" + name + ".git"
	}
	s := New(t, o)
	c := ghClient(t, s, tk.admin)
	got, _, err := c.Repositories.Create(context.Background(), "acme", &github.Repository{Name: github.String("new")})
	if err != nil || got.GetCloneURL() != "http://127.0.0.1:1/acme/new.git" {
		t.Fatalf("clone_url %q, %v", got.GetCloneURL(), err)
	}
	again, _, err := c.Repositories.Get(context.Background(), "acme", "new")
	if err != nil || again.GetCloneURL() != got.GetCloneURL() {
		t.Errorf("GET clone_url %q, %v", again.GetCloneURL(), err)
	}
	if calls["acme/new"] != 1 {
		t.Errorf("CloneURL called %d times for acme/new, want once", calls["acme/new"])
	}
}
