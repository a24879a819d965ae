package gitlab

import (
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
)

// GitLab's own host and its API.
const (
	PublicHost   = "gitlab.com"
	PublicAPIURL = "https://gitlab.com/api/v4/"
	apiPath      = "/api/v4/"
)

// AllowedAPIURL binds a token to its host: a token for the project at
// repoURL may only be sent to https://HOST/api/v4/ of that project's HOST
// (gitlab.com or self-managed). configured (repository.apiURL) may only
// name that same API. GitLab installed under a relative URL root is not
// supported: its API cannot be told from repository.url.
func AllowedAPIURL(repoURL, configured string) (string, error) {
	host, err := forge.RepoHost(repoURL, "https://HOST/GROUP/PROJECT")
	if err != nil {
		return "", err
	}
	return forge.ConfiguredAPI(configured, "https://"+host+apiPath, host, "GitLab")
}

// GitHost is the host of the API at apiURL: GitLab serves Git and its API
// from one host.
func GitHost(apiURL string) string { return forge.APIHost(apiURL) }

// RepoPath splits /GROUP[/SUBGROUP…]/PROJECT[.git] into the namespace
// (the group with its subgroups, or a user) and the project's path. A URL
// of a page inside the project (/-/…) is refused.
func RepoPath(path string) (namespace, name, hint string) {
	const want = "write https://HOST/GROUP[/SUBGROUP…]/PROJECT"
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 2 {
		return "", "", want
	}
	for _, p := range parts {
		if p == "" || p == "-" || p == "." || p == ".." {
			return "", "", want
		}
	}
	name = strings.TrimSuffix(parts[len(parts)-1], ".git")
	if name == "" {
		return "", "", want
	}
	return strings.Join(parts[:len(parts)-1], "/"), name, ""
}
