package gitrepo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

var when = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func author() gitrepo.Signature {
	return gitrepo.Signature{Name: "Test", Email: "test@example.com", When: when}
}

func write(t *testing.T, dir, p, content string) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func tok(t *testing.T, seed string) token.Token {
	t.Helper()
	tk, err := github.ParseToken(testcreds.Classic(seed))
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// newRepo makes a repository with one commit of a.txt and an untracked
// notes.txt.
func newRepo(t *testing.T) *gitrepo.Repo {
	t.Helper()
	dir := t.TempDir()
	r, created, err := gitrepo.Init(dir, "main")
	if err != nil || !created {
		t.Fatalf("Init = %v, %v", created, err)
	}
	write(t, dir, "a.txt", "a\n")
	write(t, dir, "notes.txt", "mine\n")
	if _, err := r.Commit([]string{"a.txt"}, "first", author()); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestInitOpensAnExistingRepository(t *testing.T) {
	r := newRepo(t)
	again, created, err := gitrepo.Init(r.Dir(), "other")
	if err != nil || created {
		t.Fatalf("Init again = %v, %v; want the existing repository", created, err)
	}
	if b, _ := again.Branch(); b != "main" {
		t.Errorf("branch = %q, want main", b)
	}
}

func TestOpenRefusesAFolderOutsideGit(t *testing.T) {
	_, err := gitrepo.Open(t.TempDir())
	if !errors.Is(err, gitrepo.ErrNotRepository) {
		t.Fatalf("Open = %v, want ErrNotRepository", err)
	}
}

func TestCommitStagesOnlyTheGivenPaths(t *testing.T) {
	r := newRepo(t)
	dirty, err := r.Dirty()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"notes.txt"}; !slices.Equal(dirty, want) {
		t.Fatalf("Dirty = %v, want %v", dirty, want)
	}
	write(t, r.Dir(), "b/c.txt", "c\n")
	if err := os.Remove(filepath.Join(r.Dir(), "a.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit([]string{"a.txt", "b/c.txt"}, "second", author()); err != nil {
		t.Fatal(err)
	}
	dirty, _ = r.Dirty()
	if want := []string{"notes.txt"}; !slices.Equal(dirty, want) {
		t.Fatalf("after commit Dirty = %v, want %v (the user's file untouched)", dirty, want)
	}
}

func TestBranchAndCheckout(t *testing.T) {
	r := newRepo(t)
	if err := r.CreateBranch("rtconf/x"); err != nil {
		t.Fatal(err)
	}
	write(t, r.Dir(), "x.txt", "x\n")
	if _, err := r.Commit([]string{"x.txt"}, "x", author()); err != nil {
		t.Fatal(err)
	}
	if err := r.Checkout("main"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r.Dir(), "x.txt")); !os.IsNotExist(err) {
		t.Errorf("x.txt is still in the working tree of main: %v", err)
	}
	if !r.BranchExists("rtconf/x") {
		t.Error("branch rtconf/x is gone")
	}
	if b, _ := r.Branch(); b != "main" {
		t.Errorf("branch = %q, want main", b)
	}
}

func TestPushOverHTTPWithToken(t *testing.T) {
	good, bad := tok(t, "pushgood"), tok(t, "pushbad")
	srv := gitserver.New(t, gitserver.Options{Token: good.Reveal()})
	url := srv.NewRepo(t, "acme", "shared")
	r := newRepo(t)
	ctx := context.Background()

	err := r.Push(ctx, url, "main", cred(bad))
	var pe *gitrepo.PushError
	if !errors.As(err, &pe) || !strings.Contains(pe.Reason, "authentication failed") {
		t.Fatalf("push with a wrong token = %v, want an authentication failure", err)
	}
	if strings.Contains(err.Error(), bad.Reveal()) {
		t.Fatal("the error holds the token")
	}
	if hasBranch(t, srv.BareDir("acme", "shared"), "main") {
		t.Fatal("a refused push changed the remote")
	}

	if err := r.Push(ctx, url, "main", cred(good)); err != nil {
		t.Fatalf("push with the right token: %v", err)
	}
	tree := gitserver.Tree(t, srv.BareDir("acme", "shared"), "main")
	if want := map[string]string{"a.txt": "a\n"}; !mapsEqual(tree, want) {
		t.Fatalf("remote tree = %v, want %v", tree, want)
	}
	// Nothing new: not an error.
	if err := r.Push(ctx, url, "main", cred(good)); err != nil {
		t.Fatalf("second push: %v", err)
	}
	for _, req := range srv.Requests() {
		for k, vs := range req.Header {
			for _, v := range vs {
				if k != "Authorization" && strings.Contains(v, good.Reveal()) {
					t.Errorf("token in header %s of %s %s", k, req.Method, req.Path)
				}
			}
		}
	}
}

func TestPushFailuresAreExplained(t *testing.T) {
	good := tok(t, "pushfail")
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(t *testing.T, srv *gitserver.Server, r *gitrepo.Repo) string
		want  string
	}{
		{"protected branch", func(t *testing.T, srv *gitserver.Server, _ *gitrepo.Repo) string {
			url := srv.NewRepo(t, "acme", "shared")
			srv.Protect(t, "acme", "shared", "main")
			return url
		}, "the branch is protected"},
		{"non-fast-forward", func(t *testing.T, srv *gitserver.Server, r *gitrepo.Repo) string {
			url := srv.NewRepo(t, "acme", "shared")
			other := newRepo(t)
			write(t, other.Dir(), "z.txt", "z\n")
			if _, err := other.Commit([]string{"z.txt"}, "theirs", author()); err != nil {
				t.Fatal(err)
			}
			if err := other.Push(ctx, url, "main", cred(good)); err != nil {
				t.Fatal(err)
			}
			return url
		}, "non-fast-forward"},
		{"network down", func(t *testing.T, srv *gitserver.Server, _ *gitrepo.Repo) string {
			url := srv.NewRepo(t, "acme", "shared")
			srv.Close()
			return url
		}, "could not reach the remote"},
		{"no such repository", func(t *testing.T, srv *gitserver.Server, _ *gitrepo.Repo) string {
			return srv.URL() + "/acme/missing.git"
		}, "repository not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := gitserver.New(t, gitserver.Options{Token: good.Reveal()})
			r := newRepo(t)
			url := tt.setup(t, srv, r)
			err := r.Push(ctx, url, "main", cred(good))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("push = %v, want an error saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), good.Reveal()) {
				t.Fatal("the error holds the token")
			}
		})
	}
}

