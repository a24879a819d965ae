package generator_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
)

// TestGenerateRuntime: the files of one runtime are exactly the files
// Generate renders for it, byte for byte, and every slot names its file.
func TestGenerateRuntime(t *testing.T) {
	for _, name := range goldenCases(t) {
		cfg := loadCase(t, name)
		all, err := generator.Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range cfg.Runtimes {
			var want []generator.File
			for _, f := range all {
				if ownedBy(f.Path, rt.Name) {
					want = append(want, f)
				}
			}
			got, err := generator.GenerateRuntime(cfg, rt.Name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: GenerateRuntime(%s) differs from its part of Generate (-want +got):\n%s", name, rt.Name, diff)
			}
			for _, f := range got {
				if f.Slot != nil && f.Slot.Path() != f.Path {
					t.Errorf("%s: slot %+v: Path() = %s, the file is %s", name, *f.Slot, f.Slot.Path(), f.Path)
				}
			}
		}
	}
	if _, err := generator.GenerateRuntime(loadCase(t, "one-runtime"), "nope"); err == nil {
		t.Error("GenerateRuntime of a runtime not in the configuration: no error")
	}
}

// ownedBy: p is one of the runtime's files (its folders, and its README
// seed under resources/runtimes/).
func ownedBy(p, runtime string) bool {
	for _, dir := range append(generator.RuntimeDirs(runtime), "resources/runtimes/"+runtime) {
		if strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

// TestPlanRuntime: planning one runtime's files removes its own stale
// generated files, never another runtime's or anything outside its folders.
func TestPlanRuntime(t *testing.T) {
	dir := t.TempDir()
	cfg := loadCase(t, "three-runtimes")
	apply(t, dir, cfg)
	write(t, dir, "overlays/prod-eu/old.yaml", generator.Header+"kind: ConfigMap\n")
	write(t, dir, "overlays/prod-us/old.yaml", generator.Header+"kind: ConfigMap\n")
	write(t, dir, "base/kustomization.yaml", generator.Header+"kind: Component\n")

	next := *cfg
	next.Runtimes = append([]config.Runtime{}, cfg.Runtimes...)
	next.Runtimes[0].Users = []string{"Alice", "carol-1"} // bob leaves prod-eu
	next.Runtimes[1].Users = nil                          // alice leaves prod-us
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	files, err := generator.GenerateRuntime(&next, "prod-eu")
	if err != nil {
		t.Fatal(err)
	}
	changes, err := generator.PlanRuntime(root.FS(), files, "prod-eu")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"updated overlays/prod-eu/kustomization.yaml",
		"removed overlays/prod-eu/old.yaml",
		"removed overlays/prod-eu/user-tokens/bob.yaml",
	}
	if diff := cmp.Diff(want, paths(changes)); diff != "" {
		t.Errorf("PlanRuntime changes (-want +got):\n%s", diff)
	}

	// PlanFiles compares only the files it is given.
	changes, err = generator.PlanFiles(root.FS(), files)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:1], paths(changes)); diff != "" {
		t.Errorf("PlanFiles changes (-want +got):\n%s", diff)
	}
}

// TestListed: a slot is listed when the overlay's kustomization is
// rtconf's and names the slot's file.
func TestListed(t *testing.T) {
	dir := t.TempDir()
	cfg := loadCase(t, "three-runtimes")
	apply(t, dir, cfg)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	listed := func(s generator.Slot) bool {
		t.Helper()
		ok, err := generator.Listed(root.FS(), s)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for _, s := range []generator.Slot{{Runtime: "prod-eu"}, {Runtime: "prod-eu", User: "bob"}, {Runtime: "staging"}} {
		if !listed(s) {
			t.Errorf("%+v: not listed in a generated overlay", s)
		}
	}
	for _, s := range []generator.Slot{{Runtime: "prod-eu", User: "dave"}, {Runtime: "nope"}} {
		if listed(s) {
			t.Errorf("%+v: listed, want not", s)
		}
	}
	// The user's own kustomization is never taken for rtconf's.
	write(t, dir, "overlays/prod-eu/kustomization.yaml", "resources: [runtime-token.yaml]\n")
	if listed(generator.Slot{Runtime: "prod-eu"}) {
		t.Error("listed in a kustomization rtconf did not write")
	}
}

// TestGenerateRuntimePartial: a runtime's files from a configuration read
// for that runtime alone (config.ParseRuntimes, as seal reads it) are the
// files of the whole configuration, and Generate refuses such a
// configuration.
func TestGenerateRuntimePartial(t *testing.T) {
	partials := 0
	for _, name := range goldenCases(t) {
		data, err := os.ReadFile(filepath.Join(casesDir, name, config.FileName))
		if err != nil {
			t.Fatal(err)
		}
		full := loadCase(t, name)
		for _, rt := range full.Runtimes {
			cfg, err := config.ParseRuntimes(config.FileName, data, rt.Name)
			if err != nil {
				t.Fatal(err)
			}
			want, err := generator.GenerateRuntime(full, rt.Name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := generator.GenerateRuntime(cfg, rt.Name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: GenerateRuntime(%s) of the partial configuration differs (-whole +partial):\n%s", name, rt.Name, diff)
			}
			if cfg.Partial() {
				partials++
				if _, err := generator.Generate(cfg); err == nil {
					t.Errorf("%s: Generate of a configuration read for %s alone: no error", name, rt.Name)
				}
			}
		}
	}
	if partials == 0 {
		t.Error("no golden case was read in part: the test checks nothing")
	}
}

// TestGenerateRepo: the files of no runtime and those of every runtime
// are, together, exactly what Generate renders.
func TestGenerateRepo(t *testing.T) {
	for _, name := range goldenCases(t) {
		cfg := loadCase(t, name)
		want, err := generator.Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := generator.GenerateRepo(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range cfg.Runtimes {
			files, err := generator.GenerateRuntime(cfg, rt.Name)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, files...)
		}
		sort.Slice(got, func(i, j int) bool { return got[i].Path < got[j].Path })
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: GenerateRepo and GenerateRuntime differ from Generate (-want +got):\n%s", name, diff)
		}
	}
}
