package bitbucketdc

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/rtconf/rtconf/internal/token"
)

// The kinds of Bitbucket Data Center HTTP access token
// (https://confluence.atlassian.com/bitbucketserver/http-access-tokens-939515499.html).
// A token's value does not tell which it is: ParseToken gives every one
// HTTPAccessToken, and a live check tells the others from the token's
// record.
const (
	HTTPAccessToken token.Kind = "http-access-token"
	PersonalToken   token.Kind = "personal"
	ProjectToken    token.Kind = "project"
	RepositoryToken token.Kind = "repository"
)

// A Bitbucket Data Center HTTP access token, as the UI shows it once and
// Atlassian's examples write it ("MDM0MjM5NDc2MDxx…" in
// https://confluence.atlassian.com/bitbucketserver072/personal-access-tokens-1005335924.html):
// 44 characters of standard base64 for 33 bytes, the token's ID (12
// digits, the "id" of its record under /rest/access-tokens/1.0/), a colon
// and 20 secret bytes.
const (
	tokenLength = 44
	idLength    = 12
)

// ParseToken checks the format of a Bitbucket Data Center HTTP access
// token. One trailing newline is dropped.
func ParseToken(value string) (token.Token, error) {
	value, err := token.Clean(value, 255, "Bitbucket Data Center")
	if err != nil {
		return token.Token{}, err
	}
	for _, p := range []struct{ prefix, host string }{
		{"ghp_", "GitHub"}, {"github_pat_", "GitHub"}, {"gho_", "GitHub"}, {"ghs_", "GitHub"}, {"glpat-", "GitLab"}, {"ATBB", "Bitbucket Cloud"}, {"ATCTT", "Bitbucket Cloud"}, {"ATATT", "Atlassian Cloud"},
	} {
		if strings.HasPrefix(value, p.prefix) {
			return token.Token{}, &token.FormatError{Reason: "is a " + p.host + " token, not a Bitbucket Data Center HTTP access token"}
		}
	}
	for i, r := range value {
		if !(r == '+' || r == '/' || r == '=' || token.IsTokenChar(r)) || r == '_' {
			return token.Token{}, &token.FormatError{Reason: fmt.Sprintf("contains a character that no Bitbucket Data Center HTTP access token has, at character %d (they are base64: letters, digits, + and /)", i+1)}
		}
	}
	if len(value) != tokenLength {
		return token.Token{}, &token.FormatError{Reason: fmt.Sprintf("is %d characters long; a Bitbucket Data Center HTTP access token has %d (was it cut off when copied?)", len(value), tokenLength)}
	}
	if _, ok := tokenID(value); !ok {
		return token.Token{}, &token.FormatError{Reason: "is not a Bitbucket Data Center HTTP access token: it does not decode to the token's ID and secret"}
	}
	return token.New(value, HTTPAccessToken), nil
}

// tokenID is the ID a token's value holds: its first 12 bytes once
// decoded, digits, before a colon.
func tokenID(value string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) <= idLength || raw[idLength] != ':' {
		return "", false
	}
	for _, b := range raw[:idLength] {
		if b < '0' || b > '9' {
			return "", false
		}
	}
	return string(raw[:idLength]), true
}
