// Package testcreds makes the credentials rtconf's tests use: fake tokens
// built at run time (so that no token-shaped string is ever written in the
// source), the demo key pair's private key, and certificates with chosen
// validity.
package testcreds

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"
)

// Lengths of the GitHub tokens Token makes.
const (
	ClassicLength     = 40
	FineGrainedLength = 93
)

// Token makes a fake token: prefix (ghp_, github_pat_, …), then seed
// repeated to length n. The result has a token's shape and nothing else:
// GitHub never issued it.
func Token(prefix, seed string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; b.Len() < n; i++ {
		b.WriteByte(seed[i%len(seed)])
	}
	return b.String()
}

// Classic makes a fake classic personal access token (ghp_…).
func Classic(seed string) string { return Token("gh"+"p_", seed, ClassicLength) }

// GitLabLength is the length of a (legacy) GitLab access token: glpat-
// and 20 characters.
const GitLabLength = 26

// GitLab makes a fake GitLab personal, project or group access token
// (glpat-…).
func GitLab(seed string) string { return Token("gl"+"pat-", seed, GitLabLength) }

// BitbucketDC makes a fake Bitbucket Data Center HTTP access token: the
// base64 of id (12 digits, the token's ID in its record), a colon and 20
// bytes of seed repeated, 44 characters in all, as Bitbucket shows one.
func BitbucketDC(id, seed string) string {
	if len(id) != 12 {
		panic("testcreds.BitbucketDC: id must be 12 digits")
	}
	return base64.StdEncoding.EncodeToString([]byte(Token(id+":", seed, 33)))
}

// Gitea makes a fake Gitea (or Forgejo) access token: 40 lower-case
// hexadecimal characters, the hex of seed's first 20 bytes (repeated to
// 20).
func Gitea(seed string) string { return hex.EncodeToString([]byte(Token("", seed, 20))) }

// FineGrained makes a fake fine-grained personal access token.
func FineGrained(seed string) string { return Token("github"+"_pat_", seed, FineGrainedLength) }

// repoRoot is the repository's root, found from this file's place.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// DemoKeys returns the demo key pair's private key, by the fingerprint
// (*SealedSecret).Unseal looks it up with.
func DemoKeys(tb testing.TB) map[string]*rsa.PrivateKey {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(), "testdata", "demo", "key.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		tb.Fatal("no PEM block in testdata/demo/key.pem")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	fp, err := sscrypto.PublicKeyFingerprint(&key.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]*rsa.PrivateKey{fp: key}
}

// WriteCert writes a sealed-secrets certificate for a new 2048-bit key,
// valid from notBefore to notAfter, to path.
func WriteCert(tb testing.TB, path string, notBefore, notAfter time.Time) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := sscrypto.SignKeyWithNotBefore(rand.Reader, key, notBefore, notAfter.Sub(notBefore), "test")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// BitbucketTokenLength is the length of the Bitbucket Cloud tokens the
// Bitbucket builders make: the length of the Atlassian tokens seen issued.
const BitbucketTokenLength = 192

// atlassian makes an Atlassian-shaped token: prefix, seed repeated, then
// "=" and an 8-digit upper-case hexadecimal suffix, BitbucketTokenLength
// in all.
func atlassian(prefix, seed string) string {
	return Token(prefix, seed, BitbucketTokenLength-9) + "=0A1B2C3D"
}

// BitbucketAPIToken makes a fake Atlassian API token (ATATT3…), for
// Bitbucket Cloud's REST API with the account's e-mail address, and Git.
func BitbucketAPIToken(seed string) string { return atlassian("AT"+"ATT3", seed) }

// BitbucketAccessToken makes a fake Bitbucket Cloud repository, project or
// workspace access token (ATCTT3…).
func BitbucketAccessToken(seed string) string { return atlassian("AT"+"CTT3", seed) }

// BitbucketAppPassword makes a fake Bitbucket app password (ATBB…, 36
// characters), which rtconf refuses.
func BitbucketAppPassword(seed string) string { return Token("AT"+"BB", seed, 36) }

// AppKey makes a GitHub App's key pair at test time (2048-bit RSA, as
// GitHub issues them) and returns it with its private key in PEM
// (PKCS #1, GitHub's form). GitHub never issued it.
func AppKey(tb testing.TB) (*rsa.PrivateKey, string) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "RSA " + "PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}
