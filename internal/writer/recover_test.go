package writer_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/faultfs"

	"github.com/rtconf/rtconf/internal/writer"
)

// ownsAll is the scope of the fixtures: every path of theirs is one the
// writer may have written, and no Git.
var ownsAll = writer.Scope{Owns: func(string) bool { return true }}

// TestRecoverAfterKill kills Apply at each of its mutating calls in turn,
// then runs Recover: before the journal is removed (the commit point) the
// tree must be back as it was; after it, the new tree stands and Recover has
// nothing to do. A second Recover never changes anything, and Apply then
// succeeds.
func TestRecoverAfterKill(t *testing.T) {
	counter := &faultfs.FS{Inner: openRoot(t, func() string { d := t.TempDir(); makeTree(t, d, mixedBefore); return d }())}
	if err := writer.Apply(counter, mixedChanges); err != nil {
		t.Fatal(err)
	}
	commit := -1
	for i, c := range counter.Calls {
		if c == "remove "+writer.JournalFile {
			commit = i + 1
		}
	}
	if commit < 0 {
		t.Fatalf("no journal removal among the calls:\n%s", strings.Join(counter.Calls, "\n"))
	}
	for k := 1; k <= len(counter.Calls)+1; k++ {
		t.Run(fmt.Sprintf("kill_at_%02d", k), func(t *testing.T) {
			dir := t.TempDir()
			makeTree(t, dir, mixedBefore)
			before := snapshot(t, dir)
			f := &faultfs.FS{Inner: openRoot(t, dir), FailAt: k, Dead: true}
			_ = writer.Apply(f, mixedChanges)
			root := openRoot(t, dir)
			recovered, err := writer.Recover(root, ownsAll)
			if err != nil {
				t.Fatalf("Recover: %v", err)
			}
			got := snapshot(t, dir)
			if k <= commit {
				if !recovered && k > 2 {
					t.Errorf("killed at call %d, Recover found no journal", k)
				}
				if d := treeDiff(before, got); d != "" {
					t.Errorf("killed at call %d (before the commit point %d), the recovered tree is not as before:\n%s", k, commit, d)
				}
			} else {
				if recovered {
					t.Errorf("killed at call %d, after the commit point, Recover rolled back", k)
				}
				for p, want := range mixedAfter {
					if got[p] != want {
						t.Errorf("killed at call %d, after the commit point: %s = %+v, want %+v", k, p, got[p], want)
					}
				}
			}
			if again, err := writer.Recover(root, ownsAll); again || err != nil {
				t.Errorf("a second Recover = %v, %v; want nothing to do", again, err)
			}
			if k <= commit {
				if err := writer.Apply(root, mixedChanges); err != nil {
					t.Fatalf("Apply after Recover: %v", err)
				}
				if d := treeDiff(mixedAfter, snapshot(t, dir)); d != "" {
					t.Errorf("Apply after Recover:\n%s", d)
				}
			}
		})
	}
}

// TestApplyRefusesWhileAJournalIsThere: an unfinished transaction is rolled
// back first, never written over.
func TestApplyRefusesWhileAJournalIsThere(t *testing.T) {
	dir := t.TempDir()
	makeTree(t, dir, mixedBefore)
	if err := os.WriteFile(dir+"/"+writer.JournalFile, []byte(`{"steps":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	err := writer.Apply(openRoot(t, dir), mixedChanges)
	if err == nil || !strings.Contains(err.Error(), "interrupted run") {
		t.Fatalf("Apply = %v, want a refusal", err)
	}
	if d := treeDiff(before, snapshot(t, dir)); d != "" {
		t.Errorf("the refused Apply changed the tree:\n%s", d)
	}
}
