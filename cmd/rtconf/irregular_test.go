//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fifotest"
	"github.com/rtconf/rtconf/internal/testclock"
)

// TestIrregularFilesNeverPass replaces rtconf.yaml, a plain manifest and a
// generated manifest by a symlink (to a copy of the same file inside the
// repository), a FIFO, a folder, a dangling symlink and a file nobody may
// read, and runs validate and generate on each. validate never passes a
// tree it could not read in full (exit 1); a command that needs the file
// refuses it (exit 2); none waits on a FIFO: a run that has not returned
// after 30 seconds fails the test (and its FIFO is opened for writing, so
// that the blocked read ends).
func TestIrregularFilesNeverPass(t *testing.T) {
	t.Parallel()
	demo := filepath.Join(t.TempDir(), "demo")
	if code := run(context.Background(), []string{"rtconf", "init", "--demo", demo}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatal("init --demo failed")
	}
	const plain = "resources/all-runtimes-all-clusters/extra.yaml"
	if err := os.WriteFile(filepath.Join(demo, filepath.FromSlash(plain)),
		[]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run(context.Background(), []string{"rtconf", "validate", "--dir", demo}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatalf("validate of the demo repository: exit %d, want 0", code)
	}

	// The exit codes of validate and generate, by path and by what
	// replaces the file. A folder is no file: what it holds is read and
	// validated, so one in place of a manifest is no finding.
	type want struct{ validate, generate int }
	cases := []struct {
		path string
		want map[string]want
	}{
		{"rtconf.yaml", map[string]want{"symlink": {1, 2}, "fifo": {1, 2}, "folder": {1, 2}, "dangling-symlink": {1, 2}, "unreadable": {1, 2}}},
		// generate does not read the user's manifests: it must neither
		// block nor fail on them.
		{plain, map[string]want{"symlink": {1, 0}, "fifo": {1, 0}, "folder": {0, 0}, "dangling-symlink": {1, 0}, "unreadable": {1, 0}}},
		{"overlays/production/application.yaml", map[string]want{"symlink": {1, 2}, "fifo": {1, 2}, "folder": {1, 2}, "dangling-symlink": {1, 2}, "unreadable": {1, 2}}},
	}
	kinds := []struct {
		name string
		make func(t *testing.T, repo, p string)
	}{
		{"symlink", func(t *testing.T, repo, p string) {
			// The same content beside it: a symlink is refused for what
			// it is, not for where it leads.
			copyFile(t, filepath.Join(repo, p), filepath.Join(repo, "copy-of-file"))
			replace(t, repo, p, func(abs string) error {
				rel, err := filepath.Rel(filepath.Dir(abs), filepath.Join(repo, "copy-of-file"))
				if err != nil {
					return err
				}
				return os.Symlink(rel, abs)
			})
		}},
		{"fifo", func(t *testing.T, repo, p string) {
			replace(t, repo, p, func(abs string) error { return syscall.Mkfifo(abs, 0o644) })
		}},
		{"folder", func(t *testing.T, repo, p string) {
			replace(t, repo, p, func(abs string) error {
				if err := os.Mkdir(abs, 0o755); err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(abs, "x"), []byte("x\n"), 0o644)
			})
		}},
		{"dangling-symlink", func(t *testing.T, repo, p string) {
			replace(t, repo, p, func(abs string) error { return os.Symlink("no-such-file", abs) })
		}},
		{"unreadable", func(t *testing.T, repo, p string) {
			if os.Geteuid() == 0 {
				// root reads a file of mode 000; the validator's
				// TestUnreadableFilesAreErrors covers the error itself.
				t.Skip("running as root, which reads any file")
			}
			if err := os.Chmod(filepath.Join(repo, filepath.FromSlash(p)), 0); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, pc := range cases {
		for _, k := range kinds {
			for _, cmd := range []string{"validate", "generate"} {
				t.Run(pc.path+"/"+k.name+"/"+cmd, func(t *testing.T) {
					t.Parallel()
					repo := filepath.Join(t.TempDir(), "repo")
					if err := os.CopyFS(repo, os.DirFS(demo)); err != nil {
						t.Fatal(err)
					}
					k.make(t, repo, pc.path)
					w, ok := pc.want[k.name]
					if !ok {
						t.Fatalf("no exit codes for %s", k.name)
					}
					wantCode := w.validate
					if cmd == "generate" {
						wantCode = w.generate
					}
					var stdout, stderr bytes.Buffer
					code := -1
					fifotest.Within(t, 30*time.Second, filepath.Join(repo, filepath.FromSlash(pc.path)), func() {
						code = run(context.Background(), []string{"rtconf", cmd, "--dir", repo}, strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default()))
					})
					if code != wantCode {
						t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, wantCode, stdout.String(), stderr.String())
					}
					if wantCode != 0 && !strings.Contains(stdout.String()+stderr.String(), pc.path) {
						t.Errorf("the output does not name %s:\n%s%s", pc.path, stdout.String(), stderr.String())
					}
				})
			}
		}
	}
}

// replace removes the file p of repo and makes something else there.
func replace(t *testing.T, repo, p string, make func(abs string) error) {
	t.Helper()
	abs := filepath.Join(repo, filepath.FromSlash(p))
	if err := os.Remove(abs); err != nil {
		t.Fatal(err)
	}
	if err := make(abs); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
