package main

// Tests of the workflow the generator writes, in every variant: actionlint
// (with shellcheck when installed), SchemaStore's JSON Schema
// (testdata/schemastore, see its README) and its shape. The helpers at the
// end serve ci_action_test.go too.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
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
	"github.com/rtconf/rtconf/templates"
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
	for _, n := range []int{1, 3} {
		gen(fmt.Sprintf("shards-%d-code-scanning", n), configWithRuntimes(t, 8, fmt.Sprintf("ci: {shards: %d, codeScanning: true}\n", n)))
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
		Steps []workflowStep `yaml:"steps"`
	} `yaml:"jobs"`
}

// workflowStep is one step of a job.
type workflowStep struct {
	Name            string            `yaml:"name"`
	ID              string            `yaml:"id"`
	If              string            `yaml:"if"`
	Uses            string            `yaml:"uses"`
	Run             string            `yaml:"run"`
	With            map[string]string `yaml:"with"`
	Env             map[string]string `yaml:"env"`
	ContinueOnError bool              `yaml:"continue-on-error"`
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
		codeScanning := strings.HasSuffix(name, "-code-scanning") || name == "golden-code-scanning"
		var checks []string
		for id, job := range w.Jobs {
			if job.Name == generator.CheckName {
				checks = append(checks, id)
			}
			for scope, level := range job.Permissions {
				writes := map[string]bool{"security-events": id == "validate" && codeScanning, "issues": id == "token-expiry"}
				if level != "read" && !(level == "write" && writes[scope]) {
					t.Errorf("%s: job %s has %s: %s", name, id, scope, level)
				}
			}
			// Code scanning, when on, never fails the required check.
			uploads, writes := 0, false
			for _, step := range job.Steps {
				if strings.Contains(step.Uses, "/upload-sarif@") {
					uploads++
					if !step.ContinueOnError {
						t.Errorf("%s: job %s: a failed SARIF upload would fail the job (no continue-on-error)", name, id)
					}
				}
				writes = writes || strings.Contains(step.Run, "sarif=rtconf.sarif")
			}
			if writes != (uploads > 0) {
				t.Errorf("%s: job %s writes a SARIF report: %v; uploads it: %v", name, id, writes, uploads > 0)
			}
			if want := 0; id == "validate" && codeScanning {
				if want = 1; uploads != want || job.Permissions["security-events"] != "write" {
					t.Errorf("%s: job %s: %d SARIF uploads with security-events %q, want 1 with write", name, id, uploads, job.Permissions["security-events"])
				}
			} else if uploads != want {
				t.Errorf("%s: job %s uploads SARIF %d times, want %d", name, id, uploads, want)
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
			for _, secret := range []string{"RTCONF_RUNTIME_TOKEN", "RTCONF_RUNTIME_APP_KEY"} {
				if strings.Contains(line, secret) && !strings.Contains(line, "# ") &&
					!strings.Contains(line, secret+": ${{ secrets."+secret+" }}") &&
					strings.TrimSpace(line) != `if [ -n "$RTCONF_RUNTIME_TOKEN" ] || [ -n "$RTCONF_RUNTIME_APP_KEY" ]; then live=(--live); fi` {
					t.Errorf("%s:%d: the secret %s used otherwise than tested: %s", name, i+1, secret, line)
				}
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

// TestWorkflowInstall: every job gets rtconf the same way, before it runs
// it: from the Actions cache (keyed by version, OS and architecture), else
// the release archive checked against the release's checksums, and Go and
// `go install` only when the release has none.
func TestWorkflowInstall(t *testing.T) {
	for name, data := range workflowVariants(t) {
		var w workflowShape
		if err := yaml.Unmarshal(data, &w); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for id, job := range w.Jobs {
			if len(job.Steps) < 7 {
				t.Errorf("%s: job %s has %d steps", name, id, len(job.Steps))
				continue
			}
			s := job.Steps
			missed := "steps.rtconf-release.outputs.found == 'false'"
			for i, ok := range []bool{
				strings.HasPrefix(s[0].Uses, "actions/checkout@"),
				strings.HasPrefix(s[1].Uses, "actions/cache@") && s[1].ID == "rtconf-cache" &&
					s[1].With["path"] == "~/.rtconf/${{ env.RTCONF_VERSION }}" &&
					s[1].With["key"] == "rtconf-${{ env.RTCONF_VERSION }}-${{ runner.os }}-${{ runner.arch }}",
				s[2].ID == "rtconf-release" && s[2].If == "steps.rtconf-cache.outputs.cache-hit != 'true'" &&
					strings.Contains(s[2].Run, "sha256sum -c") && strings.Contains(s[2].Run, templates.ReleaseDownload+"/$RTCONF_VERSION"),
				strings.HasPrefix(s[3].Uses, "actions/setup-go@") && s[3].If == missed,
				s[4].If == missed && strings.Contains(s[4].Run, "go install \""+templates.Module+"@$RTCONF_VERSION\""),
				s[5].If == "" && strings.Contains(s[5].Run, `>> "$GITHUB_PATH"`),
			} {
				if !ok {
					t.Errorf("%s: job %s: step %d (%q) is not the install step it should be", name, id, i+1, s[i].Name)
				}
			}
			for i, step := range s[6:] {
				if strings.Contains(step.Run, "go install") || strings.Contains(step.Uses, "setup-go") || strings.Contains(step.Uses, "actions/cache") {
					t.Errorf("%s: job %s: step %d (%q) installs again", name, id, i+7, step.Name)
				}
			}
		}
	}
}

// TestWorkflowDownload runs the workflow's download step in bash against a
// fake curl that serves a release from a folder: the archive for the
// runner is unpacked only when the checksums file lists it once with its
// sum; a release without it says found=false (go install follows); any
// other answer fails the step.
func TestWorkflowDownload(t *testing.T) {
	for _, tool := range []string{"bash", "tar", "gzip", "sha256sum", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the download step needs %s: %v", tool, err)
		}
	}
	var w workflowShape
	if err := yaml.Unmarshal(workflowVariants(t)["shards-1"], &w); err != nil {
		t.Fatal(err)
	}
	var script, onPath string
	for _, step := range w.Jobs["validate"].Steps {
		switch step.ID {
		case "rtconf-release":
			script = step.Run
		}
		if strings.Contains(step.Run, "GITHUB_PATH") {
			onPath = step.Run
		}
	}
	if script == "" || onPath == "" {
		t.Fatal("no download step or PATH step in the validate job")
	}
	archive := releaseArchive(t, "#!/bin/sh\necho rtconf version 1.2.3\n")
	sum := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }
	const tgz, sums = "rtconf_1.2.3_linux_amd64.tar.gz", "rtconf_1.2.3_checksums.txt"
	good := sum(archive) + "  " + tgz + "\n" + sum([]byte("other")) + "  rtconf_1.2.3_darwin_arm64.tar.gz\n"
	for _, tc := range []struct {
		name     string
		os, arch string
		files    map[string]string // served; a value "HTTP 500" answers that
		ok       bool              // the step exits 0
		found    string            // its output found=
		asked    []string          // the files it asked for
	}{
		{"release", "Linux", "X64", map[string]string{tgz: string(archive), sums: good}, true, "true", []string{sums, tgz}},
		{"binary checksum line", "Linux", "X64", map[string]string{tgz: string(archive), sums: sum(archive) + " *" + tgz + "\n"}, true, "true", []string{sums, tgz}},
		{"no archive for the runner", "Linux", "ARM64", map[string]string{tgz: string(archive), sums: good}, true, "false", []string{sums, "rtconf_1.2.3_linux_arm64.tar.gz"}},
		{"no release assets", "Linux", "X64", nil, true, "false", []string{sums}},
		{"unknown runner", "FreeBSD", "X64", map[string]string{tgz: string(archive), sums: good}, true, "false", nil},
		{"tampered archive", "Linux", "X64", map[string]string{tgz: string(archive) + "x", sums: good}, false, "", []string{sums, tgz}},
		{"archive not listed", "Linux", "X64", map[string]string{tgz: string(archive), sums: sum([]byte("other")) + "  rtconf_1.2.3_darwin_arm64.tar.gz\n"}, false, "", []string{sums, tgz}},
		{"archive listed twice", "Linux", "X64", map[string]string{tgz: string(archive), sums: good + good}, false, "", []string{sums, tgz}},
		{"server error", "Linux", "X64", map[string]string{tgz: "HTTP 500", sums: good}, false, "", []string{sums, tgz}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			home, release, bin := filepath.Join(dir, "home"), filepath.Join(dir, "release"), filepath.Join(dir, "bin")
			for _, d := range []string{home, release, bin} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, content := range tc.files {
				if code, ok := strings.CutPrefix(content, "HTTP "); ok {
					name, content = name+".code", code
				}
				if err := os.WriteFile(filepath.Join(release, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(bin, "curl"), []byte(fakeCurl), 0o755); err != nil {
				t.Fatal(err)
			}
			env := append(os.Environ(), "HOME="+home, "RUNNER_OS="+tc.os, "RUNNER_ARCH="+tc.arch, "RTCONF_VERSION=v1.2.3",
				"GITHUB_OUTPUT="+filepath.Join(dir, "output"), "GITHUB_PATH="+filepath.Join(dir, "path"),
				"FAKE_RELEASE="+release, "FAKE_LOG="+filepath.Join(dir, "asked"), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			out, err := runStep(t, dir, script, env)
			if (err == nil) != tc.ok {
				t.Fatalf("exit %v, want ok %v:\n%s", err, tc.ok, out)
			}
			asked, _ := os.ReadFile(filepath.Join(dir, "asked"))
			var want []string
			for _, f := range tc.asked {
				want = append(want, templates.ReleaseDownload+"/v1.2.3/"+f)
			}
			if got := strings.Fields(string(asked)); !slices.Equal(got, want) {
				t.Errorf("asked for %q, want %q", got, want)
			}
			output, _ := os.ReadFile(filepath.Join(dir, "output"))
			if tc.found != "" && string(output) != "found="+tc.found+"\n" {
				t.Errorf("GITHUB_OUTPUT = %q, want found=%s", output, tc.found)
			}
			binary := filepath.Join(home, ".rtconf", "v1.2.3", "rtconf")
			_, statErr := os.Stat(binary)
			if installed := statErr == nil; installed != (tc.found == "true") {
				t.Fatalf("rtconf installed: %v, want %v:\n%s", installed, tc.found == "true", out)
			}
			if !tc.ok && !strings.Contains(out, "FAILED") && !strings.Contains(out, "::error title=rtconf::") {
				t.Errorf("a failure that does not say why:\n%s", out)
			}
			if tc.found != "true" {
				return
			}
			out, err = runStep(t, dir, onPath, env)
			if err != nil || out != "rtconf version 1.2.3\n" {
				t.Errorf("PATH step: %v:\n%s", err, out)
			}
			if p, _ := os.ReadFile(filepath.Join(dir, "path")); string(p) != filepath.Dir(binary)+"\n" {
				t.Errorf("GITHUB_PATH = %q, want %s", p, filepath.Dir(binary))
			}
		})
	}
}

// runStep runs a step's script as GitHub Actions runs a bash step.
func runStep(t *testing.T, dir, script string, env []string) (string, error) {
	t.Helper()
	f := filepath.Join(dir, "step.sh")
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", f)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// fakeCurl answers the download step's curl calls from $FAKE_RELEASE: the
// file named by the URL's last part with 200, NAME.code's status instead,
// or 404. It logs each URL to $FAKE_LOG.
const fakeCurl = `#!/bin/sh
out= url=
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift 2 ;;
    --write-out|--proto|--retry) shift 2 ;;
    *) url="$1"; shift ;;
  esac
done
echo "$url" >> "$FAKE_LOG"
name="${url##*/}"
if [ -f "$FAKE_RELEASE/$name.code" ]; then printf 'error' > "$out"; cat "$FAKE_RELEASE/$name.code"; exit 0; fi
if [ -f "$FAKE_RELEASE/$name" ]; then cp "$FAKE_RELEASE/$name" "$out"; printf 200; else printf 'Not Found' > "$out"; printf 404; fi
`

// releaseArchive is a release's .tar.gz as GoReleaser packs it: the
// binary rtconf at the top, beside the license and README.
func releaseArchive(t *testing.T, binary string) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for _, f := range []struct {
		name, body string
		mode       int64
	}{{"LICENSE", "license\n", 0o644}, {"README.md", "readme\n", 0o644}, {"rtconf", binary, 0o755}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
