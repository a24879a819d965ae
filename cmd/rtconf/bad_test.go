package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

const badDir = "../../testdata/bad"

// TestBadInput runs every case of testdata/bad through run(), in process,
// and compares its exit code, stdout and stderr with the goldens kept in the
// case (go test ./cmd/rtconf -run TestBadInput -update rewrites them).
//
// A case is a txtar archive. Its comment holds one directive a line:
//
//	base demo|empty|none  the repository $REPO: `init --demo` (default), an
//	                      empty folder, or no folder at all
//	delete PATH           remove PATH from $REPO
//	big PATH MB           write a file of MB megabytes at PATH (never committed)
//	symlink PATH TARGET   make PATH a symlink to TARGET ($WORK/outside.txt
//	                      exists beside $REPO)
//	run ARGS...           the command line after `rtconf`; {repo} and {work}
//	                      stand for $REPO and $WORK
//
// and lines starting with # are comments. Its files are written into $REPO,
// except those named ">exit", ">stdout" and ">stderr": the goldens. The
// environment holds RTCONF_BAD_TOKEN, a fake classic token.
func TestBadInput(t *testing.T) {
	setOwnEnv(t, map[string]string{"RTCONF_BAD_TOKEN": testcreds.Classic("badInputCase")})
	t.Parallel()
	entries, err := os.ReadDir(badDir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".txtar")
		if !ok {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runBadCase(t, filepath.Join(badDir, e.Name()))
		})
	}
	if n < 40 {
		t.Errorf("%d cases in %s, want at least 40", n, badDir)
	}
}

type badCase struct {
	base     string
	deletes  []string
	bigs     [][2]string
	symlinks [][2]string
	args     []string
}

func parseBadCase(t *testing.T, comment []byte) badCase {
	t.Helper()
	c := badCase{base: "demo"}
	for _, line := range strings.Split(string(comment), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case f[0] == "base" && len(f) == 2:
			c.base = f[1]
		case f[0] == "delete" && len(f) == 2:
			c.deletes = append(c.deletes, f[1])
		case f[0] == "big" && len(f) == 3:
			c.bigs = append(c.bigs, [2]string{f[1], f[2]})
		case f[0] == "symlink" && len(f) == 3:
			c.symlinks = append(c.symlinks, [2]string{f[1], f[2]})
		case f[0] == "run":
			c.args = f[1:]
		default:
			t.Fatalf("unknown directive %q", line)
		}
	}
	if len(c.args) == 0 {
		t.Fatal("no run directive")
	}
	return c
}

func runBadCase(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := parseBadCase(t, ar.Comment)
	work := t.TempDir()
	repo := filepath.Join(work, "repo")
	prepareBadRepo(t, c, work, repo, ar)

	args := []string{"rtconf"}
	for _, a := range c.args {
		args = append(args, strings.NewReplacer("{repo}", repo, "{work}", work).Replace(a))
	}
	var stdout, stderr bytes.Buffer
	code := func() (code int) {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		return run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default()))
	}()
	norm := strings.NewReplacer(repo, "$REPO", work, "$WORK")
	got := map[string]string{
		">exit":   strconv.Itoa(code) + "\n",
		">stdout": norm.Replace(stdout.String()),
		">stderr": norm.Replace(stderr.String()),
	}
	if *update {
		writeGoldens(t, file, ar, got)
		return
	}
	want := map[string]string{}
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, ">") {
			want[f.Name] = string(f.Data)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got); -update rewrites it:\n%s", file, diff)
	}
	if code != 1 && code != 2 {
		t.Errorf("exit code %d: bad input must end in 1 (findings) or 2 (refused)", code)
	}
	if !strings.Contains(got[">stdout"]+got[">stderr"], "$REPO") && !strings.Contains(got[">stdout"]+got[">stderr"], ":") {
		t.Errorf("the message names no file")
	}
}

func prepareBadRepo(t *testing.T, c badCase, work, repo string, ar *txtar.Archive) {
	t.Helper()
	switch c.base {
	case "demo":
		if code := run(context.Background(), []string{"rtconf", "init", "--demo", repo}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 {
			t.Fatal("init --demo failed")
		}
	case "empty":
		if err := os.MkdirAll(repo, 0o755); err != nil {
			t.Fatal(err)
		}
	case "none":
	default:
		t.Fatalf("unknown base %q", c.base)
	}
	if err := os.WriteFile(filepath.Join(work, "outside.txt"), []byte("outside the repository\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range c.deletes {
		if err := os.RemoveAll(filepath.Join(repo, p)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, ">") {
			writeBadFile(t, filepath.Join(repo, filepath.FromSlash(f.Name)), f.Data)
		}
	}
	for _, b := range c.bigs {
		mb, err := strconv.Atoi(b[1])
		if err != nil {
			t.Fatal(err)
		}
		writeBadFile(t, filepath.Join(repo, filepath.FromSlash(b[0])), bigYAML(mb))
	}
	for _, s := range c.symlinks {
		p := filepath.Join(repo, filepath.FromSlash(s[0]))
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(s[1], p); err != nil {
			t.Fatal(err)
		}
	}
}

func writeBadFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// bigYAML is mb megabytes of a YAML list.
func bigYAML(mb int) []byte {
	line := []byte("- padding padding padding padding padding padding padding padding\n")
	return bytes.Repeat(line, mb<<20/len(line)+1)
}

// writeGoldens rewrites the case with the goldens got.
func writeGoldens(t *testing.T, file string, ar *txtar.Archive, got map[string]string) {
	t.Helper()
	var files []txtar.File
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, ">") {
			files = append(files, f)
		}
	}
	for _, name := range []string{">exit", ">stdout", ">stderr"} {
		files = append(files, txtar.File{Name: name, Data: []byte(got[name])})
	}
	ar.Files = files
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(fmt.Errorf("update %s: %w", file, err))
	}
}
