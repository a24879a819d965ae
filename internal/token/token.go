// Package token reads Git tokens and checks their format offline. A Token
// never prints its value: every fmt verb, JSON and errors show a redacted
// form, so a token cannot leak into output or logs by accident.
package token

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Kind is what sort of GitHub token a value is, told from its prefix.
type Kind string

// The kinds of token.
const (
	// Classic is a classic personal access token (ghp_…, or a legacy
	// 40-hex-digit token).
	Classic Kind = "classic"
	// FineGrained is a fine-grained personal access token (github_pat_…).
	FineGrained Kind = "fine-grained"
	// Other is another GitHub token: OAuth (gho_), user-to-server (ghu_),
	// server-to-server (ghs_) or refresh (ghr_).
	Other Kind = "other"
)

// maxLength is the longest token GitHub says to expect.
const maxLength = 255

// Token is a secret value. Reveal is the only way to read it. The value
// sits behind a pointer so that fmt, which cannot call Format on a Token
// held in an unexported field, prints an address rather than the value.
type Token struct {
	v    *secret
	kind Kind
}

type secret struct{ value string }

// Reveal returns the token's value, for the one place that must send or
// encrypt it.
func (t Token) Reveal() string {
	if t.v == nil {
		return ""
	}
	return t.v.value
}

// Kind returns the kind of token.
func (t Token) Kind() Kind { return t.kind }

// Fingerprint is a short SHA-256 fingerprint: enough to tell two tokens
// apart, useless for recovering one.
func (t Token) Fingerprint() string {
	sum := sha256.Sum256([]byte(t.Reveal()))
	return "sha256:" + hex.EncodeToString(sum[:6])
}

// String redacts the token.
func (t Token) String() string {
	if t.Reveal() == "" {
		return "token(none)"
	}
	return fmt.Sprintf("token(%s, %s)", t.kind, t.Fingerprint())
}

// GoString redacts the token under %#v too.
func (t Token) GoString() string { return t.String() }

// Format redacts the token under every verb.
func (t Token) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// MarshalText redacts the token in JSON, YAML and other encodings.
func (t Token) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// FormatError says what is wrong with a token's format. It never contains
// the token.
type FormatError struct {
	Reason string
}

func (e *FormatError) Error() string { return "the token " + e.Reason }

// Parse checks the format of a GitHub token and tells its kind. One
// trailing newline (as echo and most editors write) is dropped.
func Parse(value string) (Token, error) {
	value = strings.TrimSuffix(value, "\n")
	value = strings.TrimSuffix(value, "\r")
	if value == "" {
		return Token{}, &FormatError{Reason: "is empty; pass it on standard input, with --token-file FILE or with --token-env VAR"}
	}
	if strings.TrimSpace(value) == "" {
		return Token{}, &FormatError{Reason: "is only whitespace"}
	}
	if i := strings.IndexFunc(value, isSpace); i >= 0 {
		return Token{}, &FormatError{Reason: fmt.Sprintf("contains whitespace at character %d; pass exactly one token", i+1)}
	}
	if len(value) > maxLength {
		return Token{}, &FormatError{Reason: fmt.Sprintf("is longer than %d characters, the most a GitHub token has", maxLength)}
	}
	kind, prefix, minLen, ok := classify(value)
	if !ok {
		return Token{}, &FormatError{Reason: "does not look like a GitHub token: expected a prefix ghp_ (classic), github_pat_ (fine-grained), gho_, ghu_, ghs_ or ghr_"}
	}
	if len(value) < minLen {
		return Token{}, &FormatError{Reason: fmt.Sprintf("is %d characters long, too short for a %s token (at least %d); was it cut off when copied?", len(value), prefix, minLen)}
	}
	for i, r := range value[len(prefix):] {
		if !isTokenChar(r) {
			return Token{}, &FormatError{Reason: fmt.Sprintf("contains a character that no GitHub token has, at character %d", len(prefix)+i+1)}
		}
	}
	return Token{v: &secret{value: value}, kind: kind}, nil
}

// classify tells a token's kind from its prefix, with the prefix and the
// shortest length GitHub issues for it.
func classify(v string) (kind Kind, prefix string, minLen int, ok bool) {
	switch {
	case strings.HasPrefix(v, "ghp_"):
		return Classic, "ghp_", 40, true
	case strings.HasPrefix(v, "github_pat_"):
		return FineGrained, "github_pat_", 93, true
	case strings.HasPrefix(v, "gho_"), strings.HasPrefix(v, "ghu_"), strings.HasPrefix(v, "ghs_"), strings.HasPrefix(v, "ghr_"):
		return Other, v[:4], 40, true
	case len(v) == 40 && isHex(v):
		return Classic, "legacy", 40, true
	}
	return "", "", 0, false
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

func isTokenChar(r rune) bool {
	return r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
}

func isHex(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// IsFormatError reports whether err is about a token's format.
func IsFormatError(err error) bool {
	var fe *FormatError
	return errors.As(err, &fe)
}
