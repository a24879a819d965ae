package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// eachCommand calls f with every command's path ("seal runtime-token")
// and the command, parents before their subcommands.
func eachCommand(f func(path string, c *cli.Command)) {
	app := newApp(strings.NewReader(""), io.Discard, io.Discard, testclock.Fixed(testclock.Default()), func(error) {})
	var walk func(parent string, cmds []*cli.Command)
	walk = func(parent string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Name == "help" {
				continue
			}
			path := strings.TrimSpace(parent + " " + c.Name)
			f(path, c)
			walk(path, c.Subcommands)
		}
	}
	walk("", app.Commands)
}

func helpOf(t *testing.T, path string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append(append([]string{"rtconf"}, strings.Fields(path)...), "--help")
	if code := run(context.Background(), args, strings.NewReader(""), &out, &errOut, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatalf("rtconf %s --help: exit %d: %s", path, code, errOut.String())
	}
	return out.String()
}

// placeholder is what a flag's backquoted word may be: the name of its
// value, as in --output FORMAT=FILE, never code.
var placeholder = regexp.MustCompile(`^[A-Z][A-Z0-9_]*([=/|][A-Z][A-Z0-9_]*)*$`)

// TestFlagPlaceholders: a backquoted word in a flag's usage is the name of
// its value in help (urfave/cli's placeholder): only a value's name may be
// backquoted, once, and only in a flag that takes a value. Code in a usage
// is in quotes. No backquote is left in any command's rendered OPTIONS.
func TestFlagPlaceholders(t *testing.T) {
	eachCommand(func(path string, c *cli.Command) {
		for _, f := range c.Flags {
			df, ok := f.(cli.DocGenerationFlag)
			if !ok {
				continue
			}
			usage := df.GetUsage()
			n := strings.Count(usage, "`")
			name := "rtconf " + path + " --" + f.Names()[0]
			switch {
			case n == 0:
			case n != 2:
				t.Errorf("%s: %d backquotes in its usage %q: only its value's name may be backquoted, once", name, n, usage)
			case !df.TakesValue():
				t.Errorf("%s takes no value, but its usage %q backquotes %q: write code in quotes", name, usage, strings.Split(usage, "`")[1])
			default:
				if w := strings.Split(usage, "`")[1]; !placeholder.MatchString(w) {
					t.Errorf("%s: its usage backquotes %q, which help would show as its value's name: write code in quotes", name, w)
				}
			}
		}
		help := helpOf(t, path)
		if _, opts, ok := strings.Cut(help, "OPTIONS:"); ok && strings.Contains(opts, "`") {
			t.Errorf("rtconf %s --help: a backquote in OPTIONS:\n%s", path, opts)
		}
	})
}

// TestExamples: every command's help has an EXAMPLES section with at
// least one rtconf command line.
func TestExamples(t *testing.T) {
	section := regexp.MustCompile(`(?m)^\s*EXAMPLES:\n((?:\s+\S.*\n)+)`)
	count := 0
	eachCommand(func(path string, c *cli.Command) {
		count++
		help := helpOf(t, path)
		m := section.FindStringSubmatch(help)
		if m == nil {
			t.Errorf("rtconf %s --help has no EXAMPLES section:\n%s", path, help)
			return
		}
		if !regexp.MustCompile(`(?m)^\s+rtconf ` + regexp.QuoteMeta(path) + `(\s|$)`).MatchString(m[1]) {
			t.Errorf("rtconf %s --help: EXAMPLES has no 'rtconf %s …' line:\n%s", path, path, m[1])
		}
	})
	if count < 20 {
		t.Fatalf("walked %d commands, want all", count)
	}
}

func TestAskYesNo(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
		rest string
	}{
		{"y\nmore", true, "more"},
		{"YES\n", true, ""},
		{" yes \n", true, ""},
		{"\n", false, ""},
		{"n\n", false, ""},
		{"", false, ""},
		{"yesterday\n", false, ""},
	} {
		in := strings.NewReader(tc.in)
		var out bytes.Buffer
		got, err := askYesNo(in, &out, "remove runtime prod")
		if err != nil || got != tc.want {
			t.Errorf("askYesNo(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if out.String() != "remove runtime prod? [y/N] " {
			t.Errorf("askYesNo asked %q", out.String())
		}
		if rest, _ := io.ReadAll(in); string(rest) != tc.rest {
			t.Errorf("askYesNo(%q) left %q, want %q", tc.in, rest, tc.rest)
		}
	}
}

// TestEnvToken: GITHUB_TOKEN, then GH_TOKEN, then GITLAB_TOKEN, the first
// set that holds a token; one set but malformed is named, so that the
// error says which.
func TestEnvToken(t *testing.T) {
	gh, gl := testcreds.Classic("envtoken"), testcreds.GitLab("envtoken")
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, ""},
		{map[string]string{"GITLAB_TOKEN": gl}, "GITLAB_TOKEN"},
		{map[string]string{"GH_TOKEN": gh, "GITLAB_TOKEN": gl}, "GH_TOKEN"},
		{map[string]string{"GITHUB_TOKEN": gh, "GH_TOKEN": gh, "GITLAB_TOKEN": gl}, "GITHUB_TOKEN"},
		{map[string]string{"GITHUB_TOKEN": "not a token", "GITLAB_TOKEN": gl}, "GITLAB_TOKEN"},
		{map[string]string{"GH_TOKEN": "not a token"}, "GH_TOKEN"},
	} {
		for _, name := range envTokens {
			t.Setenv(name, tc.env[name])
		}
		if got := envToken(); got != tc.want {
			t.Errorf("envToken() with %v = %q, want %q", tc.env, got, tc.want)
		}
	}
}
