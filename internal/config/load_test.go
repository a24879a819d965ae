package config

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testFile is the file name every test passes to Parse.
const testFile = "rtconf.yaml"

// problemCase is one configuration that Parse must refuse with exactly the
// problems listed.
type problemCase struct {
	name string
	in   string
	// want lists the problems in order; File is filled in by the test.
	want []Problem
}

// text returns a YAML literal written in a raw string that starts on the
// line after the backquote.
func text(s string) string { return strings.TrimPrefix(s, "\n") }

// parseProblems parses in and returns its problems, failing the test when
// Parse does not refuse it with an *Error.
func parseProblems(t *testing.T, in string) []Problem {
	t.Helper()
	cfg, err := Parse(testFile, []byte(in))
	if err == nil {
		t.Fatalf("Parse succeeded, want an error; config: %+v", cfg)
	}
	if cfg != nil {
		t.Errorf("Parse returned a config beside its error: %+v", cfg)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse error is %T (%v), want *config.Error", err, err)
	}
	return e.Problems
}

func runProblemCases(t *testing.T, cases []problemCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := append([]Problem(nil), tc.want...)
			for i := range want {
				want[i].File = testFile
			}
			got := parseProblems(t, tc.in)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseFileProblems covers problems with the file as YAML: syntax,
// encoding, documents, keys, aliases and scalar types.
func TestParseFileProblems(t *testing.T) {
	runProblemCases(t, []problemCase{{
		name: "empty file",
		in:   "",
		want: []Problem{{
			Message: "file is empty",
			Hint:    "run `rtconf init` to write one, or see `rtconf schema` for its fields",
		}},
	}, {
		name: "only blank lines and comments",
		in:   "# rtconf.yaml\n\n   # indented comment\n\t\n",
		want: []Problem{{
			Message: "file is empty",
			Hint:    "run `rtconf init` to write one, or see `rtconf schema` for its fields",
		}},
	}, {
		name: "only a document start marker",
		in:   "---\n",
		want: []Problem{{
			Position: Position{Line: 1, Column: 1},
			Message:  "expected object, but got null",
		}},
	}, {
		name: "two YAML documents",
		in: text(`
repository:
  url: https://github.com/acme/shared
runtimes:
  - name: a
    namespace: a
---
runtimes: []
`),
		want: []Problem{{
			Position: Position{Line: 6, Column: 1},
			Message:  "more than one YAML document",
			Hint:     "keep the whole configuration in one document; remove the '---' separator",
		}},
	}, {
		name: "second document is empty",
		in:   "repository: {}\n---\n",
		want: []Problem{{
			Position: Position{Line: 2, Column: 1},
			Message:  "more than one YAML document",
			Hint:     "keep the whole configuration in one document; remove the '---' separator",
		}},
	}, {
		name: "byte that is not UTF-8",
		in:   "repository:\n  url: https://github.com/acme/shared\nruntimes:\n  - name: a\xff\n    namespace: a\n",
		want: []Problem{{
			Position: Position{Line: 4, Column: 12},
			Message:  "file is not valid UTF-8",
			Hint:     "save the file as UTF-8",
		}},
	}, {
		name: "column of a bad byte counts characters, not bytes",
		in:   "# café €\nrepository:\n  url: hé€\xfe\n",
		want: []Problem{{
			Position: Position{Line: 3, Column: 11},
			Message:  "file is not valid UTF-8",
			Hint:     "save the file as UTF-8",
		}},
	}, {
		name: "UTF-16 file",
		in:   "\xff\xfer\x00e\x00",
		want: []Problem{{
			Position: Position{Line: 1, Column: 1},
			Message:  "file is not valid UTF-8",
			Hint:     "save the file as UTF-8",
		}},
	}, {
		name: "duplicate keys",
		in: text(`
repository:
  url: https://github.com/acme/shared
  url: https://github.com/acme/other
runtimes:
  - name: a
    namespace: a
    name: b
`),
		want: []Problem{{
			Position: Position{Line: 3, Column: 3},
			Field:    "repository.url",
			Message:  `duplicate key "url" (first at line 2)`,
			Hint:     "remove one of them",
		}, {
			Position: Position{Line: 7, Column: 5},
			Field:    "runtimes[0].name",
			Message:  `duplicate key "name" (first at line 5)`,
			Hint:     "remove one of them",
		}},
	}, {
		name: "merge key",
		in: text(`
defaults: &defaults
  namespace: a
repository:
  url: https://github.com/acme/shared
runtimes:
  - <<: *defaults
    name: a
`),
		want: []Problem{{
			Position: Position{Line: 6, Column: 5},
			Field:    "runtimes[0]",
			Message:  "YAML merge keys (<<) are not supported",
			Hint:     "write the fields out in full",
		}},
	}, {
		// The position is that of the anchored value the limit was
		// crossed in (line 1), not of an alias that repeats it.
		name: "billion laughs",
		in:   billionLaughs,
		want: []Problem{{
			Position: Position{Line: 1, Column: 32},
			Field:    "f[0][2][0][5][4][6]",
			Message:  "document expands to more than 100000 values",
			Hint:     "remove aliases that repeat large parts of the document",
		}},
	}, {
		name: "problem inside an anchor is reported once, not again for each alias",
		in:   "x: &x {a: 1, a: 2}\ny: *x\n",
		want: []Problem{{
			Position: Position{Line: 1, Column: 14},
			Field:    "x.a",
			Message:  `duplicate key "a" (first at line 1)`,
			Hint:     "remove one of them",
		}},
	}, {
		name: "mapping as a key",
		in:   "? {a: 1}\n: x\n",
		want: []Problem{{
			Position: Position{Line: 1, Column: 3},
			Message:  "a mapping key must be a plain string",
		}},
	}, {
		name: "application tag",
		in:   "repository: !secret x\n",
		want: []Problem{{
			Position: Position{Line: 1, Column: 13},
			Field:    "repository",
			Message:  "unsupported YAML tag !secret",
			Hint:     "remove the tag",
		}},
	}, {
		// Without the tag yaml.v3 reads the value as a float.
		name: "integer out of range",
		in:   "repository: !!int 99999999999999999999\n",
		want: []Problem{{
			Position: Position{Line: 1, Column: 13},
			Field:    "repository",
			Message:  `integer "99999999999999999999" is out of range`,
		}},
	}, {
		// Weak: "abc" is not an integer at all.
		name: "integer tag on a word",
		in:   "repository: !!int abc\n",
		want: []Problem{{
			Position: Position{Line: 1, Column: 13},
			Field:    "repository",
			Message:  `integer "abc" is out of range`,
		}},
	}, {
		name: "boolean tag on a word",
		in:   "repository: !!bool abc\n",
		want: []Problem{{
			Position: Position{Line: 1, Column: 13},
			Field:    "repository",
			Message:  `invalid boolean "abc"`,
			Hint:     "write true or false",
		}},
	}, {
		name: "infinite number",
		in:   "repository: .inf\n",
		want: []Problem{{
			Position: Position{Line: 1, Column: 13},
			Field:    "repository",
			Message:  `number ".inf" cannot be represented`,
		}},
	}, {
		name: "wrong scalar types; yes is a string in YAML 1.2",
		in: text(`
repository:
  url: https://github.com/acme/shared
  revision: 1.5
runtimes:
  - name: a
    namespace: 5
    runtimeTokenAsUserToken: yes
`),
		want: []Problem{{
			Position: Position{Line: 3, Column: 13},
			Field:    "repository.revision",
			Message:  "expected string, but got number",
			Hint:     "quote the value",
		}, {
			Position: Position{Line: 6, Column: 16},
			Field:    "runtimes[0].namespace",
			Message:  "expected string, but got number",
			Hint:     "quote the value",
		}, {
			Position: Position{Line: 7, Column: 30},
			Field:    "runtimes[0].runtimeTokenAsUserToken",
			Message:  "expected boolean, but got string",
			Hint:     "write true or false (yes, no, on and off are strings in YAML 1.2)",
		}},
	}, {
		name: "wrong collection types",
		in:   "repository: x\nruntimes: {}\n",
		want: []Problem{{
			Position: Position{Line: 1, Column: 13},
			Field:    "repository",
			Message:  "expected object, but got string",
		}, {
			Position: Position{Line: 2, Column: 11},
			Field:    "runtimes",
			Message:  "expected array, but got object",
		}},
	}, {
		name: "document is a list",
		in:   "- a\n",
		want: []Problem{{
			Position: Position{Line: 1, Column: 1},
			Message:  "expected object, but got array",
		}},
	}})
}

// billionLaughs expands to 9^9 values through aliases.
var billionLaughs = text(`
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`)

// TestParseAliasBombIsCheap checks that refusing a billion laughs costs
// little memory: expanding it would take gigabytes.
func TestParseAliasBombIsCheap(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Parse(testFile, []byte(billionLaughs))
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("Parse accepted a billion laughs")
	}
	const limit = 256 << 20
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit {
		t.Errorf("Parse allocated %d MiB refusing a billion laughs, want at most %d MiB", alloc>>20, limit>>20)
	}
}

