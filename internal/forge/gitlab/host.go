package gitlab

import (
	"fmt"
	"net/url"
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
	u, err := url.Parse(repoURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "" {
		return "", &forge.HostError{Field: "repository.url", Reason: "not an https URL, so no Git host to send a token to",
			Hint: "write https://HOST/GROUP/PROJECT"}
	}
	host := forge.Host(u)
	allowed := "https://" + host + apiPath
	if configured == "" {
		return allowed, nil
	}
	c, err := url.Parse(configured)
	if err != nil || c.Scheme != "https" || c.Host == "" || c.User != nil || c.RawQuery != "" || c.Fragment != "" {
		return "", &forge.HostError{Field: "repository.apiURL", Reason: "not an https URL of a GitLab API",
			Hint: "remove it: rtconf derives the API from repository.url (" + allowed + ")"}
	}
	if forge.Host(c) != host || strings.TrimSuffix(c.Path, "/") != strings.TrimSuffix(apiPath, "/") {
		return "", &forge.HostError{Field: "repository.apiURL",
			Reason: fmt.Sprintf("%s is not the API of %s, the host of repository.url: a token is only ever sent to the API of the host it belongs to", forge.RedactURL(c), host),
			Hint:   "remove repository.apiURL (rtconf uses " + allowed + "), or pass --api-url on the command line"}
	}
	return allowed, nil
}

// GitHost is the host of the API at apiURL: GitLab serves Git and its API
// from one host.
func GitHost(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil {
		return ""
	}
	return forge.Host(u)
}

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
