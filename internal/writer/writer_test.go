package writer_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/faultfs"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/writer"
)

// entry is one path of a snapshot: a folder, a file with its content, or a
// symlink with its target.
type entry struct {
	kind string // "dir", "file" or "symlink"
	data string
}

// snapshot records every path under dir, relative and slash-separated.
func snapshot(t *testing.T, dir string) map[string]entry {
	t.Helper()
	tree := map[string]entry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			tree[rel] = entry{kind: "dir"}
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			tree[rel] = entry{kind: "symlink", data: target}
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			tree[rel] = entry{kind: "file", data: string(data)}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", dir, err)
	}
	return tree
}

// treeDiff describes how got differs from want, one line per path; it is
// empty when they are the same.
func treeDiff(want, got map[string]entry) string {
	paths := map[string]bool{}
	for p := range want {
		paths[p] = true
	}
	for p := range got {
		paths[p] = true
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	var b strings.Builder
	for _, p := range sorted {
		w, inWant := want[p]
		g, inGot := got[p]
		switch {
		case !inGot:
			fmt.Fprintf(&b, "  missing %s (%s %q)\n", p, w.kind, w.data)
		case !inWant:
			fmt.Fprintf(&b, "  unexpected %s (%s %q)\n", p, g.kind, g.data)
		case w != g:
			fmt.Fprintf(&b, "  %s: got %s %q, want %s %q\n", p, g.kind, g.data, w.kind, w.data)
		}
	}
	return b.String()
}

// makeTree writes files (path → content) under dir, with their folders.
func makeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func openRoot(t *testing.T, dir string) *os.Root {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

// The fixture of the mixed plan: adds into new nested folders and into an
// existing one, updates, and removes that empty their folders or not.
var (
	mixedBefore = map[string]string{
		"keep.txt":        "untouched\n",
		"a/old.yaml":      "old a\n",
		"a/gone.yaml":     "gone\n",
		"b/c/only.yaml":   "only file of b/c\n",
		"d/x.yaml":        "old x\n",
		"d/e/stays.yaml":  "stays\n",
		"f/g/h/last.yaml": "last\n",
	}
	mixedChanges = []generator.Change{
		{Path: "a/added.yaml", Op: generator.Add, Data: []byte("added into a\n")},
		{Path: "a/gone.yaml", Op: generator.Remove},
		{Path: "a/old.yaml", Op: generator.Update, Data: []byte("new a\n")},
		{Path: "b/c/only.yaml", Op: generator.Remove},
		{Path: "d/x.yaml", Op: generator.Update, Data: []byte("new x\n")},
		{Path: "f/g/h/last.yaml", Op: generator.Remove},
		{Path: "new/deep/n1.yaml", Op: generator.Add, Data: []byte("n1\n")},
		{Path: "new/deep/n2.yaml", Op: generator.Add, Data: []byte("n2\n")},
		{Path: "top.yaml", Op: generator.Add, Data: []byte("top\n")},
	}
	mixedAfter = map[string]entry{
		"keep.txt":         {kind: "file", data: "untouched\n"},
		"a":                {kind: "dir"},
		"a/added.yaml":     {kind: "file", data: "added into a\n"},
		"a/old.yaml":       {kind: "file", data: "new a\n"},
		"d":                {kind: "dir"},
		"d/x.yaml":         {kind: "file", data: "new x\n"},
		"d/e":              {kind: "dir"},
		"d/e/stays.yaml":   {kind: "file", data: "stays\n"},
		"new":              {kind: "dir"},
		"new/deep":         {kind: "dir"},
		"new/deep/n1.yaml": {kind: "file", data: "n1\n"},
		"new/deep/n2.yaml": {kind: "file", data: "n2\n"},
		"top.yaml":         {kind: "file", data: "top\n"},
	}
)

func TestApply(t *testing.T) {
	dir := t.TempDir()
	makeTree(t, dir, mixedBefore)

	if err := writer.Apply(openRoot(t, dir), mixedChanges); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if d := treeDiff(mixedAfter, snapshot(t, dir)); d != "" {
		t.Errorf("tree after Apply differs:\n%s", d)
	}
}

func TestApplyNothing(t *testing.T) {
	dir := t.TempDir()
	makeTree(t, dir, mixedBefore)
	before := snapshot(t, dir)

	if err := writer.Apply(openRoot(t, dir), nil); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if d := treeDiff(before, snapshot(t, dir)); d != "" {
		t.Errorf("an empty plan changed the tree:\n%s", d)
	}
}

func TestApplyFileInTheWay(t *testing.T) {
	dir := t.TempDir()
	makeTree(t, dir, map[string]string{"a": "a file, not a folder\n", "b.yaml": "b\n"})
	before := snapshot(t, dir)

	err := writer.Apply(openRoot(t, dir), []generator.Change{
		{Path: "b.yaml", Op: generator.Update, Data: []byte("new b\n")},
		{Path: "a/x.yaml", Op: generator.Add, Data: []byte("x\n")},
	})
	if err == nil || !strings.Contains(err.Error(), "in the way") {
		t.Errorf("Apply = %v, want an error saying a file is in the way", err)
	}
	if d := treeDiff(before, snapshot(t, dir)); d != "" {
		t.Errorf("a failed Apply changed the tree:\n%s", d)
	}
}

// TestApplyAtomic fails each mutating call of a clean run in turn and checks
// that Apply then reports the error and leaves the tree as it was.
func TestApplyAtomic(t *testing.T) {
	clean := t.TempDir()
	makeTree(t, clean, mixedBefore)
	counter := &faultfs.FS{Inner: openRoot(t, clean)}
	if err := writer.Apply(counter, mixedChanges); err != nil {
		t.Fatalf("clean Apply: %v", err)
	}
	if d := treeDiff(mixedAfter, snapshot(t, clean)); d != "" {
		t.Fatalf("tree after a clean Apply differs:\n%s", d)
	}

	// Apply changes the tree with MkdirAll, WriteFile and Rename; once every
	// change is in place it only removes backups and emptied folders, and
	// failures there are ignored by design.
	// The removal of the journal is the commit point.
	n := len(counter.Calls)
	committed := 0
	for i, c := range counter.Calls {
		if !strings.HasPrefix(c, "remove ") || c == "remove "+writer.JournalFile {
			if i != committed {
				t.Fatalf("call %d (%s) changes the tree after a cleanup call:\n%s", i+1, c, strings.Join(counter.Calls, "\n"))
			}
			committed++
		}
	}
	if committed == 0 || committed == n {
		t.Fatalf("clean run made %d mutating calls, %d before cleanup; want both phases:\n%s",
			n, committed, strings.Join(counter.Calls, "\n"))
	}
	t.Logf("a clean run makes %d mutating calls, %d of them before cleanup", n, committed)

	for k := 1; k <= n; k++ {
		t.Run(fmt.Sprintf("fail_%02d", k), func(t *testing.T) {
			dir := t.TempDir()
			makeTree(t, dir, mixedBefore)
			before := snapshot(t, dir)
			f := &faultfs.FS{Inner: openRoot(t, dir), FailAt: k}
			err := writer.Apply(f, mixedChanges)
			failed := "never made"
			if k <= len(f.Calls) {
				failed = f.Calls[k-1]
			}
			got := snapshot(t, dir)

			if k <= committed {
				if !errors.Is(err, faultfs.ErrInjected) {
					t.Fatalf("with call %d (%s) failing, Apply = %v, want the injected error", k, failed, err)
				}
				if d := treeDiff(before, got); d != "" {
					t.Errorf("with call %d (%s) failing, the tree is not as before:\n%s", k, failed, d)
				}
				return
			}

			// A failure while cleaning up after a complete write: the new
			// tree is in place, and at most a hidden backup and the
			// folders holding it are left.
			if err != nil {
				t.Fatalf("with cleanup call %d (%s) failing, Apply = %v, want nil", k, failed, err)
			}
			for p, e := range got {
				if _, ok := mixedAfter[p]; ok {
					continue
				}
				if !(e.kind == "file" && strings.HasSuffix(p, ".rtconf-bak")) && e.kind != "dir" {
					t.Errorf("with cleanup call %d (%s) failing, unexpected %s %s", k, failed, e.kind, p)
				}
			}
			for p, want := range mixedAfter {
				if got[p] != want {
					t.Errorf("with cleanup call %d (%s) failing, %s = %+v, want %+v", k, failed, p, got[p], want)
				}
			}
		})
	}
}

// TestApplyLeavesNoStagingFiles checks that neither temporary nor backup
// files remain, whatever the mix of changes.
func TestApplyLeavesNoStagingFiles(t *testing.T) {
	dir := t.TempDir()
	makeTree(t, dir, mixedBefore)
	if err := writer.Apply(openRoot(t, dir), mixedChanges); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	for p := range snapshot(t, dir) {
		if strings.Contains(p, ".rtconf-tmp") || strings.Contains(p, ".rtconf-bak") {
			t.Errorf("left behind: %s", p)
		}
	}
}

func TestApplyRefusesEscapes(t *testing.T) {
	tests := []struct {
		name   string
		change generator.Change
	}{
		{"add through symlinked folder", generator.Change{Path: "link/new.yaml", Op: generator.Add, Data: []byte("new\n")}},
		{"add below symlinked folder", generator.Change{Path: "link/sub/new.yaml", Op: generator.Add, Data: []byte("new\n")}},
		{"add into symlinked folder below a real one", generator.Change{Path: "real/link/new.yaml", Op: generator.Add, Data: []byte("new\n")}},
		{"update through symlinked folder", generator.Change{Path: "link/victim.yaml", Op: generator.Update, Data: []byte("overwritten\n")}},
		{"remove through symlinked folder", generator.Change{Path: "link/victim.yaml", Op: generator.Remove}},
		{"remove below a real folder", generator.Change{Path: "real/link/victim.yaml", Op: generator.Remove}},
		{"add with dot-dot", generator.Change{Path: "../outside/new.yaml", Op: generator.Add, Data: []byte("new\n")}},
		{"remove with dot-dot", generator.Change{Path: "../outside/victim.yaml", Op: generator.Remove}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			outside := filepath.Join(base, "outside")
			repo := filepath.Join(base, "repo")
			makeTree(t, outside, map[string]string{"victim.yaml": "precious\n"})
			makeTree(t, repo, map[string]string{"real/keep.yaml": "keep\n", "other.yaml": "other\n"})
			if err := os.Symlink(outside, filepath.Join(repo, "link")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join("..", "..", "outside"), filepath.Join(repo, "real", "link")); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, base)

			// A change that would succeed comes first, so a refusal must
			// also undo it.
			changes := []generator.Change{
				{Path: "fine/ok.yaml", Op: generator.Add, Data: []byte("ok\n")},
				{Path: "other.yaml", Op: generator.Update, Data: []byte("updated\n")},
				tt.change,
			}
			if err := writer.Apply(openRoot(t, repo), changes); err == nil {
				t.Fatalf("Apply(%s) succeeded, want an error", tt.change.Path)
			}
			if d := treeDiff(before, snapshot(t, base)); d != "" {
				t.Errorf("a refused Apply changed files:\n%s", d)
			}
		})
	}
}