// TestParseTooLarge checks the size limit without building a huge YAML
// document.
func TestParseTooLarge(t *testing.T) {
	got := parseProblems(t, strings.Repeat("#", MaxSize+1))
	want := []Problem{{
		File:    testFile,
		Message: "file is larger than 4 MiB",
		Hint:    "rtconf.yaml describes runtimes, not their manifests; keep manifests under resources/",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestParseSyntaxErrorPositions: a YAML syntax error is reported at the
// line and column of the mistake, not where yaml.v3 reports it (the start
// of the enclosing node, 0-based for parser errors, no line at all on the
// first line), with a hint that says what to do.
func TestParseSyntaxErrorPositions(t *testing.T) {
	const (
		indentHint  = "this line is indented differently from the lines it belongs with: indent it like the keys (or '- ' items) beside it, with spaces"
		mappingHint = `a value that contains ': ' must be quoted (key: "a: b"); a key must be on its own line, indented like the keys beside it`
		listHint    = "the flow list opened by this '[' is not closed: close it with ']' on this line, and separate its items with ','"
		mapHint     = "the flow mapping opened by this '{' is not closed: close it with '}', and separate its entries with ','"
	)
	cases := []struct {
		name      string
		in        string
		line, col int
		msg, hint string
	}{{
		// yaml.v3: "line 9" (the 0-based line of the list's first item).
		name: "key indented less than its siblings, deep in a list",
		in: text(`
# shared configuration
repository:
  url: https://github.com/acme/shared
sealing:
  scope: strict
certificate: certs/sealed-secrets.pem
# runtimes
runtimes:
  - name: prod
    namespace: prod
    users: [alice]
    clusters:
      - {name: in-cluster, server: https://kubernetes.default.svc}
   clusters: []
`),
		line: 14, col: 4,
		msg: "did not find expected '-' indicator", hint: indentHint,
	}, {
		name: "top-level key indented by one space",
		in:   "repository:\n  url: https://github.com/acme/shared\n runtimes: []\n",
		line: 3, col: 2,
		msg: "did not find expected key", hint: indentHint,
	}, {
		name: "key indented deeper than its siblings",
		in:   "repository:\n  url: https://github.com/acme/shared\n    revision: main\nruntimes: []\n",
		line: 3, col: 13,
		msg: "mapping values are not allowed in this context", hint: mappingHint,
	}, {
		name: "mapping key in a list item not indented under it",
		in:   "runtimes:\n  - name: a\n  namespace: b\n",
		line: 3, col: 3,
		msg: "did not find expected '-' indicator", hint: indentHint,
	}, {
		// yaml.v3: "line 4", one line before the '['.
		name: "flow list not closed, followed by more items",
		in:   "repository:\n  url: https://github.com/acme/shared\nruntimes:\n  - name: a\n    users: [b, c\n  - name: d\n",
		line: 5, col: 12,
		msg: "did not find expected ',' or ']'", hint: listHint,
	}, {
		name: "flow list not closed at the end of the file",
		in:   "repository:\n  url: https://github.com/acme/shared\nruntimes: [{name: prod, namespace: prod}\n",
		line: 3, col: 11,
		msg: "did not find expected ',' or ']'", hint: listHint,
	}, {
		// yaml.v3: no line at all.
		name: "flow mapping not closed on the first line",
		in:   "repository: {url: https://github.com/acme/shared\nruntimes: []\n",
		line: 1, col: 13,
		msg: "did not find expected ',' or '}'", hint: mapHint,
	}, {
		name: "mapping value inside a plain scalar",
		in:   "repository:\n  url: https://github.com/acme/shared: x\nruntimes: []\n",
		line: 2, col: 38,
		msg: "mapping values are not allowed in this context", hint: mappingHint,
	}, {
		// yaml.v3: no line at all.
		name: "mapping value on the first line",
		in:   "repository: a: b\n",
		line: 1, col: 14,
		msg: "mapping values are not allowed in this context", hint: mappingHint,
	}, {
		name: "unterminated quoted string",
		in:   "repository:\n  url: https://github.com/acme/shared\nruntimes:\n  - name: a\n    namespace: \"a\n    users: [b]\n",
		line: 5, col: 16,
		msg: "found unexpected end of stream", hint: "the string quoted from here is never closed: add the closing \"",
	}, {
		name: "tab used for indentation",
		in:   "repository:\n  url: https://github.com/acme/shared\nruntimes:\n\t- name: prod\n",
		line: 4, col: 1,
		msg: "found character that cannot start any token", hint: "indent with spaces: YAML does not allow tabs in indentation",
	}, {
		name: "value starting with a reserved character",
		in:   "repository:\n  url: @acme\n",
		line: 2, col: 8,
		msg: "found character that cannot start any token", hint: "YAML reserves @ at the start of a value: quote the value",
	}, {
		name: "key without its colon",
		in:   "runtimes:\n  - name: a\n    namespace b\n    users: []\n",
		line: 3, col: 5,
		msg: "could not find expected ':'", hint: "a key needs ': ' after it; a value that goes on over several lines must be quoted",
	}, {
		// yaml.v3: no line at all.
		name: "alias to an anchor that does not exist",
		in:   "repository:\n  url: https://github.com/acme/shared\nruntimes:\n  - name: a\n    namespace: *nope\n",
		line: 5, col: 16,
		msg: "unknown anchor 'nope' referenced", hint: "define the anchor (&name) before the alias (*name) that uses it, or write the value out",
	}, {
		name: "document end marker only",
		in:   "...\n",
		line: 1, col: 1,
		msg: "did not find expected node content", hint: "fix the YAML syntax at that position",
	}, {
		name: "CRLF line breaks count like LF",
		in:   "repository:\r\n  url: https://github.com/acme/shared\r\n runtimes: []\r\n",
		line: 3, col: 2,
		msg: "did not find expected key", hint: indentHint,
	}, {
		name: "columns count characters, not bytes",
		in:   "repository:\n  url: é: x\n",
		line: 2, col: 9,
		msg: "mapping values are not allowed in this context", hint: mappingHint,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := []Problem{{
				File:     testFile,
				Position: Position{Line: tc.line, Column: tc.col},
				Message:  "invalid YAML: " + tc.msg,
				Hint:     tc.hint,
			}}
			if diff := cmp.Diff(want, parseProblems(t, tc.in)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSyntaxErrorNotFoundAgain: an error whose message yaml.v3 does not
// give again on the input (another parser's) keeps its line, without a
// column.
func TestSyntaxErrorNotFoundAgain(t *testing.T) {
	pos, msg, hint := SyntaxError([]byte("a: 1\nb: 2\nc: 3\n"), errors.New("yaml: line 3: some other parser's complaint"))
	if pos != (Position{Line: 3}) || msg != "some other parser's complaint" || hint != "fix the YAML syntax at that position" {
		t.Errorf("SyntaxError = %+v, %q, %q", pos, msg, hint)
	}
}
