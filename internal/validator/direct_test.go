package validator_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/benchrepo"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/validator"
)

// checkRenders holds the direct render to kustomize's: wherever it renders
// a root, kustomize builds the root without error to the same objects, in
// the same order, from the same files. It returns the roots rendered
// directly.
func checkRenders(t *testing.T, fsys fs.FS) map[string]bool {
	t.Helper()
	renders, err := validator.RenderRoots(fsys)
	if err != nil {
		t.Fatal(err)
	}
	direct := map[string]bool{}
	for _, rr := range renders {
		if !rr.Direct {
			continue
		}
		direct[rr.Root] = true
		if rr.KustomizeErr != nil {
			t.Errorf("%s: rendered directly, but kustomize fails: %v", rr.Root, rr.KustomizeErr)
			continue
		}
		if diff := cmp.Diff(rr.KustomizeObjects, rr.DirectObjects); diff != "" {
			t.Errorf("%s: the direct render differs from kustomize's (-kustomize +direct):\n%s", rr.Root, diff)
		}
	}
	return direct
}

// generatedShapes are repositories as rtconf writes them: every
// configuration of testdata/generate, generated, and a benchmark
// repository with every token sealed.
func generatedShapes(t *testing.T) map[string]fstest.MapFS {
	t.Helper()
	const dir = "../../testdata/generate"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	shapes := map[string]fstest.MapFS{}
	for _, e := range entries {
		cfg, err := config.Load(os.DirFS(filepath.Join(dir, e.Name())), config.FileName)
		if err != nil {
			t.Fatal(err)
		}
		files, err := generator.Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		fsys := fstest.MapFS{}
		for _, f := range files {
			fsys[f.Path] = &fstest.MapFile{Data: f.Data}
		}
		shapes[e.Name()] = fsys
	}
	o := benchrepo.DefaultOptions(3)
	o.Now = now
	files, err := benchrepo.Files(o)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for p, data := range files {
		fsys[p] = &fstest.MapFile{Data: data}
	}
	shapes["sealed"] = fsys
	if len(shapes) < 5 {
		t.Fatalf("found %d generated shapes, want at least 5", len(shapes))
	}
	return shapes
}

// TestDirectRenderMatchesKustomize renders every overlay of every generated
// shape directly, each equal to kustomize's build.
func TestDirectRenderMatchesKustomize(t *testing.T) {
	for name, fsys := range generatedShapes(t) {
		t.Run(name, func(t *testing.T) {
			direct := checkRenders(t, fsys)
			overlays := 0
			for p := range fsys {
				if dir, ok := strings.CutSuffix(p, "/kustomization.yaml"); ok && strings.HasPrefix(dir, generator.DirOverlays+"/") {
					overlays++
					if !direct[dir] {
						t.Errorf("%s: generated overlay not rendered directly", dir)
					}
				}
			}
			if overlays == 0 {
				t.Fatal("no overlays generated")
			}
		})
	}
}

// TestDirectRenderMatchesKustomizeOnCases holds the direct render to
// kustomize's on every validate case, hand-edited ones included.
func TestDirectRenderMatchesKustomizeOnCases(t *testing.T) {
	direct := 0
	for _, name := range cases(t) {
		t.Run(name, func(t *testing.T) {
			dir, _ := caseRepo(t, name)
			direct += len(checkRenders(t, os.DirFS(dir)))
		})
	}
	if direct == 0 {
		t.Fatal("no root of any case was rendered directly: nothing was compared")
	}
}

// directRefusals are resource files the direct render must leave to
// kustomize, each for something kustomize reads differently from a plain
// decode, or refuses.
var directRefusals = map[string]string{
	"two documents":        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
	"a list":               "apiVersion: v1\nkind: List\nmetadata:\n  name: a\nitems: []\n",
	"an anchor":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: &l {x: y}\ndata: *l\n",
	"a merge key":          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  <<: {x: y}\n",
	"a local-config":       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    config.kubernetes.io/local-config: \"true\"\n",
	"empty annotations":    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {}\n",
	"a number annotation":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    x: 1\n",
	"an explicit tag":      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: !!binary aGk=\n",
	"no name":              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: a\n",
	"a comma in the kind":  "apiVersion: v1\nkind: Config,Map\nmetadata:\n  name: a\n",
	"a tab":                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"a\tb\"\n",
	"the same as the base": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\n",
}

// directFixture is an overlay of one resource file and a base of one, as
// rtconf generates them.
func directFixture(overlayKust, resource []byte) fstest.MapFS {
	return fstest.MapFS{
		"overlays/a/kustomization.yaml": {Data: overlayKust},
		"overlays/a/res.yaml":           {Data: resource},
		"runtimes/a/kustomization.yaml": {Data: []byte(generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- base.yaml\n")},
		"runtimes/a/base.yaml":          {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\n")},
	}
}

func directOverlay() []byte {
	return []byte(generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- res.yaml\n- ../../runtimes/a\n")
}

func TestDirectRenderRefuses(t *testing.T) {
	plain := directFixture(directOverlay(), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    x: \"on\"\ndata:\n  n: 1\n"))
	if !checkRenders(t, plain)["overlays/a"] {
		t.Fatal("a plain overlay was not rendered directly")
	}
	for name, res := range directRefusals {
		t.Run(name, func(t *testing.T) {
			if checkRenders(t, directFixture(directOverlay(), []byte(res)))["overlays/a"] {
				t.Errorf("rendered directly; want it left to kustomize")
			}
		})
	}
	kusts := map[string]string{
		"a namespace":     generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: x\nresources:\n- res.yaml\n",
		"no header":       "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- res.yaml\n",
		"a file outside":  generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../../runtimes/a/base.yaml\n",
		"a remote base":   generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- https://example.com/x.yaml\n",
		"a quoted entry":  generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- \"res.yaml\"\n",
		"twice the file":  generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- res.yaml\n- res.yaml\n",
		"a missing file":  generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gone.yaml\n",
		"no final line":   generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- res.yaml",
		"a base twice":    generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- res.yaml\n- ../../runtimes/a\n- ../../runtimes/a\n",
		"itself":          generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- res.yaml\n- ../a\n",
		"a trailing line": generator.Header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- res.yaml\nsortOptions:\n  order: legacy\n",
	}
	for name, k := range kusts {
		t.Run(name, func(t *testing.T) {
			res := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
			if checkRenders(t, directFixture([]byte(k), res))["overlays/a"] {
				t.Errorf("rendered directly; want it left to kustomize")
			}
		})
	}
}

// FuzzDirectRender changes an overlay's kustomization and a resource file:
// whenever the direct render takes the overlay, kustomize renders it the
// same.
func FuzzDirectRender(f *testing.F) {
	f.Add(directOverlay(), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"))
	for _, res := range directRefusals {
		f.Add(directOverlay(), []byte(res))
	}
	f.Fuzz(func(t *testing.T, kust, res []byte) {
		checkRenders(t, directFixture(kust, res))
	})
}
