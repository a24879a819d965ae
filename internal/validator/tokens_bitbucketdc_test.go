package validator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/internal/workspace"
)

// TestTokenInFileBitbucketDC: a Bitbucket Data Center token written in
// plain text (the bearerToken of a repo-creds Secret, as Argo CD reads a
// project or repository token) is a token-in-file error at its line; the
// demo repository's SealedSecrets, certificate and kustomizations, base64
// of every kind, give none.
func TestTokenInFileBitbucketDC(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "repo")
	if _, err := workspace.Init(context.Background(), workspace.InitOptions{Dir: dir, Demo: true, Now: now}); err != nil {
		t.Fatal(err)
	}
	validate := func() []validator.Finding {
		t.Helper()
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer root.Close()
		opts := validator.DefaultOptions()
		opts.Now = now
		rep, err := validator.Validate(context.Background(), root.FS(), opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []validator.Finding
		for _, f := range rep.Findings {
			if f.Rule == validator.RuleTokenInFile {
				out = append(out, f)
			}
		}
		return out
	}
	if got := validate(); len(got) != 0 {
		t.Fatalf("the demo repository: %d token-in-file findings, first %+v", len(got), got[0])
	}
	tok := testcreds.BitbucketDC("123456789012", "tokenINfile01")
	secret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bitbucket-creds\n  namespace: argocd\n" +
		"  labels:\n    argocd.argoproj.io/secret-type: repo-creds\nstringData:\n  type: git\n" +
		"  url: https://bitbucket.example.com/scm/acme\n  bearerToken: " + tok + "\n"
	p := filepath.Join(dir, "resources", "control-planes", "bitbucket-creds.yaml")
	if err := os.WriteFile(p, []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	got := validate()
	if len(got) != 1 {
		t.Fatalf("%d token-in-file findings, want 1: %+v", len(got), got)
	}
	f := got[0]
	if f.Path != "resources/control-planes/bitbucket-creds.yaml" || f.Line != 11 || f.Column != 16 || !strings.Contains(f.Message, "Bitbucket Data Center") {
		t.Errorf("finding %s:%d:%d %q", f.Path, f.Line, f.Column, f.Message)
	}
	if strings.Contains(f.Message+f.Hint, tok) {
		t.Errorf("the finding quotes the token")
	}
}
