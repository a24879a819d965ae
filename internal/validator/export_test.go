package validator

import "io/fs"

// RootRender is how one Kustomize root of a repository renders, both ways.
type RootRender struct {
	Root string
	// Direct reports whether the direct render took the root; DirectObjects
	// is what it rendered.
	Direct        bool
	DirectObjects []RenderedObject
	// KustomizeObjects is what kustomize's build rendered, or KustomizeErr.
	KustomizeObjects []RenderedObject
	KustomizeErr     error
}

// RenderedObject is an object a build rendered, with the repository path of
// its file.
type RenderedObject struct {
	Object map[string]any
	Source string
}

// RenderRoots renders every Kustomize root of fsys with the direct render
// and with kustomize, for the tests that hold the two equal.
func RenderRoots(fsys fs.FS) ([]RootRender, error) {
	r, _, err := readRepo(fsys)
	if err != nil {
		return nil, err
	}
	roots, _ := r.kustomizations()
	mfs, err := memFS(r.kustomizeFiles())
	if err != nil {
		return nil, err
	}
	conv := func(objs []rendered) []RenderedObject {
		var out []RenderedObject
		for _, o := range objs {
			out = append(out, RenderedObject{Object: o.obj, Source: o.source})
		}
		return out
	}
	var out []RootRender
	for _, root := range roots {
		rr := RootRender{Root: root}
		objs, ok := directRender(r, root)
		rr.Direct, rr.DirectObjects = ok, conv(objs)
		kobjs, err := build(mfs, root)
		rr.KustomizeObjects, rr.KustomizeErr = conv(kobjs), err
		out = append(out, rr)
	}
	return out, nil
}
