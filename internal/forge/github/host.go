package github

import (
	"net/url"

	"github.com/rtconf/rtconf/internal/forge"
)

// GitHub's own Git host and its API.
const (
	PublicHost   = "github.com"
	PublicAPIURL = "https://api.github.com/"
	publicAPI    = "api.github.com"
)

// AllowedAPIURL is the rule that binds a token to its Git host: a token for
// the repository at repoURL (repository.url) may only be sent to the API of
// that repository's host, https://api.github.com/ for github.com and
// https://HOST/api/v3/ (GitHub Enterprise Server) for any other HOST.
// configured is repository.apiURL ("" when not set); it may only name that
// same API, since a pull request can change it. The API is returned with a
// trailing slash.
func AllowedAPIURL(repoURL, configured string) (string, error) {
	host, err := repoHost(repoURL)
	if err != nil {
		return "", err
	}
	allowed := PublicAPIURL
	if host != PublicHost {
		allowed = "https://" + host + "/api/v3/"
	}
	return forge.ConfiguredAPI(configured, allowed, host, "GitHub")
}

// repoHost is the host of repository.url; www.github.com is github.com.
func repoHost(repoURL string) (string, error) {
	host, err := forge.RepoHost(repoURL, "https://HOST/OWNER/REPOSITORY")
	if host == "www."+PublicHost {
		host = PublicHost
	}
	return host, err
}

// GitHost is the Git host whose API apiURL is: github.com for
// api.github.com, HOST for https://HOST/api/v3/, else the API's own host
// (a URL given with --api-url may name any host).
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
