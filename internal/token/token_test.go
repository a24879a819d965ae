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
	tok, err := github.ParseToken(v)
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
	tok, err := github.ParseToken("ghp_" + strings.Repeat("a", 36))
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

func TestScrub(t *testing.T) {
	tok := mustParse(t, classic)
	if got := tok.Scrub("Get https://x/?t=" + classic + ": " + classic); got != "Get https://x/?t=[token]: [token]" {
		t.Errorf("Scrub = %q", got)
	}
	if got := (token.Token{}).Scrub("nothing to hide"); got != "nothing to hide" {
		t.Errorf("zero token's Scrub = %q", got)
	}
}

// TestAccount: a token's account travels with it (Credential gives it back
// for a provider to parse again) but never into Reveal, which Git and Argo
// CD send as the password, nor into any printed form.
func TestAccount(t *testing.T) {
	tok := token.NewWithAccount("s3cr3tvalue", "api-token", "robot@example.com")
	if tok.Reveal() != "s3cr3tvalue" || tok.Account() != "robot@example.com" || tok.Credential() != "robot@example.com:s3cr3tvalue" {
		t.Errorf("Reveal %q Account %q Credential %q", tok.Reveal(), tok.Account(), tok.Credential())
	}
	for _, s := range []string{tok.String(), fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok)} {
		if strings.Contains(s, "robot@") || strings.Contains(s, "s3cr3t") {
			t.Errorf("printed %q", s)
		}
	}
	if plain := token.New("plainvalue", "classic"); plain.Credential() != "plainvalue" || plain.Account() != "" {
		t.Errorf("a token without account: %q %q", plain.Credential(), plain.Account())
	}
	if empty := token.NewWithAccount("", "api-token", "robot@example.com"); empty.Account() != "" || empty.Credential() != "" {
		t.Errorf("an empty token keeps an account")
	}
}
