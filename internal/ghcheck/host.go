package ghcheck

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// GitHub's own Git host and its API.
const (
	PublicHost   = "github.com"
	PublicAPIURL = "https://api.github.com/"
	publicAPI    = "api.github.com"
)

// HostError is a URL that would send a token away from the Git host it
// belongs to. Field names what holds the URL (repository.apiURL, …).
type HostError struct {
	Field  string
	Reason string
	Hint   string
}

func (e *HostError) Error() string {
	msg := e.Field + ": " + e.Reason
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

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
		return "", &HostError{Field: "repository.apiURL", Reason: "not an https URL of a GitHub API",
			Hint: "remove it: rtconf derives the API from repository.url (" + allowed + ")"}
	}
	if Host(u) != Host(mustParse(allowed)) || strings.TrimSuffix(u.Path, "/") != strings.TrimSuffix(mustParse(allowed).Path, "/") {
		return "", &HostError{Field: "repository.apiURL",
			Reason: fmt.Sprintf("%s is not the API of %s, the host of repository.url: a token is only ever sent to the API of the host it belongs to", redactURL(u), host),
			Hint:   "remove repository.apiURL (rtconf uses " + allowed + "), or pass --api-url on the command line"}
	}
	return allowed, nil
}

// repoHost is the host of repository.url.
func repoHost(repoURL string) (string, error) {
	u, err := url.Parse(repoURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "" {
		return "", &HostError{Field: "repository.url", Reason: "not an https URL, so no Git host to send a token to",
			Hint: "write https://HOST/OWNER/REPOSITORY"}
	}
	host := Host(u)
	if host == "www."+PublicHost {
		host = PublicHost
	}
	return host, nil
}

// Host is the host of u as tokens are bound to it: lower case, with its
// port unless it is the scheme's default.
func Host(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (port == "443" && strings.EqualFold(u.Scheme, "https")) || (port == "80" && strings.EqualFold(u.Scheme, "http")) {
		port = ""
	}
	if port == "" {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

// GitHost is the Git host whose API apiURL is: github.com for
// api.github.com, HOST for https://HOST/api/v3/, else the API's own host
// (a URL given with --api-url may name any host).
func GitHost(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil {
		return ""
	}
	if h := Host(u); h != publicAPI {
		return h
	}
	return PublicHost
}

func mustParse(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}

// redactURL quotes a URL for a message without userinfo, query or fragment.
func redactURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.ForceQuery, c.Fragment = nil, "", false, ""
	return fmt.Sprintf("%q", c.String())
}
