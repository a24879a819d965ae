package gitserver

import (
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/testcreds"
)

// local is a working repository on disk with one branch, main.
type local struct {
	t    *testing.T
	dir  string
	repo *git.Repository
}

func newLocal(t *testing.T, remote string) *local {
	t.Helper()
	dir := t.TempDir()
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.Main},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{remote}}); err != nil {
		t.Fatal(err)
	}
	return &local{t: t, dir: dir, repo: repo}
}

// commit writes files and commits them on the current branch.
func (l *local) commit(files map[string]string) plumbing.Hash {
	l.t.Helper()
	wt, err := l.repo.Worktree()
	if err != nil {
		l.t.Fatal(err)
	}
	for name, content := range files {
		path := filepath.Join(l.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			l.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			l.t.Fatal(err)
		}
		if _, err := wt.Add(name); err != nil {
			l.t.Fatal(err)
		}
	}
	sig := &object.Signature{Name: "rtconf test", Email: "test@example.com", When: time.Unix(1700000000, 0)}
	h, err := wt.Commit("test commit", &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		l.t.Fatal(err)
	}
	return h
}

// push pushes local refspec src to dst on origin.
func (l *local) push(token, src, dst string) error {
	opts := &git.PushOptions{
		RemoteName: "origin",
		RefSpecs:   []config.RefSpec{config.RefSpec("refs/heads/" + src + ":refs/heads/" + dst)},
	}
	if token != "" {
		opts.Auth = &githttp.BasicAuth{Username: "x-access-token", Password: token}
	}
	return l.repo.Push(opts)
}

func TestPushAndCloneWithToken(t *testing.T) {
	token := testcreds.Classic("gitserver")
	s := New(t, Options{Token: token})
	url := s.NewRepo(t, "acme", "config")
	if want := s.URL() + "/acme/config.git"; url != want {
		t.Fatalf("clone URL %q, want %q", url, want)
	}
	files := map[string]string{"rtconf.yaml": "version: 1\n", "runtimes/prod/kustomization.yaml": "resources: []\n"}
	l := newLocal(t, url)
	l.commit(files)
	if err := l.push(token, "main", "main"); err != nil {
		t.Fatalf("push: %v", err)
	}
	if diff := cmp.Diff(files, Tree(t, s.BareDir("acme", "config"), "main")); diff != "" {
		t.Errorf("remote tree (-want +got):\n%s", diff)
	}

	clone := t.TempDir()
	if _, err := git.PlainClone(clone, false, &git.CloneOptions{
		URL:  url,
		Auth: &githttp.BasicAuth{Username: "x-access-token", Password: token},
	}); err != nil {
		t.Fatalf("clone: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(clone, "runtimes", "prod", "kustomization.yaml"))
	if err != nil || string(got) != files["runtimes/prod/kustomization.yaml"] {
		t.Errorf("cloned file %q, %v", got, err)
	}

	reqs := s.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request logged")
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r.Path, "/acme/config.git/") {
			t.Errorf("request %s %s outside the repository", r.Method, r.Path)
		}
		if user, pass, ok := (&http.Request{Header: r.Header}).BasicAuth(); r.Method == "POST" && (!ok || user != "x-access-token" || pass != token) {
			t.Errorf("%s %s: basic auth user %q ok=%v, want x-access-token and the token", r.Method, r.Path, user, ok)
		}
	}
}

