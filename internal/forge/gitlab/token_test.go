package gitlab_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/gitlab"
	"github.com/rtconf/rtconf/internal/token"
)

func chars(n int) string { return strings.Repeat("aB3_-", n/5+1)[:n] }

var (
	legacy   = "glpat-" + chars(20)
	routable = "glpat-" + chars(27) + ".01." + chars(9)
)

func TestParseToken(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string // want "" for valid
	}{
		{name: "legacy", in: legacy},
		{name: "legacy with LF", in: legacy + "\n"},
		{name: "routable", in: routable},
		{name: "longest routable", in: "glpat-" + chars(300) + ".01." + chars(6)},
		{name: "too long", in: "glpat-" + chars(320), want: "longer than 316 characters, the most a GitLab token has"},
		{name: "legacy cut off", in: "glpat-" + chars(19), want: "is 25 characters long, too short for a glpat- token (at least 26)"},
		{name: "routable cut off", in: "glpat-" + chars(10) + ".01.x", want: "too short for a routable glpat- token (at least 43)"},
		{name: "deploy token", in: "gldt-" + chars(20), want: "is a deploy token, which cannot call GitLab's API"},
		{name: "job token", in: "glcbt-" + chars(20), want: "is a CI/CD job token"},
		{name: "GitHub token", in: "ghp_" + chars(36), want: "does not look like a GitLab token"},
		{name: "bad character", in: "glpat-" + chars(10) + "/" + chars(10), want: "contains a character that no GitLab token has, at character 17"},
		{name: "space", in: "glpat-" + chars(10) + " " + chars(10), want: "contains whitespace at character 17"},
		{name: "empty", in: "", want: "is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := gitlab.ParseToken(tt.in)
			if tt.want == "" {
				if err != nil || tok.Reveal() != strings.TrimSuffix(tt.in, "\n") || tok.Kind() != gitlab.AccessToken {
					t.Fatalf("ParseToken = %v, %v; want a %s token", tok, err, gitlab.AccessToken)
				}
				return
			}
			var fe *token.FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseToken = %v, %v; want a format error with %q", tok, err, tt.want)
			}
			if tt.in != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
				t.Fatalf("the error repeats the token: %v", err)
			}
		})
	}
}

func TestAllowedAPIURL(t *testing.T) {
	for _, tt := range []struct{ url, api, want, err string }{
		{url: "https://gitlab.com/acme/shared", want: "https://gitlab.com/api/v4/"},
		{url: "https://GitLab.com:443/acme/platform/shared.git", want: "https://gitlab.com/api/v4/"},
		{url: "https://git.example.com/a/b/c/d", want: "https://git.example.com/api/v4/"},
		{url: "https://git.example.com:8443/a/b", want: "https://git.example.com:8443/api/v4/"},
		{url: "https://git.example.com/a/b", api: "https://git.example.com/api/v4", want: "https://git.example.com/api/v4/"},
		{url: "https://gitlab.com/a/b", api: "https://attacker.example/api/v4", err: "is not the API of gitlab.com"},
		{url: "https://git.example.com/a/b", api: "https://git.example.com/api/v3", err: "is not the API of git.example.com"},
		{url: "https://git.example.com/a/b", api: "http://git.example.com/api/v4", err: "repository.apiURL: not an https URL"},
		{url: "http://git.example.com/a/b", err: "repository.url: not an https URL"},
	} {
		got, err := gitlab.AllowedAPIURL(tt.url, tt.api)
		var he *forge.HostError
		switch {
		case tt.err != "" && (!errors.As(err, &he) || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("AllowedAPIURL(%q, %q) = %q, %v; want an error with %q", tt.url, tt.api, got, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("AllowedAPIURL(%q, %q) = %q, %v; want %q", tt.url, tt.api, got, err, tt.want)
		}
	}
}

func TestRepoPath(t *testing.T) {
	for path, want := range map[string][2]string{
		"/acme/shared":              {"acme", "shared"},
		"/acme/platform/shared.git": {"acme/platform", "shared"},
		"/a/b/c/d/e/project/":       {"a/b/c/d/e", "project"},
		"/acme":                     {},
		"/acme/shared/-/tree/main":  {},
		"/acme//shared":             {},
		"/acme/.git":                {},
		"/acme/../shared":           {},
	} {
		ns, name, hint := gitlab.RepoPath(path)
		if want == ([2]string{}) {
			if hint == "" {
				t.Errorf("RepoPath(%q) = %q, %q; want it refused", path, ns, name)
			}
			continue
		}
		if hint != "" || ns != want[0] || name != want[1] {
			t.Errorf("RepoPath(%q) = %q, %q, %q; want %q", path, ns, name, hint, want)
		}
	}
}

func TestRequirementNames(t *testing.T) {
	for need, want := range map[*forge.Need]string{
		{Kind: forge.RuntimeToken}: "api, Maintainer role on the project",
		{Kind: forge.UserToken}:    "read_api, write_repository, Developer role on the project",
		{Kind: forge.RuntimeToken, Also: []forge.Kind{forge.UserToken}}: "api, read_api, write_repository, Maintainer role on the project",
	} {
		if got := strings.Join(gitlab.RequirementNames(gitlab.AccessToken, *need), ", "); got != want {
			t.Errorf("%+v: %s, want %s", *need, got, want)
		}
	}
}
