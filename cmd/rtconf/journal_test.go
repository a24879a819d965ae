package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/writer"
)

// evilGitConfig runs a program at the next `git status` if it ever becomes
// .git/config.
const evilGitConfig = "[core]\n\trepositoryformatversion = 0\n\tfsmonitor = touch pwned\n"

// evilJournal would make a roll-back move evil.cfg over .git/config.
const evilJournal = `{"steps":[{"path":".git/config","op":"update","tmp":"evil.tmp","bak":"evil.cfg"}]}` + "\n"

// TestPlantedJournalIsNeverActedOn: a journal that a pull request commits
// (or anyone plants) never makes rtconf rename or remove anything: every
// writing command, a dry run and a failing cert pin included, refuses it
// with a message that names it and says what to do, and changes nothing,
// .git included; validate reports it as an error.
func TestPlantedJournalIsNeverActedOn(t *testing.T) {
	setOwnEnv(t, map[string]string{"RTCONF_JOURNAL_TOKEN": testcreds.Classic("journalCase")})
	t.Parallel()
	commands := []struct {
		name string
		args []string
		want string // in stderr, besides the journal's name
	}{
		{"generate", []string{"generate", "--dir", "{repo}"}, "changed nothing"},
		{"generate --dry-run", []string{"generate", "--dry-run", "--dir", "{repo}"}, "a dry run changes nothing"},
		{"a failing cert pin", []string{"cert", "pin", "--dir", "{repo}", "--cert", "{repo}/no-such.pem"}, "changed nothing"},
		{"user add", []string{"user", "add", "carol", "--runtime", "production", "--dir", "{repo}"}, "changed nothing"},
		{"seal", []string{"seal", "runtime-token", "--demo", "--runtime", "production", "--dir", "{repo}", "--token-env", "RTCONF_JOURNAL_TOKEN", "--skip-live-check"}, "changed nothing"},
		{"init again", []string{"init", "--demo", "{repo}"}, "changed nothing"},
	}
	for _, committed := range []bool{true, false} {
		base := hostileRepo(t, committed)
		wantWhy, wantFix := "Git tracks it", "git rm "+writer.JournalFile
		if !committed {
			wantWhy, wantFix = "inside Git's own folder", "rm "+writer.JournalFile
		}
		for _, c := range commands {
			name := c.name + map[bool]string{true: " (journal committed)", false: " (journal planted)"}[committed]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				repo := copyTree(t, base)
				before := wholeTree(t, repo)
				var args []string
				for _, a := range c.args {
					args = append(args, strings.ReplaceAll(a, "{repo}", repo))
				}
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), append([]string{"rtconf"}, args...), strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default()))
				if code != exitError {
					t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitError, stdout.String(), stderr.String())
				}
				msg := stderr.String()
				for _, want := range []string{writer.JournalFile, c.want} {
					if !strings.Contains(msg, want) {
						t.Errorf("stderr does not say %q:\n%s", want, msg)
					}
				}
				if c.want != "a dry run changes nothing" {
					for _, want := range []string{wantWhy, wantFix} {
						if !strings.Contains(msg, want) {
							t.Errorf("stderr does not say %q:\n%s", want, msg)
						}
					}
				}
				if diff := cmp.Diff(before, wholeTree(t, repo)); diff != "" {
					t.Errorf("the refused journal changed the repository (.git included):\n%s", diff)
				}
			})
		}
		t.Run("validate"+map[bool]string{true: " (journal committed)", false: " (journal planted)"}[committed], func(t *testing.T) {
			t.Parallel()
			repo := copyTree(t, base)
			before := wholeTree(t, repo)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"rtconf", "validate", "--dir", repo}, strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default()))
			if code != exitFindings {
				t.Errorf("exit code %d, want %d", code, exitFindings)
			}
			if want := writer.JournalFile + ": error: rtconf's journal is in the repository"; !strings.Contains(stdout.String(), want) {
				t.Errorf("validate does not report %q:\n%s", want, stdout.String())
			}
			if strings.Contains(stdout.String(), "run rtconf generate:") {
				t.Errorf("validate still sends the user to roll the journal back blindly:\n%s", stdout.String())
			}
			if diff := cmp.Diff(before, wholeTree(t, repo)); diff != "" {
				t.Errorf("validate changed the repository:\n%s", diff)
			}
		})
	}
}

// hostileRepo is the demo repository with a journal that would move
// evil.cfg over .git/config, committed as a pull request would bring it,
// or only planted in the working tree.
func hostileRepo(t *testing.T, commit bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if code := run(context.Background(), []string{"rtconf", "init", "--demo", dir}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatal("init --demo failed")
	}
	for name, data := range map[string]string{"evil.cfg": evilGitConfig, writer.JournalFile: evilJournal} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if commit {
		gitCLI(t, dir, "add", "-f", "evil.cfg", writer.JournalFile) // a pull request need not respect .gitignore
		gitCLI(t, dir, "commit", "-q", "-m", "a pull request's commit")
	}
	return dir
}

// gitCLI runs the git program in dir, away from the machine's
// configuration.
func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// wholeTree maps every path under dir, .git included, to its kind and
// content.
func wholeTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir():
			tree[rel] = "dir"
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			tree[rel] = "symlink " + target
			return err
		default:
			data, err := os.ReadFile(p)
			tree[rel] = string(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}