func TestPushToABareRepositoryOnDisk(t *testing.T) {
	bare := gitserver.NewBare(t)
	r := newRepo(t)
	if err := r.Push(context.Background(), "file://"+bare, "main", gitrepo.Credential{}); err != nil {
		t.Fatal(err)
	}
	if tree := gitserver.Tree(t, bare, "main"); tree["a.txt"] != "a\n" {
		t.Fatalf("remote tree = %v", tree)
	}
	if err := r.CreateBranch("feature"); err != nil {
		t.Fatal(err)
	}
	if err := r.Push(context.Background(), "file://"+bare, "feature", gitrepo.Credential{}); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteRemoteBranch(context.Background(), "file://"+bare, "feature", gitrepo.Credential{}); err != nil {
		t.Fatal(err)
	}
	if hasBranch(t, bare, "feature") {
		t.Fatal("the remote branch is still there")
	}
}

func hasBranch(t *testing.T, bare, branch string) bool {
	t.Helper()
	g, err := git.PlainOpen(bare)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Reference(plumbing.NewBranchReferenceName(branch), false)
	return err == nil
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestCheckInSync(t *testing.T) {
	good := tok(t, "insync")
	ctx := context.Background()
	srv := gitserver.New(t, gitserver.Options{Token: good.Reveal()})
	url := srv.NewRepo(t, "acme", "shared")
	r := newRepo(t)
	if err := r.CheckInSync(ctx, url, "main", cred(good)); err != nil {
		t.Fatalf("empty remote: %v", err)
	}
	if err := r.Push(ctx, url, "main", cred(good)); err != nil {
		t.Fatal(err)
	}
	if err := r.CheckInSync(ctx, url, "main", cred(good)); err != nil {
		t.Fatalf("same commit: %v", err)
	}
	write(t, r.Dir(), "b.txt", "b\n")
	if _, err := r.Commit([]string{"b.txt"}, "local", author()); err != nil {
		t.Fatal(err)
	}
	if err := r.CheckInSync(ctx, url, "main", cred(good)); err == nil || !strings.Contains(err.Error(), "not pushed") {
		t.Fatalf("local ahead: %v", err)
	}
	gitserver.Seed(t, srv.BareDir("acme", "shared"), "main", map[string]string{"c.txt": "c\n"})
	if err := r.CheckInSync(ctx, url, "main", cred(good)); err == nil || !strings.Contains(err.Error(), "pull them first") {
		t.Fatalf("remote ahead: %v", err)
	}
	var pe *gitrepo.PushError
	if err := r.CheckInSync(ctx, url, "main", cred(tok(t, "insyncwrong"))); !errors.As(err, &pe) || pe.Op != "read" {
		t.Fatalf("wrong token: %v", err)
	}
}

// cred is tk with the username GitHub's provider sends, as rtconf pushes.
func cred(tk token.Token) gitrepo.Credential {
	return gitrepo.Credential{Username: github.GitUsername, Token: tk}
}
