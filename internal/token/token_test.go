package token_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/token"
)

// alnum returns n token characters, different from one call to the next
// when seed differs, so that no two test tokens are equal.
func alnum(seed, n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[(seed*7+i*13)%len(chars)]
	}
	return string(b)
}

var (
	classic     = "ghp_" + alnum(1, 36)
	classic2    = "ghp_" + alnum(2, 36)
	fineGrained = "github_pat_" + alnum(3, 22) + "_" + alnum(4, 59)
	legacy      = "0123456789abcdef0123456789abcdef01234567"
)

const (
	msgEmpty    = "the token is empty; pass it on standard input, with --token-file FILE or with --token-env VAR"
	msgUnknown  = "the token does not look like a GitHub token: expected a prefix ghp_ (classic), github_pat_ (fine-grained), gho_, ghu_, ghs_ or ghr_"
	msgOneToken = "; pass exactly one token"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		value string
		kind  token.Kind
	}{
		{name: "classic", in: classic, value: classic, kind: token.Classic},
		{name: "classic with LF", in: classic + "\n", value: classic, kind: token.Classic},
		{name: "classic with CRLF", in: classic + "\r\n", value: classic, kind: token.Classic},
		{name: "fine-grained", in: fineGrained, value: fineGrained, kind: token.FineGrained},
		{name: "fine-grained with LF", in: fineGrained + "\n", value: fineGrained, kind: token.FineGrained},
		{name: "OAuth", in: "gho_" + alnum(5, 36), value: "gho_" + alnum(5, 36), kind: token.Other},
		{name: "user-to-server", in: "ghu_" + alnum(6, 36), value: "ghu_" + alnum(6, 36), kind: token.Other},
		{name: "server-to-server", in: "ghs_" + alnum(7, 36), value: "ghs_" + alnum(7, 36), kind: token.Other},
		{name: "refresh", in: "ghr_" + alnum(8, 36), value: "ghr_" + alnum(8, 36), kind: token.Other},
		{name: "legacy 40 hex", in: legacy, value: legacy, kind: token.Classic},
		{name: "legacy 40 hex with CRLF", in: legacy + "\r\n", value: legacy, kind: token.Classic},
		{name: "longest allowed", in: "ghp_" + alnum(9, 251), value: "ghp_" + alnum(9, 251), kind: token.Classic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := token.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := tok.Reveal(); got != tt.value {
				t.Errorf("Reveal() = %q, want %q", got, tt.value)
			}
			if got := tok.Kind(); got != tt.kind {
				t.Errorf("Kind() = %q, want %q", got, tt.kind)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "empty", in: "", want: msgEmpty},
		{name: "only a newline", in: "\n", want: msgEmpty},
		{name: "only CRLF", in: "\r\n", want: msgEmpty},
		{name: "only whitespace", in: " \t \n", want: "the token is only whitespace"},
		{name: "inner space", in: "ghp_" + alnum(10, 4) + " " + alnum(10, 32), want: "the token contains whitespace at character 9" + msgOneToken},
		{name: "inner tab", in: "ghp_" + alnum(11, 10) + "\t" + alnum(11, 26), want: "the token contains whitespace at character 15" + msgOneToken},
		{name: "leading space", in: " " + classic, want: "the token contains whitespace at character 1" + msgOneToken},
		{name: "trailing space", in: classic + " \n", want: "the token contains whitespace at character 41" + msgOneToken},
		{name: "two newlines", in: classic + "\n\n", want: "the token contains whitespace at character 41" + msgOneToken},
		{name: "two tokens on two lines", in: classic + "\n" + classic2 + "\n", want: "the token contains whitespace at character 41" + msgOneToken},
		{name: "two tokens on two CRLF lines", in: classic + "\r\n" + classic2 + "\r\n", want: "the token contains whitespace at character 41" + msgOneToken},
		{name: "too short classic", in: "ghp_" + alnum(12, 20), want: "the token is 24 characters long, too short for a ghp_ token (at least 40); was it cut off when copied?"},
		{name: "classic one short", in: "ghp_" + alnum(13, 35), want: "the token is 39 characters long, too short for a ghp_ token (at least 40); was it cut off when copied?"},
		// A whole fine-grained token is 93 characters: github_pat_, 22,
		// an underscore and 59.
		{name: "too short fine-grained", in: "github_pat_" + alnum(14, 30), want: "the token is 41 characters long, too short for a github_pat_ token (at least 93); was it cut off when copied?"},
		{name: "too short server-to-server", in: "ghs_" + alnum(15, 10), want: "the token is 14 characters long, too short for a ghs_ token (at least 40); was it cut off when copied?"},
		{name: "too long", in: "ghp_" + alnum(16, 252), want: "the token is longer than 255 characters, the most a GitHub token has"},
		{name: "too long, unknown prefix", in: strings.Repeat("x", 300), want: "the token is longer than 255 characters, the most a GitHub token has"},
		{name: "GitLab token", in: "glpat-" + alnum(17, 20), want: msgUnknown},
		{name: "plain text", in: "correcthorsebatterystaple", want: msgUnknown},
		{name: "uppercase prefix", in: "GHP_" + alnum(18, 36), want: msgUnknown},
		{name: "uppercase 40 hex", in: strings.ToUpper(legacy), want: msgUnknown},
		{name: "39 hex", in: legacy[:39], want: msgUnknown},
		{name: "41 hex", in: legacy + "8", want: msgUnknown},
		{name: "hyphen", in: "ghp_" + alnum(19, 10) + "-" + alnum(19, 25), want: "the token contains a character that no GitHub token has, at character 15"},
		{name: "non-ASCII", in: "ghp_é" + alnum(20, 35), want: "the token contains a character that no GitHub token has, at character 5"},
		{name: "NUL", in: "ghp_" + alnum(21, 35) + "\x00", want: "the token contains a character that no GitHub token has, at character 40"},
		{name: "non-breaking space", in: "ghp_" + alnum(22, 20) + "\u00a0" + alnum(22, 15), want: "the token contains a character that no GitHub token has, at character 25"},
		{name: "quoted", in: `"` + classic + `"`, want: msgUnknown},
		{name: "fine-grained with a dot", in: "github_pat_" + alnum(23, 22) + "." + alnum(23, 59), want: "the token contains a character that no GitHub token has, at character 34"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := token.Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse succeeded with %v, want error %q", tok, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %q\nwant %q", got, tt.want)
			}
			var fe *token.FormatError
			if !errors.As(err, &fe) || !token.IsFormatError(err) {
				t.Errorf("error %T is not a *token.FormatError", err)
			}
			if tok != (token.Token{}) {
				t.Errorf("Parse returned a non-zero token with its error")
			}
			assertNoSecret(t, err.Error(), tt.in)
		})
	}
}

