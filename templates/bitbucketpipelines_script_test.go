package templates

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestBitbucketPipelinesInstall runs the validate step's scripts as
// Pipelines does (one bash, each line in turn, stopping at the first that
// fails) with a curl that serves a release made here: the archive checked
// against the checksums file is what runs; a tampered archive or a
// checksums file listing it twice stops the step before anything runs; a
// release without the archive (404) falls back to go install.
func TestBitbucketPipelinesInstall(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil || runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("needs bash on linux/amd64 or arm64")
	}
	for _, tool := range []string{"sha256sum", "tar", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip("no " + tool)
		}
	}
	data, err := RenderBitbucketPipelines(gitlabWorkflow(1))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Definitions struct {
			Steps []struct {
				Step struct {
					Name   string   `yaml:"name"`
					Script []string `yaml:"script"`
				} `yaml:"step"`
			} `yaml:"steps"`
		} `yaml:"definitions"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	script := doc.Definitions.Steps[0].Step.Script
	if doc.Definitions.Steps[0].Step.Name != "rtconf validate" || len(script) != 3 {
		t.Fatalf("first step %+v", doc.Definitions.Steps[0])
	}
	platform := "linux_" + runtime.GOARCH
	archiveName := "rtconf_0.1.0_" + platform + ".tar.gz"
	for _, c := range []struct {
		name    string
		sums    func(sum string) string
		archive func([]byte) []byte
		missing bool
		code    int
		ran     string // in the log
	}{
		{name: "good", sums: func(s string) string { return s + "  " + archiveName + "\n" }, code: 0, ran: "release-rtconf validate --format text --output junit=test-results/rtconf.xml"},
		{name: "live", sums: func(s string) string { return s + "  " + archiveName + "\n" }, code: 0, ran: "release-rtconf validate --live"},
		{name: "tampered", sums: func(s string) string { return s + "  " + archiveName + "\n" }, archive: func(b []byte) []byte { return append(b, 0) }, code: 1},
		{name: "listed twice", sums: func(s string) string { return s + "  " + archiveName + "\n" + s + " *" + archiveName + "\n" }, code: 1},
		{name: "no archive", missing: true, code: 0, ran: "go install github.com/rtconf/rtconf/cmd/rtconf@v0.1.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "bin")
			if err := os.Mkdir(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			log := filepath.Join(dir, "log")
			archive := tarball(t, "#!/bin/sh\necho \"release-rtconf $*\" >> \""+log+"\"\n")
			sum := sha256.Sum256(archive)
			if c.archive != nil {
				archive = c.archive(archive)
			}
			sums := ""
			if c.sums != nil {
				sums = c.sums(hex.EncodeToString(sum[:]))
			}
			write := func(name, body string, mode os.FileMode) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
					t.Fatal(err)
				}
			}
			write("archive", string(archive), 0o644)
			write("sums", sums, 0o644)
			status := "200"
			if c.missing {
				status = "404"
			}
			// curl --output FILE --write-out CODE URL: copies the release's
			// file and prints the status.
			write("bin/curl", `#!/bin/sh
out=""; while [ $# -gt 1 ]; do [ "$1" = --output ] && out="$2"; shift; done
case "$1" in *checksums.txt) cp "`+dir+`/sums" "$out" ;; *.tar.gz) [ "`+status+`" = 200 ] && cp "`+dir+`/archive" "$out" ;; esac
printf %s `+status+`
`, 0o755)
			write("bin/go", "#!/bin/sh\necho \"go $*\" >> \""+log+"\"\nprintf '#!/bin/sh\\necho \"built-rtconf $*\" >> "+log+"\\n' > \"$GOBIN/rtconf\"; chmod +x \"$GOBIN/rtconf\"\n", 0o755)
			env := []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + dir}
			if c.name == "live" {
				env = append(env, "RTCONF_RUNTIME_TOKEN=set")
			}
			cmd := exec.Command(bash, "-c", strings.Join(append([]string{"set -e"}, script...), "\n"))
			cmd.Dir, cmd.Env = dir, env
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(log)
			if code != c.code || !strings.Contains(string(got), c.ran) || (c.code != 0 && strings.Contains(string(got), "rtconf validate")) {
				t.Errorf("exit %d (want %d); log:\n%s\noutput:\n%s", code, c.code, got, out)
			}
		})
	}
}

// tarball is a release archive holding rtconf with script as its body.
func tarball(t *testing.T, script string) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: "rtconf", Mode: 0o755, Size: int64(len(script))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte(script)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
