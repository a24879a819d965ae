package gitea

import (
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
)

// apiPath is where Gitea and Forgejo serve their API: https://HOST/api/v1/
// (https://docs.gitea.com/development/api-usage); Forgejo, a fork of
// Gitea, keeps the same API.
const apiPath = "/api/v1/"

// AllowedAPIURL binds a token to its host: a token for the repository at
// repoURL may only be sent to https://HOST/api/v1/ of that repository's
// HOST. configured (repository.apiURL) may only name that same API. Gitea
// served under a sub-path (ROOT_URL with a path) is not supported: its API
// cannot be told from repository.url.
func AllowedAPIURL(repoURL, configured string) (string, error) {
	host, err := forge.RepoHost(repoURL, "https://HOST/OWNER/REPO")
	if err != nil {
		return "", err
	}
	return forge.ConfiguredAPI(configured, "https://"+host+apiPath, host, "Gitea")
}

// GitHost is the host of the API at apiURL: Gitea serves Git and its API
// from one host.
func GitHost(apiURL string) string { return forge.APIHost(apiURL) }

// RepoPath splits /OWNER/REPO[.git] into the owner (a user or an
// organisation) and the repository's name: Gitea has no nested namespaces.
func RepoPath(path string) (namespace, name, hint string) {
	const want = "write https://HOST/OWNER/REPO"
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[0] == "." || parts[0] == ".." {
		return "", "", want
	}
	name = strings.TrimSuffix(parts[1], ".git")
	if name == "" || name == "." || name == ".." {
		return "", "", want
	}
	return parts[0], name, ""
}
