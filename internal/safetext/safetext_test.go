package safetext_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/hostile"
	"github.com/rtconf/rtconf/internal/safetext"
	"github.com/rtconf/rtconf/internal/token"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "generated files differ: 2 changed", "generated files differ: 2 changed"},
		{"command at the start", "::set-output name=x::y", `\::set-output name=x::y`},
		{"command on a later line", "a\n   ::error::x", "a\n   \\::error::x"},
		{"colon mid-line", "key: value :: x", "key: value :: x"},
		{"after a zero-width space", "\u200b::x", `\u200b::x`},
		{"after a joiner", "\u200d::x", "\u200d\\::x"},
		{"after unicode spaces", "\u00a0\u3000::x", "\u00a0\u3000\\::x"},
		{"legacy command", "a ##[group] b", `a ##\u005bgroup] b`},
		{"legacy through a joiner", "#\u200d#[x", "#\u200d#\\u005bx"},
		{"one hash", "#[x] ##x", "#[x] ##x"},
		{"escape sequences", "\x1b[31mred\x1b[0m \x1b]0;t\x07", `\u001b[31mred\u001b[0m \u001b]0;t\u0007`},
		{"carriage return", "a\r::b", `a\r::b`},
		{"C1 and DEL", "\u009b2J \u0085 \x7f", `\u009b2J \u0085 \u007f`},
		{"bidi", "\u202eabc\u202c \u2066x\u2069 \u200f", `\u202eabc\u202c \u2066x\u2069 \u200f`},
		{"separators", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"beyond the BMP", "tag \U000e0041", `tag \udb40\udc41`},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
		{"tab and emoji kept", "a\tb 👩‍💻 ü", "a\tb 👩‍💻 ü"},
		{"userinfo", "push to https://robot:pw@github.com/o/r failed", "push to https://github.com/o/r failed"},
		{"userinfo, quoted", `remote "ssh://git@host:22/r"`, `remote "ssh://host:22/r"`},
		{"URL without userinfo", "see https://github.com/o/r?q=a@b", "see https://github.com/o/r?q=a@b"},
		{"not a URL", "a :// b, x@y", "a :// b, x@y"},
		{"token", "token " + hostile.Token(), "token " + token.Redacted},
		{"token in a URL", "https://x:" + hostile.Token() + "@h/", "https://h/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := safetext.Text(tt.in); got != tt.want {
				t.Errorf("Text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if again := safetext.Text(safetext.Text(tt.in)); again != safetext.Text(tt.in) {
				t.Errorf("Text is not idempotent: %q", again)
			}
		})
	}
}

func TestLine(t *testing.T) {
	if got, want := safetext.Line("a\nb\tc\r::d"), `a\nb\tc\r::d`; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	if got := safetext.Line(hostile.Text()); strings.Contains(got, "\n") || strings.Contains(got, "\t") {
		t.Errorf("Line kept a line end or tab: %q", got)
	}
}

func TestHostile(t *testing.T) {
	hostile.CheckLog(t, "Text", []byte(safetext.Text(hostile.Text())), nil)
	hostile.CheckLog(t, "Line", []byte(safetext.Line(hostile.Text())), nil)
	hostile.CheckMarkdown(t, "Markdown", []byte("| a |\n| --- |\n| "+safetext.Markdown(hostile.Text())+" |\n"))
	hostile.CheckMarkdown(t, "MarkdownCode", []byte("| a |\n| --- |\n| "+safetext.MarkdownCode(hostile.Text()+"`` `")+" |\n"))
	hostile.CheckMarkdown(t, "Markdown paragraph", []byte(safetext.Markdown(hostile.Text())+"\n"))
}

