package workspace_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/workspace"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

var canary = testcreds.Classic("CANARY0canary0")

// demoRepo makes a demo repository in a temporary folder.
func demoRepo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if _, err := workspace.Init(context.Background(), workspace.InitOptions{Dir: dir, Demo: true, Now: now}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func mustToken(t testing.TB, v string) token.Token {
	t.Helper()
	tok, err := github.ParseToken(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func unseal(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ss ssv1alpha1.SealedSecret
	if err := yaml.Unmarshal(data, &ss); err != nil {
		t.Fatal(err)
	}
	secret, err := ss.Unseal(seal.Codecs(), testcreds.DemoKeys(t))
	if err != nil {
		t.Fatalf("unseal %s: %v", path, err)
	}
	out := map[string]string{}
	for k, v := range secret.Data {
		out[k] = string(v)
	}
	return out
}

// snapshot reads every file of the working tree in dir (.git left out), by
// slash-separated path relative to dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sealOpts(dir string) workspace.SealOptions {
	o := workspace.DefaultSealOptions()
	o.Dir = dir
	o.Now = now
	o.SkipLiveCheck = true
	o.Demo = true // the demo repositories pin the demo certificate
	return o
}

// TestSealRefusesRealTokensWithTheDemoCertificate: a token that is not
// one of the demo's fake tokens is sealed with the demo certificate only
// with Demo (--demo); refused, nothing is written.
func TestSealRefusesRealTokensWithTheDemoCertificate(t *testing.T) {
	for _, tt := range []struct {
		name  string
		demo  bool
		token string
		ok    bool
	}{
		{name: "real-looking token", token: canary},
		{name: "real-looking token with --demo", demo: true, token: canary, ok: true},
		{name: "the demo's own token", token: workspace.DemoToken("alice"), ok: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := demoRepo(t)
			before := snapshot(t, dir)
			o := sealOpts(dir)
			o.Runtime, o.User, o.Demo, o.Token = "production", "alice", tt.demo, mustToken(t, tt.token)
			_, err := workspace.Seal(context.Background(), o)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ue *workspace.UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), "refusing to seal the token with the demo certificate") || !strings.Contains(err.Error(), "--demo") {
				t.Fatalf("error = %v, want the demo certificate refused", err)
			}
			if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
				t.Errorf("a refused seal changed the tree (-before +after):\n%s", diff)
			}
		})
	}
}

func TestSealRuntimeAndUserTokens(t *testing.T) {
	dir := demoRepo(t)
	o := sealOpts(dir)
	o.Runtime = "production"
	o.Token = mustToken(t, canary)
	res, err := workspace.Seal(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != "overlays/production/runtime-token.yaml" {
		t.Errorf("Path = %q", res.Path)
	}
	got := unseal(t, filepath.Join(dir, res.Path))
	want := map[string]string{"password": canary, "type": "git", "url": "https://github.com/example-org/", "username": github.GitUsername}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unsealed runtime token (-want +got):\n%s", diff)
	}

	o.User = "BOB"
	res, err = workspace.Seal(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != "overlays/production/user-tokens/bob.yaml" {
		t.Errorf("Path = %q", res.Path)
	}
	if diff := cmp.Diff(map[string]string{"token": canary, "username": "bob"}, unseal(t, filepath.Join(dir, res.Path))); diff != "" {
		t.Errorf("unsealed user token (-want +got):\n%s", diff)
	}

	// Generating again keeps both sealed tokens.
	gen, err := workspace.Generate(context.Background(), workspace.GenerateOptions{Dir: dir, ConfigFile: "rtconf.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if len(gen.Changes) != 0 {
		t.Errorf("generate after sealing changed %v", gen.Changes)
	}
}

func TestSealRefusals(t *testing.T) {
	other := filepath.Join(t.TempDir(), "other.pem")
	testcreds.WriteCert(t, other, now.Add(-time.Hour), now.Add(365*24*time.Hour))
	expired := filepath.Join(t.TempDir(), "expired.pem")
	testcreds.WriteCert(t, expired, now.Add(-400*24*time.Hour), now.Add(-24*time.Hour))

	for _, tc := range []struct {
		name   string
		modify func(*workspace.SealOptions)
		want   string
	}{
		{"unknown runtime", func(o *workspace.SealOptions) { o.Runtime = "nope" },
			`runtime "nope" is not in `},
		{"unknown user", func(o *workspace.SealOptions) { o.User = "mallory" },
			`user "mallory" is not listed in runtime "production"; add it to users in rtconf.yaml first`},
		{"user covered by the runtime token", func(o *workspace.SealOptions) { o.Runtime = "staging"; o.User = "alice" },
			`runtime "staging" uses its runtime token as every user's token (runtimeTokenAsUserToken): there is no user token to seal`},
		{"another certificate than the pinned one", func(o *workspace.SealOptions) { o.Cert = other },
			"differs from the one pinned in rtconf.yaml"},
		{"expired certificate", func(o *workspace.SealOptions) { o.Cert = expired; o.AcceptNewCert = true },
			"expired on"},
		{"missing certificate file", func(o *workspace.SealOptions) { o.Cert = filepath.Join(t.TempDir(), "none.pem") },
			"no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := demoRepo(t)
			before := snapshot(t, dir)
			o := sealOpts(dir)
			o.Runtime = "production"
			o.Token = mustToken(t, canary)
			tc.modify(&o)
			_, err := workspace.Seal(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Seal error = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), canary) {
				t.Fatalf("error contains the token: %v", err)
			}
			if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
				t.Errorf("a refused seal changed the repository:\n%s", diff)
			}
		})
	}
}

