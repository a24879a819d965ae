package github_test

import (
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge/github"
)

// FuzzParseScopes checks the X-OAuth-Scopes parser: no panic, and every
// scope it returns is a non-empty, trimmed part of the header without a
// comma. Seeds are in testdata/fuzz/FuzzParseScopes.
func FuzzParseScopes(f *testing.F) {
	for _, s := range []string{"", "repo", "repo, admin:repo_hook", " , ,repo,,", "repo,\tworkflow\r\n", "é, ", "a , b ,c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, s := range github.ParseScopes(header) {
			if s == "" || s != strings.TrimSpace(s) || strings.Contains(s, ",") || !strings.Contains(header, s) {
				t.Fatalf("ParseScopes(%q) returned %q", header, s)
			}
		}
	})
}

// FuzzParseAcceptedPermissions checks the X-Accepted-GitHub-Permissions
// parser: no panic, no empty alternative, and every permission has a
// trimmed non-empty name and level holding none of the separators.
func FuzzParseAcceptedPermissions(f *testing.F) {
	for _, s := range []string{"", "contents=read", "contents=read; webhooks=write", "a=b,c=d;e=f", "=;=,", "x==y", " a = b ;; c=", "metadata=read\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, alt := range github.ParseAcceptedPermissions(header) {
			if len(alt) == 0 {
				t.Fatalf("ParseAcceptedPermissions(%q): an empty alternative", header)
			}
			for _, p := range alt {
				for _, v := range []string{p.Name, p.Level} {
					if v == "" || v != strings.TrimSpace(v) || strings.ContainsAny(v, ",;") {
						t.Fatalf("ParseAcceptedPermissions(%q) returned %#v", header, p)
					}
				}
				if strings.Contains(p.Name, "=") {
					t.Fatalf("ParseAcceptedPermissions(%q): name %q holds '='", header, p.Name)
				}
			}
		}
	})
}
