package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/repolock"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/workspace"
	"github.com/rtconf/rtconf/internal/writer"
)

// TestGenerateSurvivesSIGKILL runs `rtconf generate` (this test binary,
// re-executed as rtconf) on a change of 300 runtimes (about 2,400 files) and
// kills it with SIGKILL at several points. The guarantee it checks:
//
//   - with no journal left, the visible tree is the old one or the new one,
//     never a mix (hidden *.rtconf-tmp / *.rtconf-bak files may remain);
//   - with a journal left (killed between the first and the last change),
//     workspace.Recover (what every writing rtconf command does first) puts
//     back exactly the old tree;
//   - either way a second `rtconf generate` finishes with exactly the new
//     tree.
func TestGenerateSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs a 2-second generate about fifteen times")
	}
	bin := rtconfBinary(t)
	base := filepath.Join(t.TempDir(), "base")
	bigChange(t, base)
	old := visibleTree(t, base)
	full := copyTree(t, base)
	start := time.Now()
	if out, err := exec.Command(bin, "generate", "--dir", full).CombinedOutput(); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	took := time.Since(start)
	want := visibleTree(t, full)
	t.Logf("a whole generate takes %s", took.Round(time.Millisecond))

	// Loading and planning take the first part of a run: kill early once,
	// then across the writing.
	delays := []time.Duration{time.Millisecond}
	for i := 2; i <= 7; i++ {
		delays = append(delays, took*time.Duration(i)/9)
	}
	outcomes := map[string]int{}
	for _, d := range delays {
		dir := copyTree(t, base)
		cmd := exec.Command(bin, "generate", "--dir", dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(d)
		_ = cmd.Process.Kill() // SIGKILL
		_ = cmd.Wait()

		got := visibleTree(t, dir)
		_, jerr := os.Lstat(filepath.Join(dir, writer.JournalFile))
		switch {
		case jerr == nil:
			outcomes["interrupted"]++
			if _, err := workspace.Recover(context.Background(), dir, "rtconf.yaml", workspace.RunOptions{}); err != nil {
				t.Fatalf("killed after %s: Recover: %v", d, err)
			}
			if diff := cmp.Diff(old, visibleTree(t, dir)); diff != "" {
				t.Errorf("killed after %s: the recovered tree is not the old one:\n%s", d, diff)
			}
			if leftovers := hidden(t, dir); len(leftovers) > 0 {
				t.Errorf("killed after %s: Recover left %v", d, leftovers)
			}
		case cmp.Equal(old, got):
			outcomes["old"]++
		case cmp.Equal(want, got):
			outcomes["new"]++
		default:
			t.Errorf("killed after %s with no journal, the tree is neither old nor new:\n%s", d, cmp.Diff(old, got))
		}
		if out, err := exec.Command(bin, "generate", "--dir", dir).CombinedOutput(); err != nil {
			t.Fatalf("killed after %s: the next generate: %v\n%s", d, err, out)
		}
		if diff := cmp.Diff(want, visibleTree(t, dir)); diff != "" {
			t.Errorf("killed after %s: the next generate did not finish the tree:\n%s", d, diff)
		}
	}
	t.Logf("outcomes of %d kills: %v", len(delays), outcomes)
}

// bigChange makes the demo repository in dir and replaces its runtimes
// with 300 new ones.
func bigChange(t *testing.T, dir string) {
	t.Helper()
	if code := run(context.Background(), []string{"rtconf", "init", "--demo", dir}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatal("init --demo failed")
	}
	p := filepath.Join(dir, "rtconf.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	var b strings.Builder
	b.WriteString(s[:strings.Index(s, "runtimes:")] + "runtimes:\n")
	for i := range 300 {
		fmt.Fprintf(&b, "  - name: rt%03d\n    namespace: ns%03d\n    users: [alice, bob]\n", i, i)
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// isHidden tells rtconf's own hidden files: staging copies, backups, the
// journal, and the lock file a killed run cannot remove.
func isHidden(rel string) bool {
	base := filepath.Base(rel)
	return strings.HasSuffix(base, ".rtconf-tmp") || strings.HasSuffix(base, ".rtconf-bak") ||
		strings.HasPrefix(base, writer.JournalFile) || rel == repolock.File
}

// visibleTree maps every file under dir but the writer's hidden ones to its
// content. Folders are left out: a kill may leave one empty.
func visibleTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if isHidden(rel) {
			return nil
		}
		data, err := os.ReadFile(p)
		tree[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func hidden(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && isHidden(p) {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
