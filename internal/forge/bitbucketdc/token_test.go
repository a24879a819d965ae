package bitbucketdc_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/bitbucketdc"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/templates"
)

func TestParseToken(t *testing.T) {
	good := testcreds.BitbucketDC("123456789012", "seedseed")
	if tok, err := bitbucketdc.ParseToken(good + "\n"); err != nil || tok.Kind() != bitbucketdc.HTTPAccessToken || tok.Reveal() != good {
		t.Fatalf("ParseToken(good) = %v, %v", tok, err)
	}
	noID := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", 33)))
	for v, want := range map[string]string{
		good[:43]:                                "is 43 characters long",
		good + "AAAA":                            "is 48 characters long",
		strings.Replace(good, good[5:6], "_", 1): "contains a character",
		noID:                                     "does not decode to the token's ID",
		testcreds.Classic("x"):                   "is a GitHub token",
		testcreds.GitLab("x"):                    "is a GitLab token",
		"":                                       "is empty",
	} {
		_, err := bitbucketdc.ParseToken(v)
		if !token.IsFormatError(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseToken(%d chars) = %v; want %q", len(v), err, want)
		}
	}
}

func TestAllowedAPIURL(t *testing.T) {
	for _, tc := range []struct{ repo, configured, want, err string }{
		{"https://bitbucket.example.com/scm/ACME/cfg.git", "", "https://bitbucket.example.com/rest/api/1.0/", ""},
		{"https://bitbucket.example.com:8443/scm/ACME/cfg.git", "https://bitbucket.example.com:8443/rest/api/1.0", "https://bitbucket.example.com:8443/rest/api/1.0/", ""},
		{"https://bitbucket.example.com/scm/ACME/cfg.git", "https://evil.example/rest/api/1.0", "", "is not the API of bitbucket.example.com"},
		{"http://bitbucket.example.com/scm/ACME/cfg.git", "", "", "not an https URL"},
	} {
		got, err := bitbucketdc.AllowedAPIURL(tc.repo, tc.configured)
		var he *forge.HostError
		if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && (!errors.As(err, &he) || !strings.Contains(err.Error(), tc.err))) {
			t.Errorf("AllowedAPIURL(%q, %q) = %q, %v; want %q, %q", tc.repo, tc.configured, got, err, tc.want, tc.err)
		}
	}
}

func TestRepoPath(t *testing.T) {
	for path, want := range map[string][2]string{
		"/scm/ACME/shared-config.git": {"ACME", "shared-config"},
		"/scm/ACME/shared-config":     {"ACME", "shared-config"},
		"/scm/~alice/cfg.git":         {"~alice", "cfg"},
		"/projects/ACME/repos/cfg":    {},
		"/ACME/cfg":                   {},
		"/scm/ACME/..":                {},
		"/scm/A%2FB/cfg":              {},
	} {
		ns, name, hint := bitbucketdc.RepoPath(path)
		if [2]string{ns, name} != want || (want[0] == "") != (hint != "") {
			t.Errorf("RepoPath(%q) = %q, %q, %q; want %v", path, ns, name, hint, want)
		}
	}
}

// TestForge: every token goes as Bearer (no Git username) and into Argo
// CD's bearerToken; no public host; no CI file, and why.
func TestForge(t *testing.T) {
	f := bitbucketdc.Forge{}
	tok, _ := f.ParseToken(testcreds.BitbucketDC("123456789012", "x"))
	plain, key := f.RepoCreds(tok)
	if f.GitUsername(tok) != "" || key != "bearerToken" || len(plain) != 0 {
		t.Errorf("Git username %q, repo-creds %v %q", f.GitUsername(tok), plain, key)
	}
	if f.PublicHost() != "" || f.CIFile() != "" || f.Name() != "bitbucket-datacenter" {
		t.Errorf("public host %q, CI file %q, name %q", f.PublicHost(), f.CIFile(), f.Name())
	}
	if _, err := f.RenderCI(templatesWorkflow()); !errors.Is(err, forge.ErrNoCI) || !strings.Contains(err.Error(), "Bamboo or Jenkins") {
		t.Errorf("RenderCI: %v", err)
	}
	_, err := forge.Trust{}.Resolve(f, "https://bitbucket.example.com/scm/ACME/cfg.git", "")
	var ue *forge.UnconfirmedHostError
	if !errors.As(err, &ue) || ue.Kind != "Bitbucket Data Center" {
		t.Errorf("unconfirmed host: %v", err)
	}
	if got := f.RequirementNames("", forge.NeedFor(forge.RuntimeToken, true)); len(got) != 2 {
		t.Errorf("RequirementNames = %v", got)
	}
}

func templatesWorkflow() templates.Workflow { return templates.Workflow{CheckName: "rtconf validate"} }
