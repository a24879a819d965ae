package validator

import (
	"bytes"
	"strings"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rtconf/rtconf/generator"
)

// The direct render: a Kustomize root whose kustomizations are exactly what
// rtconf generates (a header and a list of resources, nothing else) renders
// to its resource files' objects, in the order listed, depth first. No
// transformer runs, so kustomize's output is the files' objects unchanged;
// rendering them here skips the loader, the accumulator and the
// transformers, which were most of validate's time. Anything the direct
// render does not handle exactly as kustomize does makes it give up, and
// kustomize builds the root instead: TestDirectRenderMatchesKustomize and
// FuzzDirectRender check that whenever it renders, kustomize renders the
// same.

// kustomizationPrefix is how every generated kustomization begins.
const kustomizationPrefix = generator.Header +
	"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"

// maxDirectDepth bounds how deep the direct render follows bases; the
// generated overlays use one.
const maxDirectDepth = 4

// directRender renders root as kustomize would, or reports false when
// kustomize must build it.
func directRender(r *repo, root string) ([]rendered, bool) {
	d := directRenderer{repo: r, rendered: map[string]bool{}, seen: map[string]bool{}}
	if !d.dir(root, 0) {
		return nil, false
	}
	return d.out, true
}

type directRenderer struct {
	repo     *repo
	rendered map[string]bool // the folders rendered: each once, so that the work is bounded and cycles end
	seen     map[string]bool // object identities, which kustomize refuses twice
	out      []rendered
}

func (d *directRenderer) dir(dir string, depth int) bool {
	if depth > maxDirectDepth || d.rendered[dir] {
		return false // a folder twice would be objects twice, which kustomize refuses
	}
	d.rendered[dir] = true
	entries, ok := generatedResources(d.repo, dir)
	if !ok {
		return false
	}
	for _, e := range entries {
		target := joinRel(dir, e)
		if strings.HasPrefix(target, "../") || target == ".." {
			return false
		}
		if data, ok := d.repo.file(target); ok {
			// kustomize loads a file under its root only.
			if !strings.HasPrefix(target, dir+"/") || !isYAML(target) {
				return false
			}
			obj, ok := directObject(data)
			if !ok {
				return false
			}
			id := objectIdentity(obj)
			if d.seen[id] {
				return false
			}
			d.seen[id] = true
			d.out = append(d.out, rendered{obj: obj, source: target})
			continue
		}
		if !d.dir(target, depth+1) {
			return false
		}
	}
	return true
}

// generatedResources reads the kustomization of dir when it is exactly a
// generated one: the only kustomization file of dir, the header, and a list
// of plain resource paths, each a file name ending in .yaml or a path with
// a slash in it (so that no entry reads as anything but a string).
func generatedResources(r *repo, dir string) ([]string, bool) {
	for _, n := range kustomizationNames()[1:] {
		if _, ok := r.file(dir + "/" + n); ok {
			return nil, false
		}
	}
	data, ok := r.file(dir + "/kustomization.yaml")
	if !ok {
		return nil, false
	}
	rest, ok := bytes.CutPrefix(data, []byte(kustomizationPrefix))
	if !ok || len(rest) == 0 || rest[len(rest)-1] != '\n' {
		return nil, false
	}
	var entries []string
	for _, line := range strings.Split(string(rest[:len(rest)-1]), "\n") {
		e, ok := strings.CutPrefix(line, "- ")
		if !ok || !plainResourcePath(e) {
			return nil, false
		}
		entries = append(entries, e)
	}
	return entries, true
}

