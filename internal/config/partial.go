package config

import (
	"bytes"
	"slices"
	"unicode/utf8"
)

// ParseRuntimes is Parse for a command that works on the named runtimes
// only (sealing one token): its cost does not grow with the number of
// other runtimes in data. Every section but runtimes is read and checked in
// full; of the runtimes list, only the entries whose text contains one of
// the names are, the others are cut out before the YAML parse (positions are
// then moved back to the file's lines). Checks
// across runtimes (unique names, namespaces, Application names) then see
// only those entries; `rtconf validate` and `rtconf generate` check the
// whole file.
//
// Whenever the shortcut cannot answer exactly as Parse would, Parse
// answers: a file not in the block layout rtconf writes (tabs, carriage
// returns, document markers, a flow-style or repeated runtimes key, an
// entry indented differently), any problem in the reduced document (so
// that problems and their field paths are Parse's own), and a name not
// found in it. The Config returned holds only the entries read: Partial
// reports it, and its positions of runtimes are by index in its Runtimes.
func ParseRuntimes(file string, data []byte, names ...string) (*Config, error) {
	if len(data) > MaxSize || !utf8.Valid(data) {
		return Parse(file, data)
	}
	reduced, cuts, ok := keepRuntimes(data, names)
	if !ok {
		return Parse(file, data)
	}
	cfg, err := parse(file, reduced)
	if err != nil {
		return Parse(file, data)
	}
	for _, name := range names {
		if _, ok := cfg.Runtime(name); !ok {
			return Parse(file, data)
		}
	}
	for _, m := range []map[string]Position{cfg.pos.keys, cfg.pos.values} {
		for ptr, pos := range m {
			m[ptr] = Position{Line: cuts.line(pos.Line), Column: pos.Column}
		}
	}
	cfg.partial = true
	return cfg, nil
}

// Partial reports a Config that ParseRuntimes read only in part: it holds
// only some of the file's runtimes, and must not be rendered as a whole.
func (c *Config) Partial() bool { return c != nil && c.partial }

// cut is lines left out of a reduced document: n lines of the file
// before the reduced document's line at.
type cut struct{ at, n int }

type cuts []cut

// line is the file's line of the reduced document's line l.
func (cs cuts) line(l int) int {
	out := l
	for _, c := range cs {
		if l >= c.at {
			out += c.n
		}
	}
	return out
}

// keepRuntimes returns data without the entries of its top-level runtimes
// list that mention none of names, and where it cut them; ok is false when
// the file's layout is not the plain block style this can split safely,
// or when no entry mentions a name. It costs one pass over data.
func keepRuntimes(data []byte, names []string) (out []byte, cs cuts, ok bool) {
	if len(names) == 0 || bytes.IndexByte(data, '\t') >= 0 || bytes.IndexByte(data, '\r') >= 0 {
		return nil, nil, false
	}
	// The list runs from the line after the runtimes key to the next line
	// in column 0 that is not a comment or an entry in column 0.
	var entries []int // the offsets where entries start
	key, end := -1, len(data)
	indent := -1 // the entries' indentation
	for p := 0; p < len(data); {
		next := len(data)
		if i := bytes.IndexByte(data[p:], '\n'); i >= 0 {
			next = p + i + 1
		}
		l := data[p:next]
		n := 0
		for n < len(l) && l[n] == ' ' {
			n++
		}
		body := l[n:]
		inList := key >= 0 && end == len(data)
		switch {
		case len(body) == 0 || body[0] == '\n' || body[0] == '#':
			// blank or a comment
		case n == 0 && !(inList && indent <= 0 && isEntry(body)):
			switch {
			case bytes.HasPrefix(l, []byte("---")) || bytes.HasPrefix(l, []byte("...")) || l[0] == '%':
				return nil, nil, false // document markers and directives
			case bytes.HasPrefix(l, []byte("runtimes:")):
				rest := bytes.TrimSpace(l[len("runtimes:"):])
				if key >= 0 || (len(rest) > 0 && rest[0] != '#') {
					return nil, nil, false // repeated, or not a block sequence
				}
				key = next
			case inList:
				end = p
			}
		case !inList:
		case indent < 0 && isEntry(body):
			indent = n
			entries = append(entries, p)
		case n == indent && isEntry(body):
			entries = append(entries, p)
		case indent >= 0 && n > indent:
		default:
			return nil, nil, false // indented unlike rtconf's layout
		}
		p = next
	}
	if key < 0 || len(entries) == 0 {
		return nil, nil, false
	}
	entries = append(entries, end)
	out = append(make([]byte, 0, 4096), data[:entries[0]]...)
	line := 1 + bytes.Count(out, []byte("\n")) // the next line of out
	pending := 0                               // lines cut since the last kept
	for i := 0; i+1 < len(entries); i++ {
		e := data[entries[i]:entries[i+1]]
		if !mentions(e, names) {
			pending += bytes.Count(e, []byte("\n"))
			continue
		}
		if pending > 0 {
			cs = append(cs, cut{at: line, n: pending})
			pending = 0
		}
		out = append(out, e...)
		line += bytes.Count(e, []byte("\n"))
		ok = true
	}
	if pending > 0 {
		cs = append(cs, cut{at: line, n: pending})
	}
	return append(out, data[end:]...), cs, ok
}

// isEntry reports a line (without its indentation) that starts an entry of
// a block sequence.
func isEntry(body []byte) bool {
	return body[0] == '-' && (len(body) == 1 || body[1] == ' ' || body[1] == '\n')
}

func mentions(entry []byte, names []string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return bytes.Contains(entry, []byte(n)) })
}
