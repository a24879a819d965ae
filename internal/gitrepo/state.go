package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// IndexError is a Git index that cannot be read. go-git writes the index
// in place (Git itself writes a new one beside it and renames it), so a
// process killed while writing it, such as an interrupted `rtconf init`,
// leaves it empty or cut short, and every Git command fails on it.
type IndexError struct {
	// Path is the index file.
	Path string
	Err  error
}

func (e *IndexError) Error() string {
	return fmt.Sprintf("the Git index %s cannot be read (%v): a Git write was interrupted (a killed `rtconf init` or `git add`?); "+
		"rebuild it from the last commit with `rm %s && git reset` in the repository (your files are kept; what was staged is unstaged), then run again",
		e.Path, e.Err, e.Path)
}

func (e *IndexError) Unwrap() error { return e.Err }

// indexPath is the index file of the repository whose working tree is dir.
func indexPath(dir string) string { return filepath.Join(dir, ".git", "index") }

// readIndexError checks that the index can be read, and explains it when
// it cannot.
func (r *Repo) readIndexError() error {
	if _, err := r.repo.Storer.Index(); err != nil {
		return &IndexError{Path: indexPath(r.dir), Err: err}
	}
	return nil
}

// RefError is a Git reference that an interrupted write left empty:
// go-git, like Git, then sees no commit there, and would start the branch
// afresh, leaving its history behind.
type RefError struct {
	// Path is the reference's file; Ref its name (HEAD, refs/heads/main).
	Path, Ref string
}

func (e *RefError) Error() string {
	if e.Ref == "HEAD" {
		return fmt.Sprintf("the Git file %s is empty: a Git write was interrupted (a killed rtconf run?); "+
			"point it at your branch again (`git symbolic-ref HEAD refs/heads/main`, with your branch's name), then run again", e.Path)
	}
	return fmt.Sprintf("the Git branch %s (%s) is empty: a Git write was interrupted (a killed rtconf init or commit?), so Git sees no commit on it; "+
		"find its last commit with `git fsck --lost-found` (a dangling commit) and restore it with `rm %s && git update-ref %s COMMIT` "+
		"(if the branch had no commit yet, only remove the file), then run again", strings.TrimPrefix(e.Ref, "refs/heads/"), e.Path, e.Path, e.Ref)
}

// Repair checks the Git state in dir that an interrupted go-git write can
// leave half-written: an empty HEAD or branch reference is explained (a
// *RefError: only the user can tell which commit it held), and an empty
// index is rebuilt (RepairIndex). It returns a note saying what it
// repaired, or "".
func Repair(dir string) (string, error) {
	if fi, err := os.Lstat(filepath.Join(dir, ".git")); err != nil || !fi.IsDir() {
		return "", nil // not a repository, or not one rtconf made here
	}
	if err := checkHead(dir); err != nil {
		return "", err
	}
	return RepairIndex(dir)
}

// checkHead refuses an empty HEAD, or an empty file of the branch it names.
func checkHead(dir string) error {
	head := filepath.Join(dir, ".git", "HEAD")
	fi, err := os.Lstat(head)
	if err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	data, err := os.ReadFile(head)
	if err != nil {
		return nil
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return &RefError{Path: head, Ref: "HEAD"}
	}
	target, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "ref: ")
	if !ok || !strings.HasPrefix(target, "refs/heads/") || !fs.ValidPath(target) {
		return nil
	}
	p := filepath.Join(dir, ".git", filepath.FromSlash(target))
	if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		return &RefError{Path: p, Ref: target}
	}
	return nil
}

