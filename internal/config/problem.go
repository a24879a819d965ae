package config

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/rtconf/rtconf/internal/token"
)

// Position is a place in a file: 1-based line and column, zero when unknown.
type Position struct {
	Line   int
	Column int
}

// Problem is one thing wrong with a configuration file.
type Problem struct {
	File string
	Position
	// Field is the path of the offending value, e.g. "runtimes[1].name";
	// empty for problems with the file as a whole.
	Field   string
	Message string
	// Hint says how to fix it.
	Hint string
}

// String renders a problem as "file:line:column: field: message".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// redacted is p with every token-shaped value in its text replaced.
func (p Problem) redacted() Problem {
	p.File = token.RedactDeep(p.File)
	p.Field = token.RedactDeep(p.Field)
	p.Message = token.RedactDeep(p.Message)
	p.Hint = token.RedactDeep(p.Hint)
	return p
}

// Error is returned by Load when the configuration has problems. It lists
// every problem found, in file order.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
		if p.Hint != "" {
			b.WriteString("\n\thint: ")
			b.WriteString(p.Hint)
		}
	}
	return b.String()
}

// quoteValue quotes a value for a message. A value that looks like a URL is
// shown without credentials and query, which may hold a token.
func quoteValue(s string) string {
	if strings.Contains(s, "://") || strings.Contains(s, "@") {
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			return quoteURL(u)
		}
		return "(the URL)"
	}
	return fmt.Sprintf("%q", s)
}
