package schemas

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManifestGeneratedOutput validates every object the generator's golden
// files hold. Kustomize's own files have no schema here.
func TestManifestGeneratedOutput(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "generate", "*", "want", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, root := range files {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
				paths = append(paths, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(paths) == 0 {
		t.Fatal("no golden YAML under testdata/generate/*/want")
	}
	m := NewManifestSet()
	validated := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range strings.Split(string(data), "\n---\n") {
			obj := decodeYAML(t, doc)
			if obj == nil {
				continue
			}
			av, _ := obj["apiVersion"].(string)
			if strings.HasPrefix(av, "kustomize.config.k8s.io/") {
				continue
			}
			if err := validate(t, m, obj); err != nil {
				t.Errorf("%s, document %d: %#v", p, i, err)
			}
			validated++
		}
	}
	if validated == 0 {
		t.Error("no object validated")
	}
	t.Logf("%d objects in %d files validated", validated, len(paths))
}
