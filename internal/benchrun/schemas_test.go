package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// TestLayoutSchemas lays the embedded schemas out as kubeconform reads
// them and compiles each kind from the folder, as kubeconform does: every
// reference, from a kind to its definitions under defs/ and between
// definitions, must resolve to a file there, never to rtconf.io.
func TestLayoutSchemas(t *testing.T) {
	dir := t.TempDir()
	kinds, err := layoutSchemas(filepath.Join("..", "..", "schemas", "manifests"), dir)
	if err != nil {
		t.Fatal(err)
	}
	if kinds < 20 {
		t.Fatalf("%d kinds laid out, want every embedded kind", kinds)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != kinds {
		t.Errorf("%d files at the top of the folder, want the %d kinds only", len(names), kinds)
	}
	c := jsonschema.NewCompiler()
	c.LoadURL = func(url string) (io.ReadCloser, error) {
		p, ok := strings.CutPrefix(url, "file://")
		if !ok {
			return nil, fmt.Errorf("%s: not a file of the folder", url)
		}
		return os.Open(p)
	}
	for _, name := range names {
		if _, err := c.Compile(name); err != nil {
			t.Errorf("compile %s: %v", filepath.Base(name), err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "configmap-v1.json")); err != nil {
		t.Errorf("kubeconform's name for v1 ConfigMap: %v", err)
	}
}
