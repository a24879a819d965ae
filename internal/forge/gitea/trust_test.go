package gitea_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/gitea"
)

// TestTrust: Gitea has no public host, so every host, codeberg.org
// included, is confirmed before a token goes to it; a confirmed one
// resolves to https://HOST/api/v1/; in a workflow the runner's API must be
// the repository's host's (Gitea Actions sets GITHUB_API_URL).
func TestTrust(t *testing.T) {
	f := gitea.Forge{}
	for _, repo := range []string{"https://codeberg.org/acme/cfg", "https://git.example.com/acme/cfg"} {
		_, err := forge.Trust{}.Resolve(f, repo, "")
		var ue *forge.UnconfirmedHostError
		if !errors.As(err, &ue) || ue.Kind != "Gitea or Forgejo" {
			t.Errorf("%s unconfirmed: %v", repo, err)
		}
	}
	tr := forge.Trust{Hosts: forge.KnownHosts{Prompt: &strings.Builder{}, Answer: strings.NewReader("y\n")}}
	dest, err := tr.Resolve(f, "https://git.example.com/acme/cfg", "")
	if err != nil || dest.APIURL != "https://git.example.com/api/v1/" || dest.GitHost != "git.example.com" {
		t.Errorf("confirmed: %+v, %v", dest, err)
	}
	ci := forge.Trust{CIAPIURL: "https://git.example.com/api/v1"}
	if dest, err := ci.Resolve(f, "https://git.example.com/acme/cfg", ""); err != nil || dest.APIURL != "https://git.example.com/api/v1/" {
		t.Errorf("in Gitea Actions: %+v, %v", dest, err)
	}
	ci.CIAPIURL = "https://other.example/api/v1"
	if _, err := ci.Resolve(f, "https://git.example.com/acme/cfg", ""); err == nil {
		t.Errorf("a runner of another host: want refused")
	}
}