// RepairIndex rebuilds a Git index that an interrupted write left empty
// (zero bytes: Git never leaves one, go-git can), as `git reset` would: from
// HEAD's tree, or as an empty index when there is no commit yet. Files in
// the working tree are not touched, and an empty index holds nothing to
// lose. It returns a note saying what it did, or "" when the index was fine
// or there is no repository; an index that is damaged otherwise is left as
// it is (it may be a newer Git's) and explained by the commands that read
// it.
func RepairIndex(dir string) (string, error) {
	p := indexPath(dir)
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != 0 {
		return "", nil
	}
	r, err := git.PlainOpen(dir)
	if err != nil {
		return "", nil // not a repository rtconf can open: nothing of its own to repair
	}
	if err := os.Remove(p); err != nil {
		return "", fmt.Errorf("repair the empty Git index %s: %w", p, err)
	}
	head, err := r.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return fmt.Sprintf("the Git index %s was empty (an interrupted Git write) and there is no commit yet: removed it; nothing is staged", p), nil
	}
	if err != nil {
		return "", fmt.Errorf("repair the empty Git index %s: read HEAD: %w", p, err)
	}
	wt, err := r.Worktree()
	if err != nil {
		return "", fmt.Errorf("repair the empty Git index %s: %w", p, err)
	}
	if err := wt.Reset(&git.ResetOptions{Commit: head.Hash(), Mode: git.MixedReset}); err != nil {
		return "", fmt.Errorf("repair the empty Git index %s: rebuild it from HEAD: %w; run `git reset` in the repository, then run again", p, err)
	}
	return fmt.Sprintf("the Git index %s was empty (an interrupted Git write): rebuilt it from HEAD %s as `git reset` does; your files are unchanged, nothing is staged",
		p, head.Hash().String()[:7]), nil
}

// Tracked reports whether Git tracks p, a slash-separated path relative to
// dir (any folder of a working tree): whether the index or HEAD's tree
// holds it, compared without regard to case as a case-insensitive file
// system would. A folder that is not in Git tracks nothing.
func Tracked(dir, p string) (bool, error) {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open Git repository %s: %w", dir, err)
	}
	wt, err := r.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	top := wt.Filesystem.Root()
	name, err := inTree(top, dir, p)
	if err != nil {
		return false, err
	}
	idx, err := r.Storer.Index()
	if err != nil {
		return false, &IndexError{Path: indexPath(top), Err: err}
	}
	for _, e := range idx.Entries {
		if strings.EqualFold(e.Name, name) {
			return true, nil
		}
	}
	head, err := r.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read HEAD of %s: %w", top, err)
	}
	c, err := r.CommitObject(head.Hash())
	if err != nil {
		return false, fmt.Errorf("read HEAD of %s: %w", top, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return false, fmt.Errorf("read HEAD of %s: %w", top, err)
	}
	return treeHolds(tree, name)
}

// inTree is p, relative to dir, as a path relative to the working tree top.
func inTree(top, dir, p string) (string, error) {
	realTop, err := filepath.EvalSymlinks(top)
	if err != nil {
		return "", err
	}
	// dir may be relative ("." from inside the repository): make it
	// absolute, as top is, before comparing them.
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	realDir, err := filepath.EvalSymlinks(absDir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(realTop, realDir)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return "", fmt.Errorf("%s is not inside the Git working tree %s", dir, top)
	}
	return path.Join(filepath.ToSlash(rel), p), nil
}

// treeHolds tells whether tree has an entry at name, ignoring case.
func treeHolds(tree *object.Tree, name string) (bool, error) {
	parts := strings.Split(name, "/")
	for i, part := range parts {
		var next *object.TreeEntry
		for j := range tree.Entries {
			if strings.EqualFold(tree.Entries[j].Name, part) {
				next = &tree.Entries[j]
				break
			}
		}
		if next == nil {
			return false, nil
		}
		if i == len(parts)-1 {
			return true, nil
		}
		if next.Mode != filemode.Dir {
			return false, nil
		}
		sub, err := tree.Tree(next.Name)
		if err != nil {
			return false, fmt.Errorf("read tree %s: %w", next.Name, err)
		}
		tree = sub
	}
	return false, nil
}
