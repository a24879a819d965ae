package config_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/config"
)

// branchNames are names with what `git check-ref-format --branch` says of
// them outside a repository.
var branchNames = []struct {
	name string
	ok   bool
}{
	{"main", true},
	{"release/v1.2", true},
	{"feature/a/b/c", true},
	{"v1.0.0", true},
	{"0123456789abcdef0123456789abcdef01234567", true},
	{"a@b", true},
	{"@", true},
	{"{a}", true},
	{"a.lock.b", true},
	{"a-b_c+d=e,f", true},
	{"a!b#c%d&e", true},
	{"é-ünïcödé", true},
	{"refs/heads/x", true},
	{"x/", false},
	{"/x", false},
	{"a//b", false},
	{"", false},
	{"-x", false},
	{"--", false},
	{"HEAD", false},
	{"a..b", false},
	{"..", false},
	{".a", false},
	{"a/.b", false},
	{"a.", false},
	{"a/b.", false},
	{"a.lock", false},
	{"a/b.lock/c", false},
	{"a/.lock", false},
	{"a@{b", false},
	{"@{-1}", false},
	{"a b", false},
	{"a\tb", false},
	{"a\nb", false},
	{"main\n", false},
	{"a\x7fb", false},
	{"a\x01b", false},
	{"a~b", false},
	{"a^b", false},
	{"a:b", false},
	{"a?b", false},
	{"a*b", false},
	{"a[b", false},
	{"a\\b", false},
	{"a\x00b", false},
}

// TestBranchNameProblem checks BranchNameProblem against the table, and
// the table against the git binary when there is one.
func TestBranchNameProblem(t *testing.T) {
	git, gitErr := exec.LookPath("git")
	outside := t.TempDir()
	for _, tt := range branchNames {
		why := config.BranchNameProblem(tt.name)
		if (why == "") != tt.ok {
			t.Errorf("BranchNameProblem(%q) = %q, want ok=%v", tt.name, why, tt.ok)
		}
		if gitErr != nil || strings.IndexByte(tt.name, 0) >= 0 {
			continue // no git, or a name no command line can carry
		}
		cmd := exec.Command(git, "check-ref-format", "--branch", tt.name)
		cmd.Dir = outside
		cmd.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+filepath.Dir(outside), "GIT_DIR=", "HOME="+outside)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("git check-ref-format: %v", err)
		}
		if gitOK := err == nil; gitOK != tt.ok {
			t.Errorf("git check-ref-format --branch %q: ok=%v (%s), the table says %v", tt.name, gitOK, strings.TrimSpace(stderr.String()), tt.ok)
		}
	}
	if gitErr != nil {
		t.Log("git is not on PATH: the table was not compared with it")
	}
}

// TestRevisionMustBeABranchName: a revision that is not a branch name is a
// problem at its place in rtconf.yaml, with a hint.
func TestRevisionMustBeABranchName(t *testing.T) {
	for _, rev := range []string{`"main\nx"`, `a..b`, `"-x"`, `"a b"`, `"@{-1}"`, `"a\u0001"`, `main.lock`, `a//b`} {
		t.Run(rev, func(t *testing.T) {
			data := "repository:\n  url: https://github.com/acme/shared-config\n  revision: " + rev +
				"\nruntimes:\n  - name: prod\n    namespace: prod\n"
			_, err := config.Parse("rtconf.yaml", []byte(data))
			var cerr *config.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Parse: %v, want a *config.Error", err)
			}
			if len(cerr.Problems) != 1 {
				t.Fatalf("problems: %v", cerr)
			}
			p := cerr.Problems[0]
			if p.Line != 3 || p.Column != 13 || p.Field != "repository.revision" || p.Hint == "" ||
				!strings.Contains(p.Message, "is not a Git branch name") || strings.Contains(p.Message, "\n") {
				t.Errorf("problem %+v", p)
			}
		})
	}
}
