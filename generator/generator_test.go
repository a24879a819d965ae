package generator_test

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/writer"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/generate/*/want")

const casesDir = "../testdata/generate"

// goldenCases lists the folders of testdata/generate.
func goldenCases(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) < 3 {
		t.Fatalf("found %d golden cases in %s, want at least 3", len(names), casesDir)
	}
	return names
}

func loadCase(t *testing.T, name string) *config.Config {
	t.Helper()
	cfg, err := config.Load(os.DirFS(filepath.Join(casesDir, name)), config.FileName)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestGenerateGolden(t *testing.T) {
	for _, name := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			files, err := generator.Generate(loadCase(t, name))
			if err != nil {
				t.Fatal(err)
			}
			wantDir := filepath.Join(casesDir, name, "want")
			if *update {
				if err := os.RemoveAll(wantDir); err != nil {
					t.Fatal(err)
				}
				for _, f := range files {
					p := filepath.Join(wantDir, filepath.FromSlash(f.Path))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := map[string]string{}
			for _, f := range files {
				got[f.Path] = string(f.Data)
			}
			want := readTree(t, wantDir)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("generated tree differs from %s (-want +got); run go test ./generator -update if the change is intended:\n%s", wantDir, diff)
			}
		})
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	for _, name := range goldenCases(t) {
		cfg := loadCase(t, name)
		first, err := generator.Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			again, err := generator.Generate(loadCase(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(first, again); diff != "" {
				t.Fatalf("%s: second generation differs:\n%s", name, diff)
			}
		}
	}
}

// apply generates cfg into dir the way `rtconf generate` does and returns
// the changes made.
func apply(t *testing.T, dir string, cfg *config.Config) []generator.Change {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	files, err := generator.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := generator.Plan(root.FS(), files)
	if err != nil {
		t.Fatal(err)
	}
	if err := writer.Apply(root, changes); err != nil {
		t.Fatal(err)
	}
	return changes
}

func paths(changes []generator.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.Op.String()+" "+c.Path)
	}
	return out
}

func TestGenerateIdempotent(t *testing.T) {
	for _, name := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := loadCase(t, name)
			first := apply(t, dir, cfg)
			if len(first) == 0 {
				t.Fatal("first run changed nothing")
			}
			for _, c := range first {
				if c.Op != generator.Add {
					t.Errorf("first run into an empty folder: %s %s, want only additions", c.Op, c.Path)
				}
			}
			if again := apply(t, dir, cfg); len(again) != 0 {
				t.Errorf("second run changed %v, want nothing", paths(again))
			}
		})
	}
}

func TestPlanKeepsUserFilesAndSealedTokens(t *testing.T) {
	dir := t.TempDir()
	cfg := loadCase(t, "three-runtimes")
	apply(t, dir, cfg)

	sealed := "# " + generator.Marker + " from rtconf.yaml; DO NOT EDIT.\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: prod-eu-git-user-token-bob\n"
	write(t, dir, "overlays/prod-eu/user-tokens/bob.yaml", sealed)
	write(t, dir, "resources/control-planes/README.md", "mine\n")
	write(t, dir, "resources/control-planes/app.yaml", "kind: ConfigMap\n")
	write(t, dir, "overlays/prod-eu/notes.txt", "my notes, no marker\n")

	if changes := apply(t, dir, cfg); len(changes) != 0 {
		t.Fatalf("regenerating changed %v, want nothing", paths(changes))
	}
	for p, want := range map[string]string{
		"overlays/prod-eu/user-tokens/bob.yaml": sealed,
		"resources/control-planes/README.md":    "mine\n",
		"resources/control-planes/app.yaml":     "kind: ConfigMap\n",
		"overlays/prod-eu/notes.txt":            "my notes, no marker\n",
	} {
		if got := read(t, dir, p); got != want {
			t.Errorf("%s = %q, want it untouched: %q", p, got, want)
		}
	}
}

