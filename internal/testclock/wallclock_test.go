package testclock_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// wallClockAllowed are the only files that may read the wall clock, and why.
var wallClockAllowed = map[string]string{
	"cmd/rtconf/main.go":                       "the one place that gives rtconf its clock",
	"cmd/rtconf/kill_test.go":                  "times a real rtconf process to place its kill points (a duration, not a date)",
	"internal/benchrun/main.go":                "the benchmark harness: measures wall time and dates its report",
	"internal/benchrun/measure.go":             "the benchmark harness: measures wall time",
	"internal/benchrepo/cmd/benchrepo/main.go": "reports how long building a benchmark repository took",
}

// wallClockFuncs read the wall clock.
var wallClockFuncs = map[string]bool{"Now": true, "Since": true, "Until": true}

// TestNoWallClock fails when any Go file of the module, test files, test
// helpers and fakes included, reads the wall clock (time.Now, time.Since,
// time.Until, called or passed as a value) outside the files allowed above:
// code takes its clock from its caller, and tests give it a fixed one.
func TestNoWallClock(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	fset := token.NewFileSet()
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if name := d.Name(); rel != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		found++
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		timePkg := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "time" {
				timePkg = "time"
				if imp.Name != nil {
					timePkg = imp.Name.Name
				}
			}
		}
		if timePkg == "" || wallClockAllowed[rel] != "" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == timePkg && wallClockFuncs[sel.Sel.Name] {
				t.Errorf("%s: time.%s reads the wall clock: take the clock from the caller (an option or a field; tests use internal/testclock)",
					filepath.ToSlash(fset.Position(sel.Pos()).String()[len(root)+1:]), sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 100 {
		t.Fatalf("found only %d Go files under %s: the walk is broken", found, root)
	}
}
