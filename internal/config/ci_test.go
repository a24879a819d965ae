package config

import (
	"testing"
)

func TestParseCI(t *testing.T) {
	cfg, err := Parse(testFile, []byte(text(`
repository:
  url: https://github.com/acme/shared-config
ci:
  shards: 4
  version: v1.2.3-rc.1
  codeScanning: true
runtimes:
  - name: prod
    namespace: codefresh
`)))
	if err != nil {
		t.Fatal(err)
	}
	if want := (CI{Shards: 4, Version: "v1.2.3-rc.1", CodeScanning: true}); cfg.CI != want {
		t.Errorf("ci = %+v, want %+v", cfg.CI, want)
	}
}

func TestParseCIProblems(t *testing.T) {
	doc := func(ci string) string {
		return "repository:\n  url: https://github.com/acme/shared-config\nci:\n" + ci + "runtimes:\n  - name: prod\n    namespace: codefresh\n"
	}
	for _, tc := range []struct {
		name, ci string
		field    string
	}{
		{"no shards", "  shards: 0\n", "ci.shards"},
		{"too many shards", "  shards: 65\n", "ci.shards"},
		{"shards not a number", "  shards: many\n", "ci.shards"},
		{"floating version", "  version: latest\n", "ci.version"},
		{"version without v", "  version: 1.2.3\n", "ci.version"},
		{"unknown key", "  shard: 2\n", "ci.shard"},
		{"code scanning yes", "  codeScanning: yes\n", "ci.codeScanning"}, // YAML 1.2: a string
		{"code scanning a string", "  codeScanning: \"true\"\n", "ci.codeScanning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems := parseProblems(t, doc(tc.ci))
			if len(problems) != 1 || problems[0].Field != tc.field || problems[0].Line != 4 {
				t.Errorf("problems = %+v, want one at line 4 for %s", problems, tc.field)
			}
		})
	}
}

// TestCodeScanningDefault: code scanning is off unless rtconf.yaml turns it
// on; false written out is the same as leaving it out.
func TestCodeScanningDefault(t *testing.T) {
	for ci, want := range map[string]bool{
		"":                                      false,
		"ci:\n  codeScanning: false\n":          false,
		"ci:\n  codeScanning: true\n":           true,
		"ci: {shards: 2, codeScanning: true}\n": true,
	} {
		cfg, err := Parse(testFile, []byte("repository:\n  url: https://github.com/acme/shared-config\n"+ci+"runtimes:\n  - name: prod\n    namespace: codefresh\n"))
		if err != nil {
			t.Fatalf("%q: %v", ci, err)
		}
		if cfg.CI.CodeScanning != want {
			t.Errorf("%q: codeScanning = %v, want %v", ci, cfg.CI.CodeScanning, want)
		}
	}
}
