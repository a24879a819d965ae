package bitbucket

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/rtconf/rtconf/internal/token"
)

// The kinds of Bitbucket Cloud token rtconf accepts.
const (
	// APIToken is an Atlassian API token with Bitbucket scopes: a user's,
	// sent to the REST API as HTTP basic auth with the Atlassian account's
	// e-mail address, and to Git with the username Atlassian documents
	// (https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens/).
	APIToken token.Kind = "api-token"
	// AccessToken is a repository, project or workspace access token: not a
	// user's, sent to the REST API as a Bearer token and to Git with the
	// username x-token-auth
	// (https://support.atlassian.com/bitbucket-cloud/docs/using-access-tokens/,
	// …/using-project-access-tokens/, …/using-workspace-access-tokens/).
	// Which of the three it is, Bitbucket says in x-credential-type.
	AccessToken token.Kind = "access-token"
)

// Prefixes of Atlassian's tokens. An API token begins ATATT3 and an access
// token ATCTT3; both end in "=" and eight upper-case hexadecimal digits (a
// check value). Atlassian does not document a length: the tokens seen are
// 192 characters, so rtconf accepts 100 to maxLength and says "cut off"
// below that. App passwords made since 2024 begin ATBB.
const (
	apiPrefix         = "AT" + "ATT3"
	accessPrefix      = "AT" + "CTT3"
	appPasswordPrefix = "AT" + "BB"
	minLength         = 100
	maxLength         = 300
)

// ErrAppPassword explains why rtconf refuses app passwords: Atlassian
// retired them. No new app password could be made after 9 September 2025,
// and every existing one stops working on 9 June 2026
// (https://www.atlassian.com/blog/bitbucket/bitbucket-cloud-transitions-to-api-tokens-enhancing-security-with-app-password-deprecation,
// https://support.atlassian.com/bitbucket-cloud/docs/app-passwords/). A
// runtime token sealed into a cluster must outlive the change that seals
// it: a token that will be (or already is) turned off by its host is
// refused rather than accepted with a warning.
const appPasswordReason = "is a Bitbucket app password: Atlassian retired app passwords (none made after 9 September 2025, all disabled on 9 June 2026); make an API token with scopes or an access token instead"

// ParseToken checks the format of a Bitbucket Cloud token. An API token
// must be given as EMAIL:TOKEN (the Atlassian account's e-mail address, as
// curl --user takes it), since Bitbucket's REST API authenticates an API
// token only together with it; an access token is given alone. One
// trailing newline is dropped.
func ParseToken(value string) (token.Token, error) {
	value, err := token.Clean(value, maxLength+320, "Bitbucket Cloud")
	if err != nil {
		return token.Token{}, err
	}
	account, secret, hasAccount := strings.Cut(value, ":")
	if !hasAccount {
		account, secret = "", value
	}
	switch {
	case strings.HasPrefix(secret, appPasswordPrefix):
		return token.Token{}, &token.FormatError{Reason: appPasswordReason}
	case strings.HasPrefix(secret, apiPrefix):
		if err := shape(secret, apiPrefix, "API token"); err != nil {
			return token.Token{}, err
		}
		if !hasAccount {
			return token.Token{}, &token.FormatError{Reason: "is a Bitbucket API token without its account: give it as EMAIL:TOKEN, with the e-mail address of its Atlassian account (Bitbucket's API takes an API token only with it)"}
		}
		if a, err := mail.ParseAddress(account); err != nil || a.Address != account || a.Name != "" {
			return token.Token{}, &token.FormatError{Reason: "is a Bitbucket API token whose account before the ':' is not an e-mail address (give EMAIL:TOKEN, the Atlassian account's e-mail address)"}
		}
		return token.NewWithAccount(secret, APIToken, account), nil
	case strings.HasPrefix(secret, accessPrefix):
		if hasAccount {
			return token.Token{}, &token.FormatError{Reason: "is a Bitbucket access token with an account before it: give an access token alone (it is sent as a Bearer token)"}
		}
		if err := shape(secret, accessPrefix, "access token"); err != nil {
			return token.Token{}, err
		}
		return token.New(secret, AccessToken), nil
	}
	for _, p := range []struct{ prefix, host string }{
		{"ghp_", "GitHub"}, {"github_pat_", "GitHub"}, {"gho_", "GitHub"}, {"ghs_", "GitHub"}, {"glpat-", "GitLab"},
	} {
		if strings.HasPrefix(secret, p.prefix) {
			return token.Token{}, &token.FormatError{Reason: "is a " + p.host + " token, not a Bitbucket Cloud token"}
		}
	}
	return token.Token{}, &token.FormatError{Reason: "does not look like a Bitbucket Cloud token (an API token, EMAIL:" + apiPrefix + "…, or a repository, project or workspace access token, " + accessPrefix + "…)"}
}

// shape checks the characters, the check-value suffix and the length of an
// Atlassian token.
func shape(v, prefix, what string) error {
	for i, r := range v {
		if !token.IsTokenChar(r) && r != '-' && r != '=' {
			return &token.FormatError{Reason: fmt.Sprintf("contains a character that no Bitbucket %s has, at character %d", what, i+1)}
		}
	}
	if len(v) < minLength {
		return &token.FormatError{Reason: fmt.Sprintf("is too short for a Bitbucket %s (%d characters; was it cut off when copied?)", what, len(v))}
	}
	if len(v) > maxLength {
		return &token.FormatError{Reason: fmt.Sprintf("is longer than %d characters, the most a Bitbucket %s has", maxLength, what)}
	}
	i := strings.LastIndexByte(v, '=')
	if i < len(prefix) || len(v)-i-1 != 8 || strings.Trim(v[i+1:], "0123456789ABCDEF") != "" {
		return &token.FormatError{Reason: fmt.Sprintf("does not end as a Bitbucket %s does (\"=\" and 8 hexadecimal digits): was it cut off when copied?", what)}
	}
	return nil
}
