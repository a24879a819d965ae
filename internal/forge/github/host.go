package github

import (
	"fmt"
	"net/url"
	"strings"

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
	if configured == "" {
		return allowed, nil
	}
	u, err := url.Parse(configured)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", &forge.HostError{Field: "repository.apiURL", Reason: "not an https URL of a GitHub API",
			Hint: "remove it: rtconf derives the API from repository.url (" + allowed + ")"}
	}
	if forge.Host(u) != forge.Host(mustParse(allowed)) || strings.TrimSuffix(u.Path, "/") != strings.TrimSuffix(mustParse(allowed).Path, "/") {
		return "", &forge.HostError{Field: "repository.apiURL",
			Reason: fmt.Sprintf("%s is not the API of %s, the host of repository.url: a token is only ever sent to the API of the host it belongs to", forge.RedactURL(u), host),
			Hint:   "remove repository.apiURL (rtconf uses " + allowed + "), or pass --api-url on the command line"}
	}
	return allowed, nil
}

// repoHost is the host of repository.url.
func repoHost(repoURL string) (string, error) {
	u, err := url.Parse(repoURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "" {
		return "", &forge.HostError{Field: "repository.url", Reason: "not an https URL, so no Git host to send a token to",
			Hint: "write https://HOST/OWNER/REPOSITORY"}
	}
	host := forge.Host(u)
	if host == "www."+PublicHost {
		host = PublicHost
	}
	return host, nil
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

func mustParse(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}
