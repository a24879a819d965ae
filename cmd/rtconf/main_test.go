package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

var update = flag.Bool("update", false, "rewrite the scripts' expected files where cmp fails")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"rtconf": func() {
			os.Exit(run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr, testClock()))
		},
	})
}

// testClockEnv sets the clock of rtconf as the tests run it (RFC 3339).
// Only the test binary reads it: the rtconf binary has no such hook.
const testClockEnv = "RTCONF_TEST_NOW"

// testClock is the clock of rtconf run by the tests: testClockEnv when a
// test sets it, else testclock.Default().
func testClock() func() time.Time {
	at := testclock.Default()
	if v := os.Getenv(testClockEnv); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s=%q: %v\n", testClockEnv, v, err)
			os.Exit(2)
		}
		at = t
	}
	return testclock.Fixed(at)
}

// TestScripts runs the end-to-end scripts in testdata/script: the real
// binary on real files.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("ROBOT_TOKEN", testcreds.Classic("scriptrobot"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"tree":     cmdTree,
			"cmphash":  cmdCmpHash,
		},
	})
}

// cmdExitCode runs a program like exec and checks its exit code:
//
//	exitcode N program [args...]
//
// Its stdout and stderr are left for the stdout and stderr commands.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode; give the expected code instead")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	got := 0
	var exitErr *exec.ExitError
	switch err := ts.Exec(args[1], args[2:]...); {
	case err == nil:
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	default:
		ts.Fatalf("exitcode: run %s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with code %d, want %d", args[1], got, want)
	}
}

// commitHash is an abbreviated or full Git commit hash in a message.
var commitHash = regexp.MustCompile(`\b[0-9a-f]{7}([0-9a-f]{33})?\b`)

// cmdCmpHash compares stdout with a file like cmp, after replacing every
// Git commit hash in stdout by HASH (commits differ from run to run):
//
//	cmphash stdout want.txt
func cmdCmpHash(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || args[0] != "stdout" {
		ts.Fatalf("usage: cmphash stdout FILE")
	}
	got := commitHash.ReplaceAllString(ts.ReadFile("stdout"), "HASH")
	want := ts.ReadFile(args[1])
	if got != want {
		ts.Fatalf("stdout (hashes masked) differs from %s:\n--- got\n%s--- want\n%s", args[1], got, want)
	}
}

// cmdTree prints every path under a folder, with a digest of each file's
// content (the work tree: .git is left out), so that a script can save a
// tree's state and compare it later:
//
//	tree DIR
//	cp stdout before.txt
func cmdTree(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tree DIR")
	}
	dir := ts.MkAbs(args[0])
	out := ts.Stdout()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir() && d.Name() == ".git":
			return filepath.SkipDir
		case d.IsDir():
			fmt.Fprintf(out, "%s/\n", rel)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s -> %s\n", rel, target)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s %x\n", rel, sha256.Sum256(data))
		}
		return nil
	})
	if err != nil {
		ts.Fatalf("tree %s: %v", args[0], err)
	}
}
