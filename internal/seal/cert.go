// Package seal encrypts Git tokens into SealedSecrets with the
// sealed-secrets library, after checking the controller's certificate.
package seal

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Certificate rules.
const (
	// ExpiryWarning: a certificate expiring sooner gets a warning.
	ExpiryWarning = 30 * 24 * time.Hour
	// RenewalPeriod is how often the controller makes a new key by default;
	// an older certificate is probably no longer the newest.
	RenewalPeriod = 30 * 24 * time.Hour
	// maxCertSize bounds what is read from a file or URL.
	maxCertSize = 1 << 20
)

// Certificate is a sealed-secrets controller's public certificate.
type Certificate struct {
	PEM         []byte
	Cert        *x509.Certificate
	Key         *rsa.PublicKey
	Fingerprint string
}

// CertError says why a certificate cannot be used.
type CertError struct {
	Source string
	Reason string
}

func (e *CertError) Error() string { return "certificate " + e.Source + ": " + e.Reason }

// ParseCertificate reads a PEM certificate with an RSA public key; source
// names it in errors.
func ParseCertificate(source string, data []byte) (*Certificate, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, &CertError{source, "no PEM data found; expected the controller's certificate (kubeseal --fetch-cert)"}
	}
	if block.Type != "CERTIFICATE" {
		return nil, &CertError{source, fmt.Sprintf("PEM block is %q, not CERTIFICATE; pass the controller's public certificate, never its private key", block.Type)}
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, &CertError{source, "not a valid X.509 certificate: " + err.Error()}
	}
	// kubeseal.ParseKey would do the same, but it also refuses expired
	// certificates by the real clock; Check applies that rule with its own.
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, &CertError{source, fmt.Sprintf("has a public key of type %s; sealed-secrets uses RSA", cert.PublicKeyAlgorithm)}
	}
	sum := sha256.Sum256(cert.Raw)
	return &Certificate{
		PEM:         pem.EncodeToMemory(block),
		Cert:        cert,
		Key:         key,
		Fingerprint: "sha256:" + hex.EncodeToString(sum[:]),
	}, nil
}

// CheckOptions are the inputs of Check.
type CheckOptions struct {
	// Pinned is the fingerprint recorded in rtconf.yaml; empty when none is.
	Pinned string
	// AcceptNew allows a certificate other than the pinned one (the
	// controller's key was rotated); the caller then re-pins it.
	AcceptNew bool
	Now       time.Time
	// NoAgeWarning leaves out the warning about a certificate older than
	// the key renewal period: it matters when sealing, not when checking
	// what was sealed.
	NoAgeWarning bool
}

// Check applies the certificate rules: expired and not-yet-valid
// certificates and unpinned changes are errors; one expiring soon or older
// than the controller's key renewal period gets a warning.
func (c *Certificate) Check(source string, o CheckOptions) (warnings []string, err error) {
	switch {
	case o.Now.After(c.Cert.NotAfter):
		return nil, &CertError{source, fmt.Sprintf("expired on %s; fetch the controller's current certificate (kubeseal --fetch-cert) and pin it with rtconf cert pin", day(c.Cert.NotAfter))}
	case o.Now.Before(c.Cert.NotBefore):
		return nil, &CertError{source, fmt.Sprintf("is not valid before %s; check this machine's clock", day(c.Cert.NotBefore))}
	}
	if o.Pinned != "" && !strings.EqualFold(o.Pinned, c.Fingerprint) {
		if !o.AcceptNew {
			return nil, &CertError{source, fmt.Sprintf("fingerprint %s differs from the one pinned in rtconf.yaml (%s); if the controller's key was rotated, pass --accept-new-cert to pin the new one", c.Fingerprint, o.Pinned)}
		}
		warnings = append(warnings, fmt.Sprintf("certificate %s replaces the pinned one (%s): pinned the new fingerprint %s", source, o.Pinned, c.Fingerprint))
	}
	if left := c.Cert.NotAfter.Sub(o.Now); left < ExpiryWarning {
		warnings = append(warnings, fmt.Sprintf("certificate %s expires on %s, in %d days", source, day(c.Cert.NotAfter), int(left.Hours()/24)))
	}
	if age := o.Now.Sub(c.Cert.NotBefore); age > RenewalPeriod && !o.NoAgeWarning {
		warnings = append(warnings, fmt.Sprintf("certificate %s was issued on %s, %d days ago; the controller makes a new key every 30 days by default, so fetch its current certificate", source, day(c.Cert.NotBefore), int(age.Hours()/24)))
	}
	return warnings, nil
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// ReadCertificate reads a certificate from a file or an https URL, as
// kubeseal --cert accepts.
func ReadCertificate(ctx context.Context, client *http.Client, fileOrURL string) ([]byte, error) {
	u, err := url.Parse(fileOrURL)
	if err == nil && u.Scheme != "" && len(u.Scheme) > 1 && strings.Contains(fileOrURL, "://") {
		if u.Scheme != "https" {
			return nil, &CertError{u.Redacted(), "only https:// URLs are accepted"}
		}
		return fetch(ctx, client, u)
	}
	f, err := os.Open(fileOrURL)
	if err != nil {
		return nil, fmt.Errorf("read certificate: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertSize+1))
	if err != nil {
		return nil, fmt.Errorf("read certificate: %w", err)
	}
	if len(data) > maxCertSize {
		return nil, &CertError{fileOrURL, "is larger than 1 MiB: not a certificate"}
	}
	return data, nil
}

func fetch(ctx context.Context, client *http.Client, u *url.URL) ([]byte, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	// Never follow a redirect away from https.
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "https" {
			return fmt.Errorf("refusing redirect to %s: only https is accepted", req.URL.Redacted())
		}
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		return nil
	}
	client = &c
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch certificate: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch certificate %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &CertError{u.Redacted(), fmt.Sprintf("fetching it answered %s", resp.Status)}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCertSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetch certificate %s: %w", u.Redacted(), err)
	}
	if len(data) > maxCertSize {
		return nil, &CertError{u.Redacted(), "is larger than 1 MiB: not a certificate"}
	}
	return data, nil
}

// IsCertError reports whether err is a certificate the rules refuse.
func IsCertError(err error) bool {
	var ce *CertError
	return errors.As(err, &ce)
}
