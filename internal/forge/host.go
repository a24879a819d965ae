package forge

import (
	"fmt"
	"net"
	"net/url"
	"strings"
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
