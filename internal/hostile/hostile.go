// Package hostile holds, for tests, text that a pull request's author
// might put into a repository to attack whoever prints it (a CI runner
// reading workflow commands, a terminal, a Markdown job summary), and the
// checks that printed output resisted it.
package hostile

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"

	"github.com/rtconf/rtconf/internal/testcreds"
)

// Seed is the part of Token that is looked for in output.
const Seed = "HOSTILEcanaryHOSTILE"

// Secret is the password of URL, looked for in output.
const Secret = "pa55w0rd-in-url"

// Token is a token-shaped canary, built at run time.
func Token() string { return testcreds.Classic(Seed) }

// URL is a Git remote URL with credentials.
func URL() string { return "https://robot:" + Secret + "@github.com/example-org/shared-config.git" }

// Text is every attack in one string, line ends included.
func Text() string {
	return strings.Join(parts(), "\n")
}

// YAMLText is Text without what YAML cannot carry even escaped (see
// ForYAML): the attacks a value in a YAML file can hold.
func YAMLText() string { return ForYAML(Text()) }

// ForYAML drops from s what YAML cannot carry even escaped: C0 controls
// but tab, line feed and carriage return; DEL; C1 controls but next-line;
// invalid UTF-8.
func ForYAML(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u0085':
			return r
		case r < 0x20 || r >= 0x7f && r <= 0x9f || r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
}

// Name is a shorter attack that can be a file name (no '/', no NUL, well
// under 255 bytes): a line end and a command, the legacy prefix, escape
// and bidi characters, a link, a token.
func Name() string {
	return "a\n  ::error::n ##[group] \x1b[2J\u202e\u200b [x](https:\u2215\u2215evil.example) www.evil.example " + Token()
}

func parts() []string {
	return []string{
		"::set-output name=pwned::1",
		"  ::error file=x::indented command",
		"\t::warning::after a tab",
		"\u00a0\u3000::notice::after unicode spaces",
		"\u200b::debug::after a zero-width space",
		"\ufeff::add-mask::after a byte order mark",
		"x\r::error::after a carriage return",
		"x\u2028::error::after a line separator",
		"x\u0085::error::after a next-line control",
		"legacy ##[error]command and #\u200d#[group]joined",
		"colour \x1b[31mred\x1b[0m, title \x1b]0;owned\x07, clear \x1b[2J, csi \u009b2J",
		"bidi \u202eevil\u202c and \u2066isolate\u2069, bell \a, nul \x00, del \x7f",
		"invalid \xff\xfe utf-8",
		"[click](https://evil.example/a) ![img](https://evil.example/i.png) <https://evil.example/b>",
		"<a href=\"https://evil.example/c\">html</a> <img src=x onerror=alert(1)> &lt;entity&gt;",
		"bare https://evil.example/d and www.evil.example and mail me@evil.example and mailto:me@evil.example",
		"[ref]: https://evil.example/e",
		"a token " + Token() + " and a remote " + URL(),
	}
}

// gitHubCommand is a workflow command the github format writes itself.
var gitHubCommand = regexp.MustCompile(`^::(` +
	`(error|warning|notice) (file=[^:,]*,(line=\d+,(col=\d+,)?)?)?title=[^:,]*::.*` +
	`|notice::\d+ of \d+ findings were not annotated .*` +
	`|stop-commands::rtconf-[0-9a-f]{32}` +
	`|rtconf-[0-9a-f]{32}::)$`)

// IsGitHubCommand tells a line that the github format writes itself: an
// annotation, whose properties hold no ':' or ',' and whose message no
// line end; stop-commands and its end token; the closing notice.
func IsGitHubCommand(line string) bool { return gitHubCommand.MatchString(line) }

// CheckLog fails tb when out holds something the GitHub runner or a
// terminal would act on: a line that starts with "::" after white space
// or invisible characters, "##[", a control, format or separator
// character (tab and line feed aside; joiners aside), invalid UTF-8, or a
// canary. Lines that isCommand accepts (when it is not nil) may start
// with "::".
func CheckLog(tb testing.TB, where string, out []byte, isCommand func(line string) bool) {
	tb.Helper()
	CheckNoSecret(tb, where, out)
	if !utf8.Valid(out) {
		tb.Errorf("%s: invalid UTF-8:\n%q", where, out)
	}
	for _, r := range string(out) {
		if forbidden(r) {
			tb.Errorf("%s: holds %U:\n%q", where, r, out)
			break
		}
	}
	for _, line := range strings.Split(string(out), "\n") {
		visible := strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Cf, r) {
				return -1
			}
			return r
		}, line)
		if strings.Contains(visible, "##[") {
			tb.Errorf("%s: a line holds ##[: %q", where, line)
		}
		if strings.HasPrefix(strings.TrimLeftFunc(visible, unicode.IsSpace), "::") && (isCommand == nil || !isCommand(line)) {
			tb.Errorf("%s: a line starts with ::, a workflow command: %q", where, line)
		}
	}
}

// CheckNoSecret fails tb when out holds the token canary (in full, its
// seed in any case) or the URL's password.
func CheckNoSecret(tb testing.TB, where string, out []byte) {
	tb.Helper()
	lower := bytes.ToLower(out)
	for _, s := range []string{Token(), Seed, Secret} {
		if bytes.Contains(lower, []byte(strings.ToLower(s))) {
			tb.Errorf("%s: holds %q:\n%s", where, s, out)
		}
	}
}

func forbidden(r rune) bool {
	switch {
	case r == '\n' || r == '\t' || r == '\u200c' || r == '\u200d':
		return false
	case r == 0xfffe || r == 0xffff || r == '\u2028' || r == '\u2029':
		return true
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// CheckMarkdown fails tb when the GitHub-flavoured Markdown md renders
// (tables, autolinks, raw HTML allowed, as in a job summary) with a link,
// an image or any element or attribute a summary of rtconf's has no use
// for.
func CheckMarkdown(tb testing.TB, where string, md []byte) {
	tb.Helper()
	CheckLog(tb, where, md, nil)
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	var out bytes.Buffer
	if err := gm.Convert(md, &out); err != nil {
		tb.Fatalf("%s: render: %v", where, err)
	}
	allowed := map[string]bool{"h2": true, "p": true, "table": true, "thead": true, "tbody": true, "tr": true,
		"th": true, "td": true, "br": true, "code": true, "em": true, "strong": true}
	z := html.NewTokenizer(bytes.NewReader(out.Bytes()))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if !allowed[string(name)] {
				tb.Errorf("%s: renders with <%s>:\n%s\nfrom:\n%s", where, name, out.String(), md)
				return
			}
			for hasAttr {
				var key, val []byte
				key, val, hasAttr = z.TagAttr()
				if !(string(key) == "align" || string(key) == "style" && strings.HasPrefix(string(val), "text-align:")) {
					tb.Errorf("%s: renders <%s> with attribute %s:\n%s\nfrom:\n%s", where, name, key, out.String(), md)
					return
				}
			}
		case html.CommentToken:
			tb.Errorf("%s: renders with a comment (raw HTML):\n%s", where, out.String())
			return
		}
	}
}
