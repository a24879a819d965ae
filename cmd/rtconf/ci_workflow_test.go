package main

// Tests of the workflow the generator writes, in every variant: actionlint
// (with shellcheck when installed), SchemaStore's JSON Schema
// (testdata/schemastore, see its README) and its shape. The helpers at the
// end serve ci_action_test.go too.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
)

const (
	repoRoot       = "../.."
	schemastoreDir = repoRoot + "/testdata/schemastore"
	actionFile     = repoRoot + "/action.yml"
)

// workflowVariants generates the workflow for ci.shards 1..8, for an
// automatic split and for every golden case, keyed by a name for messages.
func workflowVariants(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	gen := func(name string, cfg *config.Config) {
		files, err := generator.Generate(cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range files {
			if f.Path == generator.CIFile(cfg) {
				out[name] = f.Data
				return
			}
		}
		t.Fatalf("%s: no %s generated", name, generator.CIFile(cfg))
	}
	for n := 1; n <= 8; n++ {
		gen(fmt.Sprintf("shards-%d", n), configWithRuntimes(t, 8, fmt.Sprintf("ci: {shards: %d}\n", n)))
	}
	gen("automatic-450-runtimes", configWithRuntimes(t, 450, ""))
	odd := configWithRuntimes(t, 2, "")
	odd.Repository.Revision = oddBranch
	gen("odd-branch-name", odd)
	breaks := configWithRuntimes(t, 2, "")
	breaks.Repository.Revision = breakBranch
	gen("line-break-branch-name", breaks)
	cases, err := filepath.Glob(repoRoot + "/testdata/generate/*/rtconf.yaml")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, c := range cases {
		cfg, err := config.Load(os.DirFS(filepath.Dir(c)), config.FileName)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Repository.Provider != "github" {
			continue // GitLab's CI file is checked against GitLab's schema in templates
		}
		gen("golden-"+filepath.Base(filepath.Dir(c)), cfg)
	}
	return out
}

// oddBranch is a branch name git allows, with YAML syntax and a filter
// pattern character in it: it must stay one literal name in the workflow.
const oddBranch = `rel/"x"#z{y},+w`

// breakBranch is a branch name git allows (its bytes are all at or above
// 0x80, or printable ASCII) holding the line breaks of YAML 1.1 (NEL, LS,
// PS): written raw, they would end the workflow's comment that names the
// branch, and the rest would be read as YAML.
const breakBranch = "rel/x\u0085on\u2028jobs\u2029#y"

func configWithRuntimes(t *testing.T, n int, extra string) *config.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString("repository:\n  url: https://github.com/acme/shared-config\n" + extra + "runtimes:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: rt-%03d\n    namespace: ns-%03d\n", i, i)
	}
	cfg, err := config.Parse(config.FileName, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestShardsInWorkflow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		runtimes int
		ci       string
		want     int
	}{
		{1, "", 1},
		{200, "", 1},
		{201, "", 2},
		{450, "", 3},
		{8, "ci: {shards: 3}\n", 3},
		{2, "ci: {shards: 5}\n", 2},
		{500, "ci: {shards: 1}\n", 1},
	} {
		cfg := configWithRuntimes(t, tc.runtimes, tc.ci)
		if got := generator.Shards(cfg); got != tc.want {
			t.Errorf("%d runtimes, %q: %d shards, want %d", tc.runtimes, tc.ci, got, tc.want)
		}
	}
}