func TestWrongTokenIsAnAuthenticationError(t *testing.T) {
	token := testcreds.Classic("gitserver")
	wrong := testcreds.Classic("notthisone")
	s := New(t, Options{Token: token})
	url := s.NewRepo(t, "acme", "config")
	l := newLocal(t, url)
	l.commit(map[string]string{"a.txt": "a\n"})

	for name, tok := range map[string]string{"wrong token": wrong, "no token": ""} {
		t.Run(name, func(t *testing.T) {
			err := l.push(tok, "main", "main")
			if !errors.Is(err, transport.ErrAuthenticationRequired) {
				t.Fatalf("push error %v, want transport.ErrAuthenticationRequired", err)
			}
			if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), token) {
				t.Errorf("error repeats a token: %v", err)
			}
		})
	}
	repo, err := git.PlainOpen(s.BareDir("acme", "config"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Reference(plumbing.NewBranchReferenceName("main"), false); !errors.Is(err, plumbing.ErrReferenceNotFound) {
		t.Errorf("remote main after refused pushes: %v, want none", err)
	}

	resp, err := http.Get(url + "/info/refs?service=git-receive-pack")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != `Basic realm="git"` {
		t.Errorf("anonymous: %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

func TestProtectedBranchRefusesPush(t *testing.T) {
	token := testcreds.Classic("gitserver")
	s := New(t, Options{Token: token})
	url := s.NewRepo(t, "acme", "config")
	l := newLocal(t, url)
	first := map[string]string{"a.txt": "one\n"}
	l.commit(first)
	if err := l.push(token, "main", "main"); err != nil {
		t.Fatalf("first push: %v", err)
	}
	s.Protect(t, "acme", "config", "main")
	l.commit(map[string]string{"a.txt": "two\n"})

	err := l.push(token, "main", "main")
	if err == nil || !strings.Contains(err.Error(), "hook declined") {
		t.Fatalf("push to protected main: %v, want a declined update", err)
	}
	if diff := cmp.Diff(first, Tree(t, s.BareDir("acme", "config"), "main")); diff != "" {
		t.Errorf("protected main changed (-want +got):\n%s", diff)
	}
	// Other branches still take pushes.
	if err := l.push(token, "main", "rtconf/update"); err != nil {
		t.Fatalf("push to a branch: %v", err)
	}
	if got := Tree(t, s.BareDir("acme", "config"), "rtconf/update")["a.txt"]; got != "two\n" {
		t.Errorf("branch a.txt = %q", got)
	}
}

func TestClosedServerFailsToConnect(t *testing.T) {
	token := testcreds.Classic("gitserver")
	s := New(t, Options{Token: token})
	l := newLocal(t, s.NewRepo(t, "acme", "config"))
	l.commit(map[string]string{"a.txt": "a\n"})
	s.Close()
	err := l.push(token, "main", "main")
	var op *net.OpError
	if !errors.As(err, &op) || errors.Is(err, transport.ErrAuthenticationRequired) {
		t.Fatalf("push to a closed server: %v (%T), want a connection error", err, err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("error repeats the token: %v", err)
	}
}

func TestNoTokenNeeded(t *testing.T) {
	s := New(t, Options{})
	l := newLocal(t, s.NewRepo(t, "acme", "open"))
	l.commit(map[string]string{"a.txt": "a\n"})
	if err := l.push("", "main", "main"); err != nil {
		t.Fatalf("push: %v", err)
	}
}

func TestNewBareOverFile(t *testing.T) {
	dir := NewBare(t)
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	head, err := repo.Reference(plumbing.HEAD, false)
	if err != nil || head.Target() != plumbing.Main {
		t.Fatalf("HEAD %v, %v; want -> refs/heads/main", head, err)
	}
	files := map[string]string{"x/y.txt": "y\n"}
	l := newLocal(t, "file://"+dir)
	l.commit(files)
	if err := l.push("", "main", "main"); err != nil {
		t.Fatalf("push: %v", err)
	}
	if diff := cmp.Diff(files, Tree(t, dir, "HEAD")); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
}

func TestSeedBypassesHooks(t *testing.T) {
	s := New(t, Options{Token: testcreds.Classic("gitserver")})
	s.NewRepo(t, "acme", "config")
	s.Protect(t, "acme", "config", "main")
	dir := s.BareDir("acme", "config")
	if s.BranchExists("acme", "config", "main") {
		t.Fatal("main exists in an empty repository")
	}
	first := Seed(t, dir, "main", map[string]string{"rtconf.yaml": "version: 1\n"})
	second := Seed(t, dir, "main", map[string]string{"runtimes/prod/a.yaml": "a\n"})
	Seed(t, dir, "dev", map[string]string{"dev.txt": "d\n"})

	want := map[string]string{"rtconf.yaml": "version: 1\n", "runtimes/prod/a.yaml": "a\n"}
	if diff := cmp.Diff(want, Tree(t, dir, "main")); diff != "" {
		t.Errorf("main (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"dev.txt": "d\n"}, Tree(t, dir, "dev")); diff != "" {
		t.Errorf("dev (-want +got):\n%s", diff)
	}
	refs := Refs(t, dir)
	if refs["refs/heads/main"] != second || len(refs) != 2 {
		t.Errorf("refs %v, want main at %s and dev", refs, second)
	}
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := repo.CommitObject(plumbing.NewHash(second))
	if err != nil || len(c.ParentHashes) != 1 || c.ParentHashes[0].String() != first {
		t.Errorf("second commit's parents %v (%v), want %s", c.ParentHashes, err, first)
	}
	if !s.BranchExists("acme", "config", "dev") || s.BranchExists("acme", "config", "nope") || s.BranchExists("acme", "none", "main") {
		t.Error("BranchExists disagrees with the repository")
	}
	if _, err := os.Stat(filepath.Join(dir, "index")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("seeding left an index in the bare repository: %v", err)
	}
}

func TestNewRepoFunc(t *testing.T) {
	s := New(t, Options{})
	f := s.NewRepoFunc(t)
	url := f("acme", "config")
	if url != s.URL()+"/acme/config.git" || f("acme", "config") != url {
		t.Fatalf("URL %q", url)
	}
	if _, err := git.PlainOpen(s.BareDir("acme", "config")); err != nil {
		t.Errorf("no repository: %v", err)
	}
}
