// Package safetext makes text safe to print where rtconf prints it: a
// terminal, a CI log that the GitHub runner reads for workflow commands, a
// Markdown job summary or issue. Much of what rtconf prints quotes the
// repository (file names, keys, object names, errors quoting a value),
// which a pull request's author controls, and some of it quotes the
// command line, where a user may have pasted a token.
//
// What comes out of Text, Line, Markdown and a Writer:
//
//   - holds no token-shaped value (token.Find): each is token.Redacted;
//   - shows URLs without their userinfo (https://user:pass@host/ becomes
//     https://host/);
//   - holds no control character but line feed and tab (and, in Line, not
//     those), no format character that hides or reorders text (bidi
//     overrides and isolates, zero-width spaces, the byte order mark) and
//     no line or paragraph separator: each is written as an escape,
//     \r or \uXXXX, which JSON reads back as the same character, so JSON
//     passed through stays valid and means the same; invalid UTF-8
//     becomes U+FFFD;
//   - starts no line with ":" after white space, so that the runner takes
//     no line for a "::command::" (a backslash is put before the colon),
//     and holds no "##[", the legacy command prefix (its "[" is written
//     \u005b).
//
// The same rules apply everywhere, so the one function to use for a
// string from the repository is Text (or Line for one line), and every
// stream rtconf prints goes through a Writer.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rtconf/rtconf/internal/token"
)

// Text makes s safe to print as one or more lines.
func Text(s string) string { return clean(s, Options{}, false) }

// Line makes s safe to print within one line: line feeds, carriage
// returns and tabs are escaped too (\n, \r, \t).
func Line(s string) string { return clean(s, Options{}, true) }

// clean applies every rule to s as a whole.
func clean(s string, o Options, oneLine bool) string {
	var b strings.Builder
	st := lineState{atStart: true}
	st.write(&b, redact(s), o, oneLine)
	return b.String()
}

// redact removes URLs' userinfo, then token-shaped values.
func redact(s string) string { return token.Redact(StripUserinfo(s)) }

// lineState is what the rules need to know of the text before: whether
// the line so far holds only white space, and how many '#' just precede.
type lineState struct {
	atStart bool
	hashes  int
}

// write appends s to b under the rules, s being already redacted.
func (st *lineState) write(b *strings.Builder, s string, o Options, oneLine bool) {
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if plainByte(s[i]) {
			// Most text: printable ASCII that no rule looks at.
			j := i + 1
			for j < len(s) && plainByte(s[j]) {
				j++
			}
			b.WriteString(s[i:j])
			st.atStart = st.atStart && strings.TrimLeft(s[i:j], " ") == ""
			st.hashes = 0
			i = j
			continue
		}
		if o.Color && s[i] == 0x1b {
			if n := sgrLen(s[i:]); n > 0 {
				b.WriteString(s[i : i+n])
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\n' && !oneLine:
			b.WriteByte('\n')
			st.atStart, st.hashes = true, 0
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
			st.atStart, st.hashes = false, 0
		case escaped(r) || oneLine && (r == '\n' || r == '\t'):
			writeEscape(b, r)
			st.atStart, st.hashes = false, 0
		case r == zwnj || r == zwj:
			// Joiners are needed in some scripts and emoji; they are
			// invisible, so they change neither rule's state.
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteRune(r)
			st.hashes = 0
		case r == ':' && st.atStart && !o.Commands:
			b.WriteString(`\:`)
			st.atStart = false
		case r == '[' && st.hashes >= 2:
			b.WriteString(`\u005b`)
			st.atStart, st.hashes = false, 0
		case r == '#':
			b.WriteByte('#')
			st.atStart = false
			st.hashes++
		default:
			b.WriteRune(r)
			st.atStart, st.hashes = false, 0
		}
	}
}

// plainByte tells the printable ASCII characters that no rule but "white
// space keeps the line's start" looks at.
func plainByte(c byte) bool {
	return c >= 0x20 && c < 0x7f && c != ':' && c != '[' && c != '#'
}

const (
	zwnj = '\u200c'
	zwj  = '\u200d'
)

// escaped tells the characters that are never printed as they are: C0
// controls but tab and line feed, DEL, C1 controls, format characters
// (bidi controls, zero-width space, byte order mark, …) but the joiners,
// the line and paragraph separators and the noncharacters U+FFFE and
// U+FFFF, which XML does not allow.
func escaped(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == zwnj || r == zwj:
		return false
	case r < 0x20 || r >= 0x7f && r <= 0x9f:
		return true
	case r == '\u2028' || r == '\u2029' || r == 0xfffe || r == 0xffff:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// writeEscape writes r as an escape that JSON reads back as r: \r, \n,
// \t, or \uXXXX (a surrogate pair beyond the BMP).
func writeEscape(b *strings.Builder, r rune) {
	switch r {
	case '\r':
		b.WriteString(`\r`)
	case '\n':
		b.WriteString(`\n`)
	case '\t':
		b.WriteString(`\t`)
	default:
		if r > 0xffff {
			r -= 0x10000
			fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			return
		}
		fmt.Fprintf(b, `\u%04x`, r)
	}
}

// sgrLen is the length of the ANSI colour sequence rtconf writes itself
// at the start of s (reset, bold, red, green, yellow, cyan), or 0.
func sgrLen(s string) int {
	for _, seq := range [...]string{"\x1b[0m", "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[36m"} {
		if strings.HasPrefix(s, seq) {
			return len(seq)
		}
	}
	return 0
}

// StripUserinfo removes the userinfo (user:password@) of every URL in s.
// A URL is taken to be a scheme, "://", then an authority that ends at
// '/', '?', '#', white space or a quote; its userinfo is everything up to
// the authority's last '@'.
func StripUserinfo(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		start := i + len("://")
		if !hasScheme(rest[:i]) {
			b.WriteString(rest[:start])
			rest = rest[start:]
			continue
		}
		end := start + strings.IndexFunc(rest[start:], endsAuthority)
		if end < start {
			end = len(rest)
		}
		b.WriteString(rest[:start])
		if at := strings.LastIndexByte(rest[start:end], '@'); at >= 0 {
			start += at + 1
		}
		b.WriteString(rest[start:end])
		rest = rest[end:]
	}
	b.WriteString(rest)
	return b.String()
}

// hasScheme tells whether before ends with what may be a URL scheme:
// letters, digits, '+', '-' or '.', a letter among them. (Text that
// precedes a scheme without white space, as "%20" in an escaped path, is
// taken as part of it: the rule errs on the side of stripping.)
func hasScheme(before string) bool {
	for j := len(before) - 1; j >= 0; j-- {
		c := before[j]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			return true
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
		default:
			return false
		}
	}
	return false
}

func endsAuthority(r rune) bool {
	return strings.ContainsRune("/?#\"'`<>\\", r) || unicode.IsSpace(r) || unicode.IsControl(r)
}
