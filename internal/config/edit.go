package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// SetString sets the string at a path of mapping keys (e.g. "sealing",
// "fingerprint") in the text of a configuration file, adding the keys that
// are missing. Every other byte, comments and order included, stays as it
// was. Only block mappings and single-line scalars can be edited; anything
// else is an error that says so.
func SetString(data []byte, path []string, value string) ([]byte, error) {
	if len(path) == 0 {
		return nil, errors.New("edit: empty path")
	}
	encoded, err := encodeScalar(value)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("edit: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, errors.New("edit: the file has no YAML document")
	}
	lines := strings.SplitAfter(string(data), "\n")
	m := doc.Content[0]
	for i, key := range path {
		if m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 {
			return nil, fmt.Errorf("edit %s: not a block mapping; write it in block style to let rtconf edit it", strings.Join(path[:i], "."))
		}
		v := lookupKey(m, key)
		if v == nil {
			return insert(lines, m, path[i:], encoded)
		}
		if i < len(path)-1 {
			m = v
			continue
		}
		return replace(lines, v, encoded, strings.Join(path, "."))
	}
	return nil, errors.New("edit: unreachable")
}

func encodeScalar(value string) (string, error) {
	if strings.ContainsAny(value, "\r\n") {
		return "", errors.New("edit: values must be on one line")
	}
	b, err := yaml.Marshal(value)
	if err != nil {
		return "", fmt.Errorf("edit: %w", err)
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

func lookupKey(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// replace swaps the text of a single-line scalar for encoded.
func replace(lines []string, v *yaml.Node, encoded, field string) ([]byte, error) {
	if v.Kind != yaml.ScalarNode || v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return nil, fmt.Errorf("edit %s: not a single-line value", field)
	}
	line := []rune(lines[v.Line-1])
	start := v.Column - 1
	end, ok := scalarEnd(line, start, v.Style)
	if !ok {
		return nil, fmt.Errorf("edit %s: the value does not end on its line", field)
	}
	lines[v.Line-1] = string(line[:start]) + encoded + string(line[end:])
	return []byte(strings.Join(lines, "")), nil
}

// scalarEnd finds where the scalar token that starts at start ends.
func scalarEnd(line []rune, start int, style yaml.Style) (int, bool) {
	switch {
	case style&yaml.DoubleQuotedStyle != 0:
		for i := start + 1; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '"':
				return i + 1, true
			}
		}
		return 0, false
	case style&yaml.SingleQuotedStyle != 0:
		for i := start + 1; i < len(line); i++ {
			if line[i] == '\'' {
				if i+1 < len(line) && line[i+1] == '\'' {
					i++
					continue
				}
				return i + 1, true
			}
		}
		return 0, false
	}
	end := len(line)
	for i := start; i < len(line); i++ {
		if line[i] == '#' && i > start && (line[i-1] == ' ' || line[i-1] == '\t') {
			end = i
			break
		}
	}
	for end > start && (line[end-1] == ' ' || line[end-1] == '\t' || line[end-1] == '\n' || line[end-1] == '\r') {
		end--
	}
	return end, true
}

// insert adds the keys of path, nested, as the last entry of mapping m.
func insert(lines []string, m *yaml.Node, path []string, encoded string) ([]byte, error) {
	indent := 0
	if len(m.Content) > 0 {
		indent = m.Content[0].Column - 1
	} else if m.Line > 0 {
		return nil, fmt.Errorf("edit: cannot add %s to an empty mapping; write at least one key of it first", path[0])
	}
	newline := "\n"
	if len(lines) > 0 && strings.HasSuffix(lines[0], "\r\n") {
		newline = "\r\n"
	}
	var b bytes.Buffer
	for i, key := range path {
		b.WriteString(strings.Repeat(" ", indent+2*i))
		k, err := encodeScalar(key)
		if err != nil {
			return nil, err
		}
		b.WriteString(k + ":")
		if i == len(path)-1 {
			b.WriteString(" " + encoded)
		}
		b.WriteString(newline)
	}
	after := lastLine(m)
	if after > len(lines) {
		after = len(lines)
	}
	if after > 0 && !strings.HasSuffix(lines[after-1], "\n") {
		lines[after-1] += newline
	}
	out := append([]string{}, lines[:after]...)
	out = append(out, b.String())
	out = append(out, lines[after:]...)
	return []byte(strings.Join(out, "")), nil
}

// lastLine is the last line (1-based) any part of n is written on.
func lastLine(n *yaml.Node) int {
	last := n.Line
	if n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		last += strings.Count(strings.TrimSuffix(n.Value, "\n"), "\n") + 1
	}
	for _, c := range n.Content {
		if l := lastLine(c); l > last {
			last = l
		}
	}
	return last
}
