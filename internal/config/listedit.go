package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// The edits below change lists of a configuration file's text in place:
// every other byte, comments and order included, stays as it was. Block
// sequences get lines added or removed; a flow sequence on one line
// (`users: [alice, bob]`) is rewritten on its line.

// AddRuntime appends a runtime to the runtimes list.
func AddRuntime(data []byte, rt Runtime) ([]byte, error) {
	lines, seq, err := runtimesList(data)
	if err != nil {
		return nil, err
	}
	return appendItem(lines, seq, rt, "runtimes")
}

// RemoveRuntime removes the runtime named name from the runtimes list.
func RemoveRuntime(data []byte, name string) ([]byte, error) {
	lines, seq, err := runtimesList(data)
	if err != nil {
		return nil, err
	}
	i := runtimeIndex(seq, name)
	if i < 0 {
		return nil, fmt.Errorf("edit: no runtime %q", name)
	}
	return removeItem(lines, seq, i, "runtimes")
}

// AddToRuntime appends item to the list under key (users or
// managedClusters) of the runtime named runtime, adding the key when the
// runtime has none.
func AddToRuntime(data []byte, runtime, key string, item any) ([]byte, error) {
	lines, m, err := runtimeMapping(data, runtime)
	if err != nil {
		return nil, err
	}
	field := fmt.Sprintf("runtimes[%s].%s", runtime, key)
	seq := lookupKey(m, key)
	if seq == nil || (seq.Kind == yaml.ScalarNode && seq.Tag == "!!null") {
		if seq != nil {
			return nil, fmt.Errorf("edit %s: the key is there without a value; remove it or give it a list", field)
		}
		return insertList(lines, m, key, item)
	}
	if seq.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("edit %s: not a list", field)
	}
	return appendItem(lines, seq, item, field)
}

// RemoveFromRuntime removes the first item of the list under key of the
// runtime named runtime for which match is true.
func RemoveFromRuntime(data []byte, runtime, key string, match func(*yaml.Node) bool) ([]byte, error) {
	lines, m, err := runtimeMapping(data, runtime)
	if err != nil {
		return nil, err
	}
	field := fmt.Sprintf("runtimes[%s].%s", runtime, key)
	seq := lookupKey(m, key)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("edit %s: no such list", field)
	}
	for i, it := range seq.Content {
		if !match(it) {
			continue
		}
		if len(seq.Content) == 1 && seq.Style&yaml.FlowStyle == 0 {
			// The only item of a block list: drop the key with it (the
			// lists under a runtime are optional).
			return removeKey(lines, m, key, field)
		}
		return removeItem(lines, seq, i, field)
	}
	return nil, fmt.Errorf("edit %s: no such item", field)
}

// removeKey drops a key of a block mapping and its value's lines.
func removeKey(lines []string, m *yaml.Node, key, field string) ([]byte, error) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Value != key {
			continue
		}
		first, last := k.Line, lastLine(v)
		if i+2 < len(m.Content) {
			// Keep the comments above the next key; they are its own.
			last = min(last, m.Content[i+2].Line-1)
		}
		if first < 1 || last > len(lines) || first > last {
			return nil, fmt.Errorf("edit %s: cannot find its lines", field)
		}
		out := append([]string{}, lines[:first-1]...)
		out = append(out, lines[last:]...)
		return []byte(strings.Join(out, "")), nil
	}
	return nil, fmt.Errorf("edit %s: no such key", field)
}

// MatchScalar matches a list item that is the string s, ignoring case.
func MatchScalar(s string) func(*yaml.Node) bool {
	return func(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && strings.EqualFold(n.Value, s) }
}

// MatchField matches a list item that is a mapping whose key holds value.
func MatchField(key, value string) func(*yaml.Node) bool {
	return func(n *yaml.Node) bool {
		if n.Kind != yaml.MappingNode {
			return false
		}
		v := lookupKey(n, key)
		return v != nil && v.Kind == yaml.ScalarNode && v.Value == value
	}
}

func parseForEdit(data []byte) (*yaml.Node, []string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("edit: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, errors.New("edit: the file has no YAML mapping")
	}
	return doc.Content[0], strings.SplitAfter(string(data), "\n"), nil
}

// runtimesList parses data for an edit of its runtimes list.
func runtimesList(data []byte) ([]string, *yaml.Node, error) {
	doc, lines, err := parseForEdit(data)
	if err != nil {
		return nil, nil, err
	}
	seq := lookupKey(doc, "runtimes")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil, nil, errors.New("edit: rtconf.yaml has no runtimes list")
	}
	return lines, seq, nil
}

// runtimeMapping parses data for an edit of one runtime's mapping.
func runtimeMapping(data []byte, name string) ([]string, *yaml.Node, error) {
	lines, seq, err := runtimesList(data)
	if err != nil {
		return nil, nil, err
	}
	i := runtimeIndex(seq, name)
	if i < 0 {
		return nil, nil, fmt.Errorf("edit: no runtime %q", name)
	}
	m := seq.Content[i]
	if m.Style&yaml.FlowStyle != 0 {
		return nil, nil, fmt.Errorf("edit runtimes[%s]: written in flow style; write it in block style to let rtconf edit it", name)
	}
	return lines, m, nil
}

func runtimeIndex(seq *yaml.Node, name string) int {
	for i, it := range seq.Content {
		if it.Kind == yaml.MappingNode {
			if n := lookupKey(it, "name"); n != nil && n.Value == name {
				return i
			}
		}
	}
	return -1
}

