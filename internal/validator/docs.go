package validator

import (
	"bytes"
	"errors"
	"io"
	"strconv"

	"github.com/rtconf/rtconf/internal/jsonpointer"
	"gopkg.in/yaml.v3"
)

// doc is one YAML document of a file, with what identifies its object.
type doc struct {
	node       *yaml.Node
	apiVersion string
	kind       string
	name       string
	namespace  string
	line       int
}

// documents parses the YAML documents of a file once. A syntax error is
// returned with its line.
func (r *repo) documents(p string) ([]doc, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := r.docs[p]; ok {
		return d, nil
	}
	docs, err := parseDocs(r.data(p))
	if err != nil {
		return nil, err
	}
	r.docs[p] = docs
	return docs, nil
}

func parseDocs(data []byte) ([]doc, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []doc
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		if err := duplicateKey(&n); err != nil {
			return docs, err
		}
		d := doc{node: &n, line: n.Line}
		if len(n.Content) > 0 {
			root := n.Content[0]
			d.line = root.Line
			d.apiVersion = scalarAt(root, "apiVersion")
			d.kind = scalarAt(root, "kind")
			if meta := child(root, "metadata"); meta != nil {
				d.name = scalarAt(meta, "name")
				d.namespace = scalarAt(meta, "namespace")
			}
		}
		docs = append(docs, d)
	}
}

func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func keyNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

func scalarAt(m *yaml.Node, key string) string {
	if c := child(m, key); c != nil && c.Kind == yaml.ScalarNode {
		return c.Value
	}
	return ""
}

// locate finds the line and column of a JSON pointer inside a document:
// the deepest node the pointer reaches. With key set, the last token's
// key is returned rather than its value.
func locate(d doc, ptr string, key bool) (int, int) {
	if d.node == nil || len(d.node.Content) == 0 {
		return d.line, 0
	}
	n := d.node.Content[0]
	line, col := n.Line, n.Column
	toks := jsonpointer.Split(ptr)
	for i, tok := range toks {
		switch n.Kind {
		case yaml.MappingNode:
			if key && i == len(toks)-1 {
				if k := keyNode(n, tok); k != nil {
					return k.Line, k.Column
				}
			}
			c := child(n, tok)
			if c == nil {
				return line, col
			}
			n = c
		case yaml.SequenceNode:
			idx, err := strconv.Atoi(tok)
			if err != nil || idx < 0 || idx >= len(n.Content) {
				return line, col
			}
			n = n.Content[idx]
		default:
			return line, col
		}
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		line, col = n.Line, n.Column
	}
	return line, col
}

// findDoc finds the document of an object in a file by kind and name,
// then by kind alone, falling back to the first document.
func findDoc(docs []doc, kind, name string) (doc, bool) {
	for _, d := range docs {
		if d.kind == kind && d.name == name {
			return d, true
		}
	}
	for _, d := range docs {
		if d.kind == kind {
			return d, true
		}
	}
	if len(docs) > 0 {
		return docs[0], true
	}
	return doc{}, false
}

// encodeNode writes one YAML document back out, for decoders that need
// bytes.
func encodeNode(w io.Writer, n *yaml.Node) error {
	enc := yaml.NewEncoder(w)
	if err := enc.Encode(n); err != nil {
		return err
	}
	return enc.Close()
}
