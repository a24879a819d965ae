package workspace_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/workspace"
)

// remotes are a Git remote over HTTP and the fake GitHub API that serves
// the same repository, acme/shared, for one token.
type remotes struct {
	tok  token.Token
	git  *gitserver.Server
	api  *fakegithub.Server
	url  string // clone URL
	bare string
}

func newRemotes(t *testing.T, opts fakegithub.Options) *remotes {
	t.Helper()
	r := &remotes{tok: mustToken(t, testcreds.Classic("prrobot"))}
	r.git = gitserver.New(t, gitserver.Options{Token: r.tok.Reveal()})
	opts.Tokens = append(opts.Tokens, fakegithub.Token{Value: r.tok.Reveal(), Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}})
	if opts.Orgs == nil {
		opts.Orgs = map[string][]string{"acme": {"robot"}}
	}
	opts.CloneURL = r.git.NewRepoFunc(t)
	opts.BranchExists = r.git.BranchExists
	if opts.Now == nil {
		opts.Now = testclock.Fixed(now)
	}
	r.api = fakegithub.New(t, opts)
	return r
}

// published bootstraps acme/shared: created on the fake GitHub, pushed to
// the Git remote.
func (r *remotes) published(t *testing.T) string {
	t.Helper()
	r.url = r.git.URL() + "/acme/shared.git"
	r.bare = r.git.BareDir("acme", "shared")
	dir := filepath.Join(t.TempDir(), "repo")
	res, err := workspace.Bootstrap(context.Background(), initOptions(dir), workspace.BootstrapOptions{
		Create: true, Push: true, Protect: true, CheckName: "rtconf validate",
		Token: r.tok, Trust: forge.Trust{APIURL: r.api.URL()}, Remote: r.url, HTTPClient: r.api.Client(), Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.RepoCreated || !res.Pushed || !res.Protected || res.Remote != r.url {
		t.Fatalf("bootstrap: created %v, pushed %v, protected %v, remote %q", res.RepoCreated, res.Pushed, res.Protected, res.Remote)
	}
	return dir
}

func (r *remotes) pr(dir string) workspace.ChangeOptions {
	return workspace.ChangeOptions{Dir: dir, ConfigFile: config.FileName, Now: now,
		PR: &workspace.PROptions{Token: r.tok, Trust: forge.Trust{APIURL: r.api.URL()}, Remote: r.url, HTTPClient: r.api.Client()}}
}

func TestBootstrapCreatesPushesAndProtects(t *testing.T) {
	r := newRemotes(t, fakegithub.Options{})
	dir := r.published(t)
	if got := r.api.CreatedRepos(); !slices.Equal(got, []string{"acme/shared"}) {
		t.Fatalf("created = %v", got)
	}
	equalTrees(t, gitserver.Tree(t, r.bare, "main"), snapshot(t, dir))
	raw, ok := r.api.Protection("acme", "shared", "main")
	if !ok {
		t.Fatal("main is not protected")
	}
	var p struct {
		RequiredStatusChecks struct {
			Checks []struct{ Context string } `json:"checks"`
		} `json:"required_status_checks"`
		RequiredPullRequestReviews struct {
			Count int `json:"required_approving_review_count"`
		} `json:"required_pull_request_reviews"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.RequiredStatusChecks.Checks) != 1 || p.RequiredStatusChecks.Checks[0].Context != "rtconf validate" || p.RequiredPullRequestReviews.Count != 1 {
		t.Fatalf("protection = %s", raw)
	}

	// Again: the repository is found, nothing is committed, pushed is a no-op.
	before := len(r.api.Requests())
	res, err := workspace.Bootstrap(context.Background(), initOptions(dir), workspace.BootstrapOptions{
		Create: true, Push: true, Token: r.tok, Trust: forge.Trust{APIURL: r.api.URL()}, Remote: r.url, HTTPClient: r.api.Client(), Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.RepoCreated || res.Commit != "" || len(res.Changes) != 0 {
		t.Fatalf("second run: created %v, commit %q, %d changes", res.RepoCreated, res.Commit, len(res.Changes))
	}
	var calls []string
	for _, q := range r.api.Requests()[before:] {
		calls = append(calls, q.Method+" "+q.Path)
	}
	if want := []string{"GET /repos/acme/shared"}; !slices.Equal(calls, want) {
		t.Fatalf("API calls on re-run = %v, want %v", calls, want)
	}
}

func TestChangeAsPullRequest(t *testing.T) {
	r := newRemotes(t, fakegithub.Options{})
	dir := r.published(t)
	before := snapshot(t, dir)

	res, err := workspace.ApplyChange(context.Background(),
		workspace.AddRuntime(config.FileName, config.Runtime{Name: "staging", Namespace: "staging", Users: []string{"bob"}}), r.pr(dir))
	if err != nil {
		t.Fatal(err)
	}
	if res.Branch != "rtconf/runtime-add-staging" || res.PRURL != "https://github.com/acme/shared/pull/1" {
		t.Fatalf("branch %q, PR %q", res.Branch, res.PRURL)
	}
	// The working tree is back on main, as it was; the branch is kept.
	equalTrees(t, snapshot(t, dir), before)
	repo, _ := gitrepo.Open(dir)
	if b, _ := repo.Branch(); b != "main" || !repo.BranchExists(res.Branch) {
		t.Fatalf("on %q; branch kept: %v", b, repo.BranchExists(res.Branch))
	}
	// The remote branch holds the change; main on the remote is untouched.
	tree := gitserver.Tree(t, r.bare, res.Branch)
	for _, p := range []string{"overlays/staging/application.yaml", "overlays/staging/user-tokens/bob.yaml", "runtimes/staging/in-cluster.yaml"} {
		if _, ok := tree[p]; !ok {
			t.Errorf("the branch lacks %s", p)
		}
	}
	if !strings.Contains(tree["rtconf.yaml"], "  - name: staging\n") {
		t.Errorf("rtconf.yaml on the branch:\n%s", tree["rtconf.yaml"])
	}
	equalTrees(t, gitserver.Tree(t, r.bare, "main"), before)

	prs := r.api.PullRequests("acme", "shared")
	if len(prs) != 1 {
		t.Fatalf("%d pull requests", len(prs))
	}
	pr := prs[0]
	if pr.Title != "Add runtime staging" || pr.Head != res.Branch || pr.Base != "main" {
		t.Fatalf("PR %q %s→%s", pr.Title, pr.Head, pr.Base)
	}
	for _, want := range []string{"runtime `staging` (added, namespace `staging`)", "user `bob` on runtime `staging` (added)",
		"- added `overlays/staging/application.yaml`", "- updated `rtconf.yaml`"} {
		if !strings.Contains(pr.Body, want) {
			t.Errorf("PR body lacks %q:\n%s", want, pr.Body)
		}
	}

	// The same change again: its branch exists.
	_, err = workspace.ApplyChange(context.Background(),
		workspace.AddRuntime(config.FileName, config.Runtime{Name: "staging", Namespace: "staging"}), r.pr(dir))
	if err == nil || !strings.Contains(err.Error(), "branch rtconf/runtime-add-staging already exists") {
		t.Fatalf("err = %v", err)
	}
}

func TestPullRequestWhenMainIsProtectedOnTheRemote(t *testing.T) {
	r := newRemotes(t, fakegithub.Options{})
	dir := r.published(t)
	r.git.Protect(t, "acme", "shared", "main")
	if _, err := workspace.ApplyChange(context.Background(), workspace.AddUser(config.FileName, "prod", "bob"), r.pr(dir)); err != nil {
		t.Fatalf("a pull request must not need to push main: %v", err)
	}
}

func TestRefusedPushKeepsTheCommitLocally(t *testing.T) {
	r := newRemotes(t, fakegithub.Options{})
	dir := r.published(t)
	before := snapshot(t, dir)
	// The remote refuses the new branch (a pre-receive hook, as GitHub's
	// rules do); reading the remote works.
	r.git.Protect(t, "acme", "shared", "rtconf/user-add-bob-prod")

	_, err := workspace.ApplyChange(context.Background(), workspace.AddUser(config.FileName, "prod", "bob"), r.pr(dir))
	var pe *gitrepo.PushError
	if !errors.As(err, &pe) || pe.Op != "push" || !strings.Contains(err.Error(), "kept in commit") || strings.Contains(err.Error(), r.tok.Reveal()) {
		t.Fatalf("err = %v", err)
	}
	equalTrees(t, snapshot(t, dir), before)
	repo, _ := gitrepo.Open(dir)
	if !repo.BranchExists("rtconf/user-add-bob-prod") {
		t.Fatal("the local branch with the commit is gone")
	}
	if len(r.api.PullRequests("acme", "shared")) != 0 {
		t.Fatal("a pull request was opened")
	}
	if remoteHasBranch(t, r.bare, "rtconf/user-add-bob-prod") {
		t.Fatal("the refused branch is on the remote")
	}
}

func TestPullRequestRefusedBeforeAnyCommit(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, r *remotes, opts *workspace.ChangeOptions)
		want  string
	}{
		{"the remote refuses the token", func(t *testing.T, _ *remotes, opts *workspace.ChangeOptions) {
			opts.PR.Token = mustToken(t, testcreds.Classic("wrongpush"))
		}, "read main from http://127.0.0.1:"},
		{"the remote's main is ahead", func(t *testing.T, r *remotes, _ *workspace.ChangeOptions) {
			gitserver.Seed(t, r.bare, "main", map[string]string{"rtconf.yaml": "changed elsewhere\n"})
		}, "has commits this clone does not have: pull them first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRemotes(t, fakegithub.Options{})
			dir := r.published(t)
			before := snapshot(t, dir)
			opts := r.pr(dir)
			tt.setup(t, r, &opts)
			_, err := workspace.ApplyChange(context.Background(), workspace.AddUser(config.FileName, "prod", "bob"), opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			equalTrees(t, snapshot(t, dir), before)
			repo, _ := gitrepo.Open(dir)
			if repo.BranchExists("rtconf/user-add-bob-prod") {
				t.Fatal("a branch was made")
			}
		})
	}
}

func TestFailedPullRequestRemovesThePushedBranch(t *testing.T) {
	r := newRemotes(t, fakegithub.Options{})
	dir := r.published(t)
	r.api.Fault("/repos/acme/shared/pulls", -1, 502, nil, `{"message":"Server Error"}`)
	_, err := workspace.ApplyChange(context.Background(), workspace.AddUser(config.FileName, "prod", "bob"), r.pr(dir))
	if err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("err = %v", err)
	}
	g, _ := gitrepo.Open(dir)
	if !g.BranchExists("rtconf/user-add-bob-prod") {
		t.Fatal("the local branch is gone")
	}
	// Nothing half-done on the remote: the branch pushed for the pull
	// request was deleted again.
	refs := gitserver.Tree(t, r.bare, "main")
	if _, ok := refs["overlays/prod/user-tokens/bob.yaml"]; ok {
		t.Fatal("the change reached main")
	}
	if remoteHasBranch(t, r.bare, "rtconf/user-add-bob-prod") {
		t.Fatal("the pushed branch is still on the remote")
	}
}

func TestRotateTokenAsPullRequest(t *testing.T) {
	newTok := mustToken(t, testcreds.Classic("rotatednew"))
	r := newRemotes(t, fakegithub.Options{Tokens: []fakegithub.Token{
		{Value: newTok.Reveal(), Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: now.Add(90 * 24 * time.Hour)},
	}})
	dir := r.published(t)
	// Seal a first runtime token and commit it, so there is one to rotate.
	cert := filepath.Join(t.TempDir(), "cert.pem")
	testcreds.WriteCert(t, cert, now.Add(-time.Hour), now.Add(365*24*time.Hour))
	first := workspace.DefaultSealOptions()
	first.Dir, first.Runtime, first.Token, first.Cert, first.Now, first.SkipLiveCheck = dir, "prod", r.tok, cert, now, true
	if _, err := workspace.Seal(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	repo, _ := gitrepo.Open(dir)
	if _, err := repo.Commit([]string{"overlays/prod/runtime-token.yaml"}, "seal", repo.Author(gitrepo.Signature{Name: "rtconf", Email: "rtconf@users.noreply.github.com", When: now})); err != nil {
		t.Fatal(err)
	}
	if err := repo.Push(context.Background(), r.url, "main", gitrepo.Credential{Username: github.GitUsername, Token: r.tok}); err != nil {
		t.Fatal(err)
	}

	o := workspace.DefaultSealOptions()
	o.Dir, o.Runtime, o.Token, o.Cert, o.Now = dir, "prod", newTok, cert, now.Add(time.Hour)
	o.Trust.APIURL, o.Live.HTTPClient = r.api.URL(), r.api.Client()
	res, err := workspace.ApplyChange(context.Background(), workspace.RotateToken(o), r.pr(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "revoke the previous Git runtime token of runtime prod (fingerprint "+r.tok.Fingerprint()) {
		t.Fatalf("notes = %q", res.Notes)
	}
	body := r.api.PullRequests("acme", "shared")[0].Body
	for _, secret := range []string{newTok.Reveal(), r.tok.Reveal()} {
		if strings.Contains(body, secret) {
			t.Fatal("a token is in the pull request body")
		}
	}
	if !strings.Contains(body, "### After merge") {
		t.Errorf("body:\n%s", body)
	}
	sealed := gitserver.Tree(t, r.bare, res.Branch)["overlays/prod/runtime-token.yaml"]
	if !strings.Contains(sealed, newTok.Fingerprint()) || strings.Contains(sealed, newTok.Reveal()) {
		t.Fatalf("the branch does not hold the new token, sealed:\n%s", sealed)
	}
}

func remoteHasBranch(t *testing.T, bare, branch string) bool {
	t.Helper()
	g, err := git.PlainOpen(bare)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Reference(plumbing.NewBranchReferenceName(branch), false)
	return err == nil
}
