package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/repolock"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// TestConcurrentChangesLoseNothing runs four `user add` of different users
// on one repository at once, each its own rtconf process: all succeed, and
// every user is in rtconf.yaml with a token placeholder (before the lock, the
// last writer's rtconf.yaml won and the other edits were lost).
func TestConcurrentChangesLoseNothing(t *testing.T) {
	t.Parallel()
	bin := rtconfBinary(t)
	repo := filepath.Join(t.TempDir(), "repo")
	if code := run(context.Background(), []string{"rtconf", "init", "--demo", repo}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatal("init --demo failed")
	}
	users := []string{"carol", "dave", "erin", "frank"}
	for round := range 2 {
		var wg sync.WaitGroup
		outs := make([]string, len(users))
		errs := make([]error, len(users))
		for i, u := range users {
			login := fmt.Sprintf("%s%d", u, round)
			wg.Go(func() {
				out, err := exec.Command(bin, "user", "add", login, "--runtime", "production", "--dir", repo).CombinedOutput()
				outs[i], errs[i] = string(out), err
			})
		}
		wg.Wait()
		for i := range users {
			if errs[i] != nil {
				t.Errorf("round %d: user add %s%d: %v\n%s", round, users[i], round, errs[i], outs[i])
			}
		}
	}
	cfg, err := config.Load(os.DirFS(repo), config.FileName)
	if err != nil {
		t.Fatal(err)
	}
	rt, _ := cfg.Runtime("production")
	for round := range 2 {
		for _, u := range users {
			login := fmt.Sprintf("%s%d", u, round)
			if !strings.Contains(strings.Join(rt.Users, " "), login) {
				t.Errorf("%s is not in rtconf.yaml: an edit was lost (users: %v)", login, rt.Users)
			}
			if _, err := os.Stat(filepath.Join(repo, "overlays", "production", "user-tokens", login+".yaml")); err != nil {
				t.Errorf("the placeholder of %s is missing: %v", login, err)
			}
		}
	}
	var stdout bytes.Buffer
	if code := run(context.Background(), []string{"rtconf", "generate", "--dry-run", "--dir", repo}, strings.NewReader(""), &stdout, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 || !strings.HasPrefix(stdout.String(), "0 files") {
		t.Errorf("the tree does not match its rtconf.yaml after the concurrent changes:\n%s", stdout.String())
	}
	if _, err := os.Lstat(filepath.Join(repo, repolock.File)); !os.IsNotExist(err) {
		t.Errorf("a run left %s behind: %v", repolock.File, err)
	}
}

// TestEveryWritingCommandTakesTheLock holds the repository's lock as
// another run would: every writing command then gives up with exit 2 and
// a clear message, after waiting as long as --lock-wait says, and changes
// nothing (.git included); nothing reaches the network first.
func TestEveryWritingCommandTakesTheLock(t *testing.T) {
	setOwnEnv(t, map[string]string{"RTCONF_LOCK_TOKEN": testcreds.Classic("lockCase")})
	t.Parallel()
	base := filepath.Join(t.TempDir(), "repo")
	if code := run(context.Background(), []string{"rtconf", "init", "--demo", base}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatal("init --demo failed")
	}
	tok := []string{"--token-env", "RTCONF_LOCK_TOKEN"}
	commands := [][]string{
		{"generate"},
		{"init", "--demo"},
		append([]string{"seal", "runtime-token", "--demo", "--runtime", "production", "--skip-live-check"}, tok...),
		append([]string{"seal", "user-token", "--demo", "--runtime", "production", "--user", "alice", "--skip-live-check"}, tok...),
		{"cert", "pin", "--cert", "new.pem", "--yes"},
		{"runtime", "add", "qa"},
		{"runtime", "remove", "staging", "--yes"},
		{"cluster", "add", "edge-us", "https://edge-us.example.com", "--runtime", "production"},
		{"cluster", "remove", "edge-eu", "--runtime", "production"},
		{"user", "add", "carol", "--runtime", "production"},
		{"user", "remove", "bob", "--runtime", "production", "--yes"},
		append([]string{"token", "rotate", "--demo", "--runtime", "production", "--skip-live-check"}, tok...),
		append([]string{"user", "add", "carol", "--runtime", "production", "--pr", "--api-url", "http://127.0.0.1:1/"}, tok...),
	}
	for _, args := range commands {
		wait := "0s"
		if len(args) == 5 && args[0] == "user" && args[1] == "add" {
			wait = "200ms" // once with a wait, to see the message
		}
		t.Run(strings.Join(args[:min(2, len(args))], " ")+" --lock-wait "+wait, func(t *testing.T) {
			t.Parallel()
			repo := copyTree(t, base)
			holdRepoLock(t, repo)
			before := wholeTree(t, repo)
			full := append([]string{"rtconf"}, args...)
			full = append(full, "--dir", repo, "--lock-wait", wait)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), full, strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default()))
			if code != exitError {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitError, stdout.String(), stderr.String())
			}
			want := fmt.Sprintf("rtconf: another rtconf run is writing %s (it holds %s): gave up after %s; ", repo, filepath.Join(repo, repolock.File), wait)
			if wait != "0s" {
				want = "waiting for another rtconf run on " + repo + " (lock .rtconf.lock)…\n" + want
			}
			if !strings.HasPrefix(stderr.String(), want) || strings.Count(stderr.String(), "\n") != strings.Count(want, "\n")+1 {
				t.Errorf("stderr:\n%s\nwant:\n%s…", stderr.String(), want)
			}
			if diff := cmp.Diff(before, wholeTree(t, repo)); diff != "" {
				t.Errorf("a command that did not get the lock changed the repository:\n%s", diff)
			}
		})
	}
}

// holdRepoLock locks dir's lock file as another rtconf process would,
// until the test ends.
func holdRepoLock(t *testing.T, dir string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, repolock.File), os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
}
