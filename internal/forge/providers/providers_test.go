package providers_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/schemas"
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

// TestSchemaNamesTheProviders: the providers rtconf.yaml's schema accepts
// for repository.provider are the registered ones, so that adding a
// provider is registering it (and its schema entry).
func TestSchemaNamesTheProviders(t *testing.T) {
	var schema struct {
		Properties struct {
			Repository struct {
				Properties struct {
					Provider struct {
						Enum    []string `json:"enum"`
						Default string   `json:"default"`
					} `json:"provider"`
				} `json:"properties"`
			} `json:"repository"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schemas.Config(), &schema); err != nil {
		t.Fatal(err)
	}
	p := schema.Properties.Repository.Properties.Provider
	if !slices.Equal(p.Enum, providers.Names()) || p.Default != providers.Default {
		t.Errorf("schema: provider enum %v default %q; registered %v default %q", p.Enum, p.Default, providers.Names(), providers.Default)
	}
}

// TestRepoCredsUseTheGitUsername: Argo CD's repo-creds and rtconf's pushes
// send the same username with a token.
func TestRepoCredsUseTheGitUsername(t *testing.T) {
	for _, name := range providers.Names() {
		f, _ := providers.For(name)
		tok, err := f.ParseToken(testcreds.Classic("providers"))
		if err != nil {
			t.Fatal(err)
		}
		plain, key := f.RepoCreds(tok)
		if plain["username"] != f.GitUsername(tok) || key == "" || plain[key] != "" {
			t.Errorf("%s: repo-creds %v (secret %q), Git username %q", name, plain, key, f.GitUsername(tok))
		}
	}
}
