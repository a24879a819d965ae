package validator_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/benchrepo"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/validator"
)

// TestShardDrift: each shard reads, renders and plans only its part, yet
// the findings of the shards of a split, together, are those of the whole
// repository, drift and every other rule: an edited file, a missing one,
// the folder of a runtime no longer in rtconf.yaml, a generated file of no
// runtime, a token in plain text, plain manifests that are bad YAML or no
// object, and an overlay that renders another runtime's files (which its
// shard reads only for that build).
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
	write("resources/runtimes/"+benchrepo.RuntimeName(3)+"/token.yaml", "data:\n  token: "+testcreds.Classic("shard")+"\n")
	write("resources/runtimes/"+benchrepo.RuntimeName(5)+"/bad.yaml", "a: [\n")
	write("resources/runtimes/"+benchrepo.RuntimeName(7)+"/list.yaml", "- not an object\n")
	write("resources/control-planes/bad.yaml", "kind: [\n")
	cross := benchrepo.RuntimeName(8)
	kust, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(generator.KustomizationPath(cross))))
	if err != nil {
		t.Fatal(err)
	}
	write(generator.KustomizationPath(cross), string(kust)+"- ../../runtimes/"+benchrepo.RuntimeName(9)+"\n")
	for _, p := range []string{"overlays/gone-a/application.yaml", "runtimes/gone-b/in-cluster.yaml", "overlays/gone-c/x.yaml", "overlays/stray.yaml", generator.SchemaFile} {
		write(p, stale)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	findings := func(shard validator.Shard) []validator.Finding {
		opts := validator.DefaultOptions()
		opts.Now, opts.Shard = now, shard
		rep, err := validator.Validate(context.Background(), root.FS(), opts)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Findings
	}
	whole := findings(validator.Shard{})
	sortFindings(whole)
	rules := map[string]int{}
	for _, f := range whole {
		rules[string(f.Rule)]++
	}
	if rules[string(validator.RuleDrift)] < 8 || rules[string(validator.RuleTokenInFile)] < 1 || rules[string(validator.RuleSchema)] < 3 {
		t.Fatalf("the whole repository has findings %v, want at least 8 drift, 1 token-in-file and 3 schema: %+v", rules, whole)
	}
	for _, total := range []int{2, 3, 4} {
		var union []validator.Finding
		for i := 1; i <= total; i++ {
			union = append(union, findings(validator.Shard{Index: i, Total: total})...)
		}
		sortFindings(union)
		if diff := cmp.Diff(whole, union); diff != "" {
			t.Errorf("%d shards: findings differ from the whole repository's (-whole +shards):\n%s", total, diff)
		}
	}
}
