package token_test

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

func TestScan(t *testing.T) {
	c := testcreds.Classic("findFIND0123")
	f := testcreds.FineGrained("findFIND0123")
	gl := "glpat" + "-" + alnum(5, 20)
	api, access, app := testcreds.BitbucketAPIToken("findFIND0123"), testcreds.BitbucketAccessToken("findFIND0123"), testcreds.BitbucketAppPassword("findFIND0123")
	text := []byte("a: " + c + "\nb: " + f + "\nc: " + gl + "\nd: ghp_ is a prefix, " + c[:30] + " is cut off\n" +
		"e: robot@example.com:" + api + "\nf: " + access + "\ng: " + app + "\n")
	got := token.Scan(text)
	want := []string{c, f, gl, api, access, app}
	if len(got) != len(want) {
		t.Fatalf("found %d tokens, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Value != w || string(text[got[i].Offset:got[i].Offset+len(w)]) != w || got[i].What == "" {
			t.Errorf("token %d: found at %d, kind %q", i, got[i].Offset, got[i].What)
		}
	}
}

// TestRedact: no form of a token survives Redact, and text without one is
// left as it is.
func TestRedactDeep(t *testing.T) {
	c := testcreds.Classic("redactREDACT01")
	f := testcreds.FineGrained("redactREDACT01")
	gl := "glpat" + "-" + alnum(6, 20)
	bb := []string{testcreds.BitbucketAPIToken("redactREDACT01"), testcreds.BitbucketAccessToken("redactREDACT01")}
	var forms []string
	for _, tok := range append([]string{c, f, gl}, bb...) {
		forms = append(forms, tok, strings.ToUpper(tok), strings.ToLower(tok), tok[:24],
			url.QueryEscape(tok+"/+"), strings.ReplaceAll(tok, "_", "%5F"), hex.EncodeToString([]byte(tok)))
		for pad := range 3 {
			in := append([]byte(strings.Repeat("x", pad)), tok...)
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding} {
				forms = append(forms, enc.EncodeToString(in), enc.EncodeToString(append(in, "suffix"...)))
			}
		}
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte("x-access-token:"+tok)))
	}
	for _, form := range forms {
		for _, s := range []string{form, "name " + form + " is bad", `"` + form + `"`, "path/" + form + ".yaml", "abc" + form} {
			got := token.RedactDeep(s)
			if strings.Contains(got, form) || !strings.Contains(got, token.Redacted) {
				t.Errorf("Redact(%q) = %q", s, got)
			}
			for _, tok := range append([]string{c, f, gl}, bb...) {
				if strings.Contains(strings.ToLower(got), strings.ToLower(tok[4:24])) {
					t.Errorf("Redact(%q) = %q still holds part of a token", s, got)
				}
			}
		}
	}
	for _, s := range []string{
		"Classic tokens start with ghp_, fine-grained ones with github_pat_.",
		"sha256:61a0a49a90123635e59d8c183d836f00583a50b852d2b8a0052017143c84029d",
		"encryptedData.password " + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("sealed value ", 8))),
		"https://github.com/acme/shared-config%20x",
		"runtimes[0].name: must be a DNS-1123 label",
	} {
		if got := token.RedactDeep(s); got != s {
			t.Errorf("Redact(%q) = %q, want it unchanged", s, got)
		}
	}
	// A run of exactly 40 hex digits is a legacy classic token's shape; a
	// full commit hash has it too and is hidden as well (Find errs on the
	// side of finding too much).
	if got, want := token.RedactDeep("commit 0123456789abcdef0123456789abcdef01234567"), "commit "+token.Redacted; got != want {
		t.Errorf("RedactDeep(a 40-hex run) = %q, want %q", got, want)
	}
}

func FuzzRedactDeep(f *testing.F) {
	f.Add("name: " + testcreds.Classic("fuzzFUZZ"))
	f.Add(base64.StdEncoding.EncodeToString([]byte(testcreds.FineGrained("fuzzFUZZ"))))
	f.Add("bearerToken: " + testcreds.BitbucketDC("123456789012", "fuzzFUZZ"))
	f.Fuzz(func(t *testing.T, s string) {
		got := token.RedactDeep(s)
		if token.RedactDeep(got) != got {
			t.Errorf("Redact is not idempotent on %q", s)
		}
		for _, found := range token.Scan([]byte(got)) {
			t.Errorf("Redact(%q) left a %s", s, found.What)
		}
	})
}

// TestScanAppPasswordInCiphertext: base64 ciphertext holds ATBB and 28
// letters or digits by chance (validate of a 1,000-runtime repository of
// SealedSecrets met one every few runs); inside a longer base64 run that is
// no app password, while one standing alone, or after = or :, still is.
func TestScanAppPasswordInCiphertext(t *testing.T) {
	app := testcreds.BitbucketAppPassword("findFIND0123")
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"encryptedData:\n  token: AgBx9+k" + app + "+Qz/1==\n", false},
		{"token: AgB" + app + "\n", false},
		{"token: " + app + "/x\n", false},
		{"token: " + app + "==\n", false},
		{"token: " + app + "\n", true},
		{"token: \"" + app + "\"\n", true},
		{"password=" + app + "&x=1\n", true},
		{"https://me:" + app + "@bitbucket.org/ws/repo.git\n", true},
	} {
		got := len(token.Scan([]byte(tc.text))) > 0
		if got != tc.want {
			t.Errorf("Scan(%q) found a token: %v, want %v", strings.ReplaceAll(tc.text, app, "<app password>"), got, tc.want)
		}
	}
}
