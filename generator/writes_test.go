package generator_test

import (
	"testing"

	"github.com/rtconf/rtconf/generator"
)

// TestWrites: every path the generator makes, for every golden case, is one
// that Writes claims, and the user's files and Git's are not (a roll-back
// of a journal rtconf did not plan itself may touch only the former).
func TestWrites(t *testing.T) {
	for _, name := range goldenCases(t) {
		files, err := generator.Generate(loadCase(t, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !generator.Writes(f.Path) {
				t.Errorf("%s: Writes(%q) = false for a generated file", name, f.Path)
			}
		}
	}
	for _, p := range []string{
		"rtconf.yaml", ".gitignore", ".git/config", ".git/hooks/pre-commit", ".github/workflows/ci.yml",
		"resources/runtimes/prod/deployment.yaml", "resources/control-planes/app.yaml", "resources/README.md",
		"resources/runtimes/prod/sub/README.md", "certs/sealed-secrets.pem", "overlays", "src/main.go", ".rtconf/other.json",
	} {
		if generator.Writes(p) {
			t.Errorf("Writes(%q) = true, want false: rtconf never generates it", p)
		}
	}
}
