package arch_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const (
	maxFileLines = 400 // a non-test Go file
	maxFuncLines = 80  // a function of a non-test file, unless a "// long:" comment says why
)

// Test files have no limit: their length is mostly tables of cases, which
// read best in one place.

// sizeAllowed lists what is over the limits in files other engineers are
// editing right now: the debt is visible here, and goes when they finish.
// A key is a module-relative file ("file") or "file:func".
var sizeAllowed = map[string]string{}

// TestSize keeps files and functions small: no non-test file over
// maxFileLines, no function over maxFuncLines unless the line before it is
// a comment starting "// long:" that gives the reason.
func TestSize(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || name == "bin" || (strings.HasPrefix(name, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if lines := fset.File(f.Pos()).LineCount(); !strings.HasSuffix(path, "_test.go") && lines > maxFileLines {
			if _, ok := sizeAllowed[rel]; !ok {
				t.Errorf("%s: %d lines, over %d: split it", rel, lines, maxFileLines)
			}
		}
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			start, end := fset.Position(fn.Pos()).Line, fset.Position(fn.End()).Line
			if end-start+1 <= maxFuncLines || hasLongReason(fset, fn) {
				continue
			}
			name := fn.Name.Name
			if fn.Recv != nil && len(fn.Recv.List) == 1 {
				name = recvName(fn.Recv.List[0].Type) + "." + name
			}
			if _, ok := sizeAllowed[rel+":"+name]; !ok {
				t.Errorf("%s:%d: func %s is %d lines, over %d: split it or say why in a \"// long:\" comment", rel, start, name, end-start+1, maxFuncLines)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// hasLongReason reports whether the last line of fn's doc comment, the line
// before the func, starts with "// long:".
func hasLongReason(fset *token.FileSet, fn *ast.FuncDecl) bool {
	if fn.Doc == nil || len(fn.Doc.List) == 0 {
		return false
	}
	last := fn.Doc.List[len(fn.Doc.List)-1]
	return fset.Position(last.End()).Line == fset.Position(fn.Pos()).Line-1 && strings.HasPrefix(last.Text, "// long:")
}

func recvName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvName(e.X)
	case *ast.IndexExpr:
		return recvName(e.X)
	case *ast.Ident:
		return e.Name
	}
	return "?"
}