// linter returns actionlint with shellcheck when it is installed.
func linter(t *testing.T, out io.Writer) *actionlint.Linter {
	t.Helper()
	opts := &actionlint.LinterOptions{Color: actionlint.ColorOptionKindNever}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	}
	l, err := actionlint.NewLinter(out, opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestWorkflowActionlint(t *testing.T) {
	t.Parallel()
	for name, data := range workflowVariants(t) {
		var out bytes.Buffer
		errs, err := linter(t, &out).Lint(name+"/"+generator.CIFile(nil), data, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(errs) > 0 {
			t.Errorf("%s: actionlint found %d problems:\n%s", name, len(errs), out.String())
		}
	}
}

func TestWorkflowSchema(t *testing.T) {
	t.Parallel()
	schema := compileSchema(t, "github-workflow.json")
	for name, data := range workflowVariants(t) {
		if err := schema.Validate(yamlToJSON(t, data)); err != nil {
			t.Errorf("%s does not match SchemaStore's github-workflow.json: %v", name, err)
		}
	}
}

func TestWorkflowBranchQuoted(t *testing.T) {
	t.Parallel()
	if why := config.BranchNameProblem(breakBranch); why != "" {
		t.Fatalf("%q: %s", breakBranch, why)
	}
	variants := workflowVariants(t)
	for name, branch := range map[string]string{"odd-branch-name": oddBranch, "line-break-branch-name": breakBranch} {
		var w struct {
			On struct {
				Push struct {
					Branches []string `yaml:"branches"`
				} `yaml:"push"`
			} `yaml:"on"`
		}
		data := variants[name]
		if err := yaml.Unmarshal(data, &w); err != nil {
			t.Fatal(err)
		}
		if want := strings.ReplaceAll(branch, "+", `\+`); !slices.Equal(w.On.Push.Branches, []string{want}) {
			t.Errorf("%s: push branches = %q, want [%q]", name, w.On.Push.Branches, want)
		}
		if i := bytes.IndexAny(data, "\u0085\u2028\u2029"); i >= 0 {
			t.Errorf("%s: a raw YAML 1.1 line break at byte %d", name, i)
		}
	}
}

// workflowShape is the part of a workflow the structural checks read.
type workflowShape struct {
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		Name        string            `yaml:"name"`
		If          string            `yaml:"if"`
		Needs       any               `yaml:"needs"`
		Permissions map[string]string `yaml:"permissions"`
		Strategy    struct {
			Matrix struct {
				Shard []int `yaml:"shard"`
			} `yaml:"matrix"`
		} `yaml:"strategy"`
	} `yaml:"jobs"`
}

// TestWorkflowShape: the required check is one job named CheckName, after
// every shard whatever they did; nothing may write but the jobs that must;
// actions are pinned to commits; the token is only tested, never printed.
func TestWorkflowShape(t *testing.T) {
	t.Parallel()
	pinned := regexp.MustCompile(`^\s*(- )?uses: [\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$`)
	for name, data := range workflowVariants(t) {
		var w workflowShape
		if err := yaml.Unmarshal(data, &w); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(w.Permissions) != 0 {
			t.Errorf("%s: top-level permissions %v, want none", name, w.Permissions)
		}
		var checks []string
		for id, job := range w.Jobs {
			if job.Name == generator.CheckName {
				checks = append(checks, id)
			}
			for scope, level := range job.Permissions {
				writes := map[string]bool{"security-events": id == "validate", "issues": id == "token-expiry"}
				if level != "read" && !(level == "write" && writes[scope]) {
					t.Errorf("%s: job %s has %s: %s", name, id, scope, level)
				}
			}
		}
		if !slices.Equal(checks, []string{"validate"}) {
			t.Errorf("%s: jobs named %q: %v, want exactly [validate]", name, generator.CheckName, checks)
		}
		if shard, ok := w.Jobs["validate-shard"]; ok {
			v := w.Jobs["validate"]
			if v.Needs != "validate-shard" || !strings.HasPrefix(v.If, "always()") {
				t.Errorf("%s: the gathering job needs %v if %q; want validate-shard, always()", name, v.Needs, v.If)
			}
			if len(shard.Strategy.Matrix.Shard) < 2 {
				t.Errorf("%s: a matrix of %v shards", name, shard.Strategy.Matrix.Shard)
			}
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "uses:") && !pinned.MatchString(line) {
				t.Errorf("%s:%d: action not pinned to a commit with its version: %s", name, i+1, line)
			}
			if strings.Contains(line, "RTCONF_RUNTIME_TOKEN") && !strings.Contains(line, "# ") &&
				!strings.Contains(line, "RTCONF_RUNTIME_TOKEN: ${{ secrets.RTCONF_RUNTIME_TOKEN }}") &&
				!strings.Contains(line, `[ -n "$RTCONF_RUNTIME_TOKEN" ]`) {
				t.Errorf("%s:%d: the token used otherwise than tested: %s", name, i+1, line)
			}
			if strings.Contains(line, "latest") && !strings.HasPrefix(strings.TrimSpace(line), "runs-on:") {
				t.Errorf("%s:%d: a floating version: %s", name, i+1, line)
			}
		}
	}
}

func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(schemastoreDir, name))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.LoadURL = func(u string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("%s: the tests read no schema from the network", u)
	}
	url := "https://json.schemastore.org/" + name
	if err := c.AddResource(url, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return s
}

// yamlToJSON reads YAML 1.2 (where on: is a key, not true) into the values
// a JSON Schema validates.
func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(j, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
