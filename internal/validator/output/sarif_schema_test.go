package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// The official SARIF 2.1.0 schema (OASIS, errata 01; draft-04), as a Go
// module on the proxy ships it. It is read from the module cache, never
// from the network, and the module stays out of go.mod.
const (
	sarifSchemaModule = "github.com/securego/gosec/v2@v2.30.0"
	sarifSchemaFile   = "report/sarif/testdata/sarif-schema-2.1.0.json"
)

func loadSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go is not on PATH, so the SARIF schema cannot be fetched from %s: %v", sarifSchemaModule, err)
	}
	cmd := exec.Command(goBin, "mod", "download", "-json", sarifSchemaModule)
	// Outside the module, so that go.mod and go.sum stay as they are.
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var mod struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &mod); jerr != nil || mod.Error != "" || mod.Dir == "" {
		t.Fatalf("go mod download %s: %v %s %s", sarifSchemaModule, err, mod.Error, stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(mod.Dir, filepath.FromSlash(sarifSchemaFile)))
	if err != nil {
		t.Fatal(err)
	}
	var ids struct {
		ID    string `json:"id"`
		DolID string `json:"$id"`
	}
	if err := json.Unmarshal(data, &ids); err != nil {
		t.Fatal(err)
	}
	url := ids.ID + ids.DolID
	c := jsonschema.NewCompiler()
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("refusing to load %s: the test is offline", s)
	}
	if err := c.AddResource(url, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return schema
}

func TestSARIFSchema(t *testing.T) {
	schema := loadSARIFSchema(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := render(t, FormatSARIF, Options{ToolVersion: "1.2.3"}, c.report())
			dec := json.NewDecoder(bytes.NewReader([]byte(out)))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("not valid SARIF 2.1.0: %#v\n%s", err, out)
			}
		})
	}
	// The schema must catch what it is there to catch.
	if err := schema.Validate(map[string]any{"version": "2.0.0", "runs": []any{}}); err == nil {
		t.Error("the schema accepts version 2.0.0")
	}
	var bad any
	if err := json.Unmarshal([]byte(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
		{"message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a b:c"}}}]}]}]}`), &bad); err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(bad); err == nil {
		t.Error("the schema accepts an artifact URI that is no URI reference")
	}
}
