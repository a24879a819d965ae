package github

import (
	"fmt"
	"strings"

	"github.com/rtconf/rtconf/internal/token"
)

// The kinds of GitHub token, told from their prefix
// (https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/).
const (
	// Classic is a classic personal access token (ghp_…, or a legacy
	// 40-hex-digit token).
	Classic token.Kind = "classic"
	// FineGrained is a fine-grained personal access token (github_pat_…).
	FineGrained token.Kind = "fine-grained"
	// Other is another GitHub token: OAuth (gho_), user-to-server (ghu_),
	// server-to-server (ghs_) or refresh (ghr_).
	Other token.Kind = "other"
)

// maxTokenLength is the longest token GitHub says to expect.
const maxTokenLength = 255

// ParseToken checks the format of a GitHub token and tells its kind. One
// trailing newline (as echo and most editors write) is dropped.
func ParseToken(value string) (token.Token, error) {
	value, err := token.Clean(value, maxTokenLength, "GitHub")
	if err != nil {
		return token.Token{}, err
	}
	kind, prefix, minLen, ok := classify(value)
	if !ok {
		return token.Token{}, &token.FormatError{Reason: "does not look like a GitHub token: expected a prefix ghp_ (classic), github_pat_ (fine-grained), gho_, ghu_, ghs_ or ghr_"}
	}
	if len(value) < minLen {
		return token.Token{}, &token.FormatError{Reason: fmt.Sprintf("is %d characters long, too short for a %s token (at least %d); was it cut off when copied?", len(value), prefix, minLen)}
	}
	for i, r := range value[len(prefix):] {
		if !token.IsTokenChar(r) {
			return token.Token{}, &token.FormatError{Reason: fmt.Sprintf("contains a character that no GitHub token has, at character %d", len(prefix)+i+1)}
		}
	}
	return token.New(value, kind), nil
}

// classify tells a token's kind from its prefix, with the prefix and the
// shortest length GitHub issues for it.
func classify(v string) (kind token.Kind, prefix string, minLen int, ok bool) {
	switch {
	case strings.HasPrefix(v, "ghp_"):
		return Classic, "ghp_", 40, true
	case strings.HasPrefix(v, "github_pat_"):
		return FineGrained, "github_pat_", 93, true
	case strings.HasPrefix(v, "gho_"), strings.HasPrefix(v, "ghu_"), strings.HasPrefix(v, "ghs_"), strings.HasPrefix(v, "ghr_"):
		return Other, v[:4], 40, true
	case len(v) == 40 && isHex(v):
		return Classic, "legacy", 40, true
	}
	return "", "", 0, false
}

func isHex(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
