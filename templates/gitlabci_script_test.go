package templates

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The scripts of the pipeline, run with sh against stand-ins for rtconf,
// apt-get and curl that log their arguments: what each job runs, in each
// case, and what it asks GitLab's API.

// stubs are the stand-ins: each logs "name args..." to $LOG. rtconf exits
// with $RTCONF_EXIT and writes a markdown line for token expiry; curl
// answers a GET with $ISSUES.
var stubs = map[string]string{
	"rtconf":  `echo "rtconf $*" >> "$LOG"; case "$1" in token) echo "- token expires" ;; esac; exit "${RTCONF_EXIT:-0}"`,
	"apt-get": `echo "apt-get $*" >> "$LOG"`,
	"curl":    `echo "curl $*" >> "$LOG"; case " $* " in *" --get "*) printf '%s' "$ISSUES" ;; esac`,
	"go":      `echo "go $*" >> "$LOG"`,
}

// runJob runs a job's before_script and script as the runner does, one
// shell with set -e, and returns its exit code and the log.
func runJob(t *testing.T, pipeline []byte, job string, env ...string) (int, string) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	if _, err := exec.LookPath("jq"); err != nil && job == "rtconf token expiry" {
		t.Skip("no jq")
	}
	var doc map[string]struct {
		BeforeScript []string `yaml:"before_script"`
		Script       []string `yaml:"script"`
	}
	if err := yaml.Unmarshal(pipeline, &doc); err != nil {
		t.Fatal(err)
	}
	lines := append(append([]string{"set -e"}, doc["default"].BeforeScript...), doc[job].Script...)
	if len(doc[job].Script) == 0 {
		t.Fatalf("no job %q", job)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range stubs {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	logFile := filepath.Join(dir, "log")
	cmd := exec.Command(sh, "-c", strings.Join(lines, "\n"))
	cmd.Dir = dir
	jq, _ := exec.LookPath("jq")
	cmd.Env = append([]string{
		"PATH=" + bin + ":" + filepath.Dir(jq) + ":/usr/bin:/bin", "LOG=" + logFile,
		"CI_API_V4_URL=https://gitlab.example/api/v4", "CI_PROJECT_ID=42",
		"RTCONF_VERSION=v9.9.9", "RTCONF_ISSUE_TITLE=rtconf: Git tokens expire soon", "RTCONF_ISSUE_LABEL=rtconf-token-expiry",
	}, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	log, _ := os.ReadFile(logFile)
	t.Logf("output:\n%s\nlog:\n%s", out, log)
	return code, string(log)
}

func TestGitLabCIScripts(t *testing.T) {
	one, err := RenderGitLabCI(gitlabWorkflow(1))
	if err != nil {
		t.Fatal(err)
	}
	three, err := RenderGitLabCI(gitlabWorkflow(3))
	if err != nil {
		t.Fatal(err)
	}
	const reports = "--format text --output gitlab=gl-code-quality-report.json --output junit=rtconf-junit.xml"
	const found = `[{"iid": 3, "title": "rtconf: Git tokens expire soon (old)"}, {"iid": 7, "title": "rtconf: Git tokens expire soon"}]`
	const api = "https://gitlab.example/api/v4/projects/42/issues"
	tests := []struct {
		name     string
		pipeline []byte
		job      string
		env      []string
		code     int
		want     []string // log lines, in order, after go install
		not      string   // in no log line
	}{
		{"offline", one, "rtconf validate", nil, 0, []string{"rtconf validate " + reports}, "--live"},
		{"live", one, "rtconf validate", []string{"RTCONF_RUNTIME_TOKEN=x"}, 0, []string{"rtconf validate --live " + reports}, ""},
		{"errors fail the job", one, "rtconf validate", []string{"RTCONF_EXIT=1"}, 1, []string{"rtconf validate " + reports}, ""},
		{"shard", three, "rtconf validate shard", []string{"CI_NODE_INDEX=2", "CI_NODE_TOTAL=3", "RTCONF_RUNTIME_TOKEN=x"}, 0,
			[]string{"rtconf validate --live --shard 2/3 --format text --output json=rtconf-shard-2.json"}, ""},
		{"gather", three, "rtconf validate", nil, 0, []string{"rtconf gather --shards 3 " + reports + " rtconf-shard-*.json"}, ""},
		{"expiring, no issue token", one, "rtconf token expiry", []string{"RTCONF_EXIT=1"}, 1,
			[]string{"rtconf token expiry --within 14d --format markdown"}, "curl"},
		{"rtconf failed", one, "rtconf token expiry", []string{"RTCONF_EXIT=2", "RTCONF_ISSUE_TOKEN=t"}, 2,
			[]string{"rtconf token expiry --within 14d --format markdown"}, "curl"},
		{"not expiring, no issue", one, "rtconf token expiry", []string{"RTCONF_ISSUE_TOKEN=t", "ISSUES=[]"}, 0,
			[]string{"curl --silent --show-error --fail-with-body --header PRIVATE-TOKEN: t --get " + api}, "--request"},
		{"expiring, no issue yet", three, "rtconf token expiry", []string{"RTCONF_EXIT=1", "RTCONF_ISSUE_TOKEN=t", "ISSUES=[]"}, 0, []string{
			"rtconf token expiry --within 14d --format markdown",
			"apt-get update -qq",
			"apt-get install -y -qq --no-install-recommends jq",
			"curl --silent --show-error --fail-with-body --header PRIVATE-TOKEN: t --get " + api + " --data-urlencode state=opened --data-urlencode labels=rtconf-token-expiry --data-urlencode search=rtconf: Git tokens expire soon --data-urlencode in=title --data-urlencode per_page=100",
			"curl --silent --show-error --fail-with-body --header PRIVATE-TOKEN: t --request POST " + api + " --data-urlencode title=rtconf: Git tokens expire soon --data-urlencode labels=rtconf-token-expiry --data-urlencode description@rtconf-expiry.md",
		}, ""},
		{"expiring, issue open", one, "rtconf token expiry", []string{"RTCONF_EXIT=1", "RTCONF_ISSUE_TOKEN=t", "ISSUES=" + found}, 0, []string{
			"curl --silent --show-error --fail-with-body --header PRIVATE-TOKEN: t --request PUT " + api + "/7 --data-urlencode description@rtconf-expiry.md",
		}, "--request POST"},
		{"no longer expiring", one, "rtconf token expiry", []string{"RTCONF_ISSUE_TOKEN=t", "ISSUES=" + found}, 0, []string{
			"curl --silent --show-error --fail-with-body --header PRIVATE-TOKEN: t --request POST " + api + "/7/notes --data-urlencode body=No sealed Git token expires within 14 days any more.",
			"curl --silent --show-error --fail-with-body --header PRIVATE-TOKEN: t --request PUT " + api + "/7 --data-urlencode state_event=close",
		}, "description@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, log := runJob(t, tt.pipeline, tt.job, tt.env...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
			if len(lines) == 0 || lines[0] != "go install github.com/rtconf/rtconf/cmd/rtconf@v9.9.9" {
				t.Fatalf("rtconf is not installed first:\n%s", log)
			}
			next := 1
			for _, w := range tt.want {
				for next < len(lines) && !strings.HasPrefix(lines[next], w) {
					next++
				}
				if next == len(lines) {
					t.Fatalf("no line %q (in this order) in the log:\n%s", w, log)
				}
				next++
			}
			if tt.not != "" && strings.Contains(log, tt.not) {
				t.Errorf("%q in the log:\n%s", tt.not, log)
			}
		})
	}
}