func TestSealAcceptNewCertRepins(t *testing.T) {
	dir := demoRepo(t)
	other := filepath.Join(t.TempDir(), "other.pem")
	testcreds.WriteCert(t, other, now.Add(-time.Hour), now.Add(365*24*time.Hour))
	o := sealOpts(dir)
	o.Runtime = "production"
	o.Token = mustToken(t, canary)
	o.Cert = other
	o.AcceptNewCert = true
	res, err := workspace.Seal(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "replaces the pinned one") {
		t.Errorf("warnings = %q, want one about the replaced pin", res.Warnings)
	}
	data, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := seal.ParseCertificate(other, data)
	if err != nil {
		t.Fatal(err)
	}
	cfgText := readFile(t, dir, "rtconf.yaml")
	if !strings.Contains(cfgText, "  fingerprint: "+cert.Fingerprint+"\n") {
		t.Errorf("rtconf.yaml does not pin the new certificate:\n%s", cfgText)
	}
	if !strings.Contains(cfgText, "# A production runtime with two users and one managed cluster.") {
		t.Errorf("re-pinning lost the comments of rtconf.yaml:\n%s", cfgText)
	}
	if got := readFile(t, dir, "certs/demo-sealed-secrets.pem"); got != string(cert.PEM) {
		t.Errorf("the pinned certificate file was not replaced with the new certificate")
	}
}

func TestPin(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	_, err := workspace.Init(context.Background(), workspace.InitOptions{Dir: dir, RepoURL: "https://github.com/acme/cfg", Runtime: "prod", Revision: "main"})
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	testcreds.WriteCert(t, certFile, now.Add(-time.Hour), now.Add(20*24*time.Hour))
	res, err := workspace.Pin(context.Background(), workspace.PinOptions{Dir: dir, Cert: certFile, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "expires on") {
		t.Errorf("warnings = %q, want one about the near expiry", res.Warnings)
	}
	cfgText := readFile(t, dir, "rtconf.yaml")
	want := "sealing:\n  certificate: " + workspace.DefaultCertificatePath + "\n  fingerprint: " + res.Fingerprint + "\n"
	if !strings.HasSuffix(cfgText, want) {
		t.Errorf("rtconf.yaml after pin:\n%s\nwant it to end with:\n%s", cfgText, want)
	}
	// Pinning the same certificate again changes nothing.
	again, err := workspace.Pin(context.Background(), workspace.PinOptions{Dir: dir, Cert: certFile, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) != 0 {
		t.Errorf("second pin changed %v", again.Changes)
	}
	// Now sealing works without --cert.
	o := sealOpts(dir)
	o.Runtime = "prod"
	o.Token = mustToken(t, canary)
	if _, err := workspace.Seal(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, dir, p string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, p))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
