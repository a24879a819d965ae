package templates

// The release .goreleaser.yaml makes and the workflow's download step must
// agree on names, platforms and the version stamp.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	repoRoot       = ".."
	goreleaserFile = repoRoot + "/.goreleaser.yaml"
	goreleaserBin  = repoRoot + "/bin/goreleaser"
)

// goreleaserConfig is the part of .goreleaser.yaml the workflow relies on.
type goreleaserConfig struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		GOOS    []string `yaml:"goos"`
		GOARCH  []string `yaml:"goarch"`
		LDFlags []string `yaml:"ldflags"`
	} `yaml:"builds"`
	Archives []struct {
		NameTemplate    string   `yaml:"name_template"`
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			GOOS    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		WrapInDirectory any      `yaml:"wrap_in_directory"`
		Files           []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
	SBOMs []struct {
		Artifacts string `yaml:"artifacts"`
	} `yaml:"sboms"`
}

// TestReleaseNames: the workflow asks for the archive and checksums file
// GoReleaser makes, for every platform released, and the binary reports
// the version the ldflags stamp into the variable `rtconf --version` prints.
func TestReleaseNames(t *testing.T) {
	data, err := os.ReadFile(goreleaserFile)
	if err != nil {
		t.Fatal(err)
	}
	var c goreleaserConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if c.Version != 2 || c.ProjectName != "rtconf" || len(c.Builds) != 1 || len(c.Archives) != 1 {
		t.Fatalf("want GoReleaser v2, project rtconf, one build and one archive; got %+v", c)
	}
	b, a := c.Builds[0], c.Archives[0]
	if b.Main != "./cmd/rtconf" || b.Binary != "rtconf" {
		t.Errorf("build %s of %s, want rtconf of ./cmd/rtconf", b.Binary, b.Main)
	}
	if !slices.ContainsFunc(b.LDFlags, func(f string) bool { return strings.Contains(f, "-X main.version=v{{ .Version }}") }) {
		t.Errorf("ldflags %q do not stamp main.version with the tag", b.LDFlags)
	}
	app, err := os.ReadFile(filepath.Join(repoRoot, "cmd", "rtconf", "app.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^var version = "dev"$`).Match(app) || !strings.Contains(string(app), "Version:  version,") {
		t.Error("cmd/rtconf has no `var version` that the app prints: the ldflags stamp nothing")
	}
	if a.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" || a.WrapInDirectory != nil {
		t.Errorf("archive name %q (wrap_in_directory %v): the workflow asks for rtconf_X.Y.Z_OS_ARCH with the binary at the top", a.NameTemplate, a.WrapInDirectory)
	}
	if !slices.Equal(a.Formats, []string{"tar.gz"}) || len(a.FormatOverrides) != 1 ||
		a.FormatOverrides[0].GOOS != "windows" || !slices.Equal(a.FormatOverrides[0].Formats, []string{"zip"}) {
		t.Errorf("archive formats %v, overrides %+v; want tar.gz, zip on windows", a.Formats, a.FormatOverrides)
	}
	if !slices.Contains(a.Files, "LICENSE") {
		t.Errorf("archive files %v without LICENSE", a.Files)
	}
	if c.Checksum.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_checksums.txt" || c.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum %+v; the workflow checks rtconf_X.Y.Z_checksums.txt with sha256sum", c.Checksum)
	}
	if len(c.SBOMs) != 1 || c.SBOMs[0].Artifacts != "archive" {
		t.Errorf("sboms %+v, want one per archive", c.SBOMs)
	}

	wf, err := RenderWorkflow(gitlabWorkflow(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`archive="rtconf_${RTCONF_VERSION#v}_$platform.$ext"`,
		`sums="rtconf_${RTCONF_VERSION#v}_checksums.txt"`,
		`url="` + ReleaseDownload + `/$RTCONF_VERSION"`,
		`tar -xzf "$archive" -C "$dir" rtconf`,
		`unzip -o -q "$archive" rtconf.exe -d "$dir"`,
	} {
		if !strings.Contains(string(wf), want) {
			t.Errorf("the workflow's download step lacks %s", want)
		}
	}
	// The runners the step knows are exactly the platforms released.
	var released, known []string
	for _, goos := range b.GOOS {
		for _, arch := range b.GOARCH {
			ext := "tar.gz"
			if goos == "windows" {
				ext = "zip"
			}
			released = append(released, fmt.Sprintf("%s_%s.%s", goos, arch, ext))
		}
	}
	for _, m := range regexp.MustCompile(`platform=(\w+) ext=([\w.]+) ;;`).FindAllStringSubmatch(string(wf), -1) {
		if !slices.Contains(known, m[1]+"."+m[2]) {
			known = append(known, m[1]+"."+m[2])
		}
	}
	slices.Sort(released)
	slices.Sort(known)
	if !slices.Equal(known, released) {
		t.Errorf("the download step knows %v, the release has %v", known, released)
	}
}

// TestGoreleaserCheck runs `goreleaser check` when `make release-check` (or
// release-snapshot) has installed goreleaser into ./bin.
func TestGoreleaserCheck(t *testing.T) {
	bin, err := filepath.Abs(goreleaserBin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skip("goreleaser is not in ./bin: `make release-check` installs it (the version the Makefile pins) and runs this test")
	}
	cmd := exec.Command(bin, "check", "--config", ".goreleaser.yaml")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("goreleaser check: %v\n%s", err, out)
	}
}
