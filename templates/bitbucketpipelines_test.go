package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestBitbucketPipelinesGolden(t *testing.T) {
	for _, c := range []struct {
		file   string
		shards int
	}{{"bitbucket-pipelines-1-shard.yml", 1}, {"bitbucket-pipelines-3-shards.yml", 3}} {
		t.Run(c.file, func(t *testing.T) {
			got, err := RenderBitbucketPipelines(gitlabWorkflow(c.shards))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", c.file)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestBitbucketPipelinesShape reads the file as Pipelines does (YAML with
// anchors) and checks what Bitbucket needs of it: the steps every pull
// request and the tracked branch run, a name the branch restrictions can
// show, the JUnit report under test-results/, the install checked against
// the release's checksums, and a hostile branch name kept one quoted key.
func TestBitbucketPipelinesShape(t *testing.T) {
	for _, shards := range []int{1, 3} {
		w := gitlabWorkflow(shards)
		w.Branch = "release/x\"y: z"
		data, err := RenderBitbucketPipelines(w)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Image     string `yaml:"image"`
			Pipelines struct {
				PullRequests map[string][]map[string]any `yaml:"pull-requests"`
				Branches     map[string][]map[string]any `yaml:"branches"`
				Custom       map[string][]map[string]any `yaml:"custom"`
			} `yaml:"pipelines"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%d shards: %v\n%s", shards, err, data)
		}
		if doc.Image != "golang:1.26" {
			t.Errorf("image %q", doc.Image)
		}
		for what, steps := range map[string][]map[string]any{"pull requests": doc.Pipelines.PullRequests["**"], "branch": doc.Pipelines.Branches[w.Branch]} {
			if len(steps) == 0 {
				t.Fatalf("%d shards: no steps for %s", shards, what)
			}
			last := steps[len(steps)-1]["step"].(map[string]any)
			script := strings.Join(toStrings(last["script"]), "\n")
			if last["name"] != "rtconf validate" || !strings.Contains(script, "--output junit=test-results/rtconf.xml") ||
				!strings.Contains(script, "sha256sum -c") {
				t.Errorf("%d shards, %s: last step %v", shards, what, last)
			}
			if shards > 1 {
				par := steps[0]["parallel"].(map[string]any)["steps"].([]any)
				if len(par) != shards {
					t.Errorf("%d shards: %d parallel steps", shards, len(par))
				}
			}
		}
		if len(doc.Pipelines.Custom["rtconf-token-expiry"]) != 1 {
			t.Errorf("no expiry pipeline")
		}
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
