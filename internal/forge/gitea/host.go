package gitea

import (
	"fmt"
	"net/url"
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
	u, err := url.Parse(repoURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "" {
		return "", &forge.HostError{Field: "repository.url", Reason: "not an https URL, so no Git host to send a token to",
			Hint: "write https://HOST/OWNER/REPO"}
	}
	host := forge.Host(u)
	allowed := "https://" + host + apiPath
	if configured == "" {
		return allowed, nil
	}
	c, err := url.Parse(configured)
	if err != nil || c.Scheme != "https" || c.Host == "" || c.User != nil || c.RawQuery != "" || c.Fragment != "" {
		return "", &forge.HostError{Field: "repository.apiURL", Reason: "not an https URL of a Gitea API",
			Hint: "remove it: rtconf derives the API from repository.url (" + allowed + ")"}
	}
	if forge.Host(c) != host || strings.TrimSuffix(c.Path, "/") != strings.TrimSuffix(apiPath, "/") {
		return "", &forge.HostError{Field: "repository.apiURL",
			Reason: fmt.Sprintf("%s is not the API of %s, the host of repository.url: a token is only ever sent to the API of the host it belongs to", forge.RedactURL(c), host),
			Hint:   "remove repository.apiURL (rtconf uses " + allowed + "), or pass --api-url on the command line"}
	}
	return allowed, nil
}

// GitHost is the host of the API at apiURL: Gitea serves Git and its API
// from one host.
func GitHost(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil {
		return ""
	}
	return forge.Host(u)
}

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
