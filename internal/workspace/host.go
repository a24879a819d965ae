package workspace

import (
	"fmt"
	"net/http"
	"time"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/token"
)

// gitHost is what a job that calls the Git host's API and pushes to it
// needs, all from the provider repository.provider names: where the token
// may go, the API client, and the credential a push sends.
type gitHost struct {
	forge forge.Forge
	dest  forge.Destination
	api   forge.Changes
	cred  gitrepo.Credential
}

// connect resolves where tok may go for cfg's repository and makes the
// API client; nothing is sent yet.
func connect(cfg *config.Config, trust forge.Trust, tok token.Token, hc *http.Client, now time.Time) (gitHost, error) {
	f := cfg.Forge()
	tok, err := ownToken(cfg, tok)
	if err != nil {
		return gitHost{}, err
	}
	dest, err := trust.Resolve(f, cfg.Repository.URL, cfg.Repository.APIURL)
	if err != nil {
		return gitHost{}, err
	}
	o := f.DefaultOptions()
	o.APIURL, o.HTTPClient, o.Now = dest.APIURL, hc, now
	api, err := f.Changes(tok, o)
	if err != nil {
		return gitHost{}, fmt.Errorf("connect to %s: %w", dest.APIURL, err)
	}
	return gitHost{forge: f, dest: dest, api: api, cred: gitrepo.Credential{Username: f.GitUsername(tok), Token: tok}}, nil
}

// author is the identity of rtconf's commits in repo: the user's own, or
// the provider's commit author for rtconf.
func author(repo *gitrepo.Repo, cfg *config.Config, now time.Time) gitrepo.Signature {
	name, email := cfg.Forge().CommitAuthor()
	return repo.Author(gitrepo.Signature{Name: name, Email: email, When: now})
}

// ownToken checks that tok has a shape of the provider rtconf.yaml names
// (the command line accepted any provider's, not knowing which) and gives
// it that provider's kind.
func ownToken(cfg *config.Config, tok token.Token) (token.Token, error) {
	if tok.Reveal() == "" {
		return tok, nil
	}
	own, err := cfg.Forge().ParseToken(tok.Credential())
	if err != nil {
		return token.Token{}, &UsageError{fmt.Sprintf("the token is not a %s token (repository.provider in %s): %v", cfg.Forge().Title(), cfg.File, err)}
	}
	return own, nil
}
