package providers_test

import (
	"testing"

	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/seal"
)

func TestFor(t *testing.T) {
	for _, name := range []string{"", "github"} {
		f, err := providers.For(name)
		if err != nil || f.Name() != "github" {
			t.Errorf("For(%q) = %v, %v; want github", name, f, err)
		}
	}
	if _, err := providers.For("gitlab"); err == nil {
		t.Error("For(gitlab) = nil error; want unknown provider")
	}
}

// The username is still written in two places outside the provider; they
// must agree with it until they ask the provider.
func TestGitUsernameAgrees(t *testing.T) {
	if gitrepo.TokenUser != github.GitUsername || seal.RepoCredsUsername != github.GitUsername {
		t.Errorf("gitrepo %q, seal %q, provider %q", gitrepo.TokenUser, seal.RepoCredsUsername, github.GitUsername)
	}
}
