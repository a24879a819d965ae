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
