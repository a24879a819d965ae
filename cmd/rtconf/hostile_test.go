package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/hostile"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/internal/validator/output"
)

// TestHostileRepositoryOutput runs every command that prints what a
// repository holds, in every format, on repositories that a pull request
// made hostile (internal/hostile: workflow commands, escape and bidi
// characters, links, a token, a URL with a password), and checks standard
// output, standard error and every report file: no line the GitHub runner
// takes for a command (but the github format's own), no control, bidi or
// zero-width character, no token or password, no link in Markdown.
func TestHostileRepositoryOutput(t *testing.T) {
	t.Parallel()
	demo := demoTemplate(t)
	repos := map[string]string{
		"files and annotations": hostileFiles(t, demo),
		"rtconf.yaml":           hostileConfig(t, demo),
	}
	shard := hostileShard(t)
	stdin := testcreds.Classic("HOSTILEstdinTOKEN")
	// The runs on one repository follow one another (the last ones write
	// to it); the two repositories are tested in parallel.
	for name, dir := range repos {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var runs [][]string
			for _, f := range output.Formats() {
				runs = append(runs,
					[]string{"validate", "--dir", dir, "--format", f, "--output", f + "=" + filepath.Join(t.TempDir(), "report")},
					[]string{"gather", "--format", f, "--output", f + "=" + filepath.Join(t.TempDir(), "report"), shard})
			}
			for _, f := range []string{"text", "json"} {
				runs = append(runs, []string{"status", "--dir", dir, "--format", f})
			}
			for _, f := range []string{"text", "markdown", "json"} {
				runs = append(runs, []string{"token", "expiry", "--dir", dir, "--format", f, "--within", "100000d"})
			}
			runs = append(runs,
				[]string{"generate", "--dry-run", "--dir", dir},
				[]string{"user", "add", "carol", "--runtime", "production", "--dir", dir},
				[]string{"cert", "pin", "--dir", dir, "--cert", filepath.Join(dir, "certs", strings.ReplaceAll(hostile.Name(), hostile.Token(), "t")+".pem")},
				[]string{"seal", "runtime-token", "--demo", "--skip-live-check", "--runtime", "production", "--dir", dir},
				[]string{"generate", "--dir", dir},
			)
			for _, args := range runs {
				t.Run(strings.Join(args[:2], " ")+"/"+formatOf(args), func(t *testing.T) {
					var stdout, stderr bytes.Buffer
					run(context.Background(), append([]string{"rtconf"}, args...), strings.NewReader(stdin), &stdout, &stderr, testclock.Fixed(testclock.Default()))
					format := formatOf(args)
					checkOutput(t, "stdout", format, stdout.Bytes())
					hostile.CheckLog(t, "stderr", stderr.Bytes(), nil)
					for i, a := range args {
						if a == "--output" {
							if data, err := os.ReadFile(strings.SplitN(args[i+1], "=", 2)[1]); err == nil {
								checkOutput(t, "the report file", format, data)
							}
						}
					}
				})
			}
		})
	}
}

func formatOf(args []string) string {
	for i, a := range args {
		if a == "--format" {
			return args[i+1]
		}
	}
	return "text"
}

func checkOutput(t *testing.T, where, format string, out []byte) {
	t.Helper()
	var isCommand func(string) bool
	switch format {
	case output.FormatGitHub:
		isCommand = hostile.IsGitHubCommand
	case output.FormatMarkdown:
		hostile.CheckMarkdown(t, where, out)
	case output.FormatJSON, output.FormatSARIF, output.FormatGitLab:
		if len(out) > 0 && !json.Valid(out) {
			t.Errorf("%s: not valid JSON:\n%s", where, out)
		}
	}
	hostile.CheckLog(t, where, out, isCommand)
}

// hostileFiles is a copy of the demo with a hostile file name and object
// names in a Kustomize root under resources/, and hostile annotations on
// the sealed runtime token (which status and token expiry show).
func hostileFiles(t *testing.T, demo string) string {
	t.Helper()
	dir := copyDemo(t, demo)
	h, _ := json.Marshal(hostile.YAMLText())
	file := hostile.Name() + ".yaml"
	res := filepath.Join(dir, "resources", "runtimes", "production")
	objects := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + string(h) + "\nstringData:\n  " + string(h) + ": " + string(h) + "\n" +
		"---\napiVersion: example.com/v1\nkind: " + string(h) + "\nmetadata:\n  name: " + string(h) + "\n"
	writeTestFile(t, filepath.Join(res, file), objects)
	name, _ := json.Marshal(file)
	writeTestFile(t, filepath.Join(res, "kustomization.yaml"), "resources:\n- "+string(name)+"\n")

	p := filepath.Join(dir, "overlays", "production", "runtime-token.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("    rtconf.io/token-kind: classic\n"), []byte("    rtconf.io/token-kind: "+string(h)+"\n"+
		"    rtconf.io/token-verification: "+string(h)+"\n    rtconf.io/token-expires-at: \"2027-01-01T00:00:00Z\"\n"), 1)
	writeTestFile(t, p, string(data))
	// A user's token whose recorded expiry is no time: token expiry's
	// error quotes it.
	alice := filepath.Join(dir, "overlays", "production", "user-tokens", "alice.yaml")
	data, err = os.ReadFile(alice)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("  annotations:\n"), []byte("  annotations:\n    rtconf.io/token-expires-at: "+string(h)+"\n"), 1)
	writeTestFile(t, alice, string(data))
	return dir
}

// hostileConfig is a copy of the demo whose rtconf.yaml has a hostile
// unknown key (short: YAML keys are at most 1024 characters) and hostile
// values.
func hostileConfig(t *testing.T, demo string) string {
	t.Helper()
	dir := copyDemo(t, demo)
	p := filepath.Join(dir, "rtconf.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := json.Marshal(hostile.YAMLText())
	key, _ := json.Marshal(hostile.ForYAML(hostile.Name()))
	data = bytes.Replace(data, []byte("  revision: main\n"), []byte("  revision: "+string(h)+"\n  "+string(key)+": 1\n"), 1)
	data = bytes.Replace(data, []byte("namespace: codefresh\n"), []byte("namespace: "+string(h)+"\n"), 1)
	writeTestFile(t, p, string(data))
	return dir
}

// hostileShard is a shard's json report, as gather reads it, with hostile
// text in every field.
func hostileShard(t *testing.T) string {
	t.Helper()
	h := hostile.Text()
	rep := validator.Report{Shard: "1/1", Runtimes: []string{h}, Files: 1, Objects: 1, Findings: []validator.Finding{
		{Path: h, Line: 1, Rule: h, Severity: validator.Error, Runtime: h, Message: h, Hint: h},
		{Path: h, Rule: h, Severity: validator.Severity(h), Message: h},
	}}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "shard.json")
	writeTestFile(t, p, string(data))
	return p
}

func copyDemo(t *testing.T, demo string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(dir, os.DirFS(demo)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeTestFile(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
