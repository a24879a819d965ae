package workspace

import (
	"errors"
	"fmt"
	"os"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/providers"
)

// TokenTarget is where and for what a token is checked.
type TokenTarget struct {
	// Forge is the Git host's provider: rtconf.yaml's, or the default one
	// with --repo alone.
	Forge       forge.Forge
	APIURL      string
	Owner, Repo string
	// Also lists kinds the token must serve too (a runtime token used as
	// user token).
	Also []forge.Kind
}

// ResolveTokenTarget finds the repository and API a token is checked
// against: the repository from --repo when given, else from rtconf.yaml;
// the API as trust decides for rtconf.yaml's repository. With --repo alone
// (no rtconf.yaml read) the repository is on github.com, or in GitHub
// Actions on the runner's host, unless --api-url names another API.
//
// provider is --provider: with --repo alone it names the Git host's
// provider ("" the default); with rtconf.yaml it must be rtconf.yaml's.
func ResolveTokenTarget(dir, configFile, runtime, repoFlag, provider string, trust forge.Trust, kind forge.Kind) (TokenTarget, error) {
	var t TokenTarget
	var cfg *config.Config
	if repoFlag == "" || runtime != "" {
		root, err := os.OpenRoot(dir)
		if err != nil {
			return t, fmt.Errorf("open repository: %w (or pass --repo OWNER/NAME)", err)
		}
		defer root.Close()
		if cfg, err = loadConfig(root, dir, configFile); err != nil {
			return t, err
		}
	}
	if cfg != nil {
		t.Owner, t.Repo, _ = cfg.OwnerRepo()
		if runtime != "" {
			rt, err := findRuntime(cfg, runtime)
			if err != nil {
				return t, err
			}
			t.Also = forge.NeedFor(kind, rt.RuntimeTokenAsUserToken).Also
		}
	}
	if repoFlag != "" {
		owner, name, hint := forgeFor(cfg, provider).RepoPath(repoFlag)
		if hint != "" {
			return t, &UsageError{fmt.Sprintf("--repo %q: write OWNER/NAME (GitLab: GROUP[/SUBGROUP…]/PROJECT)", repoFlag)}
		}
		t.Owner, t.Repo = owner, name
	}
	if t.Owner == "" {
		return t, errors.New("no repository to check the token on: pass --repo OWNER/NAME")
	}
	if cfg == nil {
		f, err := providers.For(provider)
		if err != nil {
			return t, &UsageError{"--provider: " + err.Error()}
		}
		t.Forge = f
	} else {
		t.Forge = cfg.Forge()
		if provider != "" && provider != t.Forge.Name() {
			return t, &UsageError{fmt.Sprintf("--provider %s, but repository.provider in %s is %s", provider, cfg.File, t.Forge.Name())}
		}
	}
	repoURL, configured := "", ""
	if cfg != nil {
		repoURL, configured = cfg.Repository.URL, cfg.Repository.APIURL
	} else {
		host := t.Forge.PublicHost()
		if trust.CIAPIURL != "" {
			host = t.Forge.GitHost(trust.CIAPIURL)
		}
		repoURL = "https://" + host + "/" + t.Owner + "/" + t.Repo
	}
	dest, err := trust.Resolve(t.Forge, repoURL, configured)
	if err != nil {
		return t, err
	}
	t.APIURL = dest.APIURL
	return t, nil
}

// forgeFor is cfg's provider, or the one provider names without a
// configuration (the default when that is unknown: ResolveTokenTarget
// reports it).
func forgeFor(cfg *config.Config, provider string) forge.Forge {
	if cfg != nil {
		return cfg.Forge()
	}
	if f, err := providers.For(provider); err == nil {
		return f
	}
	return (*config.Config)(nil).Forge()
}
