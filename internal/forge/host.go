package forge

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
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

// RedactURL quotes a URL for a message without userinfo, query or
// fragment, which may hold a token.
func RedactURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.ForceQuery, c.Fragment = nil, "", false, ""
	return fmt.Sprintf("%q", c.String())
}

// APIError is an API call of a provider's Changes that failed: what was
// done (Op), the host's status when it answered, the reason in the host's
// words and what to do. Its message never holds the token; Err, its cause,
// is the policy's *UnverifiedError when the request got no answer.
type APIError struct {
	Op     string
	Status int
	Reason string
	Hint   string
	Err    error
}

func (e *APIError) Error() string {
	msg := e.Op + ": " + e.Reason
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// Unwrap is the cause.
func (e *APIError) Unwrap() error { return e.Err }

// DefaultOptions are a live check's and a change's options against the API
// at apiURL: a minute's wait for a rate limit, three retries from a second
// of backoff, 15 s a request, a warning 14 days before expiry.
func DefaultOptions(apiURL string) Options {
	return Options{
		APIURL:        apiURL,
		MaxWait:       time.Minute,
		Retries:       3,
		Backoff:       time.Second,
		Timeout:       15 * time.Second,
		ExpiryWarning: 14 * 24 * time.Hour,
		Sleep:         Sleep,
	}
}

// RepoHost is the host of repository.url as tokens are bound to it, or a
// *HostError whose hint (form) says how to write the URL.
func RepoHost(repoURL, form string) (string, error) {
	u, err := url.Parse(repoURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "" {
		return "", &HostError{Field: "repository.url", Reason: "not an https URL, so no Git host to send a token to",
			Hint: "write " + form}
	}
	return Host(u), nil
}

// ConfiguredAPI is the rule every provider applies to repository.apiURL:
// it may only repeat allowed, the one API (with a trailing slash) a token
// for the repository on host may go to, since a pull request can change
// it. configured "" is allowed; title names the provider in messages.
func ConfiguredAPI(configured, allowed, host, title string) (string, error) {
	if configured == "" {
		return allowed, nil
	}
	u, err := url.Parse(configured)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", &HostError{Field: "repository.apiURL", Reason: "not an https URL of a " + title + " API",
			Hint: "remove it: rtconf derives the API from repository.url (" + allowed + ")"}
	}
	want, _ := url.Parse(allowed)
	if Host(u) != Host(want) || strings.TrimSuffix(u.Path, "/") != strings.TrimSuffix(want.Path, "/") {
		return "", &HostError{Field: "repository.apiURL",
			Reason: fmt.Sprintf("%s is not the API of %s, the host of repository.url: a token is only ever sent to the API of the host it belongs to", RedactURL(u), host),
			Hint:   "remove repository.apiURL (rtconf uses " + allowed + "), or pass --api-url on the command line"}
	}
	return allowed, nil
}

// APIHost is the host of the API at apiURL, for hosts that serve Git and
// their API from one host.
func APIHost(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil {
		return ""
	}
	return Host(u)
}
