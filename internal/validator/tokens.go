package validator

import (
	"bytes"
	"encoding/json"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rtconf/rtconf/internal/token"
)

const tokenHint = "revoke it now (it is in Git history), then seal the new one with rtconf seal"

// tokenFindings finds tokens written in plain text in any file: in its
// bytes, in its values once YAML or JSON escapes are read (a token split by
// an escaped line break, or with a character written as \x67, is whole
// there), and in its name. The message names the kind of token and its
// place, never the token.
func tokenFindings(r *repo, scope runtimeScope) []Finding {
	var out []Finding
	for _, p := range r.paths {
		if !scope.covers(runtimeOf(p)) {
			continue // each of its findings is another shard's
		}
		data := r.data(p)
		seen := map[string]bool{}
		for _, t := range token.Scan(data) {
			seen[t.Value] = true
			line := bytes.Count(data[:t.Offset], []byte("\n")) + 1
			col := t.Offset - bytes.LastIndexByte(data[:t.Offset], '\n')
			out = append(out, Finding{Path: p, Line: line, Column: col, Rule: RuleTokenInFile, Severity: Error, Runtime: runtimeOf(p),
				Message: "a " + t.What + " in plain text", Hint: tokenHint})
		}
		for _, v := range escapedValues(p, data) {
			for _, t := range token.Scan([]byte(v.text)) {
				if seen[t.Value] {
					continue
				}
				seen[t.Value] = true
				out = append(out, Finding{Path: p, Line: v.line, Column: v.col, Rule: RuleTokenInFile, Severity: Error, Runtime: runtimeOf(p),
					Message: "a " + t.What + " in plain text, written with escapes or split over lines", Hint: tokenHint})
			}
		}
		for _, t := range token.Scan([]byte(p)) {
			out = append(out, Finding{Path: p, Rule: RuleTokenInFile, Severity: Error, Runtime: runtimeOf(p),
				Message: "a " + t.What + " in the file's name", Hint: tokenHint + "; rename the file"})
		}
	}
	return out
}

// value is a string of a file once decoded, at its place.
type value struct {
	text      string
	line, col int
}

// escapedValues returns the strings (keys and values) of a YAML or JSON
// file as a parser reads them, when they can differ from the bytes: only
// an escape, which starts with a backslash, can join characters that are
// apart in the file (YAML folds other line breaks into a space or a
// newline). A file that does not parse yields the values read before the
// error.
func escapedValues(p string, data []byte) []value {
	if bytes.IndexByte(data, '\\') < 0 {
		return nil
	}
	switch {
	case strings.HasSuffix(p, ".json"):
		return jsonValues(data)
	case isYAML(p):
		return yamlValues(data)
	}
	return nil
}

func yamlValues(data []byte) []value {
	var out []value
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		// Aliases are not followed: the node they name is walked where
		// it is defined. Every token has a '_' or a '-' in its prefix.
		if n.Kind == yaml.ScalarNode && strings.ContainsAny(n.Value, "_-") {
			out = append(out, value{text: n.Value, line: n.Line, col: n.Column})
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			return out
		}
		walk(&n)
	}
}

func jsonValues(data []byte) []value {
	var out []value
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		s, ok := tok.(string)
		if !ok {
			continue
		}
		quote := bytes.IndexByte(data[before:], '"')
		if quote < 0 {
			continue
		}
		start := int(before) + quote
		line := bytes.Count(data[:start], []byte("\n")) + 1
		out = append(out, value{text: s, line: line, col: start - bytes.LastIndexByte(data[:start], '\n')})
	}
}
