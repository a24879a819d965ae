package validator

import (
	"testing"
	"testing/fstest"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/templates"
)

// BenchmarkBuildOverlay renders one runtime's overlay of the demo
// repository with kustomize in memory, after a first build has warmed
// kustomize up, as each of validate's workers does.
func BenchmarkBuildOverlay(b *testing.B) {
	cfg, err := config.Parse(config.FileName, templates.DemoConfig())
	if err != nil {
		b.Fatal(err)
	}
	files, err := generator.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range files {
		fsys[f.Path] = &fstest.MapFile{Data: f.Data}
	}
	r, _, err := readRepo(fsys)
	if err != nil {
		b.Fatal(err)
	}
	mem, err := memFS(r.kustomizeFiles())
	if err != nil {
		b.Fatal(err)
	}
	root := generator.DirOverlays + "/production"
	if _, err := build(mem, root); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		objs, err := build(mem, root)
		if err != nil {
			b.Fatal(err)
		}
		if len(objs) == 0 {
			b.Fatal("no objects")
		}
	}
}
