package validator

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"
)

// originAnnotation is where kustomize records the file an object came from
// when a kustomization asks for buildMetadata: [originAnnotations].
const originAnnotation = "config.kubernetes.io/origin"

// kustomizationNames are the file names kustomize reads.
func kustomizationNames() []string {
	return []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
}

func isKustomization(p string) bool {
	base := path.Base(p)
	for _, n := range kustomizationNames() {
		if base == n {
			return true
		}
	}
	return false
}

// kustomizations finds the Kustomize roots of the repository: folders with
// a kustomization that no other kustomization uses. Remote references are
// findings: validation is offline.
func (r *repo) kustomizations() (roots []string, findings []Finding) {
	dirs := map[string]string{} // folder -> its kustomization file
	for _, p := range r.paths {
		if isKustomization(p) {
			dirs[path.Dir(p)] = p
		}
	}
	used := map[string]bool{}
	for dir, file := range dirs {
		var k types.Kustomization
		if err := sigsyaml.Unmarshal(r.data(file), &k); err != nil {
			continue // the build reports it
		}
		refs := append(append([]string{}, k.Resources...), k.Components...)
		//lint:ignore SA1019 old kustomizations still use bases; they must be followed too.
		refs = append(refs, k.Bases...)
		for _, ref := range refs {
			if isRemote(ref) {
				line, col := refPosition(r.data(file), ref)
				findings = append(findings, Finding{Path: file, Line: line, Column: col, Rule: RuleRemoteBase, Severity: Error,
					Message: fmt.Sprintf("remote reference %q cannot be validated offline", ref),
					Hint:    "vendor the remote base into the repository, or pin and check it in its own repository's CI",
					Runtime: runtimeOf(file)})
				continue
			}
			target := joinRel(dir, ref)
			if _, ok := dirs[target]; ok {
				used[target] = true
			}
		}
	}
	for dir := range dirs {
		if !used[dir] {
			roots = append(roots, dir)
		}
	}
	sort.Strings(roots)
	return roots, findings
}

func isRemote(ref string) bool {
	return strings.Contains(ref, "://") || strings.HasPrefix(ref, "git@") || strings.HasPrefix(ref, "github.com/") ||
		strings.HasPrefix(ref, "gitlab.com/") || strings.HasPrefix(ref, "bitbucket.org/")
}

// refPosition finds where a reference is written in a kustomization.
func refPosition(data []byte, ref string) (int, int) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil || len(n.Content) == 0 {
		return 0, 0
	}
	var line, col int
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		if line != 0 {
			return
		}
		if x.Kind == yaml.ScalarNode && x.Value == ref {
			line, col = x.Line, x.Column
			return
		}
		for _, c := range x.Content {
			walk(c)
		}
	}
	walk(n.Content[0])
	return line, col
}

// kustomizeFiles are the files of the repository as the Kustomize builds
// see them: every kustomization asks for origin annotations, so that
// rendered objects can be traced to their files. Paths are those of the
// in-memory file system, in the repository's order.
func (r *repo) kustomizeFiles() []memFile {
	paths := append(slices.Clone(r.paths), r.prunedFiles()...)
	var out []memFile
	for _, p := range paths {
		data, ok := r.file(p)
		if !ok {
			continue
		}
		if isKustomization(p) {
			data = withOrigins(data)
		}
		out = append(out, memFile{path: "/repo/" + p, data: data})
	}
	return out
}

type memFile struct {
	path string
	data []byte
}

// memFS copies files into kustomize's in-memory file system; each build
// worker has its own.
func memFS(files []memFile) (filesys.FileSystem, error) {
	fsys := filesys.MakeFsInMemory()
	for _, f := range files {
		if err := fsys.WriteFile(f.path, f.data); err != nil {
			// The in-memory file system takes only names of
			// [a-zA-Z0-9-_.:]; a file named otherwise (a space, an
			// accent) cannot be part of a build here, and a
			// kustomization that names it fails to build, with a finding.
			continue
		}
	}
	return fsys, nil
}

// withOrigins adds buildMetadata: [originAnnotations] to a kustomization.
// Unparseable input is left alone for kustomize to report.
func withOrigins(data []byte) []byte {
	var m map[string]any
	if err := sigsyaml.Unmarshal(data, &m); err != nil || m == nil {
		return data
	}
	if kind, _ := m["kind"].(string); kind == types.ComponentKind {
		return data
	}
	meta, _ := m["buildMetadata"].([]any)
	for _, v := range meta {
		if v == types.OriginAnnotations {
			return data
		}
	}
	m["buildMetadata"] = append(meta, types.OriginAnnotations)
	out, err := sigsyaml.Marshal(m)
	if err != nil {
		return data
	}
	return out
}

// rendered is an object kustomize rendered, with where it came from.
type rendered struct {
	obj map[string]any
	// source is the repository path of the file it came from; empty when
	// kustomize generated it.
	source string
}

// build renders one Kustomize root.
// runKustomize builds dir. Kustomize panics on some malformed input (found
// by FuzzValidate: a kind with a comma under a namespace transform); that
// panic becomes the root's build error instead of ending rtconf.
func runKustomize(fsys filesys.FileSystem, dir string) (m resmap.ResMap, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("kustomize failed on this input (%v); check the kind, name and namespace of its resources", r)
		}
	}()
	return krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, dir)
}

func build(fsys filesys.FileSystem, root string) ([]rendered, error) {
	resMap, err := runKustomize(fsys, "/repo/"+root)
	if err != nil {
		return nil, cleanBuildError(err)
	}
	var out []rendered
	for _, res := range resMap.Resources() {
		obj, err := res.Map()
		if err != nil {
			return nil, err
		}
		src := ""
		if meta, ok := obj["metadata"].(map[string]any); ok {
			if ann, ok := meta["annotations"].(map[string]any); ok {
				if origin, ok := ann[originAnnotation].(string); ok {
					src = originPath(root, origin)
					delete(ann, originAnnotation)
					if len(ann) == 0 {
						delete(meta, "annotations")
					}
				}
			}
		}
		out = append(out, rendered{obj: obj, source: src})
	}
	return out, nil
}

// originPath reads the path out of an origin annotation, relative to the
// repository root.
func originPath(root, origin string) string {
	var o struct {
		Path string `json:"path"`
		Repo string `json:"repo"`
	}
	if err := sigsyaml.Unmarshal([]byte(origin), &o); err != nil || o.Path == "" || o.Repo != "" {
		return ""
	}
	p := joinRel(root, o.Path)
	if strings.HasPrefix(p, "../") {
		return ""
	}
	return p
}

// cleanBuildError shortens kustomize's errors: they name the in-memory
// root, which means nothing to the user.
func cleanBuildError(err error) error {
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), "/repo/", ""))
}
