package forge

import (
	"fmt"
	"net/url"
	"strings"
)

// Trust is what, beside the repository's own host, decides where a token
// may go. The CLI fills it from its flags and environment; nothing below
// the CLI reads the environment.
type Trust struct {
	// APIURL is --api-url: the user's own choice on the command line, which
	// may name any host, as gh --hostname may.
	APIURL string
	// CIAPIURL is the API the CI runner set when rtconf runs in CI:
	// GITHUB_API_URL in GitHub Actions (CIVar and CIName name it for
	// messages; GITHUB_API_URL and GitHub Actions when empty).
	// (GITHUB_ACTIONS=true): the API the runner set, which a pull request
	// cannot change. The repository's host must be its host.
	CIAPIURL      string
	CIVar, CIName string
	// Hosts holds the self-managed hosts the user confirmed.
	Hosts KnownHosts
}

// Destination is where a token may go: one API, and the Git host beside it
// that Git pushes with the token may reach.
type Destination struct {
	APIURL  string // ends in "/"
	GitHost string // host[:port], as Host gives it
	// From says what chose the API, for messages.
	From string
}

// Resolve returns where a token for f's repository at repoURL
// (repository.url; configured is repository.apiURL) may go:
//
//   - --api-url, when given: the user's choice;
//   - in GitHub Actions, GITHUB_API_URL, when it is the API of the
//     repository's host, and an error, before anything is sent, when not;
//   - the API of f's public host (https://api.github.com/ for github.com);
//   - the API f allows for another HOST (https://HOST/api/v3/ for GitHub
//     Enterprise Server), once the user confirmed the host,
//     once, on a terminal (Hosts); without a terminal an unconfirmed host
//     is refused.
//
// A repository.apiURL whose host is not the repository's is refused in all
// cases but --api-url (the configuration check reports it too).
func (t Trust) Resolve(f Forge, repoURL, configured string) (Destination, error) {
	if t.APIURL != "" {
		api, err := apiBase(f, "--api-url", t.APIURL)
		if err != nil {
			return Destination{}, err
		}
		return Destination{APIURL: api, GitHost: f.GitHost(api), From: "--api-url"}, nil
	}
	allowed, err := f.AllowedAPIURL(repoURL, configured)
	if err != nil {
		return Destination{}, err
	}
	host := f.GitHost(allowed)
	if t.CIAPIURL != "" {
		ciVar, ciName := t.CIVar, t.CIName
		if ciVar == "" {
			ciVar, ciName = "GITHUB_API_URL", "GitHub Actions"
		}
		api, err := apiBase(f, ciVar, t.CIAPIURL)
		if err != nil {
			return Destination{}, err
		}
		if runner := f.GitHost(api); runner != host {
			return Destination{}, &HostError{Field: "repository.url",
				Reason: fmt.Sprintf("the repository is on %s, but this %s runner's API (%s) is %s's: nothing was sent, since in a workflow a token goes only to the runner's API", host, ciName, ciVar, runner),
				Hint:   "fix repository.url in rtconf.yaml, or pass --api-url"}
		}
		return Destination{APIURL: api, GitHost: host, From: ciVar}, nil
	}
	if host == f.PublicHost() {
		return Destination{APIURL: allowed, GitHost: host, From: "repository.url"}, nil
	}
	if err := t.Hosts.Confirm(host, allowed, f.SelfManaged()); err != nil {
		return Destination{}, err
	}
	return Destination{APIURL: allowed, GitHost: host, From: "repository.url"}, nil
}

// apiBase checks an API URL given outside rtconf.yaml and returns it with
// a trailing slash.
func apiBase(f Forge, from, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", &HostError{Field: from, Reason: "not an http(s) API URL without credentials, query or fragment",
			Hint: "write " + f.APIURLForm()}
	}
	return strings.TrimSuffix(raw, "/") + "/", nil
}