// assertNoSecret fails if s contains in, or any run of 8 or more
// non-space characters of it.
func assertNoSecret(t *testing.T, s, in string) {
	t.Helper()
	for _, f := range strings.Fields(in) {
		if len(f) < 8 {
			continue
		}
		if strings.Contains(s, f) {
			t.Errorf("%q contains the token value %q", s, f)
		}
		// Nor the part after a prefix.
		if rest := f[len(f)/2:]; len(rest) >= 8 && strings.Contains(s, rest) {
			t.Errorf("%q contains part of the token value (%q)", s, rest)
		}
	}
}

func TestKindStrings(t *testing.T) {
	for kind, want := range map[token.Kind]string{token.Classic: "classic", token.FineGrained: "fine-grained", token.Other: "other"} {
		if string(kind) != want {
			t.Errorf("Kind %q, want %q (the value is written to annotations)", kind, want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	tok := mustParse(t, classic)
	sum := sha256.Sum256([]byte(classic))
	want := "sha256:" + hex.EncodeToString(sum[:])[:12]
	if got := tok.Fingerprint(); got != want {
		t.Errorf("Fingerprint() = %q, want %q", got, want)
	}
	if other := mustParse(t, classic2).Fingerprint(); other == want {
		t.Errorf("two tokens have the same fingerprint %q", other)
	}
	if got := mustParse(t, classic+"\r\n").Fingerprint(); got != want {
		t.Errorf("the trailing CRLF changed the fingerprint: %q, want %q", got, want)
	}
}

func mustParse(t testing.TB, v string) token.Token {
	t.Helper()
	tok, err := token.Parse(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// forms are the encodings of value that must not appear in output either.
func forms(value string) []string {
	return []string{
		value,
		value[4:],
		hex.EncodeToString([]byte(value)),
		strings.ToUpper(hex.EncodeToString([]byte(value))),
		base64.StdEncoding.EncodeToString([]byte(value)),
		base64.RawURLEncoding.EncodeToString([]byte(value)),
	}
}

type exported struct {
	Name  string
	Token token.Token
	Ptr   *token.Token
	List  []token.Token
	Map   map[string]token.Token
}

func TestRedaction(t *testing.T) {
	for _, value := range []string{classic, fineGrained, legacy} {
		tok := mustParse(t, value)
		redacted := fmt.Sprintf("token(%s, %s)", tok.Kind(), tok.Fingerprint())
		h := exported{Name: "x", Token: tok, Ptr: &tok, List: []token.Token{tok}, Map: map[string]token.Token{"k": tok}}
		jsonOut, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		text, err := tok.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		base := errors.New("boom")
		outputs := map[string]string{
			"Sprint":        fmt.Sprint(tok),
			"Sprintln":      fmt.Sprintln(tok),
			"String":        tok.String(),
			"GoString":      tok.GoString(),
			"MarshalText":   string(text),
			"%v":            fmt.Sprintf("%v", tok),
			"%s":            fmt.Sprintf("%s", tok),
			"%q":            fmt.Sprintf("%q", tok),
			"%+v":           fmt.Sprintf("%+v", tok),
			"%#v":           fmt.Sprintf("%#v", tok),
			"%x":            fmt.Sprintf("%x", tok),
			"%X":            fmt.Sprintf("%X", tok),
			"% x":           fmt.Sprintf("% x", tok),
			"%d":            fmt.Sprintf("%d", tok),
			"%.50s":         fmt.Sprintf("%.50s", tok),
			"pointer %v":    fmt.Sprintf("%v", &tok),
			"pointer %#v":   fmt.Sprintf("%#v", &tok),
			"struct %v":     fmt.Sprintf("%v", h),
			"struct %+v":    fmt.Sprintf("%+v", h),
			"struct %#v":    fmt.Sprintf("%#v", h),
			"any slice %v":  fmt.Sprint([]any{tok, &tok}),
			"json":          string(jsonOut),
			"error %v":      fmt.Errorf("seal with %v: %w", tok, base).Error(),
			"error %w":      fmt.Errorf("read: %w", fmt.Errorf("%s", tok)).Error(),
			"errors.Join":   errors.Join(base, fmt.Errorf("token %+v", tok)).Error(),
			"wrapped twice": fmt.Errorf("outer: %w", fmt.Errorf("inner %#v: %w", tok, base)).Error(),
		}
		for name, out := range outputs {
			for _, f := range forms(value) {
				if strings.Contains(out, f) {
					t.Errorf("%s of a %s token shows its value (%q): %s", name, tok.Kind(), f, out)
				}
			}
			if !strings.Contains(out, redacted) {
				t.Errorf("%s = %q, want it to show %q", name, out, redacted)
			}
		}
		if got := fmt.Sprint(tok); got != redacted {
			t.Errorf("Sprint = %q, want %q", got, redacted)
		}
		wantJSON := fmt.Sprintf(`{"Name":"x","Token":%[1]q,"Ptr":%[1]q,"List":[%[1]q],"Map":{"k":%[1]q}}`, redacted)
		if string(jsonOut) != wantJSON {
			t.Errorf("json.Marshal:\n got %s\nwant %s", jsonOut, wantJSON)
		}
	}
}

func TestZeroToken(t *testing.T) {
	var tok token.Token
	if got := fmt.Sprint(tok); got != "token(none)" {
		t.Errorf("Sprint(zero) = %q, want %q", got, "token(none)")
	}
	if tok.Reveal() != "" || tok.Kind() != "" {
		t.Errorf("zero token reveals %q of kind %q", tok.Reveal(), tok.Kind())
	}
}

func TestRedactedInUnexportedField(t *testing.T) {
	tok, err := token.Parse("ghp_" + strings.Repeat("a", 36))
	if err != nil {
		t.Fatal(err)
	}
	holder := struct{ tok token.Token }{tok}
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		if out := fmt.Sprintf(verb, holder); strings.Contains(out, tok.Reveal()) {
			t.Errorf("%s of a struct holding a token in an unexported field shows it: %s", verb, out)
		}
	}
}
