// Package gitrepo does rtconf's Git work with go-git: it initialises the
// shared configuration repository, commits the files rtconf changed, makes
// branches for pull requests and pushes them over HTTPS with a token.
package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// DefaultBranch is the branch a new repository starts on.
const DefaultBranch = "main"

// Repo is a Git repository with a working tree.
type Repo struct {
	dir  string
	repo *git.Repository
}

// ErrNotRepository is returned by Open for a folder that is not in Git.
var ErrNotRepository = errors.New("not a Git repository")

// Open opens the repository whose working tree is dir.
func Open(dir string) (*Repo, error) {
	r, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: %w (run `git init`, or `rtconf init` to bootstrap one)", dir, ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("open Git repository %s: %w", dir, err)
	}
	return &Repo{dir: dir, repo: r}, nil
}

// Init opens the repository in dir, or makes one on branch when there is
// none. created says which.
func Init(dir, branch string) (r *Repo, created bool, err error) {
	r, err = Open(dir)
	if err == nil {
		return r, false, nil
	}
	if !errors.Is(err, ErrNotRepository) {
		return nil, false, err
	}
	g, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(branch)},
	})
	if err != nil {
		return nil, false, fmt.Errorf("git init %s: %w", dir, err)
	}
	return &Repo{dir: dir, repo: g}, true, nil
}

// Dir is the working tree's folder.
func (r *Repo) Dir() string { return r.dir }

// HasCommits tells whether HEAD points at a commit.
func (r *Repo) HasCommits() bool {
	_, err := r.repo.Head()
	return err == nil
}

// Branch is the branch checked out. A repository without commits reports
// the branch its first commit will be on.
func (r *Repo) Branch() (string, error) {
	head, err := r.repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return "", fmt.Errorf("read HEAD: %w", err)
	}
	if head.Type() != plumbing.SymbolicReference || !head.Target().IsBranch() {
		return "", errors.New("HEAD is detached: check out a branch first")
	}
	return head.Target().Short(), nil
}

// BranchExists tells whether a local branch exists.
func (r *Repo) BranchExists(name string) bool {
	_, err := r.repo.Reference(plumbing.NewBranchReferenceName(name), false)
	return err == nil
}

// Dirty lists the paths (slash-separated, sorted) with changes not
// committed, untracked files included.
func (r *Repo) Dirty() ([]string, error) {
	wt, err := r.repo.Worktree()
	if err != nil {
		return nil, err
	}
	if err := r.readIndexError(); err != nil {
		return nil, err
	}
	st, err := wt.Status()
	if err != nil {
		return nil, fmt.Errorf("git status: %w", err)
	}
	var paths []string
	for p, s := range st {
		if s.Staging != git.Unmodified || s.Worktree != git.Unmodified {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	return paths, nil
}

// Commit stages exactly paths (adding the files that exist, removing the
// ones that do not) and commits them. Nothing else in the working tree is
// staged. It returns the new commit.
func (r *Repo) Commit(paths []string, msg string, author Signature) (plumbing.Hash, error) {
	wt, err := r.repo.Worktree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if err := r.readIndexError(); err != nil {
		return plumbing.ZeroHash, err
	}
	for _, p := range paths {
		_, statErr := os.Lstat(filepath.Join(r.dir, filepath.FromSlash(p)))
		switch {
		case statErr == nil:
			_, err = wt.Add(p)
		case errors.Is(statErr, os.ErrNotExist):
			_, err = wt.Remove(p)
		default:
			err = statErr
		}
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("git add %s: %w", p, err)
		}
	}
	sig := author.object()
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("git commit: %w", err)
	}
	return h, nil
}

// CreateBranch makes a branch at HEAD and checks it out; the working tree
// keeps its changes.
func (r *Repo) CreateBranch(name string) error {
	wt, err := r.repo.Worktree()
	if err != nil {
		return err
	}
	err = wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Create: true, Keep: true})
	if err != nil {
		return fmt.Errorf("git checkout -b %s: %w", name, err)
	}
	return nil
}

// Checkout checks out an existing branch, replacing the working tree's
// tracked files with the branch's.
func (r *Repo) Checkout(name string) error {
	wt, err := r.repo.Worktree()
	if err != nil {
		return err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Force: true}); err != nil {
		return fmt.Errorf("git checkout %s: %w", name, err)
	}
	return nil
}

// DeleteBranch removes a local branch.
func (r *Repo) DeleteBranch(name string) error {
	return r.repo.Storer.RemoveReference(plumbing.NewBranchReferenceName(name))
}

// RemoteURL is the URL of a remote, if it is configured.
func (r *Repo) RemoteURL(name string) (string, bool) {
	rem, err := r.repo.Remote(name)
	if err != nil || len(rem.Config().URLs) == 0 {
		return "", false
	}
	return rem.Config().URLs[0], true
}

// SetRemote points a remote at url, creating it if needed.
func (r *Repo) SetRemote(name, url string) error {
	cfg, err := r.repo.Config()
	if err != nil {
		return err
	}
	if rem, ok := cfg.Remotes[name]; ok {
		if len(rem.URLs) == 1 && rem.URLs[0] == url {
			return nil
		}
		rem.URLs = []string{url}
	} else {
		cfg.Remotes[name] = &gitconfig.RemoteConfig{
			Name:  name,
			URLs:  []string{url},
			Fetch: []gitconfig.RefSpec{gitconfig.RefSpec(fmt.Sprintf("+refs/heads/*:refs/remotes/%s/*", name))},
		}
	}
	if err := r.repo.SetConfig(cfg); err != nil {
		return fmt.Errorf("set remote %s: %w", name, err)
	}
	return nil
}

// Signature names the author of rtconf's commits.
type Signature struct {
	Name, Email string
	When        time.Time
}

func (s Signature) object() *object.Signature {
	return &object.Signature{Name: s.Name, Email: s.Email, When: s.When}
}

// Author is the user's Git identity (user.name and user.email from the
// repository's, the global or the system configuration), or fallback (the
// provider's commit author for rtconf) when none is set.
func (r *Repo) Author(fallback Signature) Signature {
	sig := fallback
	for _, scope := range []gitconfig.Scope{gitconfig.LocalScope, gitconfig.GlobalScope, gitconfig.SystemScope} {
		cfg, err := r.repo.ConfigScoped(scope)
		if err != nil {
			continue
		}
		if cfg.User.Name != "" && cfg.User.Email != "" {
			sig.Name, sig.Email = cfg.User.Name, cfg.User.Email
			return sig
		}
	}
	return sig
}

// Head is the commit HEAD points at.
func (r *Repo) Head() (string, error) {
	ref, err := r.repo.Head()
	if err != nil {
		return "", fmt.Errorf("read HEAD: %w", err)
	}
	return ref.Hash().String(), nil
}

// RemoteBranch is the commit of remote's branch as this repository last
// saw it (refs/remotes/REMOTE/BRANCH, which a fetch or push updates), and
// whether there is one.
func (r *Repo) RemoteBranch(remote, branch string) (string, bool) {
	ref, err := r.repo.Reference(plumbing.NewRemoteReferenceName(remote, branch), true)
	if err != nil {
		return "", false
	}
	return ref.Hash().String(), true
}
