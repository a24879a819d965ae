// Package jsonpointer handles the JSON pointers (RFC 6901) that schema
// validation reports, and renders them as the field paths users read.
package jsonpointer

import (
	"strconv"
	"strings"
)

// Escape escapes one reference token.
func Escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// Unescape undoes Escape.
func Unescape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// Split returns the unescaped reference tokens of a pointer; none for ""
// or "/".
func Split(ptr string) []string {
	if ptr == "" || ptr == "/" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		toks[i] = Unescape(t)
	}
	return toks
}

// FieldPath renders a pointer as a field path: "/runtimes/0/name" becomes
// "runtimes[0].name".
func FieldPath(ptr string) string {
	var b strings.Builder
	for _, tok := range Split(ptr) {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}
