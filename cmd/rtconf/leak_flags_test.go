package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/testclock"
)

// commandBases are the command lines, in leakCase's words, on which
// flagCases puts a canary into each flag and argument in turn: every
// command that runs, with the flags it requires. A command missing here
// fails TestEveryCommandHasABase.
func commandBases() map[string][]string {
	rt := []string{"--dir", "{repo}", "--runtime", "production"}
	with := func(more ...string) []string { return slices.Concat(rt, more) }
	return map[string][]string{
		"init":               {"{work}/fresh"},
		"generate":           {"--dir", "{repo}"},
		"seal runtime-token": with("--api-url", "{api}"),
		"seal user-token":    with("--user", "alice", "--api-url", "{api}"),
		"seal github-app":    with("--app-id", "42", "--private-key-file", "{secrets}/app.pem", "--replace", "--api-url", "{api}"),
		"cert pin":           {"--dir", "{repo}", "--cert", "{repo}/certs/demo-sealed-secrets.pem", "--yes"},
		"status":             {"--dir", "{repo}"},
		"apply":              with(),
		"validate":           {"--dir", "{repo}"},
		"gather":             {"{work}/shard.json"},
		"token check":        {"--dir", "{repo}", "--api-url", "{api}"},
		"token rotate":       with("--api-url", "{api}"),
		"token expiry":       {"--dir", "{repo}"},
		"schema":             {},
		"runtime add":        {"--dir", "{repo}", "new-runtime"},
		"runtime remove":     {"--dir", "{repo}", "staging", "--yes"},
		"cluster add":        with("edge-us", "https://edge-us.example.com"),
		"cluster remove":     with("edge-eu"),
		"user add":           with("carol"),
		"user remove":        with("bob", "--yes"),
		"version":            {},
		"completion":         {"bash"},
	}
}

// leafCommands lists every command that runs, by its full name.
func leafCommands() map[string]*cli.Command {
	out := map[string]*cli.Command{}
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Name == "help" { // the help commands (helpflags.go) take no flags
				continue
			}
			name := strings.TrimSpace(prefix + " " + c.Name)
			if len(c.Subcommands) == 0 {
				out[name] = c
			}
			walk(name, c.Subcommands)
		}
	}
	var discard bytes.Buffer
	walk("", newApp(strings.NewReader(""), &discard, &discard, testclock.Fixed(testclock.Default()), func(error) {}).Commands)
	return out
}

// flagCases put a canary into every flag that takes a value and every
// argument of every command (and once per command as --flag=value and
// once inside a path), and a URL with credentials into every flag that
// takes a URL. Each is refused before the command runs (exit 2),
// without repeating the value.
func flagCases() []leakCase {
	var cases []leakCase
	bases := commandBases()
	cmds := leafCommands()
	names := make([]string, 0, len(cmds))
	for name := range cmds {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		base, ok := bases[name]
		if !ok {
			continue // TestEveryCommandHasABase reports it
		}
		cmd := slices.Concat(strings.Fields(name), base)
		once := false // one --flag=value, one token inside a path per command
		for _, f := range cmds[name].Flags {
			tv, ok := f.(cli.DocGenerationFlag)
			if !ok || !tv.TakesValue() {
				continue
			}
			flag := f.Names()[0]
			values := []string{"{classic}"}
			if strings.Contains(tv.GetUsage(), "URL") {
				values = append(values, "https://x-access-token:{classic}@github.com/example-org/shared-config.git",
					"https://robot:not-a-token-but-a-password@github.com/example-org/shared-config.git")
			}
			for _, v := range values {
				cases = append(cases, leakCase{name: name + " --" + flag + " " + v, args: withFlag(cmd, flag, v), stdin: "{classic}", code: 2})
			}
			if !once {
				once = true
				cases = append(cases,
					leakCase{name: name + " --" + flag + "=", args: append(slices.Clone(cmd), "--"+flag+"={classic}"), stdin: "{classic}", code: 2},
					leakCase{name: name + " --" + flag + " in a path", args: withFlag(cmd, flag, "{work}/in-{fine}/x"), stdin: "{classic}", code: 2})
			}
		}
		for i, a := range cmd {
			if strings.HasPrefix(a, "-") || i > 0 && strings.HasPrefix(cmd[i-1], "-") || i < len(strings.Fields(name)) {
				continue
			}
			args := slices.Clone(cmd)
			args[i] = "{classic}"
			cases = append(cases, leakCase{name: name + " argument " + a, args: args, stdin: "{classic}", code: 2})
		}
	}
	return cases
}

// withFlag sets --flag to v in args, in place of its value there if any.
func withFlag(args []string, flag, v string) []string {
	out := slices.Clone(args)
	if i := slices.Index(out, "--"+flag); i >= 0 && i+1 < len(out) {
		out[i+1] = v
		return out
	}
	return append(out, "--"+flag, v)
}

// TestEveryCommandHasABase: flagCases covers every command.
func TestEveryCommandHasABase(t *testing.T) {
	bases := commandBases()
	for name := range leafCommands() {
		if _, ok := bases[name]; !ok {
			t.Errorf("command %q has no entry in commandBases: add one, so that its flags are in the leak test", name)
		}
	}
}

// originWithPassword returns a setup that points the demo's remote origin
// at an https URL with a password (not a token: the password is what
// must not be printed) on a port where nothing listens.
func originWithPassword(password string) func(*testing.T, *leakEnv) {
	return func(t *testing.T, e *leakEnv) {
		t.Helper()
		cfg := filepath.Join(e.repo, ".git", "config")
		data, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, []byte("[remote \"origin\"]\n\turl = https://robot:"+password+"@127.0.0.1:1/example-org/shared-config.git\n")...)
		if err := os.WriteFile(cfg, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tokenInConfig returns a setup that copies the demo outside the scanned
// work tree, to {secrets}/repo, with the classic canary as a runtime's
// namespace in its rtconf.yaml: what rtconf quotes from it must not show
// the token.
func tokenInConfig(t *testing.T, e *leakEnv) {
	t.Helper()
	dst := filepath.Join(e.secrets, "repo")
	if err := os.CopyFS(dst, os.DirFS(e.repo)); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dst, "rtconf.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("namespace: codefresh\n"), []byte("namespace: "+canaryClassic+"\n"), 1)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
