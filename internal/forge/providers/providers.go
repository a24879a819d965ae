// Package providers is the one place that registers Git providers: it
// returns the forge.Forge that repository.provider names.
package providers

import (
	"fmt"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/bitbucket"
	"github.com/rtconf/rtconf/internal/forge/bitbucketdc"
	"github.com/rtconf/rtconf/internal/forge/gitea"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/forge/gitlab"
	"github.com/rtconf/rtconf/internal/token"
)

// Default is the provider when repository.provider is empty.
const Default = github.Name

// all are the providers, in a stable order: the default first.
func all() []forge.Forge {
	return []forge.Forge{github.Forge{}, gitlab.Forge{}, gitea.Forge{}, bitbucket.Forge{}, bitbucketdc.Forge{}}
}

// Names lists the providers rtconf knows, in a stable order.
func Names() []string {
	var out []string
	for _, f := range all() {
		out = append(out, f.Name())
	}
	return out
}

// For returns the provider name selects ("" is Default).
func For(name string) (forge.Forge, error) {
	if name == "" {
		name = Default
	}
	for _, f := range all() {
		if f.Name() == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("unknown repository provider %q (known: %s)", name, strings.Join(Names(), ", "))
}

// DefaultOptions are the default provider's live-check options: the
// defaults of flags, before rtconf.yaml names the provider.
func DefaultOptions() forge.Options { return github.DefaultOptions() }

// ParseToken parses value as a token of any provider rtconf knows. The
// command line reads a token before it knows which provider rtconf.yaml
// names; the job then checks it against its own (forge.Forge.ParseToken).
// A value that is no provider's token gets the error of the provider
// whose tokens it looks most like: GitLab's for gl…, Bitbucket Cloud's
// for AT… (Atlassian's prefixes) or EMAIL:…, else GitHub's.
// A Gitea access token (40 hexadecimal characters) has the shape of a
// GitHub legacy token, and GitHub comes first: it is parsed as GitHub's
// here, and as Gitea's when the job re-parses it with rtconf.yaml's
// provider.
func ParseToken(value string) (token.Token, error) {
	var first error
	for _, f := range all() {
		tok, err := f.ParseToken(value)
		if err == nil {
			return tok, nil
		}
		if first == nil {
			first = err
		}
	}
	if strings.HasPrefix(strings.TrimSpace(value), "gl") {
		_, err := gitlab.ParseToken(value)
		return token.Token{}, err
	}
	if v := strings.TrimSpace(value); strings.HasPrefix(v, "AT") || strings.Contains(v, "@") {
		_, err := bitbucket.ParseToken(value)
		return token.Token{}, err
	}
	return token.Token{}, first
}

// CheckRequests lists the requests a live check may send, per provider,
// for the help of `token check`.
func CheckRequests() []string {
	out := github.Requests()
	for _, r := range gitlab.Requests() {
		out = append(out, "GitLab: "+r)
	}
	for _, r := range gitea.Requests() {
		out = append(out, "Gitea: "+r)
	}
	for _, r := range bitbucket.Requests() {
		out = append(out, "Bitbucket Cloud: "+r)
	}
	for _, r := range bitbucketdc.Requests() {
		out = append(out, "Bitbucket Data Center: "+r)
	}
	return out
}

// IsCIFile reports whether p is the CI file of some provider: a path
// rtconf writes (generator.Writes).
func IsCIFile(p string) bool {
	for _, f := range all() {
		if f.CIFile() == p {
			return true
		}
	}
	return false
}
