package config

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzPositions checks the YAML position mapper: on any input that parses,
// every key and value it records, and every problem it reports, lies inside
// the document (a line that exists, a column within that line). Seeds are
// in testdata/fuzz/FuzzPositions.
func FuzzPositions(f *testing.F) {
	f.Add([]byte(validConfig))
	f.Add([]byte("a: &x {b: [1, 2, {c: d}]}\ne: *x\n"))
	f.Add([]byte("? [complex, key]\n: value\n"))
	f.Add([]byte("k: |\n  block\n  text\nl: >-\n  folded\n"))
	f.Add([]byte("\"quoted \\u00e9 key\": 'single ''quoted'''\r\nnext: 1\r\n"))
	f.Add([]byte("a:\n  - b: 1\n    b: 2\n  - !!binary aGVsbG8=\n"))
	f.Add([]byte("x: \u2028y\u0085z: 1\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		root, err := parseYAML("fuzz.yaml", data)
		if err != nil {
			// A syntax error is placed inside the document too.
			var e *Error
			if errors.As(err, &e) {
				b := newBounds(data)
				for _, p := range e.Problems {
					if p.Line > 0 && p.Column == 0 {
						p.Column = 1 // a line without a column
					}
					b.check(t, "syntax error "+p.Message, p.Position)
				}
			}
			return
		}
		conv := newConverter("fuzz.yaml")
		conv.convert(root, "")
		b := newBounds(data)
		for ptr, pos := range conv.pos.values {
			b.check(t, "value "+ptr, pos)
		}
		for ptr, pos := range conv.pos.keys {
			b.check(t, "key "+ptr, pos)
		}
		for _, p := range conv.problems {
			if p.File != "fuzz.yaml" {
				t.Errorf("problem names file %q", p.File)
			}
			b.check(t, "problem "+p.Message, p.Position)
		}
	})
}

// bounds knows the lines of a document, counting every YAML line break.
type bounds struct {
	lines [][]byte
}

func newBounds(data []byte) bounds {
	// YAML breaks lines at \n, \r\n, \r and, in yaml.v3, NEL, LS and PS.
	s := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(string(data))
	return bounds{lines: bytes.Split([]byte(s), []byte("\n"))}
}

func (b bounds) check(t *testing.T, what string, pos Position) {
	t.Helper()
	if pos == (Position{}) {
		return
	}
	if pos.Line < 1 || pos.Line > len(b.lines)+1 || pos.Column < 1 {
		t.Fatalf("%s at %d:%d, outside a document of %d lines", what, pos.Line, pos.Column, len(b.lines))
	}
	if pos.Line <= len(b.lines) && pos.Column > len(b.lines[pos.Line-1])+1 {
		t.Fatalf("%s at %d:%d, past the end of line %q", what, pos.Line, pos.Column, b.lines[pos.Line-1])
	}
}
