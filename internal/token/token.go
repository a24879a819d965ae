// Package token holds Git tokens: reading one from a file, the environment
// or standard input, and finding token-shaped text in output and files.
// Each Git host's provider (internal/forge/…) checks its own tokens'
// shapes and makes Tokens with New. A Token
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

// Kind is what sort of token a value is, as its Git host's provider
// (internal/forge/…) tells it from the value's shape: "classic",
// "fine-grained", … The names are the provider's; they are written to the
// sealed secret's annotations.
type Kind string

// MaxRead is the most Read reads of a token: more than any Git host's
// token, so that a longer value is refused by its provider's length rule
// rather than cut.
const MaxRead = 1024

// Token is a secret value. Reveal is the only way to read it. The value
// sits behind a pointer so that fmt, which cannot call Format on a Token
// held in an unexported field, prints an address rather than the value.
type Token struct {
	v    *secret
	kind Kind
	// account is the account a host needs beside the token to
	// authenticate its API (Bitbucket Cloud's API tokens: the Atlassian
	// account's e-mail address, for HTTP basic auth); "" for most.
	account string
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

// Account is the account the token authenticates the host's API with,
// beside the token itself ("" when the host needs none): not a secret, and
// not part of Reveal, which is what Git and Argo CD send as the password.
func (t Token) Account() string { return t.account }

// Credential is what the token was read as: ACCOUNT:TOKEN when it has an
// account, else the token. A provider's ParseToken takes it back, so a
// token parsed again keeps its account.
func (t Token) Credential() string {
	if t.account == "" {
		return t.Reveal()
	}
	return t.account + ":" + t.Reveal()
}

// Kind returns the kind of token.
func (t Token) Kind() Kind { return t.kind }

// Scrub replaces the token's value in msg with "[token]": for messages
// that may repeat what was sent with it (a transport error, a host's
// answer). Find and Redact catch the shapes of tokens; Scrub catches this
// one whatever its shape.
func (t Token) Scrub(msg string) string {
	if v := t.Reveal(); v != "" {
		msg = strings.ReplaceAll(msg, v, "[token]")
	}
	return msg
}

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

// New makes a token of a kind. Only a provider's ParseToken calls it, once
// it has checked value's shape.
func New(value string, kind Kind) Token {
	if value == "" {
		return Token{}
	}
	return Token{v: &secret{value: value}, kind: kind}
}

// NewWithAccount makes a token of a kind that authenticates the host's API
// together with account (see Account).
func NewWithAccount(value string, kind Kind, account string) Token {
	t := New(value, kind)
	if t.v != nil {
		t.account = account
	}
	return t
}

// Clean is the part of parsing that every Git host shares: one trailing
// newline (as echo and most editors write) is dropped, and an empty value,
// one of only whitespace, one with whitespace inside or one longer than
// maxLen (host names the host, for the message) is refused.
func Clean(value string, maxLen int, host string) (string, error) {
	value = strings.TrimSuffix(value, "\n")
	value = strings.TrimSuffix(value, "\r")
	if value == "" {
		return "", &FormatError{Reason: "is empty; pass it on standard input, with --token-file FILE or with --token-env VAR"}
	}
	if strings.TrimSpace(value) == "" {
		return "", &FormatError{Reason: "is only whitespace"}
	}
	if i := strings.IndexFunc(value, isSpace); i >= 0 {
		return "", &FormatError{Reason: fmt.Sprintf("contains whitespace at character %d; pass exactly one token", i+1)}
	}
	if len(value) > maxLen {
		return "", &FormatError{Reason: fmt.Sprintf("is longer than %d characters, the most a %s token has", maxLen, host)}
	}
	return value, nil
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// IsTokenChar tells whether r is one of the characters most Git hosts'
// tokens are made of: ASCII letters, digits and the underscore.
func IsTokenChar(r rune) bool {
	return r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
}

// IsFormatError reports whether err is about a token's format.
func IsFormatError(err error) bool {
	var fe *FormatError
	return errors.As(err, &fe)
}
