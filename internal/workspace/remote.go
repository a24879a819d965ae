package workspace

import (
	"fmt"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/gitrepo"
)

// pushRemote is the Git URL the token is pushed to (basic auth). given is
// --remote, the user's own choice on the command line, used as it is.
// Otherwise it is created (the clone URL GitHub gave for a repository
// init --create made), else the remote "origin", else repository.url, and
// it must be on the host of repository.url, which must be the Git host of
// the API the token goes to (dest): a token is pushed only to the host it
// belongs to, whatever rtconf.yaml, the clone's remotes or an API answer
// say.
func pushRemote(repo *gitrepo.Repo, cfg *config.Config, given, created string, dest forge.Destination) (string, error) {
	if given != "" {
		return given, nil
	}
	remote, from := created, "the clone URL "+cfg.Forge().Title()+" gave for the created repository"
	if remote == "" {
		if u, ok := repo.RemoteURL("origin"); ok {
			remote, from = u, "the remote origin"
		} else {
			remote, from = cfg.Repository.URL, "repository.url in rtconf.yaml"
		}
	}
	host, err := gitrepo.RemoteHost(remote)
	if err != nil {
		return "", fmt.Errorf("%s: %w; pass --remote URL", from, err)
	}
	repoHost, err := gitrepo.RemoteHost(cfg.Repository.URL)
	if err != nil {
		return "", err
	}
	refuse := func(why string) error {
		return fmt.Errorf("refusing to push with the token to %s (%s): %s; pass --remote URL to push there anyway", gitrepo.DisplayURL(remote), from, why)
	}
	switch {
	case host == "":
		return "", refuse(fmt.Sprintf("it is a local remote, not on %s, the host of repository.url", repoHost))
	case host != repoHost:
		return "", refuse(fmt.Sprintf("it is on %s, but the token belongs to %s, the host of repository.url", host, repoHost))
	case repoHost != dest.GitHost:
		return "", refuse(fmt.Sprintf("repository.url is on %s, but the API the token goes to (%s, from %s) is %s's", repoHost, dest.APIURL, dest.From, dest.GitHost))
	}
	return remote, nil
}
