package token_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/pem"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge/bitbucketdc"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

// dcTokens are Bitbucket Data Center HTTP access tokens as Bitbucket shows
// them: one with only letters and digits, one with '+' and '/' (its secret
// bytes are high).
func dcTokens(t *testing.T) []string {
	t.Helper()
	toks := []string{testcreds.BitbucketDC("123456789012", "scanSCAN0123"), testcreds.BitbucketDC("000000000042", "\xfb\xef\xbe\xff\xfe")}
	if !strings.ContainsAny(toks[1], "+/") {
		t.Fatalf("the second test token has no + or /")
	}
	for _, v := range toks {
		if _, err := bitbucketdc.ParseToken(v); err != nil {
			t.Fatalf("not a Data Center token: %v", err)
		}
	}
	return toks
}

// TestScanBitbucketDC: a Data Center token is found wherever a committed
// file holds it as a value of its own (YAML, JSON, a URL, a header), by
// Scan (validate's token-in-file rule), Redact and RedactDeep (output),
// also when RedactDeep meets it base64-encoded (a Secret's data:, Basic
// credentials).
func TestScanBitbucketDC(t *testing.T) {
	for i, tok := range dcTokens(t) {
		for _, tc := range []struct{ name, before, after string }{
			{"alone", "", ""},
			{"stringData password", "stringData:\n  password: ", "\n  type: git\n"},
			{"bearerToken, quoted", "  bearerToken: \"", "\"\n"},
			{"single-quoted", "token: '", "'\n"},
			{"JSON", `{"token":"`, `"}`},
			{"URL", "url: https://x-token-auth:", "@bitbucket.example.com/scm/acme/config.git\n"},
			{"Bearer header", "Authorization: Bearer ", "\r\n"},
			{"environment", "RTCONF_RUNTIME_TOKEN=", "\n"},
		} {
			text := tc.before + tok + tc.after
			t.Run(tc.name, func(t *testing.T) {
				found := token.Scan([]byte(text))
				if len(found) != 1 || found[0].Value != tok || found[0].Offset != len(tc.before) || !strings.Contains(found[0].What, "Bitbucket Data Center") {
					t.Errorf("token %d: Scan found %d tokens, want this one at %d", i, len(found), len(tc.before))
				}
				if got, want := token.Redact(text), tc.before+token.Redacted+tc.after; got != want {
					t.Errorf("token %d: Redact = %q, want %q", i, got, want)
				}
			})
		}
		for _, form := range []string{
			base64.StdEncoding.EncodeToString([]byte(tok)),                   // a Secret's data:
			base64.StdEncoding.EncodeToString([]byte("x-token-auth:" + tok)), // Basic credentials
			base64.RawURLEncoding.EncodeToString([]byte("user:" + tok + "\n")),
		} {
			if got := token.RedactDeep("data: " + form); got != "data: "+token.Redacted {
				t.Errorf("token %d: RedactDeep(base64 of it) = %q", i, got)
			}
		}
	}
}

// TestScanBitbucketDCNonHits: base64 that configuration repositories hold
// for other reasons is not taken for a Data Center token, even at its
// length: a SealedSecret's ciphertext, certificates (whose last line can
// be 44 characters), CA bundles, digests and keys of 32 or 33 bytes,
// kustomize's name hashes, a token's shape with the wrong ID, and a
// token inside a longer run.
func TestScanBitbucketDCNonHits(t *testing.T) {
	rnd := rand.New(rand.NewChaCha8([32]byte{'r', 't', 'c', 'o', 'n', 'f'}))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rnd.UintN(256))
		}
		return b
	}
	b64 := base64.StdEncoding.EncodeToString
	cert, err := os.ReadFile("../../templates/demo/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	sealedSecret, err := os.ReadFile("../workspace/testdata/github-app/runtime-token.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A PEM block of 48k+33 bytes ends with a line of 44 characters.
	lastLine44 := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: random(48*20 + 33)})
	if lines := strings.Split(strings.TrimSpace(string(lastLine44)), "\n"); len(lines[len(lines)-2]) != 44 {
		t.Fatalf("the PEM block's last line is %d characters", len(lines[len(lines)-2]))
	}
	digest := sha256.Sum256([]byte("rtconf"))
	tok := dcTokens(t)[0]
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	var sealed strings.Builder
	for range 50 {
		sealed.WriteString("    password: Ag" + b64(random(700)) + "\n")
		sealed.WriteString("    k: " + b64(random(33)) + "\n") // 44 characters of random base64
	}
	for _, tc := range []struct{ name, text string }{
		{"a SealedSecret of the repository", string(sealedSecret)},
		{"SealedSecret ciphertext", "spec:\n  encryptedData:\n" + sealed.String()},
		{"the demo certificate", string(cert)},
		{"a certificate's 44-character last line", string(lastLine44)},
		{"caBundle", "caBundle: " + b64(cert) + "\n"},
		{"SHA-256 in base64", "integrity: sha256-" + b64(digest[:]) + "\n"},
		{"a 32-byte key", "cookieSecret: " + b64(random(32)) + "\n"},
		{"kustomize name hashes", "name: app-config-5h7t2k9m4b\nname: prod-git-runtime-token-g4c8t2hm5k\n"},
		{"a timestamp, not an ID and a colon", "v: " + b64(append([]byte("202612020417Z"), random(20)...)) + "\n"},
		{"an 11-digit ID", "v: " + b64(append([]byte("12345678901:"), random(21)...)) + "\n"},
		{"a semicolon for the colon", "v: " + b64(append(append([]byte{}, raw[:12]...), append([]byte(";"), raw[13:]...)...)) + "\n"},
		{"inside a longer run", "v: " + tok + "AAAA\nw: AAAA" + tok + "\nx: " + tok + "==\n"},
		{"in the URL alphabet's run", "v: _" + tok + "\n"},
		{"cut off", "v: " + tok[:43] + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range token.Scan([]byte(tc.text)) {
				t.Errorf("Scan found a %s at %d", f.What, f.Offset)
			}
			if got := token.Redact(tc.text); got != tc.text {
				t.Errorf("Redact changed the text:\n%s", got)
			}
		})
	}
}
