package seal_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/testclock"
)

const day = 24 * time.Hour

// testKey is one RSA key for every certificate made here: generating one
// is slow.
var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
})

func rsaKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := testKey()
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// makeCert returns a self-signed certificate, PEM-encoded, and its DER.
func makeCert(tb testing.TB, key crypto.Signer, notBefore, notAfter time.Time) (pemData, der []byte) {
	tb.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(notBefore.Unix()),
		Subject:      pkix.Name{CommonName: "sealed-secrets-test"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageEncipherOnly | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), der
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

const otherFingerprint = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// TestCheck runs under every test clock, with certificates made for it.
func TestCheck(t *testing.T) {
	testclock.Run(t, testCheck)
}

func testCheck(t *testing.T, now time.Time) {
	const src = "certs/sealed-secrets.pem"
	date := func(t time.Time) string { return t.UTC().Format(time.DateOnly) }
	oldWarning := "certificate certs/sealed-secrets.pem was issued on " + date(now.Add(-45*day)) + ", 45 days ago; the controller makes a new key every 30 days by default, so fetch its current certificate"
	tests := []struct {
		name                string
		notBefore, notAfter time.Time
		pinned              string // "self" pins the certificate's own fingerprint
		acceptNew           bool
		err                 string // {fp} stands for the certificate's fingerprint
		warnings            []string
	}{
		{name: "fresh", notBefore: now.Add(-day), notAfter: now.Add(365 * day)},
		{name: "fresh, just issued", notBefore: now, notAfter: now.Add(10 * 365 * day)},
		{
			name: "expired", notBefore: now.Add(-400 * day), notAfter: now.Add(-day),
			err: "certificate certs/sealed-secrets.pem: expired on " + date(now.Add(-day)) + "; fetch the controller's current certificate (kubeseal --fetch-cert) and pin it with rtconf cert pin",
		},
		{
			name: "expired a second ago", notBefore: now.Add(-day), notAfter: now.Add(-time.Second),
			err: "certificate certs/sealed-secrets.pem: expired on " + date(now.Add(-time.Second)) + "; fetch the controller's current certificate (kubeseal --fetch-cert) and pin it with rtconf cert pin",
		},
		{
			name: "expired, even when pinned", notBefore: now.Add(-400 * day), notAfter: now.Add(-day), pinned: "self",
			err: "certificate certs/sealed-secrets.pem: expired on " + date(now.Add(-day)) + "; fetch the controller's current certificate (kubeseal --fetch-cert) and pin it with rtconf cert pin",
		},
		{
			name: "not yet valid", notBefore: now.Add(2 * day), notAfter: now.Add(365 * day),
			err: "certificate certs/sealed-secrets.pem: is not valid before " + date(now.Add(2*day)) + "; check this machine's clock",
		},
		{
			name: "expiring in 10 days", notBefore: now.Add(-day), notAfter: now.Add(10 * day),
			warnings: []string{"certificate certs/sealed-secrets.pem expires on " + date(now.Add(10*day)) + ", in 10 days"},
		},
		{
			name: "expiring in 29 days", notBefore: now.Add(-day), notAfter: now.Add(29*day + time.Hour),
			warnings: []string{"certificate certs/sealed-secrets.pem expires on " + date(now.Add(29*day+time.Hour)) + ", in 29 days"},
		},
		{name: "expiring in exactly 30 days", notBefore: now.Add(-day), notAfter: now.Add(30 * day)},
		{
			name: "older than 30 days", notBefore: now.Add(-45 * day), notAfter: now.Add(300 * day),
			warnings: []string{oldWarning},
		},
		{name: "exactly 30 days old", notBefore: now.Add(-30 * day), notAfter: now.Add(300 * day)},
		{
			name: "old and expiring", notBefore: now.Add(-45 * day), notAfter: now.Add(10 * day),
			warnings: []string{"certificate certs/sealed-secrets.pem expires on " + date(now.Add(10*day)) + ", in 10 days", oldWarning},
		},
		{
			name: "pinned differs", notBefore: now.Add(-day), notAfter: now.Add(365 * day), pinned: otherFingerprint,
			err: "certificate certs/sealed-secrets.pem: fingerprint {fp} differs from the one pinned in rtconf.yaml (" + otherFingerprint + "); if the controller's key was rotated, pass --accept-new-cert to pin the new one",
		},
		{
			name: "pinned differs, new accepted", notBefore: now.Add(-day), notAfter: now.Add(365 * day), pinned: otherFingerprint, acceptNew: true,
			warnings: []string{"certificate certs/sealed-secrets.pem replaces the pinned one (" + otherFingerprint + "): pinned the new fingerprint {fp}"},
		},
		{
			name: "pinned differs, new accepted, old", notBefore: now.Add(-45 * day), notAfter: now.Add(300 * day), pinned: otherFingerprint, acceptNew: true,
			warnings: []string{"certificate certs/sealed-secrets.pem replaces the pinned one (" + otherFingerprint + "): pinned the new fingerprint {fp}", oldWarning},
		},
		{name: "pinned equal", notBefore: now.Add(-day), notAfter: now.Add(365 * day), pinned: "self"},
		{name: "pinned equal in upper case", notBefore: now.Add(-day), notAfter: now.Add(365 * day), pinned: "SELF"},
		{name: "pinned equal, new accepted", notBefore: now.Add(-day), notAfter: now.Add(365 * day), pinned: "self", acceptNew: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, der := makeCert(t, rsaKey(t), tt.notBefore, tt.notAfter)
			c, err := seal.ParseCertificate(src, data)
			if err != nil {
				t.Fatalf("ParseCertificate: %v", err)
			}
			fp := fingerprint(der)
			if c.Fingerprint != fp {
				t.Fatalf("Fingerprint = %q, want %q", c.Fingerprint, fp)
			}
			pinned := tt.pinned
			switch pinned {
			case "self":
				pinned = fp
			case "SELF":
				pinned = strings.ToUpper(fp)
			}
			warnings, err := c.Check(src, seal.CheckOptions{Pinned: pinned, AcceptNew: tt.acceptNew, Now: now})
			if tt.err != "" {
				want := strings.ReplaceAll(tt.err, "{fp}", fp)
				if err == nil || err.Error() != want {
					t.Fatalf("Check error:\n got %v\nwant %s", err, want)
				}
				if !seal.IsCertError(err) {
					t.Errorf("Check error %T is not a *seal.CertError", err)
				}
				if warnings != nil {
					t.Errorf("warnings with an error: %q", warnings)
				}
				return
			}
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			var want []string
			for _, w := range tt.warnings {
				want = append(want, strings.ReplaceAll(w, "{fp}", fp))
			}
			if diff := cmp.Diff(want, warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCertificate(t *testing.T) {
	key := rsaKey(t)
	issued := testclock.Default()
	data, der := makeCert(t, key, issued.Add(-time.Hour), issued.Add(365*day))

	t.Run("valid", func(t *testing.T) {
		c, err := seal.ParseCertificate("cert.pem", data)
		if err != nil {
			t.Fatal(err)
		}
		if c.Fingerprint != fingerprint(der) {
			t.Errorf("Fingerprint = %q, want %q", c.Fingerprint, fingerprint(der))
		}
		if !c.Key.Equal(&key.PublicKey) {
			t.Errorf("Key is not the certificate's public key")
		}
		if !bytes.Equal(c.Cert.Raw, der) || !bytes.Equal(c.PEM, data) {
			t.Errorf("Cert or PEM is not the certificate read")
		}
		warnings, err := c.Check("cert.pem", seal.CheckOptions{Pinned: c.Fingerprint, Now: issued})
		if err != nil || warnings != nil {
			t.Errorf("Check of a fresh pinned certificate = %q, %v; want no warnings", warnings, err)
		}
	})

	t.Run("text around the PEM block", func(t *testing.T) {
		text := append([]byte("a comment before the block\n\n"), data...)
		text = append(text, "a comment after\n"...)
		c, err := seal.ParseCertificate("cert.pem", text)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(c.PEM, data) {
			t.Errorf("PEM keeps the text around the block:\n%s", c.PEM)
		}
	})

	t.Run("demo certificate", func(t *testing.T) {
		if got := demoCert(t).Fingerprint; got != demoFingerprint {
			t.Errorf("demo certificate fingerprint %q, want %q", got, demoFingerprint)
		}
	})
}

func TestParseCertificateErrors(t *testing.T) {
	key := rsaKey(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	issued := testclock.Default()
	ecCert, _ := makeCert(t, ecKey, issued.Add(-time.Hour), issued.Add(365*day))
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pkcs8DER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8DER})
	certFirst, _ := makeCert(t, key, issued.Add(-time.Hour), issued.Add(365*day))

	const noPEM = "certificate cert.pem: no PEM data found; expected the controller's certificate (kubeseal --fetch-cert)"
	tests := []struct {
		name, want string
		data       []byte
		wantPrefix bool
	}{
		{name: "empty", data: nil, want: noPEM},
		{name: "garbage", data: []byte("\x00\x01garbage\xff not a certificate"), want: noPEM},
		{name: "DER without PEM", data: func() []byte { _, der := makeCert(t, key, issued, issued.Add(day)); return der }(), want: noPEM},
		{name: "ECDSA", data: ecCert, want: "certificate cert.pem: has a public key of type ECDSA; sealed-secrets uses RSA"},
		{name: "PKCS#1 private key", data: pkcs1, want: `certificate cert.pem: PEM block is "RSA PRIVATE KEY", not CERTIFICATE; pass the controller's public certificate, never its private key`},
		{name: "PKCS#8 private key", data: pkcs8, want: `certificate cert.pem: PEM block is "PRIVATE KEY", not CERTIFICATE; pass the controller's public certificate, never its private key`},
		{name: "private key before the certificate", data: append(append([]byte{}, pkcs1...), certFirst...), want: `certificate cert.pem: PEM block is "RSA PRIVATE KEY", not CERTIFICATE; pass the controller's public certificate, never its private key`},
		{
			name:       "CERTIFICATE block with garbage",
			data:       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")}),
			want:       "certificate cert.pem: not a valid X.509 certificate: ",
			wantPrefix: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := seal.ParseCertificate("cert.pem", tt.data)
			if err == nil {
				t.Fatalf("ParseCertificate succeeded: %+v", c)
			}
			got := err.Error()
			if tt.wantPrefix && !strings.HasPrefix(got, tt.want) || !tt.wantPrefix && got != tt.want {
				t.Errorf("error:\n got %q\nwant %q", got, tt.want)
			}
			var ce *seal.CertError
			if !errors.As(err, &ce) || ce.Source != "cert.pem" {
				t.Errorf("error %#v is not a *seal.CertError for cert.pem", err)
			}
			// No part of a private key is ever repeated.
			for _, k := range [][]byte{pkcs1, pkcs8} {
				for _, line := range strings.Split(string(k), "\n") {
					if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(got, line[:16]) {
						t.Fatalf("error repeats the private key: %s", got)
					}
				}
			}
			if strings.Contains(got, key.D.String()[:20]) {
				t.Errorf("error repeats the private exponent")
			}
		})
	}
}

func TestReadCertificateFile(t *testing.T) {
	issued := testclock.Default()
	data, _ := makeCert(t, rsaKey(t), issued.Add(-time.Hour), issued.Add(365*day))
	dir := t.TempDir()
	p := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := seal.ReadCertificate(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("ReadCertificate(%s) = %q, want the file's content", p, got)
	}

	// The demo certificate, by a relative path.
	if _, err := seal.ReadCertificate(context.Background(), nil, "../../templates/demo/cert.pem"); err != nil {
		t.Errorf("ReadCertificate(demo): %v", err)
	}

	missing := filepath.Join(dir, "missing.pem")
	_, err = seal.ReadCertificate(context.Background(), nil, missing)
	if want := "read certificate: open " + missing + ": no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("missing file: error %v, want %q", err, want)
	}
	if !errors.Is(err, fs.ErrNotExist) || seal.IsCertError(err) {
		t.Errorf("missing file: error %v is not fs.ErrNotExist or is a CertError", err)
	}
}

func TestReadCertificateURL(t *testing.T) {
	issued := testclock.Default()
	data, _ := makeCert(t, rsaKey(t), issued.Add(-time.Hour), issued.Add(365*day))
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/cert.pem" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(data)
	}))
	defer srv.Close()
	ctx := context.Background()

	t.Run("https", func(t *testing.T) {
		got, err := seal.ReadCertificate(ctx, srv.Client(), srv.URL+"/v1/cert.pem")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("ReadCertificate = %q, want the served certificate", got)
		}
		if _, err := seal.ParseCertificate(srv.URL+"/v1/cert.pem", got); err != nil {
			t.Errorf("ParseCertificate of what was fetched: %v", err)
		}
	})

	t.Run("404", func(t *testing.T) {
		u := srv.URL + "/missing.pem"
		_, err := seal.ReadCertificate(ctx, srv.Client(), u)
		var ce *seal.CertError
		if !errors.As(err, &ce) {
			t.Fatalf("error %v is not a *seal.CertError", err)
		}
		want := &seal.CertError{Source: u, Reason: "fetching it answered 404 Not Found"}
		if diff := cmp.Diff(want, ce); diff != "" {
			t.Errorf("CertError (-want +got):\n%s", diff)
		}
		if got, wantText := err.Error(), "certificate "+u+": fetching it answered 404 Not Found"; got != wantText {
			t.Errorf("error %q, want %q", got, wantText)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := seal.ReadCertificate(cctx, srv.Client(), srv.URL+"/v1/cert.pem")
		if !errors.Is(err, context.Canceled) || !strings.HasPrefix(fmt.Sprint(err), "fetch certificate ") {
			t.Errorf("error %v, want a fetch certificate error wrapping context.Canceled", err)
		}
	})
}

func TestReadCertificateRefusesOtherSchemes(t *testing.T) {
	var hits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("not to be read"))
	}))
	defer plain.Close()
	for _, u := range []string{
		plain.URL + "/cert.pem",
		"ftp://example.com/cert.pem",
		"file:///etc/ssl/cert.pem",
	} {
		t.Run(u, func(t *testing.T) {
			data, err := seal.ReadCertificate(context.Background(), plain.Client(), u)
			var ce *seal.CertError
			if !errors.As(err, &ce) {
				t.Fatalf("ReadCertificate(%s) = %q, %v; want a *seal.CertError", u, data, err)
			}
			if want := "certificate " + u + ": only https:// URLs are accepted"; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the http:// server was contacted %d times", n)
	}
}