func plainResourcePath(e string) bool {
	if e == "" || !(strings.HasSuffix(e, ".yaml") || strings.Contains(e, "/")) || strings.HasSuffix(e, "/") {
		return false
	}
	if c := e[0]; !(c == '.' || isAlnum(c)) {
		return false
	}
	for i := 0; i < len(e); i++ {
		if c := e[i]; !(isAlnum(c) || c == '.' || c == '-' || c == '_' || c == '/') {
			return false
		}
	}
	for _, part := range strings.Split(e, "/") {
		if part == "" || part == "." {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// directObject reads a resource file holding one plain object: one
// document, a mapping without anchors, aliases, explicit tags or merge
// keys; apiVersion, kind and metadata.name plain names; and, if it has
// annotations, a mapping of string values none of which are kustomize's
// own; printable ASCII only. kustomize reads such a file to exactly this
// object.
func directObject(data []byte) (map[string]any, bool) {
	for _, c := range data {
		if c >= 0x7f || c < 0x20 && c != '\n' {
			return nil, false // tabs, carriage returns, non-ASCII: left to kustomize
		}
	}
	if bytes.HasPrefix(data, []byte("---")) || bytes.Contains(data, []byte("\n---")) ||
		bytes.HasPrefix(data, []byte("%")) || bytes.Contains(data, []byte("\n%")) || bytes.Contains(data, []byte("\n...")) {
		return nil, false
	}
	var n kyaml.Node
	if err := kyaml.Unmarshal(data, &n); err != nil || n.Kind != kyaml.DocumentNode || len(n.Content) != 1 {
		return nil, false
	}
	top := n.Content[0]
	if top.Kind != kyaml.MappingNode || !plainTree(top) {
		return nil, false
	}
	meta := mapValue(top, "metadata")
	if meta == nil || meta.Kind != kyaml.MappingNode {
		return nil, false
	}
	kind := mapValue(top, "kind")
	if !nameScalar(mapValue(top, "apiVersion"), "./-") || !nameScalar(kind, "") || !nameScalar(mapValue(meta, "name"), ".-") ||
		strings.HasSuffix(kind.Value, "List") {
		return nil, false
	}
	if ns := mapValue(meta, "namespace"); ns != nil && !nameScalar(ns, "-") {
		return nil, false
	}
	if ann := mapValue(meta, "annotations"); ann != nil && !plainAnnotations(ann) {
		return nil, false
	}
	var obj map[string]any
	if err := top.Decode(&obj); err != nil {
		return nil, false
	}
	return obj, true
}

// plainTree reports whether no node under n has an anchor, is an alias,
// carries an explicit tag or is a merge key, and every mapping key is a
// plain string.
func plainTree(n *kyaml.Node) bool {
	if n.Anchor != "" || n.Kind == kyaml.AliasNode || n.Style&kyaml.TaggedStyle != 0 {
		return false
	}
	if n.Kind == kyaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != kyaml.ScalarNode || k.Tag != "!!str" || k.Value == "<<" {
				return false
			}
		}
	}
	for _, c := range n.Content {
		if !plainTree(c) {
			return false
		}
	}
	return true
}

func mapValue(m *kyaml.Node, key string) *kyaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// nameScalar is a non-empty string scalar of letters, digits and the
// characters in extra: the ones Kubernetes names, kinds and API versions
// use.
func nameScalar(n *kyaml.Node, extra string) bool {
	if n == nil || n.Kind != kyaml.ScalarNode || n.Tag != "!!str" || n.Value == "" {
		return false
	}
	for i := 0; i < len(n.Value); i++ {
		if c := n.Value[i]; !isAlnum(c) && strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

// plainAnnotations is a non-empty mapping of string values, none under the
// prefixes kustomize and kyaml keep for themselves (they would be dropped
// or rewritten).
func plainAnnotations(m *kyaml.Node) bool {
	if m.Kind != kyaml.MappingNode || len(m.Content) == 0 {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i].Value, m.Content[i+1]
		if v.Kind != kyaml.ScalarNode || v.Tag != "!!str" ||
			strings.Contains(k, "config.kubernetes.io/") || strings.Contains(k, "kustomize.config.k8s.io/") ||
			strings.Contains(k, "config.k8s.io/") || strings.HasPrefix(k, "kustomize.") {
			return false
		}
	}
	return true
}

// objectIdentity is what kustomize tells objects apart by.
func objectIdentity(obj map[string]any) string {
	meta, _ := obj["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	if ns == "default" {
		ns = "" // kustomize counts them as one namespace
	}
	name, _ := meta["name"].(string)
	api, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	group, _, _ := strings.Cut(api, "/")
	if !strings.Contains(api, "/") {
		group = ""
	}
	return group + "|" + kind + "|" + ns + "|" + name
}
