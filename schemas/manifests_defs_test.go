package schemas

import (
	"encoding/json"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestManifestDefinitions holds the layout the compiler relies on: every
// definition document under defs/ carries its own URL as $id, is reached
// from some kind by references, and every reference of a document names an
// embedded one (relative to the document, or inside it).
func TestManifestDefinitions(t *testing.T) {
	docs := map[string]map[string]any{} // name under manifests/ → document
	err := fs.WalkDir(manifestFiles, "manifests", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := manifestFiles.ReadFile(p)
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		docs[strings.TrimPrefix(p, "manifests/")] = doc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var defs []string
	for name, doc := range docs {
		if doc["$id"] != ManifestsBaseURL+name {
			t.Errorf("%s: $id %v, want %s", name, doc["$id"], ManifestsBaseURL+name)
		}
		if strings.HasPrefix(name, "defs/") {
			defs = append(defs, name)
		}
	}
	if len(defs) < 100 {
		t.Fatalf("%d definition documents embedded, want the core kinds' closure", len(defs))
	}

	reached := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if reached[name] {
			return
		}
		reached[name] = true
		doc, ok := docs[name]
		if !ok {
			t.Errorf("a reference names %s, which is not embedded", name)
			return
		}
		refs(doc, func(ref string) {
			file, _, _ := strings.Cut(ref, "#")
			if file == "" {
				return // inside the document
			}
			visit(path.Join(path.Dir(name), file))
		})
	}
	for name := range docs {
		if !strings.HasPrefix(name, "defs/") {
			visit(name)
		}
	}
	var unreached []string
	for _, name := range defs {
		if !reached[name] {
			unreached = append(unreached, name)
		}
	}
	sort.Strings(unreached)
	if diff := cmp.Diff([]string(nil), unreached); diff != "" {
		t.Errorf("definitions no kind reaches (-want +got):\n%s", diff)
	}
}

// TestManifestLoadsOnlyEmbedded: the compiler's loader serves embedded
// documents under ManifestsBaseURL and nothing else.
func TestManifestLoadsOnlyEmbedded(t *testing.T) {
	if r, err := loadEmbedded(ManifestsBaseURL + "defs/io.k8s.api.core.v1.ConfigMap.json"); err != nil {
		t.Errorf("ConfigMap's definition: %v", err)
	} else {
		r.Close()
	}
	for _, url := range []string{
		"https://example.com/schemas/manifests/v1-configmap.json",
		ManifestsBaseURL + "../manifests.go",
		ManifestsBaseURL + "defs/../../manifests.go",
		ManifestsBaseURL + "defs/missing.json",
		ManifestsBaseURL,
		"file:///etc/passwd",
	} {
		if r, err := loadEmbedded(url); err == nil {
			r.Close()
			t.Errorf("loadEmbedded(%q) served a document", url)
		}
	}
}

func refs(v any, f func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				f(s)
				continue
			}
			refs(x, f)
		}
	case []any:
		for _, x := range v {
			refs(x, f)
		}
	}
}