// TestPlanIgnoresWriterCopies: a staging copy or backup the writer left
// beside a generated file (a run killed after its commit point, before it
// dropped its backups) holds the generated marker, but it is no file of
// the tree: the next plan neither removes it (the writer refuses to touch
// one) nor fails, whether the runtime stays or goes. (Removing a file, the
// writer itself moves it to its backup name, replacing a leftover there.)
func TestPlanIgnoresWriterCopies(t *testing.T) {
	dir := t.TempDir()
	cfg := loadCase(t, "three-runtimes")
	apply(t, dir, cfg)
	copies := map[string]string{} // beside a file of prod-eu, which stays
	for _, p := range []string{"overlays/prod-eu/application.yaml", "overlays/prod-us/kustomization.yaml"} {
		data := read(t, dir, p)
		for _, c := range []string{writer.BackupName(p), writer.StagingName(p)} {
			write(t, dir, c, data)
			if strings.Contains(p, "prod-eu") {
				copies[c] = data
			}
		}
	}
	if changes := apply(t, dir, cfg); len(changes) != 0 {
		t.Fatalf("regenerating changed %v, want nothing", paths(changes))
	}
	cfg.Runtimes = []config.Runtime{cfg.Runtimes[0], cfg.Runtimes[2]} // prod-us goes
	for _, c := range paths(apply(t, dir, cfg)) {
		if strings.Contains(c, ".rtconf-") {
			t.Errorf("the plan changed a writer's copy: %s", c)
		}
	}
	for p, want := range copies {
		if got := read(t, dir, p); got != want {
			t.Errorf("%s changed", p)
		}
	}
}

func TestPlanRemovesWhatLeftTheConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := loadCase(t, "three-runtimes")
	apply(t, dir, cfg)

	// Remove the runtime prod-us and the user bob of prod-eu.
	cfg.Runtimes = []config.Runtime{cfg.Runtimes[0], cfg.Runtimes[2]}
	cfg.Runtimes[0].Users = []string{"Alice", "carol-1"}
	got := paths(apply(t, dir, cfg))
	want := []string{
		"updated overlays/prod-eu/kustomization.yaml",
		"removed overlays/prod-eu/user-tokens/bob.yaml",
		"removed overlays/prod-us/application.yaml",
		"removed overlays/prod-us/kustomization.yaml",
		"removed overlays/prod-us/runtime-token.yaml",
		"removed overlays/prod-us/user-tokens/alice.yaml",
		"removed runtimes/prod-us/in-cluster.yaml",
		"removed runtimes/prod-us/kustomization.yaml",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	for _, gone := range []string{"overlays/prod-us", "runtimes/prod-us"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s still exists (err %v), want it removed with its last file", gone, err)
		}
	}
	// The user's own folder for the runtime stays.
	if _, err := os.Stat(filepath.Join(dir, "resources/runtimes/prod-us/README.md")); err != nil {
		t.Errorf("resources/runtimes/prod-us/README.md: %v, want it kept", err)
	}
}

func TestPlanRefusesToOverwriteForeignFiles(t *testing.T) {
	dir := t.TempDir()
	cfg := loadCase(t, "one-runtime")
	write(t, dir, "overlays/prod/application.yaml", "kind: Something\n")
	write(t, dir, "runtimes/prod/kustomization.yaml", "resources: []\n")
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	files, err := generator.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = generator.Plan(root.FS(), files)
	want := "overlays/prod/application.yaml, runtimes/prod/kustomization.yaml exist and were not generated by rtconf; move them out of the way, then run again"
	if err == nil || err.Error() != want {
		t.Fatalf("Plan error = %v, want %q", err, want)
	}
}

// TestPlanRemovesOldBaseComponent: the base/ Component that older versions
// generated is removed; a kustomization of the user's there stays.
func TestPlanRemovesOldBaseComponent(t *testing.T) {
	cfg := loadCase(t, "one-runtime")
	files, err := generator.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data string
		want       []generator.Change
	}{
		{"generated", generator.Header + "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
			[]generator.Change{{Path: "base/kustomization.yaml", Op: generator.Remove}}},
		{"the user's", "resources: []\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree := fstest.MapFS{"base/kustomization.yaml": {Data: []byte(tc.data)}}
			for _, f := range files {
				tree[f.Path] = &fstest.MapFile{Data: f.Data}
			}
			got, err := generator.Plan(tree, files)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsPlaceholder(t *testing.T) {
	files, err := generator.Generate(loadCase(t, "three-runtimes"))
	if err != nil {
		t.Fatal(err)
	}
	slots := 0
	for _, f := range files {
		isSlot := f.Mode == generator.TokenSlot
		if got := generator.IsPlaceholder(f.Data); got != isSlot {
			t.Errorf("IsPlaceholder(%s) = %v, want %v", f.Path, got, isSlot)
		}
		if isSlot {
			slots++
		}
	}
	// 3 runtime tokens + 3 users of prod-eu + 1 of prod-us.
	if slots != 7 {
		t.Errorf("%d token slots, want 7", slots)
	}
	for _, data := range []string{"", "kind: ConfigMap\n", "{{{", "kind: SealedSecret\nmetadata:\n  labels:\n    rtconf.io/token-state: pending\n"} {
		if generator.IsPlaceholder([]byte(data)) {
			t.Errorf("IsPlaceholder(%q) = true", data)
		}
	}
}

func write(t *testing.T, dir, p, data string) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, dir, p string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
