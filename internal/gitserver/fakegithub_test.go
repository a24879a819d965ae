package gitserver_test

// How the two test servers fit together: a repository created through the
// fake GitHub API is a real remote here, and the fake's pull requests see the
// branches pushed to it.

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/rtconf/rtconf/internal/fakegithub"
	rtgithub "github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

func TestWithFakeGitHub(t *testing.T) {
	ctx := context.Background()
	token := testcreds.Classic("together")
	gs := gitserver.New(t, gitserver.Options{Token: token})
	api := fakegithub.New(t, fakegithub.Options{
		Now:          testclock.Fixed(testclock.Default()),
		Tokens:       []fakegithub.Token{{Value: token, Login: "robot", Scopes: []string{"repo"}}},
		Orgs:         map[string][]string{"acme": {"robot"}},
		CloneURL:     gs.NewRepoFunc(t),
		BranchExists: gs.BranchExists,
	})
	gh := github.NewClient(api.Client()).WithAuthToken(token)
	base, err := url.Parse(api.URL())
	if err != nil {
		t.Fatal(err)
	}
	gh.BaseURL = base

	created, _, err := gh.Repositories.Create(ctx, "acme", &github.Repository{Name: github.String("shared-config"), Private: github.Bool(true)})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if want := gs.URL() + "/acme/shared-config.git"; created.GetCloneURL() != want {
		t.Fatalf("clone_url %q, want %q", created.GetCloneURL(), want)
	}

	// Push main, then ask for a pull request from a branch not pushed yet.
	local, err := git.InitWithOptions(memory.NewStorage(), memfs.New(), git.InitOptions{DefaultBranch: plumbing.Main})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{created.GetCloneURL()}}); err != nil {
		t.Fatal(err)
	}
	commit(t, local, "rtconf.yaml", "version: 1\n")
	push(t, local, token, "main:main")
	pr := &github.NewPullRequest{Title: github.String("Add runtime prod"), Head: github.String("rtconf/add-prod"), Base: github.String("main")}
	_, resp, err := gh.PullRequests.Create(ctx, "acme", "shared-config", pr)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != 422 || len(er.Errors) != 1 || er.Errors[0].Field != "head" {
		t.Fatalf("pull request from a missing branch: %v", err)
	}
	commit(t, local, "runtimes/prod.yaml", "name: prod\n")
	push(t, local, token, "main:rtconf/add-prod")
	if _, _, err := gh.PullRequests.Create(ctx, "acme", "shared-config", pr); err != nil {
		t.Fatalf("pull request: %v", err)
	}
	want := map[string]string{"rtconf.yaml": "version: 1\n", "runtimes/prod.yaml": "name: prod\n"}
	if diff := cmp.Diff(want, gitserver.Tree(t, gs.BareDir("acme", "shared-config"), "rtconf/add-prod")); diff != "" {
		t.Errorf("pushed branch (-want +got):\n%s", diff)
	}
}

func commit(t *testing.T, repo *git.Repository, name, content string) {
	t.Helper()
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	f, err := wt.Filesystem.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add(name); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(1700000000, 0)}
	if _, err := wt.Commit("add "+name, &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
}

func push(t *testing.T, repo *git.Repository, token, spec string) {
	t.Helper()
	src, dst, _ := strings.Cut(spec, ":")
	err := repo.Push(&git.PushOptions{
		RefSpecs: []config.RefSpec{config.RefSpec("refs/heads/" + src + ":refs/heads/" + dst)},
		Auth:     &githttp.BasicAuth{Username: "x-access-token", Password: token},
	})
	if err != nil {
		t.Fatalf("push %s: %v", spec, err)
	}
}

// TestAppInstallationTokenPushes: an installation token the fake issued
// pushes with username x-access-token to its repository, for an hour of
// the fake's clock.
func TestAppInstallationTokenPushes(t *testing.T) {
	ctx := context.Background()
	now := testclock.Default()
	clock := &now
	key, pemKey := testcreds.AppKey(t)
	var api *fakegithub.Server
	gs := gitserver.New(t, gitserver.Options{Accept: func(owner, name, user, pass string) bool { return api.GitAuth(owner, name, user, pass) }})
	api = fakegithub.New(t, fakegithub.Options{
		Now:   func() time.Time { return *clock },
		Repos: []fakegithub.Repo{{Owner: "acme", Name: "shared-config", Private: true}},
		Apps: []fakegithub.App{{ID: 42, Slug: "rtconf-acme", Key: &key.PublicKey,
			Installations: []fakegithub.Installation{{ID: 7, Account: "acme", Permissions: map[string]string{"contents": "write"}}}}},
	})
	gs.NewRepo(t, "acme", "shared-config")
	bare := gs.BareDir("acme", "shared-config")
	appKey, err := rtgithub.Forge{}.ParseAppKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	jwtTok, err := rtgithub.AppJWT(appKey, 42, now)
	if err != nil {
		t.Fatal(err)
	}
	gh := github.NewClient(api.Client()).WithAuthToken(jwtTok.Reveal())
	gh.BaseURL, _ = url.Parse(api.URL())
	it, _, err := gh.Apps.CreateInstallationToken(ctx, 7, &github.InstallationTokenOptions{Repositories: []string{"shared-config"}})
	if err != nil {
		t.Fatalf("installation token: %v", err)
	}
	local, err := git.InitWithOptions(memory.NewStorage(), memfs.New(), git.InitOptions{DefaultBranch: plumbing.Main})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{gs.URL() + "/acme/shared-config.git"}}); err != nil {
		t.Fatal(err)
	}
	commit(t, local, "rtconf.yaml", "version: 1\n")
	push(t, local, it.GetToken(), "main:main")
	if got := gitserver.Tree(t, bare, "main"); got["rtconf.yaml"] != "version: 1\n" {
		t.Errorf("pushed tree %v", got)
	}
	later := now.Add(time.Hour)
	clock = &later
	commit(t, local, "b.yaml", "b\n")
	err = local.Push(&git.PushOptions{RefSpecs: []config.RefSpec{"refs/heads/main:refs/heads/main"},
		Auth: &githttp.BasicAuth{Username: "x-access-token", Password: it.GetToken()}})
	if err == nil {
		t.Error("an expired installation token still pushes")
	}
}
