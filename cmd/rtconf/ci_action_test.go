package main

// Tests of the composite action at the project root, action.yml: its
// schema, its inputs and outputs, its scripts, and its use in a workflow.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

func TestActionSchema(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(actionFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t, "github-action.json").Validate(yamlToJSON(t, data)); err != nil {
		t.Errorf("action.yml does not match SchemaStore's github-action.json: %v", err)
	}
}

// actionShape is the part of action.yml the consistency checks read.
type actionShape struct {
	Inputs map[string]struct {
		Required bool    `yaml:"required"`
		Default  *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// TestActionInputs: every input is used and every used input is declared;
// scripts read inputs from the environment only (an expression inside a
// script is a script injection); the flags passed to rtconf validate exist;
// outputs come from a step that exists.
func TestActionInputs(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(actionFile)
	if err != nil {
		t.Fatal(err)
	}
	var a actionShape
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	for _, want := range []string{"version", "format", "outputs", "live", "shard", "working-directory"} {
		if _, ok := a.Inputs[want]; !ok {
			t.Errorf("input %s missing", want)
		}
	}
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$\{\{\s*inputs\.([\w-]+)\s*\}\}`).FindAllSubmatch(data, -1) {
		used[string(m[1])] = true
	}
	for name, in := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but never used", name)
		}
		if !in.Required && in.Default == nil {
			t.Errorf("optional input %s has no default", name)
		}
	}
	for name := range used {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("inputs.%s is used but not declared", name)
		}
	}
	ids := map[string]bool{}
	flags := map[string]bool{}
	for _, f := range validateCommand().Flags {
		for _, n := range f.Names() {
			flags[n] = true
		}
	}
	for _, s := range a.Runs.Steps {
		ids[s.ID] = true
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q: an expression inside run:; pass it through env:", s.ID)
		}
		if !strings.Contains(s.Run, "rtconf validate") {
			continue
		}
		for _, m := range regexp.MustCompile(`(?m)--([a-z][a-z-]*)`).FindAllStringSubmatch(s.Run, -1) {
			if !flags[m[1]] {
				t.Errorf("step %q passes --%s, which rtconf validate does not have", s.ID, m[1])
			}
		}
	}
	for name, o := range a.Outputs {
		m := regexp.MustCompile(`steps\.([\w-]+)\.outputs\.([\w-]+)`).FindStringSubmatch(o.Value)
		if m == nil || !ids[m[1]] {
			t.Errorf("output %s = %q: not the output of a step of the action", name, o.Value)
			continue
		}
		if !strings.Contains(string(data), "echo \""+m[2]+"=") {
			t.Errorf("output %s: step %s never sets %s", name, m[1], m[2])
		}
	}
}

// TestActionScripts runs shellcheck, when it is installed, on the action's
// scripts (actionlint checks the scripts of workflows, not of actions).
func TestActionScripts(t *testing.T) {
	t.Parallel()
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed")
	}
	data, err := os.ReadFile(actionFile)
	if err != nil {
		t.Fatal(err)
	}
	var a actionShape
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	for i, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		cmd := exec.Command(sc, "--shell=bash", "-")
		cmd.Stdin = strings.NewReader(s.Run)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("step %d (%s): shellcheck: %v\n%s", i+1, s.ID, err, out)
		}
	}
}

// TestActionInAWorkflow lints a workflow that uses the action as a local
// action: actionlint reads action.yml and checks the inputs given against
// those declared (a missing required input, an unknown one).
func TestActionInAWorkflow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	action, err := os.ReadFile(actionFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "action.yml"), action, 0o644); err != nil {
		t.Fatal(err)
	}
	wf := `name: use rtconf
on: pull_request
permissions: {}
jobs:
  validate:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - id: rtconf
        uses: ./
        with:
          version: v0.1.0
          outputs: sarif=rtconf.sarif
          live: ${{ secrets.RTCONF_RUNTIME_TOKEN != '' }}
          runtime-token: ${{ secrets.RTCONF_RUNTIME_TOKEN }}
          shard: 1/2
          working-directory: .
      - run: echo "rtconf exited $CODE, report in $REPORT"
        env:
          CODE: ${{ steps.rtconf.outputs.exit-code }}
          REPORT: ${{ steps.rtconf.outputs.report }}
`
	bad := strings.Replace(strings.Replace(wf, "          version: v0.1.0\n", "", 1), "shard: 1/2", "shards: 1/2", 1)
	for _, tc := range []struct {
		name     string
		workflow string
		want     []string
	}{
		{"good", wf, nil},
		{"bad", bad, []string{`missing input "version"`, `input "shards" is not defined`}},
	} {
		p := filepath.Join(dir, ".github", "workflows", tc.name+".yml")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(tc.workflow), 0o644); err != nil {
			t.Fatal(err)
		}
		project, err := actionlint.NewProject(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		errs, err := linter(t, &out).Lint(p, []byte(tc.workflow), project)
		if err != nil {
			t.Fatal(err)
		}
		if tc.want == nil && len(errs) > 0 {
			t.Errorf("%s: actionlint found problems:\n%s", tc.name, out.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: actionlint did not report %q; it said:\n%s", tc.name, w, out.String())
			}
		}
	}
}
