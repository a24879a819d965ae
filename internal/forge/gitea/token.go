package gitea

import (
	"fmt"
	"strings"

	"github.com/rtconf/rtconf/internal/token"
)

// AccessToken is the kind of a Gitea (or Forgejo) access token.
const AccessToken token.Kind = "access-token"

// tokenLength: Gitea shows an access token once, as 40 hexadecimal
// characters without a prefix (the "sha1" field of POST
// /users/{username}/tokens, https://docs.gitea.com/development/api-usage):
// the shape of a GitHub legacy token. providers.ParseToken tries GitHub
// first, so such a value is parsed as GitHub's on the command line; the job
// re-parses it with rtconf.yaml's provider, which makes it Gitea's.
const tokenLength = 40

// ParseToken checks the format of a Gitea access token. One trailing
// newline is dropped.
func ParseToken(value string) (token.Token, error) {
	value, err := token.Clean(value, 255, "Gitea")
	if err != nil {
		return token.Token{}, err
	}
	for _, p := range []struct{ prefix, host string }{
		{"ghp_", "GitHub"}, {"github_pat_", "GitHub"}, {"gho_", "GitHub"}, {"ghs_", "GitHub"}, {"glpat-", "GitLab"},
	} {
		if strings.HasPrefix(value, p.prefix) {
			return token.Token{}, &token.FormatError{Reason: "is a " + p.host + " token, not a Gitea access token (40 hexadecimal characters)"}
		}
	}
	for i, r := range value {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return token.Token{}, &token.FormatError{Reason: fmt.Sprintf("contains a character that no Gitea access token has, at character %d (Gitea access tokens are 40 lower-case hexadecimal characters)", i+1)}
		}
	}
	if len(value) != tokenLength {
		return token.Token{}, &token.FormatError{Reason: fmt.Sprintf("is %d characters long; a Gitea access token has %d (was it cut off when copied?)", len(value), tokenLength)}
	}
	return token.New(value, AccessToken), nil
}
