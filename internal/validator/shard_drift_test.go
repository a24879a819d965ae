package validator_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/benchrepo"
	"github.com/rtconf/rtconf/internal/validator"
)

// TestShardDrift: each shard renders and plans only its part, yet the
// drift findings of the shards of a split, together, are those of the
// whole repository: an edited file, a missing one, the folder of a
// runtime no longer in rtconf.yaml, a generated file of no runtime.
func TestShardDrift(t *testing.T) {
	ro := benchrepo.DefaultOptions(12)
	ro.Users, ro.Clusters, ro.Now = 1, 1, now
	dir := filepath.Join(t.TempDir(), "repo")
	if err := benchrepo.Write(dir, ro, false); err != nil {
		t.Fatal(err)
	}
	write := func(p, data string) {
		t.Helper()
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stale := generator.Header + "kind: ConfigMap\n"
	write(generator.ApplicationPath(benchrepo.RuntimeName(2)), generator.Header+"edited: true\n")
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(generator.KustomizationPath(benchrepo.RuntimeName(4))))); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"overlays/gone-a/application.yaml", "runtimes/gone-b/in-cluster.yaml", "overlays/gone-c/x.yaml", "overlays/stray.yaml", generator.SchemaFile} {
		write(p, stale)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	drift := func(shard validator.Shard) []validator.Finding {
		opts := validator.DefaultOptions()
		opts.Now, opts.Shard = now, shard
		rep, err := validator.Validate(context.Background(), root.FS(), opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []validator.Finding
		for _, f := range rep.Findings {
			if f.Rule == validator.RuleDrift {
				out = append(out, f)
			}
		}
		return out
	}
	byPath := func(fs []validator.Finding) {
		sort.Slice(fs, func(i, j int) bool { return fs[i].Path < fs[j].Path })
	}
	whole := drift(validator.Shard{})
	byPath(whole)
	if len(whole) < 7 {
		t.Fatalf("the whole repository has %d drift findings, want at least 7: %+v", len(whole), whole)
	}
	for _, total := range []int{2, 3, 4} {
		var union []validator.Finding
		for i := 1; i <= total; i++ {
			union = append(union, drift(validator.Shard{Index: i, Total: total})...)
		}
		byPath(union)
		if diff := cmp.Diff(whole, union); diff != "" {
			t.Errorf("%d shards: drift findings differ from the whole repository's (-whole +shards):\n%s", total, diff)
		}
	}
}