// TestChecksCanFail: the checks catch what they are for.
func TestChecksCanFail(t *testing.T) {
	for name, raw := range map[string]string{
		"command":  "ok\n  ::error::x\n",
		"legacy":   "a ##[group]\n",
		"escape":   "a \x1b[2J\n",
		"bidi":     "a \u202e\n",
		"token":    hostile.Token(),
		"password": hostile.URL(),
	} {
		ft := &fakeT{}
		hostile.CheckLog(ft, name, []byte(raw), nil)
		if !ft.failed {
			t.Errorf("CheckLog passed %s: %q", name, raw)
		}
	}
	for _, md := range []string{"[x](https://e.example)", "https://e.example", "www.e.example", "me@e.example", "<b>x</b>", "![i](x.png)"} {
		ft := &fakeT{}
		hostile.CheckMarkdown(ft, "md", []byte(md+"\n"))
		if !ft.failed {
			t.Errorf("CheckMarkdown passed %q", md)
		}
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }

func TestMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"see https://evil.example/x", `see https\[:\]//evil.example/x`},
		{"www.evil.example and awww.x", `www\[.\]evil.example and awww.x`},
		{"me@evil.example, @alice", `me\[@\]evil.example, @alice`},
		{"MAILTO:x", `MAILTO\[:\]x`},
		{"[x](y) <b> a|b", `\[x\](y) \<b\> a\|b`},
		{"two\r\nlines", "two<br>lines"},
	}
	for _, tt := range tests {
		if got := safetext.Markdown(tt.in); got != tt.want {
			t.Errorf("Markdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]string{"a": "`a`", "a`b": "``a`b``", "`x": "`` `x ``", "a|b": "`a\\|b`"} {
		if got := safetext.MarkdownCode(in); got != want {
			t.Errorf("MarkdownCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriterAnySplit: written in two parts, split anywhere, the text comes
// out as Text makes it.
func TestWriterAnySplit(t *testing.T) {
	in := hostile.Text() + "\n"
	want := safetext.Text(in)
	for i := 0; i <= len(in); i++ {
		var b bytes.Buffer
		w := safetext.NewWriter(&b, safetext.Options{})
		if _, err := w.Write([]byte(in[:i])); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(in[i:])); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Fatalf("split at %d:\n got %q\nwant %q", i, b.String(), want)
		}
	}
}

// TestWriterHoldsBackOnlyTheLastWord: a prompt is shown at once, a token
// cut across writes is still found.
func TestWriterHoldsBackOnlyTheLastWord(t *testing.T) {
	var b bytes.Buffer
	w := safetext.NewWriter(&b, safetext.Options{})
	tok := hostile.Token()
	_, _ = w.Write([]byte("Paste the token: "))
	if b.String() != "Paste the token: " {
		t.Errorf("prompt held back: %q", b.String())
	}
	_, _ = w.Write([]byte("bad " + tok[:10]))
	_, _ = w.Write([]byte(tok[10:] + "\n"))
	if want := "Paste the token: bad " + token.Redacted + "\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestWriterOptions(t *testing.T) {
	var b bytes.Buffer
	w := safetext.NewWriter(&b, safetext.Options{Color: true})
	_, _ = w.Write([]byte("\x1b[1mbold\x1b[0m \x1b[2J\n::error::x\n"))
	_, _ = w.With(safetext.Options{Commands: true}).Write([]byte("::error::ours ##[x\n"))
	_ = w.Flush()
	want := "\x1b[1mbold\x1b[0m \\u001b[2J\n\\::error::x\n::error::ours ##\\u005bx\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// TestWriterKeepsJSON: JSON through a Writer stays valid and decodes to
// the same value, but for tokens and userinfo, which are gone.
func TestWriterKeepsJSON(t *testing.T) {
	in := map[string]string{"message": hostile.Text()}
	data, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := safetext.NewWriter(&b, safetext.Options{})
	_, _ = w.Write(data)
	_ = w.Flush()
	hostile.CheckLog(t, "json", b.Bytes(), nil)
	var out map[string]string
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatalf("not JSON any more: %v\n%s", err, b.Bytes())
	}
	// JSON holds UTF-8 only: each invalid byte comes back as U+FFFD.
	valid := strings.Map(func(r rune) rune { return r }, hostile.Text())
	want := token.Redact(safetext.StripUserinfo(valid))
	if out["message"] != want {
		t.Errorf("decoded\n%q\nwant\n%q", out["message"], want)
	}
}
