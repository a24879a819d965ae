package validator

import (
	"io/fs"
	"sort"
	"testing"
	"testing/fstest"
)

// TestMemTreeMatchesMapFS: memTree lists and walks a tree as fstest.MapFS
// does, and passes the standard file system checks.
func TestMemTreeMatchesMapFS(t *testing.T) {
	files := map[string][]byte{
		"a.txt":     []byte("1"),
		"a-b/c":     []byte("2"),
		"a/b":       []byte("3"),
		"a/c/d.txt": []byte("4"),
		"a/c/e":     []byte("5"),
		"z/y/x/w":   []byte("6"),
	}
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	tree := newMemTree(files, paths)
	ref := fstest.MapFS{}
	for p, data := range files {
		ref[p] = &fstest.MapFile{Data: data}
	}
	if err := fstest.TestFS(tree, paths...); err != nil {
		t.Fatal(err)
	}
	walk := func(fsys fs.FS) []string {
		var out []string
		if err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			out = append(out, p+" "+d.Type().String())
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want, got := walk(ref), walk(tree)
	if len(want) != len(got) {
		t.Fatalf("walk: got %q, want %q", got, want)
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("walk[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	for _, name := range []string{".", "a", "a/c", "z/y/x", "a.txt", "a/c/e", "nope", "a/b/c", "a-", "z/y/x/w/v", "/a", "a/"} {
		want, wantErr := ref.Stat(name)
		got, err := tree.Stat(name)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("Stat(%q) error = %v, want %v", name, err, wantErr)
			continue
		}
		if err == nil && (got.Name() != want.Name() || got.Mode() != want.Mode() || got.Size() != want.Size()) {
			t.Errorf("Stat(%q) = %s %v %d, want %s %v %d", name, got.Name(), got.Mode(), got.Size(), want.Name(), want.Mode(), want.Size())
		}
	}
	if _, err := tree.ReadDir("a/b"); err == nil {
		t.Error("ReadDir of a file: no error")
	}
	if _, err := tree.ReadDir("nope"); err == nil {
		t.Error("ReadDir of a missing folder: no error")
	}
}
