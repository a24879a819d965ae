package gitrepo

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
)

// RemoteHost is the host a Git URL reaches (https, http, ssh, git and
// scp-like user@host:path), as host[:port] in lower case with the
// protocol's default port left out, as forge.Host writes hosts. A local
// remote (a path, file://) has none: "".
func RemoteHost(remote string) (string, error) {
	ep, err := transport.NewEndpoint(remote)
	if err != nil {
		return "", fmt.Errorf("remote %s is not a Git URL", DisplayURL(remote))
	}
	if ep.Protocol == "file" || ep.Host == "" {
		return "", nil
	}
	host := strings.ToLower(strings.Trim(ep.Host, "[]"))
	defaults := map[string]int{"http": 80, "https": 443, "ssh": 22, "git": 9418}
	if ep.Port != 0 && ep.Port != defaults[strings.ToLower(ep.Protocol)] {
		return net.JoinHostPort(host, strconv.Itoa(ep.Port)), nil
	}
	if strings.Contains(host, ":") {
		return "[" + host + "]", nil
	}
	return host, nil
}

// DisplayURL is a remote URL for a message: without its userinfo, query
// and fragment, which may hold credentials.
func DisplayURL(remote string) string {
	u, err := url.Parse(remote)
	if err != nil || u.Scheme == "" || u.Host == "" {
		if at := strings.LastIndex(remote, "@"); at >= 0 && !strings.Contains(remote, "://") {
			return remote[at+1:] // scp-like user@host:path
		}
		return remote
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment = nil, "", false, ""
	return u.String()
}
