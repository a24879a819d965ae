package workspace_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/workspace"
)

// TestGenerateDryRunDiff: with Diff, a dry run shows what differs in each
// file it would update, and writes nothing.
func TestGenerateDryRunDiff(t *testing.T) {
	dir := demoRepo(t)
	const rel = "overlays/production/kustomization.yaml"
	p := filepath.Join(dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "kind: Kustomization\n", "kind: Kustomization\nnamePrefix: team-\n", 1)
	if edited == string(data) {
		t.Fatalf("%s has no kind: Kustomization line:\n%s", rel, data)
	}
	if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := workspace.Generate(context.Background(), workspace.GenerateOptions{Dir: dir, ConfigFile: "rtconf.yaml", DryRun: true, Diff: true})
	if err != nil {
		t.Fatal(err)
	}
	d, ok := res.Diffs[rel]
	if !ok || len(res.Diffs) != 1 {
		t.Fatalf("diffs %v, want one for %s", res.Diffs, rel)
	}
	for _, want := range []string{"--- a/" + rel, "+++ b/" + rel, "\n kind: Kustomization\n-namePrefix: team-\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff does not hold %q:\n%s", want, d)
		}
	}
	if after, _ := os.ReadFile(p); string(after) != edited {
		t.Error("a dry run wrote the file")
	}
	// Without Diff, no diffs are computed.
	res, err = workspace.Generate(context.Background(), workspace.GenerateOptions{Dir: dir, ConfigFile: "rtconf.yaml", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diffs != nil {
		t.Errorf("diffs without Diff: %v", res.Diffs)
	}
}
