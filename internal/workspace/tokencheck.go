package workspace

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
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
func ResolveTokenTarget(dir, configFile, runtime, repoFlag string, trust forge.Trust, kind forge.Kind) (TokenTarget, error) {
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
		owner, name, ok := strings.Cut(repoFlag, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return t, &UsageError{fmt.Sprintf("--repo %q: write OWNER/NAME", repoFlag)}
		}
		t.Owner, t.Repo = owner, name
	}
	if t.Owner == "" {
		return t, errors.New("no repository to check the token on: pass --repo OWNER/NAME")
	}
	t.Forge = cfg.Forge()
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
