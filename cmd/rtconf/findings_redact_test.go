package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/validator/output"
)

// TestFindingsNeverQuoteTokens pastes the canary tokens where names, keys
// and values belong (in rtconf.yaml: a runtime name, a namespace, a users
// list, an unknown key, the project, repository.url and
// repository.revision; in the tree: a file name, an object name, a
// kustomization's resource) and runs validate in every format, on standard
// output and with --output, and gather on its json report. The token-in-file
// findings name the places; no output holds a canary in any form
// (leakForms: in full, in part, in either case, base64, hex, URL-escaped).
func TestFindingsNeverQuoteTokens(t *testing.T) {
	t.Parallel()
	variants := []struct {
		name string
		edit func(t *testing.T, repo string)
	}{
		{"invalid-config", func(t *testing.T, repo string) {
			editFile(t, filepath.Join(repo, "rtconf.yaml"), strings.NewReplacer(
				"name: staging", "name: "+canaryClassic,
				"namespace: codefresh-staging", "namespace: "+strings.ToLower(canaryFine),
				"      - bob", "      - "+canaryFine,
				"  provider: github", "  provider: github\n  "+canaryClassic+": true",
				"project: default", "project: "+canaryFine,
			))
		}},
		{"valid-config-stale-tree", func(t *testing.T, repo string) {
			// Valid: a token is a valid branch name and a valid path
			// segment. The generated files still say main and
			// shared-config, so findings compare them with the tokens.
			editFile(t, filepath.Join(repo, "rtconf.yaml"), strings.NewReplacer(
				"example-org/shared-config", "example-org/"+canaryClassic,
				"revision: main", "revision: "+canaryFine,
			))
			dir := filepath.Join(repo, "resources", "control-planes")
			writeBadFile(t, filepath.Join(dir, canaryClassic+".yaml"),
				[]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "+canaryFine+"\n  namespace: default\nbogus: 1\n"))
			writeBadFile(t, filepath.Join(dir, "k", "kustomization.yaml"), []byte("resources:\n  - "+canaryFine+".yaml\n"))
		}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			repo := filepath.Join(work, "repo")
			if code := run(context.Background(), []string{"rtconf", "init", "--demo", repo}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 {
				t.Fatal("init --demo failed")
			}
			v.edit(t, repo)

			outputs := []string{"--output", "json=" + filepath.Join(work, "shard.json")}
			for _, f := range output.Formats() {
				outputs = append(outputs, "--output", f+"="+filepath.Join(work, "report."+f))
			}
			runs := [][]string{append([]string{"validate", "--dir", repo, "--shard", "1/1"}, outputs...)}
			for _, f := range output.Formats() {
				runs = append(runs, []string{"validate", "--dir", repo, "--format", f})
			}
			for _, f := range output.Formats() {
				runs = append(runs, []string{"gather", "--format", f, filepath.Join(work, "shard.json")})
			}
			for _, args := range runs {
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), append([]string{"rtconf"}, args...), strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default()))
				if code != 1 {
					t.Errorf("rtconf %s: exit %d, want 1\n%s", strings.Join(args, " "), code, stderr.String())
				}
				if !strings.Contains(stdout.String(), "token-in-file") {
					t.Errorf("rtconf %s: no token-in-file finding:\n%s", strings.Join(args, " "), stdout.String())
				}
				checkNoLeak(t, "the stdout of rtconf "+strings.Join(args, " "), stdout.Bytes())
				checkNoLeak(t, "the stderr of rtconf "+strings.Join(args, " "), stderr.Bytes())
			}
			// The configuration's problems are errors of the other
			// commands: redacted in the same place.
			var stdout, stderr bytes.Buffer
			run(context.Background(), []string{"rtconf", "generate", "--dry-run", "--dir", repo}, strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default()))
			checkNoLeak(t, "the output of rtconf generate", append(stdout.Bytes(), stderr.Bytes()...))
			for _, f := range output.Formats() {
				data, err := os.ReadFile(filepath.Join(work, "report."+f))
				if err != nil {
					t.Fatal(err)
				}
				checkNoLeak(t, "the "+f+" report", data)
			}
		})
	}
}

func editFile(t *testing.T, p string, r *strings.Replacer) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	edited := r.Replace(string(data))
	if edited == string(data) {
		t.Fatalf("%s: nothing replaced", p)
	}
	if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
}
