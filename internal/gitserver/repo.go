package gitserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
)

// NewBare creates an empty bare repository (HEAD -> refs/heads/main) in a
// temporary directory, for file:// remotes, and returns its directory.
func NewBare(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "remote.git")
	if _, err := initBare(dir); err != nil {
		t.Fatalf("gitserver: %v", err)
	}
	return dir
}

func initBare(dir string) (*git.Repository, error) {
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.Main},
		Bare:        true,
	})
	if err != nil {
		return nil, fmt.Errorf("init %s: %w", dir, err)
	}
	return repo, nil
}

// BranchExists reports whether owner/name has the branch; its signature
// fits fakegithub.Options.BranchExists.
func (s *Server) BranchExists(owner, name, branch string) bool {
	repo, err := git.PlainOpen(s.BareDir(owner, name))
	if err != nil {
		return false
	}
	_, err = repo.Reference(plumbing.NewBranchReferenceName(branch), false)
	return err == nil
}

// NewRepoFunc returns a function that creates owner/name (unless it exists)
// and returns its clone URL; it fits fakegithub.Options.CloneURL, so that a
// repository created through the fake GitHub API can be pushed to here. It
// runs in the fake's handler, so a failure marks the test failed (t.Errorf)
// and gives "" rather than stopping the test from the wrong goroutine.
func (s *Server) NewRepoFunc(t testing.TB) func(owner, name string) string {
	return func(owner, name string) string {
		if _, err := os.Stat(s.BareDir(owner, name)); err == nil {
			return s.URL() + "/" + owner + "/" + name + ".git"
		}
		url, err := s.newRepo(owner, name)
		if err != nil {
			t.Errorf("gitserver: %v", err)
		}
		return url
	}
}

// Seed commits files (path → content, added to or replacing what the branch
// has) on branch of the bare repository at bareDir, as a commit by "rtconf
// test", and returns the commit's hash. It writes the objects and moves the
// branch directly, so hooks (Protect) do not run: it is the test's set-up,
// not a push.
func Seed(t testing.TB, bareDir, branch string, files map[string]string) string {
	t.Helper()
	hash, err := seed(bareDir, branch, files)
	if err != nil {
		t.Fatalf("gitserver: seed %s %s: %v", bareDir, branch, err)
	}
	return hash.String()
}

func seed(bareDir, branch string, files map[string]string) (plumbing.Hash, error) {
	ref := plumbing.NewBranchReferenceName(branch)
	mem, err := git.InitWithOptions(memory.NewStorage(), memfs.New(), git.InitOptions{DefaultBranch: ref})
	if err != nil {
		return plumbing.ZeroHash, err
	}
	wt, err := mem.Worktree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if err := fetchBranch(mem, bareDir, ref); err != nil {
		return plumbing.ZeroHash, err
	}
	if tip, err := mem.Reference(plumbing.NewRemoteReferenceName("origin", branch), false); err == nil {
		if err := mem.Storer.SetReference(plumbing.NewHashReference(ref, tip.Hash())); err != nil {
			return plumbing.ZeroHash, err
		}
		if err := wt.Reset(&git.ResetOptions{Commit: tip.Hash(), Mode: git.HardReset}); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("check out %s: %w", branch, err)
		}
	}
	for name, content := range files {
		if err := writeFile(wt, name, content); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	sig := &object.Signature{Name: "rtconf test", Email: "test@example.com", When: time.Unix(1700000000, 0).UTC()}
	hash, err := wt.Commit("seed "+branch, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit: %w", err)
	}
	bare, err := git.PlainOpen(bareDir)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	objects, err := mem.Storer.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	err = objects.ForEach(func(o plumbing.EncodedObject) error {
		_, err := bare.Storer.SetEncodedObject(o)
		return err
	})
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("copy objects: %w", err)
	}
	if err := bare.Storer.SetReference(plumbing.NewHashReference(ref, hash)); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("move %s: %w", ref, err)
	}
	return hash, nil
}

// fetchBranch fetches ref from the bare repository (over file://, which runs
// no hook), if it has it.
func fetchBranch(mem *git.Repository, bareDir string, ref plumbing.ReferenceName) error {
	remote, err := mem.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{"file://" + bareDir}})
	if err != nil {
		return err
	}
	spec := config.RefSpec(fmt.Sprintf("+%s:refs/remotes/origin/%s", ref, ref.Short()))
	err = remote.Fetch(&git.FetchOptions{RefSpecs: []config.RefSpec{spec}})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate), errors.Is(err, transport.ErrEmptyRemoteRepository),
		errors.Is(err, git.NoMatchingRefSpecError{}):
		return nil
	}
	return fmt.Errorf("fetch %s: %w", ref, err)
}

func writeFile(wt *git.Worktree, name, content string) error {
	if err := wt.Filesystem.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := wt.Filesystem.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write([]byte(content)); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	_, err = wt.Add(name)
	return err
}

// Refs returns every branch and tag of the bare repository at bareDir:
// full ref name → commit hash. Compare it before and after to show that a
// refused push changed nothing.
func Refs(t testing.TB, bareDir string) map[string]string {
	t.Helper()
	repo, err := git.PlainOpen(bareDir)
	if err != nil {
		t.Fatalf("gitserver: open %s: %v", bareDir, err)
	}
	iter, err := repo.References()
	if err != nil {
		t.Fatalf("gitserver: %s: references: %v", bareDir, err)
	}
	refs := map[string]string{}
	err = iter.ForEach(func(r *plumbing.Reference) error {
		if r.Type() == plumbing.HashReference {
			refs[r.Name().String()] = r.Hash().String()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("gitserver: %s: references: %v", bareDir, err)
	}
	return refs
}

// Tree returns path → content of every file at ref (a branch, tag, "HEAD" or
// commit) in the repository at bareDir.
func Tree(t testing.TB, bareDir, ref string) map[string]string {
	t.Helper()
	files, err := readTree(bareDir, ref)
	if err != nil {
		t.Fatalf("gitserver: %v", err)
	}
	return files
}

func readTree(dir, ref string) (map[string]string, error) {
	repo, err := git.PlainOpen(dir)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(ref))
	if err != nil {
		return nil, fmt.Errorf("%s: resolve %s: %w", dir, ref, err)
	}
	commit, err := repo.CommitObject(*hash)
	if err != nil {
		return nil, fmt.Errorf("%s: commit %s: %w", dir, hash, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("%s: tree of %s: %w", dir, hash, err)
	}
	files := map[string]string{}
	err = tree.Files().ForEach(func(f *object.File) error {
		content, err := f.Contents()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		files[f.Name] = content
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", dir, ref, err)
	}
	return files, nil
}
