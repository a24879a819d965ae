package gitrepo_test

import (
	"os"
	"path/filepath"
	"testing"

	git "github.com/go-git/go-git/v5"

	"github.com/rtconf/rtconf/internal/gitrepo"
)

// TestTracked: a path is tracked when HEAD's tree or the index holds it,
// in any case, from the working tree's root or a folder inside it.
func TestTracked(t *testing.T) {
	r := newRepo(t) // a.txt committed, notes.txt untracked
	dir := r.Dir()
	write(t, dir, "sub/in-head.json", "{}\n")
	write(t, dir, "sub/staged.json", "{}\n")
	if _, err := r.Commit([]string{"sub/in-head.json"}, "second", author()); err != nil {
		t.Fatal(err)
	}
	g, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := g.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("sub/staged.json"); err != nil {
		t.Fatal(err)
	}
	// In HEAD only: staged for removal, the file kept.
	if _, err := wt.Remove("a.txt"); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "a.txt", "a\n")

	tests := []struct {
		dir, path string
		want      bool
	}{
		{dir, "a.txt", true},
		{dir, "A.TXT", true},
		{dir, "sub/in-head.json", true},
		{dir, "sub/staged.json", true},
		{dir, "notes.txt", false},
		{dir, "sub", true}, // a folder of tracked files
		{dir, "missing.json", false},
		{filepath.Join(dir, "sub"), "in-head.json", true},
		{filepath.Join(dir, "sub"), "staged.json", true},
		{filepath.Join(dir, "sub"), "a.txt", false},
		{t.TempDir(), "a.txt", false}, // not in Git
	}
	for _, tt := range tests {
		got, err := gitrepo.Tracked(tt.dir, tt.path)
		if err != nil || got != tt.want {
			t.Errorf("Tracked(%s, %s) = %v, %v; want %v", tt.dir, tt.path, got, err, tt.want)
		}
	}
	// A relative folder, as `rtconf generate` run inside the repository
	// gives: "." and "sub".
	t.Chdir(dir)
	for _, tt := range []struct {
		dir, path string
		want      bool
	}{{".", "a.txt", true}, {".", "notes.txt", false}, {"sub", "in-head.json", true}} {
		if got, err := gitrepo.Tracked(tt.dir, tt.path); err != nil || got != tt.want {
			t.Errorf("Tracked(%s, %s) from the working tree = %v, %v; want %v", tt.dir, tt.path, got, err, tt.want)
		}
	}
}

// TestRepairLeavesWholeStateAlone: a repository with nothing half-written
// is not touched, and neither is a folder outside Git.
func TestRepairLeavesWholeStateAlone(t *testing.T) {
	r := newRepo(t)
	index := filepath.Join(r.Dir(), ".git", "index")
	before, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{r.Dir(), t.TempDir()} {
		if note, err := gitrepo.Repair(dir); note != "" || err != nil {
			t.Errorf("Repair(%s) = %q, %v; want nothing to do", dir, note, err)
		}
	}
	after, err := os.ReadFile(index)
	if err != nil || string(after) != string(before) {
		t.Errorf("Repair changed a whole index (%v)", err)
	}
}
