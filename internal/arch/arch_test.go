package arch_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/rtconf/rtconf/"

// layers places every package of rtconf: a package may import only
// packages of lower layers (its tests may import anything). The README's
// Architecture section draws the same picture.
var layers = map[string]int{
	// 0: leaves, no other package of rtconf.
	"internal/token": 0, "internal/labels": 0, "internal/jsonpointer": 0, "internal/argocd": 0,
	"internal/repofs": 0, "internal/repolock": 0, "templates": 0, "schemas": 0,
	// 1: the seam between rtconf and a Git host: its types and interface,
	// where a token may go, the HTTP client, verdicts.
	"internal/forge": 1, "internal/cluster": 1,
	// 2: what stands on a token alone: printing safely, Git, and each Git
	// host's provider.
	"internal/safetext": 2, "internal/gitrepo": 2, "internal/forge/github": 2, "internal/forge/gitlab": 2, "internal/forge/gitea": 2,
	"internal/forge/bitbucket":   2,
	"internal/forge/bitbucketdc": 2,
	// 3: the registration of providers, above each of them.
	"internal/forge/providers": 3,
	// 4: the configuration (its URL rules come from the provider).
	"internal/config": 4,
	// 5: rendering and sealing.
	"generator": 5, "internal/seal": 5,
	// 6: applying a plan to a tree; reading the state of a tree.
	"internal/writer": 6, "internal/status": 6,
	// 7: checking a repository, and its output formats.
	"internal/validator": 7, "internal/validator/output": 8,
	// 9: the jobs on a repository on disk.
	"internal/workspace": 9,
	// 10: the command line and the benchmark tools.
	"cmd/rtconf": 10, "internal/benchrepo": 10, "internal/benchrepo/cmd/benchrepo": 11, "internal/benchrun": 11,
	"schemas/internal/schemagen": 10,
}

// testOnly are the packages only tests may import: fakes, test servers and
// test data.
var testOnly = map[string]bool{
	"internal/fakegithub": true, "internal/fakegitlab": true, "internal/fakehost": true, "internal/fakegitea": true,
	"internal/fakebitbucket": true, "internal/fakebitbucketdc": true, "internal/gitserver": true, "internal/testcreds": true,
	"internal/testclock": true, "internal/testcluster": true, "internal/hostile": true, "internal/faultfs": true, "internal/fifotest": true, "internal/arch": true,
}

// TestImportDirection fails when a package imports one of its own layer or
// a higher one, or a test-only package, or when a package has no place.
func TestImportDirection(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	imports := map[string]map[string]bool{} // package → rtconf packages its non-test files import
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if dep, ok := strings.CutPrefix(p, module); ok {
				imports[pkg][dep] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 20 {
		t.Fatalf("found only %d packages under %s: the walk is broken", len(imports), root)
	}
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		layer, placed := layers[pkg]
		if !placed && !testOnly[pkg] {
			t.Errorf("%s has no place in the layers: add it to arch_test.go and to the README's Architecture section", pkg)
			continue
		}
		for dep := range imports[pkg] {
			switch {
			case testOnly[dep] && !testOnly[pkg]:
				t.Errorf("%s imports %s, which only tests may import", pkg, dep)
			case testOnly[pkg]:
			case layers[dep] >= layer:
				t.Errorf("%s (layer %d) imports %s (layer %d): a package imports only lower layers", pkg, layer, dep, layers[dep])
			}
		}
	}
}
