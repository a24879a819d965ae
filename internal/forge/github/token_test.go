package github_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge/github"
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

func TestParseValid(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		value string
		kind  token.Kind
	}{
		{name: "classic", in: classic, value: classic, kind: github.Classic},
		{name: "classic with LF", in: classic + "\n", value: classic, kind: github.Classic},
		{name: "classic with CRLF", in: classic + "\r\n", value: classic, kind: github.Classic},
		{name: "fine-grained", in: fineGrained, value: fineGrained, kind: github.FineGrained},
		{name: "fine-grained with LF", in: fineGrained + "\n", value: fineGrained, kind: github.FineGrained},
		{name: "OAuth", in: "gho_" + alnum(5, 36), value: "gho_" + alnum(5, 36), kind: github.Other},
		{name: "user-to-server", in: "ghu_" + alnum(6, 36), value: "ghu_" + alnum(6, 36), kind: github.Other},
		{name: "server-to-server", in: "ghs_" + alnum(7, 36), value: "ghs_" + alnum(7, 36), kind: github.Other},
		{name: "refresh", in: "ghr_" + alnum(8, 36), value: "ghr_" + alnum(8, 36), kind: github.Other},
		{name: "legacy 40 hex", in: legacy, value: legacy, kind: github.Classic},
		{name: "legacy 40 hex with CRLF", in: legacy + "\r\n", value: legacy, kind: github.Classic},
		{name: "longest allowed", in: "ghp_" + alnum(9, 251), value: "ghp_" + alnum(9, 251), kind: github.Classic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := github.ParseToken(tt.in)
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
			tok, err := github.ParseToken(tt.in)
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

func TestKindStrings(t *testing.T) {
	for kind, want := range map[token.Kind]string{github.Classic: "classic", github.FineGrained: "fine-grained", github.Other: "other"} {
		if string(kind) != want {
			t.Errorf("Kind %q, want %q (the value is written to annotations)", kind, want)
		}
	}
}
