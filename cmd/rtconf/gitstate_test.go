package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/testclock"
)

// TestKilledInitLeavesGitUsable puts a repository in the states a killed
// `rtconf init` leaves (go-git writes .git/index in place: a kill while it
// writes leaves it empty or cut short) and runs the next command. An empty
// index is rebuilt (from HEAD, or empty before the first commit) and the
// command goes on, saying so; one cut short is explained with the command
// that fixes it, which then works. Git itself can read the result.
func TestKilledInitLeavesGitUsable(t *testing.T) {
	t.Parallel()
	initDemo := func(t *testing.T, dir string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"rtconf", "init", "--demo", dir}, strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default()))
		return code, stdout.String(), stderr.String()
	}
	tests := []struct {
		name  string
		state func(t *testing.T, dir string) // after a whole init --demo
		next  []string                       // the next command, after rtconf; DIR is the repository
		// wantStderr is in the next command's stderr; wantCommits is how
		// many commits the repository has after it.
		wantStderr  string
		wantCommits int
	}{
		{
			name:        "empty index after the commit, then init again",
			state:       func(t *testing.T, dir string) { truncate(t, dir, 0) },
			next:        []string{"init", "--demo", "DIR"},
			wantStderr:  "was empty (an interrupted Git write): rebuilt it from HEAD",
			wantCommits: 1,
		},
		{
			name:        "empty index after the commit, then user add",
			state:       func(t *testing.T, dir string) { truncate(t, dir, 0) },
			next:        []string{"user", "add", "carol", "--runtime", "production", "--dir", "DIR"},
			wantStderr:  "was empty (an interrupted Git write): rebuilt it from HEAD",
			wantCommits: 1,
		},
		{
			name: "empty index before the first commit, then init again",
			state: func(t *testing.T, dir string) {
				if err := os.RemoveAll(filepath.Join(dir, ".git")); err != nil {
					t.Fatal(err)
				}
				gitCLI(t, dir, "init", "-q", "-b", "main")
				if err := os.WriteFile(filepath.Join(dir, ".git", "index"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			next:        []string{"init", "--demo", "DIR"},
			wantStderr:  "was empty (an interrupted Git write) and there is no commit yet: removed it",
			wantCommits: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "repo")
			if code, out, errOut := initDemo(t, dir); code != 0 {
				t.Fatalf("init --demo: exit %d\n%s%s", code, out, errOut)
			}
			tt.state(t, dir)
			var args []string
			for _, a := range tt.next {
				args = append(args, strings.ReplaceAll(a, "DIR", dir))
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), append([]string{"rtconf"}, args...), strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default())); code != 0 {
				t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tt.next, " "), code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.wantStderr, stderr.String())
			}
			// Git reads the index again, and it matches HEAD but for the
			// files the command says it changed.
			changed := map[string]bool{}
			for _, line := range strings.Split(stdout.String(), "\n") {
				if f := strings.Fields(line); len(f) == 2 && (f[0] == "added" || f[0] == "updated" || f[0] == "removed") {
					changed[f[1]] = true
				}
			}
			status := gitCLI(t, dir, "status", "--porcelain")
			for _, line := range strings.Split(strings.TrimRight(status, "\n"), "\n") {
				if line != "" && !changed[strings.TrimSpace(line[2:])] {
					t.Errorf("git status shows a change rtconf did not make: %q\n%s", line, status)
				}
			}
			if n := strings.Count(gitCLI(t, dir, "log", "--oneline"), "\n"); n != tt.wantCommits {
				t.Errorf("%d commits, want %d", n, tt.wantCommits)
			}
		})
	}

	t.Run("branch emptied by a killed commit: explained, and the advice works", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "repo")
		if code, out, errOut := initDemo(t, dir); code != 0 {
			t.Fatalf("init --demo: exit %d\n%s%s", code, out, errOut)
		}
		head := strings.TrimSpace(gitCLI(t, dir, "rev-parse", "HEAD"))
		ref := filepath.Join(dir, ".git", "refs", "heads", "main")
		if err := os.Truncate(ref, 0); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := initDemo(t, dir)
		if want := "rtconf: the Git branch main (" + ref + ") is empty: "; code != exitError || !strings.HasPrefix(errOut, want) {
			t.Fatalf("init --demo on an empty branch: exit %d, stderr:\n%s\nwant exit 2 and %q…", code, errOut, want)
		}
		for _, want := range []string{"git fsck --lost-found", "`rm " + ref + " && git update-ref refs/heads/main COMMIT`"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr does not say %q:\n%s", want, errOut)
			}
		}
		// fsck also complains about the empty branch: its exit code is not 0.
		lost, _ := exec.Command("git", "-C", dir, "fsck", "--lost-found").CombinedOutput()
		if !strings.Contains(string(lost), "dangling commit "+head) {
			t.Fatalf("git fsck --lost-found does not show the commit:\n%s", lost)
		}
		if err := os.Remove(ref); err != nil {
			t.Fatal(err)
		}
		gitCLI(t, dir, "update-ref", "refs/heads/main", head)
		if code, out, errOut := initDemo(t, dir); code != 0 || !strings.Contains(out, "is already initialised") {
			t.Fatalf("init --demo after the advice: exit %d\n%s%s", code, out, errOut)
		}
		if n := strings.Count(gitCLI(t, dir, "log", "--oneline"), "\n"); n != 1 {
			t.Errorf("%d commits after the advice, want the one init made", n)
		}
	})

	t.Run("index cut short: explained, and the advice works", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "repo")
		if code, out, errOut := initDemo(t, dir); code != 0 {
			t.Fatalf("init --demo: exit %d\n%s%s", code, out, errOut)
		}
		truncate(t, dir, 100)
		code, _, errOut := initDemo(t, dir)
		index := filepath.Join(dir, ".git", "index")
		if want := "rtconf: the Git index " + index + " cannot be read ("; code != exitError || !strings.HasPrefix(errOut, want) {
			t.Fatalf("init --demo on a cut index: exit %d, stderr:\n%s\nwant exit 2 and %q…", code, errOut, want)
		}
		if want := "rebuild it from the last commit with `rm " + index + " && git reset` in the repository"; !strings.Contains(errOut, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errOut)
		}
		if err := os.Remove(index); err != nil {
			t.Fatal(err)
		}
		gitCLI(t, dir, "reset", "-q")
		if code, out, errOut := initDemo(t, dir); code != 0 || !strings.Contains(out, "is already initialised") {
			t.Fatalf("init --demo after the advice: exit %d\n%s%s", code, out, errOut)
		}
		if status := gitCLI(t, dir, "status", "--porcelain"); status != "" {
			t.Errorf("git status after the advice:\n%s", status)
		}
	})
}

// truncate cuts .git/index in dir to size bytes, as a write killed there
// leaves it.
func truncate(t *testing.T, dir string, size int64) {
	t.Helper()
	if err := os.Truncate(filepath.Join(dir, ".git", "index"), size); err != nil {
		t.Fatal(err)
	}
}
