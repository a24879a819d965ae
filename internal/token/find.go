package token

import (
	"regexp"
	"slices"
	"strings"
)

// Redacted stands in for a token-shaped value that Redact removed.
const Redacted = "(redacted token)"

// minSecretChars is how many token characters must follow a prefix for
// Find to take the run for a token: fewer than any token GitHub issues,
// so that a token cut off when copied is still found, and more than the
// names that happen to contain a prefix ("ghs_list").
const minSecretChars = 20

// Find returns the start and end of every token-shaped part of s, in
// order: a GitLab token's prefix and at least 12 token characters; or a
// prefix of a GitHub token (in any case) followed by at least 20
// token characters, up to the end of the run of token characters
// ([A-Za-z0-9_]) it is in; or a whole run of exactly 40 hexadecimal
// digits, the shape of a legacy classic token (a Git commit hash has it
// too, and is found as well); or a Bitbucket Data Center token, a whole
// base64 run (see findBitbucketDC). Find is meant for output, which must never
// show a token, so it errs on the side of finding too much.
func Find(s string) [][2]int {
	return merge(merge(merge(findGitHubShaped(s), findGitLabShaped(s)), findShaped(atlassianShaped, s)), findBitbucketDC(s))
}

// atlassianShaped is an Atlassian token's prefix and at least 12 of the
// characters Atlassian tokens use ([A-Za-z0-9_=-]): a Bitbucket Cloud API
// token (ATATT…), a repository, project or workspace access token
// (ATCTT…), or an app password (ATBB…), whole or cut off.
var atlassianShaped = regexp.MustCompile(`AT(?:ATT|CTT|BB)[A-Za-z0-9_=\-]{12,}`)

// gitLabShaped is a GitLab token's prefix (in any case) and at least 12
// characters that GitLab tokens use ([A-Za-z0-9_.-]): a glpat- access
// token, legacy or routable, whole or cut off, and GitLab's other tokens
// (https://docs.gitlab.com/security/tokens/#token-prefixes).
var gitLabShaped = regexp.MustCompile(`(?i)gl(?:pat|dt|cbt|ptt|rt|oas|ft|imt|agent|soat|ffct)-[A-Za-z0-9_.\-]{12,}`)

func findGitLabShaped(s string) [][2]int { return findShaped(gitLabShaped, s) }

func findShaped(re *regexp.Regexp, s string) [][2]int {
	var out [][2]int
	for _, loc := range re.FindAllStringIndex(s, -1) {
		out = append(out, [2]int{loc[0], loc[1]})
	}
	return out
}

// merge joins two sorted lists of ranges into one sorted list in which
// overlapping ranges are one.
func merge(a, b [][2]int) [][2]int {
	all := append(append([][2]int(nil), a...), b...)
	if len(all) == 0 {
		return nil
	}
	slices.SortFunc(all, func(x, y [2]int) int { return x[0] - y[0] })
	out := [][2]int{all[0]}
	for _, r := range all[1:] {
		last := &out[len(out)-1]
		if r[0] <= last[1] {
			last[1] = max(last[1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

// findGitHubShaped is Find for GitHub's shapes.
func findGitHubShaped(s string) [][2]int {
	var found [][2]int
	for i := 0; i < len(s); {
		if !isTokenByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isTokenByte(s[j]) {
			j++
		}
		if start, ok := tokenIn(s[i:j]); ok {
			found = append(found, [2]int{i + start, j})
		}
		i = j
	}
	return found
}

// tokenIn tells where in a run of token characters a token starts.
func tokenIn(run string) (int, bool) {
	if len(run) == 40 && isHexFold(run) {
		return 0, true
	}
	for k := 0; k+len("ghp_")+minSecretChars <= len(run); k++ {
		if run[k] != 'g' && run[k] != 'G' {
			continue
		}
		if n := prefixLen(run[k:]); n > 0 && len(run)-k-n >= minSecretChars {
			return k, true
		}
	}
	return 0, false
}

// prefixLen is the length of the token prefix s starts with, in any case,
// or 0.
func prefixLen(s string) int {
	for _, p := range [...]string{"github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return len(p)
		}
	}
	return 0
}

// Redact replaces every token-shaped part of s (see Find) with Redacted.
func Redact(s string) string {
	found := Find(s)
	if found == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, f := range found {
		b.WriteString(s[last:f[0]])
		b.WriteString(Redacted)
		last = f[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func isTokenByte(c byte) bool { return c < 0x80 && IsTokenChar(rune(c)) }

func isHexFold(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
