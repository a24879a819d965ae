package bitbucket

import (
	"net/url"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
)

// Bitbucket Cloud's one Git host and its REST API 2.0
// (https://developer.atlassian.com/cloud/bitbucket/rest/intro/).
const (
	PublicHost   = "bitbucket.org"
	PublicAPIURL = "https://api.bitbucket.org/2.0/"
	publicAPI    = "api.bitbucket.org"
)

// AllowedAPIURL binds a token to its host: Bitbucket Cloud is bitbucket.org
// only, and its API https://api.bitbucket.org/2.0/. A repository.url on any
// other host is no Bitbucket Cloud repository (a self-hosted Bitbucket is
// Data Center, another provider). configured (repository.apiURL) may only
// repeat the API.
func AllowedAPIURL(repoURL, configured string) (string, error) {
	host, err := forge.RepoHost(repoURL, "https://bitbucket.org/WORKSPACE/REPOSITORY")
	if err != nil {
		return "", err
	}
	if host == "www."+PublicHost {
		host = PublicHost
	}
	if host != PublicHost {
		return "", &forge.HostError{Field: "repository.url",
			Reason: "Bitbucket Cloud serves repositories at " + PublicHost + " only, not at " + host,
			Hint:   "write https://bitbucket.org/WORKSPACE/REPOSITORY; a self-hosted Bitbucket is Bitbucket Data Center"}
	}
	return forge.ConfiguredAPI(configured, PublicAPIURL, host, "Bitbucket Cloud")
}

// GitHost is the Git host beside the API at apiURL: bitbucket.org for
// api.bitbucket.org, else the API's own host (an --api-url of the
// caller's choosing, such as a test's fake).
func GitHost(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil {
		return ""
	}
	if h := forge.Host(u); h != publicAPI {
		return h
	}
	return PublicHost
}

// RepoPath splits /WORKSPACE/REPO[.git] into the workspace and the
// repository's slug: Bitbucket Cloud has no nested namespaces (projects
// group repositories but are not part of their URLs).
func RepoPath(path string) (namespace, name, hint string) {
	const want = "write https://bitbucket.org/WORKSPACE/REPOSITORY"
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
