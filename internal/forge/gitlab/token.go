package gitlab

import (
	"fmt"
	"strings"

	"github.com/rtconf/rtconf/internal/token"
)

// AccessToken is the kind of a glpat- token: a personal access token, or a
// project or group access token (a personal access token of the project's
// or group's bot user; the live check tells which).
const AccessToken token.Kind = "access-token"

// Lengths GitLab issues glpat- tokens in: a legacy token is glpat- and 20
// characters; a routable one (GitLab 17.x and later) is 43 to 316
// characters, with dots between its parts
// (https://handbook.gitlab.com/handbook/engineering/architecture/design-documents/cells/routable_tokens/).
const (
	legacyLength    = 26
	routableMin     = 43
	maxTokenLength  = 316
	patPrefix       = "glpat-"
	patDescription  = "a personal, project or group access token (glpat-…)"
	tokenCharacters = "letters, digits, '_', '-' and '.'"
)

// refusedPrefixes are GitLab tokens that cannot serve rtconf: they cannot
// call the REST API (so neither be checked nor manage the project) or are
// not for Git at all (https://docs.gitlab.com/security/tokens/#token-prefixes).
var refusedPrefixes = []struct{ prefix, what string }{
	{"gldt-", "a deploy token"},
	{"glcbt-", "a CI/CD job token"},
	{"glptt-", "a pipeline trigger token"},
	{"glrt-", "a runner authentication token"},
	{"gloas-", "an OAuth application secret"},
	{"glft-", "a feed token"},
	{"glimt-", "an incoming mail token"},
	{"glagent-", "an agent for Kubernetes token"},
	{"glsoat-", "a SCIM token"},
	{"glffct-", "a feature flags client token"},
}

// ParseToken checks the format of a GitLab token: a glpat- access token,
// legacy or routable. One trailing newline is dropped.
func ParseToken(value string) (token.Token, error) {
	value, err := token.Clean(value, maxTokenLength, "GitLab")
	if err != nil {
		return token.Token{}, err
	}
	for _, r := range refusedPrefixes {
		if strings.HasPrefix(value, r.prefix) {
			return token.Token{}, &token.FormatError{Reason: fmt.Sprintf("is %s, which cannot call GitLab's API: use %s with the scopes rtconf needs", r.what, patDescription)}
		}
	}
	if !strings.HasPrefix(value, patPrefix) {
		return token.Token{}, &token.FormatError{Reason: "does not look like a GitLab token: expected " + patDescription}
	}
	rest := value[len(patPrefix):]
	for i, r := range rest {
		if !token.IsTokenChar(r) && r != '-' && r != '.' {
			return token.Token{}, &token.FormatError{Reason: fmt.Sprintf("contains a character that no GitLab token has, at character %d (GitLab tokens have %s)", len(patPrefix)+i+1, tokenCharacters)}
		}
	}
	switch n := len(value); {
	case strings.Contains(rest, "."):
		if n < routableMin {
			return token.Token{}, &token.FormatError{Reason: fmt.Sprintf("is %d characters long, too short for a routable glpat- token (at least %d); was it cut off when copied?", n, routableMin)}
		}
	case n < legacyLength:
		return token.Token{}, &token.FormatError{Reason: fmt.Sprintf("is %d characters long, too short for a glpat- token (at least %d); was it cut off when copied?", n, legacyLength)}
	}
	return token.New(value, AccessToken), nil
}
