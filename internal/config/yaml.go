package config

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/rtconf/rtconf/internal/jsonpointer"
	"gopkg.in/yaml.v3"
)

// maxNodes bounds the values an input may expand to through aliases, so a
// "billion laughs" document is refused instead of exhausting memory.
const maxNodes = 100_000

// positions records where each value of a YAML document was written, by
// JSON pointer. Keys are recorded apart from values so that "unknown field"
// points at the key and "wrong type" at the value.
type positions struct {
	keys   map[string]Position
	values map[string]Position
}

func (p positions) value(ptr string) Position {
	if pos, ok := p.values[ptr]; ok {
		return pos
	}
	return Position{}
}

// key returns the position of the key of the member at ptr, falling back to
// its value.
func (p positions) key(ptr string) Position {
	if pos, ok := p.keys[ptr]; ok {
		return pos
	}
	return p.value(ptr)
}

// converter turns a yaml.v3 node tree into the JSON data model (maps,
// slices, strings, json.Number, bools, nil) that the schema validator reads,
// recording positions on the way. YAML 1.2 core schema rules apply: yes, no,
// on and off are strings.
type converter struct {
	file     string
	pos      positions
	problems []Problem
	nodes    int
	// reported holds the nodes with a problem, so that a node repeated
	// through aliases is reported once.
	reported map[*yaml.Node]bool
}

func newConverter(file string) *converter {
	return &converter{
		file:     file,
		pos:      positions{keys: map[string]Position{}, values: map[string]Position{}},
		reported: map[*yaml.Node]bool{},
	}
}

func (c *converter) problem(n *yaml.Node, ptr, msg, hint string) {
	if c.reported[n] {
		return
	}
	c.reported[n] = true
	c.problems = append(c.problems, Problem{
		File:     c.file,
		Position: Position{Line: n.Line, Column: n.Column},
		Field:    jsonpointer.FieldPath(ptr),
		Message:  msg,
		Hint:     hint,
	})
}

func (c *converter) convert(n *yaml.Node, ptr string) any {
	c.nodes++
	if c.nodes > maxNodes {
		if c.nodes == maxNodes+1 {
			c.problem(n, ptr, fmt.Sprintf("document expands to more than %d values", maxNodes),
				"remove aliases that repeat large parts of the document")
		}
		return nil
	}
	if _, seen := c.pos.values[ptr]; !seen {
		c.pos.values[ptr] = Position{Line: n.Line, Column: n.Column}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.convert(n.Content[0], ptr)
	case yaml.AliasNode:
		return c.convert(n.Alias, ptr)
	case yaml.MappingNode:
		return c.mapping(n, ptr)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			out = append(out, c.convert(item, ptr+"/"+strconv.Itoa(i)))
		}
		return out
	case yaml.ScalarNode:
		return c.scalar(n, ptr)
	}
	c.problem(n, ptr, "unsupported YAML node", "")
	return nil
}

func (c *converter) mapping(n *yaml.Node, ptr string) map[string]any {
	out := make(map[string]any, len(n.Content)/2)
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			c.problem(k, ptr, "a mapping key must be a plain string", "")
			continue
		}
		if k.ShortTag() == "!!merge" {
			c.problem(k, ptr, "YAML merge keys (<<) are not supported", "write the fields out in full")
			continue
		}
		member := ptr + "/" + jsonpointer.Escape(k.Value)
		if prev, dup := first[k.Value]; dup {
			c.problem(k, member, fmt.Sprintf("duplicate key %q (first at line %d)", k.Value, prev.Line),
				"remove one of them")
			continue
		}
		first[k.Value] = k
		c.pos.keys[member] = Position{Line: k.Line, Column: k.Column}
		out[k.Value] = c.convert(v, member)
	}
	return out
}

func (c *converter) scalar(n *yaml.Node, ptr string) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			c.problem(n, ptr, fmt.Sprintf("invalid boolean %q", n.Value), "write true or false")
			return nil
		}
		return b
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			c.problem(n, ptr, fmt.Sprintf("integer %q is out of range", n.Value), "")
			return nil
		}
		return json.Number(strconv.FormatInt(i, 10))
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			c.problem(n, ptr, fmt.Sprintf("number %q cannot be represented", n.Value), "")
			return nil
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	case "!!str", "!!timestamp", "!!binary":
		return n.Value
	}
	c.problem(n, ptr, fmt.Sprintf("unsupported YAML tag %s", n.Tag), "remove the tag")
	return nil
}
