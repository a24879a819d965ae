package workspace

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/rtconf/rtconf/config"
	"github.com/rtconf/rtconf/ghcheck"
)

// TokenTarget is where and for what a token is checked.
type TokenTarget struct {
	APIURL      string
	Owner, Repo string
	// Also lists kinds the token must serve too (a runtime token used as
	// user token).
	Also []ghcheck.Kind
}

// ResolveTokenTarget finds the repository and API a token is checked
// against: from --repo/--api-url when given, else from rtconf.yaml.
func ResolveTokenTarget(dir, configFile, runtime, repoFlag, apiFlag string, kind ghcheck.Kind) (TokenTarget, error) {
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
		t.APIURL = cfg.APIBaseURL() + "/"
		if runtime != "" {
			rt, err := findRuntime(cfg, runtime)
			if err != nil {
				return t, err
			}
			if kind == ghcheck.RuntimeToken && rt.RuntimeTokenAsUserToken {
				t.Also = []ghcheck.Kind{ghcheck.UserToken}
			}
		}
	}
	if repoFlag != "" {
		owner, name, ok := strings.Cut(repoFlag, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return t, &UsageError{fmt.Sprintf("--repo %q: write OWNER/NAME", repoFlag)}
		}
		t.Owner, t.Repo = owner, name
	}
	if apiFlag != "" {
		t.APIURL = strings.TrimSuffix(apiFlag, "/") + "/"
	}
	if t.APIURL == "" {
		t.APIURL = config.DefaultAPIURL + "/"
	}
	if t.Owner == "" {
		return t, errors.New("no repository to check the token on: pass --repo OWNER/NAME")
	}
	return t, nil
}
