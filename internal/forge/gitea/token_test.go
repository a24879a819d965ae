package gitea_test

import (
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge/gitea"
	"github.com/rtconf/rtconf/templates"
)

func TestParseToken(t *testing.T) {
	good := strings.Repeat("0a", 20)
	if tok, err := gitea.ParseToken(good + "\n"); err != nil || tok.Kind() != gitea.AccessToken || tok.Reveal() != good {
		t.Fatalf("ParseToken(40 hex) = %v, %v", tok, err)
	}
	for v, want := range map[string]string{
		"":                                 "is empty",
		strings.Repeat("a", 39):            "39 characters long",
		strings.Repeat("a", 41):            "41 characters long",
		strings.Repeat("A", 40):            "lower-case hexadecimal",
		strings.Repeat("g", 40):            "at character 1",
		"ghp_" + strings.Repeat("a", 36):   "GitHub token",
		"glpat-" + strings.Repeat("a", 20): "GitLab token",
		"aaaa aaaa":                        "whitespace",
	} {
		if _, err := gitea.ParseToken(v); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseToken(%q) = %v; want %q", v, err, want)
		}
	}
}

func TestAllowedAPIURL(t *testing.T) {
	for _, tt := range []struct{ repo, configured, want, err string }{
		{"https://git.example.com/acme/cfg", "", "https://git.example.com/api/v1/", ""},
		{"https://Git.Example.com:443/acme/cfg.git", "", "https://git.example.com/api/v1/", ""},
		{"https://git.example.com:8443/acme/cfg", "https://git.example.com:8443/api/v1", "https://git.example.com:8443/api/v1/", ""},
		{"https://codeberg.org/acme/cfg", "", "https://codeberg.org/api/v1/", ""},
		{"http://git.example.com/acme/cfg", "", "", "not an https URL"},
		{"https://git.example.com/acme/cfg", "https://evil.example/api/v1", "", "is not the API of git.example.com"},
		{"https://git.example.com/acme/cfg", "https://git.example.com/api/v3", "", "is not the API"},
	} {
		got, err := gitea.AllowedAPIURL(tt.repo, tt.configured)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("AllowedAPIURL(%q, %q) = %q, %v; want %q, %q", tt.repo, tt.configured, got, err, tt.want, tt.err)
		}
	}
}

func TestRepoPath(t *testing.T) {
	for path, want := range map[string][2]string{
		"/acme/cfg":     {"acme", "cfg"},
		"/acme/cfg.git": {"acme", "cfg"},
		"/acme/sub/cfg": {"", ""},
		"/acme":         {"", ""},
		"/../cfg":       {"", ""},
	} {
		ns, name, hint := gitea.RepoPath(path)
		if ns != want[0] || name != want[1] || (ns == "") != (hint != "") {
			t.Errorf("RepoPath(%q) = %q, %q, %q", path, ns, name, hint)
		}
	}
}

func TestForge(t *testing.T) {
	f := gitea.Forge{}
	if f.PublicHost() != "" || f.CIFile() != ".gitea/workflows/rtconf.yml" {
		t.Errorf("PublicHost %q CIFile %q", f.PublicHost(), f.CIFile())
	}
	if data, err := f.RenderCI(templates.Workflow{CheckName: "rtconf validate", Branch: "main", Shards: 1}); err != nil || !strings.Contains(string(data), "name: \"rtconf validate\"") {
		t.Errorf("RenderCI: %v\n%s", err, data)
	}
}
