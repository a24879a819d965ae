package validator

import (
	"fmt"
	"io/fs"

	"github.com/rtconf/rtconf/generator"
)

// Render builds a runtime's overlay as Validate builds it and returns its
// objects in Kustomize's order: what `rtconf apply` sends to the cluster.
func Render(fsys fs.FS, runtime string) ([]map[string]any, error) {
	r, _, err := readRepo(fsys)
	if err != nil {
		return nil, err
	}
	mfs, err := memFS(r.kustomizeFiles())
	if err != nil {
		return nil, err
	}
	root := generator.OverlayDir(runtime)
	objs, err := build(mfs, root)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", root, err)
	}
	out := make([]map[string]any, len(objs))
	for i, o := range objs {
		out[i] = o.obj
	}
	return out, nil
}
