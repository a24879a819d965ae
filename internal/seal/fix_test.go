package seal_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

func TestReadCertificateRefusesRedirectToHTTP(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("not over TLS"))
	}))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/cert.pem", http.StatusFound)
	}))
	defer tlsSrv.Close()
	_, err := seal.ReadCertificate(context.Background(), tlsSrv.Client(), tlsSrv.URL+"/cert.pem")
	if err == nil || !strings.Contains(err.Error(), "refusing redirect to http://") {
		t.Fatalf("error = %v, want the redirect to http refused", err)
	}
}

func TestReadCertificateRedactsCredentials(t *testing.T) {
	_, err := seal.ReadCertificate(context.Background(), nil, "http://user:s3cret@example.com/cert.pem")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error = %v, want a refusal without the password", err)
	}
}

func TestSealRefusesTemplatesInPlainValues(t *testing.T) {
	data, err := os.ReadFile("../../templates/demo/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := seal.ParseCertificate("demo", data)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Repository: config.Repository{URL: "https://github.com/{{.password}}/repo"}, Sealing: config.Sealing{Scope: config.ScopeStrict}}
	rt := config.Runtime{Name: "a", Namespace: "b"}
	tok, err := github.ParseToken(testcreds.Classic("abcdefghijklmnopqrstuvwxyz0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = seal.RuntimeToken(cfg, rt, tok, cert, testclock.Default())
	if err == nil || !strings.Contains(err.Error(), "would run as a template") {
		t.Fatalf("error = %v, want the template refused", err)
	}
}