func newlineOf(lines []string) string {
	if len(lines) > 0 && strings.HasSuffix(lines[0], "\r\n") {
		return "\r\n"
	}
	return "\n"
}

// block renders v as YAML lines indented by indent, the first one behind
// "- " when item is true.
func block(v any, indent int, item bool, newline string) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("edit: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("edit: %w", err)
	}
	var out strings.Builder
	for i, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		out.WriteString(strings.Repeat(" ", indent))
		switch {
		case item && i == 0:
			out.WriteString("- ")
		case item:
			out.WriteString("  ")
		}
		out.WriteString(l + newline)
	}
	return out.String(), nil
}

// appendItem adds v as the last item of seq.
func appendItem(lines []string, seq *yaml.Node, v any, field string) ([]byte, error) {
	if seq.Style&yaml.FlowStyle != 0 {
		items := append(append([]*yaml.Node{}, seq.Content...), nil)
		return rewriteFlow(lines, seq, items, v, field)
	}
	if len(seq.Content) == 0 {
		return nil, fmt.Errorf("edit %s: an empty block list; write it as [] to let rtconf edit it", field)
	}
	dash, ok := dashColumn(lines, seq.Content[0])
	if !ok {
		return nil, fmt.Errorf("edit %s: cannot find where its items start", field)
	}
	text, err := block(v, dash, true, newlineOf(lines))
	if err != nil {
		return nil, err
	}
	return insertAfter(lines, lastLine(seq), text), nil
}

// insertList adds `key:` with a one-item block list as the last key of m.
func insertList(lines []string, m *yaml.Node, key string, v any) ([]byte, error) {
	if len(m.Content) == 0 {
		return nil, fmt.Errorf("edit: cannot add %s to an empty mapping", key)
	}
	indent := m.Content[0].Column - 1
	nl := newlineOf(lines)
	text, err := block(map[string]any{key: []any{v}}, indent, false, nl)
	if err != nil {
		return nil, err
	}
	return insertAfter(lines, lastLine(m), text), nil
}

func insertAfter(lines []string, after int, text string) []byte {
	if after > len(lines) {
		after = len(lines)
	}
	if after > 0 && !strings.HasSuffix(lines[after-1], "\n") {
		lines[after-1] += newlineOf(lines)
	}
	out := append([]string{}, lines[:after]...)
	out = append(out, text)
	out = append(out, lines[after:]...)
	return []byte(strings.Join(out, ""))
}

// removeItem drops item i of seq: its lines in a block list, its text in a
// flow list.
func removeItem(lines []string, seq *yaml.Node, i int, field string) ([]byte, error) {
	if seq.Style&yaml.FlowStyle != 0 {
		items := append(append([]*yaml.Node{}, seq.Content[:i]...), seq.Content[i+1:]...)
		return rewriteFlow(lines, seq, items, nil, field)
	}
	it := seq.Content[i]
	first, last := it.Line, lastLine(it)
	if i+1 < len(seq.Content) {
		// Keep the comments above the next item; they are its own.
		next := seq.Content[i+1].Line
		for last >= next {
			last--
		}
	}
	if len(seq.Content) == 1 {
		return nil, fmt.Errorf("edit %s: removing its only item would leave an empty list; edit rtconf.yaml by hand", field)
	}
	out := append([]string{}, lines[:first-1]...)
	out = append(out, lines[last:]...)
	return []byte(strings.Join(out, "")), nil
}

// dashColumn finds the 0-based column of the "-" that starts an item.
func dashColumn(lines []string, item *yaml.Node) (int, bool) {
	if item.Line < 1 || item.Line > len(lines) {
		return 0, false
	}
	line := []rune(lines[item.Line-1])
	for c := item.Column - 2; c >= 0 && c < len(line); c-- {
		switch line[c] {
		case '-':
			return c, true
		case ' ', '\t':
		default:
			return 0, false
		}
	}
	return 0, false
}

// rewriteFlow replaces a one-line flow list with items (a nil item stands
// for extra).
func rewriteFlow(lines []string, seq *yaml.Node, items []*yaml.Node, extra any, field string) ([]byte, error) {
	line := []rune(lines[seq.Line-1])
	start := seq.Column - 1
	if start >= len(line) || line[start] != '[' {
		return nil, fmt.Errorf("edit %s: cannot find the list's text", field)
	}
	end := -1
	for c := start + 1; c < len(line); c++ {
		if line[c] == ']' {
			end = c + 1
			break
		}
	}
	if end < 0 {
		return nil, fmt.Errorf("edit %s: the list spans lines; write it in block style to let rtconf edit it", field)
	}
	var parts []string
	for _, it := range items {
		var v any = extra
		if it != nil {
			if it.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("edit %s: only lists of plain values can be edited in flow style", field)
			}
			v = it.Value
		}
		b, err := yaml.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("edit: %w", err)
		}
		s := strings.TrimSuffix(string(b), "\n")
		if strings.Contains(s, "\n") {
			return nil, fmt.Errorf("edit %s: the new item does not fit a flow list; write the list in block style", field)
		}
		parts = append(parts, s)
	}
	lines[seq.Line-1] = string(line[:start]) + "[" + strings.Join(parts, ", ") + "]" + string(line[end:])
	return []byte(strings.Join(lines, "")), nil
}
