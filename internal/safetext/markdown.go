package safetext

import (
	"strings"
	"unicode/utf8"
)

// Markdown makes s safe as inline text of GitHub-flavoured Markdown,
// table cells included: Text's rules, then line ends become <br>, every
// character that could start markup, HTML, an entity or maths, or end a
// cell, is backslash-escaped (CommonMark allows it for any ASCII
// punctuation), and what an autolinker would turn into a link is defanged
// the way security reports do: "https[:]//host", "www[.]host",
// "user[@]host.example", "mailto[:]…". No text that went through Markdown
// renders as a link, an image or HTML.
func Markdown(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return markdownEscaper.Replace(defang(Text(s)))
}

var markdownEscaper = strings.NewReplacer(
	"\n", "<br>",
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`, "!", `\!`,
	"[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "&", `\&`, "|", `\|`, "$", `\$`,
)

// MarkdownCode writes s as a Markdown code span, safe in a table cell:
// Line's rules, a fence of more backticks than s holds in a row, and '|'
// escaped as a table requires. Nothing in a code span is a link.
func MarkdownCode(s string) string {
	s = Line(s)
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(s, "|", `\|`) + fence
}

// defang breaks what GitHub would autolink: a scheme's "://", "mailto:"
// and "xmpp:", "www." at the start of a word, and the '@' of an e-mail
// address. The brackets it adds are escaped afterwards.
func defang(s string) string {
	if !strings.ContainsAny(s, ":@.") {
		return s
	}
	var b strings.Builder
	lower := strings.ToLower(s)
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "://"):
			b.WriteString("[:]//")
			i += 3
			continue
		case s[i] == ':' && (strings.HasSuffix(lower[:i], "mailto") || strings.HasSuffix(lower[:i], "xmpp")):
			b.WriteString("[:]")
			i++
			continue
		case strings.HasPrefix(lower[i:], "www.") && (i == 0 || !isWordByte(s[i-1])):
			b.WriteString(s[i:i+3] + "[.]")
			i += 4
			continue
		case s[i] == '@' && i > 0 && isLocalByte(s[i-1]) && hasDomain(s[i+1:]):
			b.WriteString("[@]")
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}

// isLocalByte tells the characters of an e-mail address's local part as
// GitHub's autolinker reads them.
func isLocalByte(c byte) bool { return isWordByte(c) || strings.IndexByte(".+-_", c) >= 0 }

// hasDomain tells whether s starts with a domain an autolinker would take:
// a label of letters, digits, '-' or '_', a '.', and another label.
func hasDomain(s string) bool {
	label := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isWordByte(c) || c == '-' || c == '_':
			label++
		case c == '.' && label > 0 && i+1 < len(s) && (isWordByte(s[i+1]) || s[i+1] == '-' || s[i+1] == '_'):
			return true
		default:
			return false
		}
	}
	return false
}
