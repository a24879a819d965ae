package token

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
)

// issued are the shapes of tokens as GitHub, GitLab and Atlassian (Bitbucket
// Cloud) issue them: what a committed file must not contain. Bitbucket Data
// Center's, which has no prefix, is found by findBitbucketDC.
var issued = []struct {
	re   *regexp.Regexp
	what string
	// alone: the shape is made only of base64 characters, so a match
	// counts only where it is no part of a longer base64 run: ciphertext
	// (a SealedSecret's) holds any such string by chance, about once in
	// every 2 MB.
	alone bool
}{
	{regexp.MustCompile(`ghp_[A-Za-z0-9]{36}`), "GitHub classic personal access token (ghp_…)", false},
	{regexp.MustCompile(`github_pat_[A-Za-z0-9_]{70,}`), "GitHub fine-grained personal access token (github_pat_…)", false},
	{regexp.MustCompile(`gh[ousr]_[A-Za-z0-9]{36}`), "GitHub OAuth or app token (gho_/ghu_/ghs_/ghr_…)", false},
	{regexp.MustCompile(`glpat-[A-Za-z0-9_\-]{20}`), "GitLab personal access token (glpat-…)", false},
	{regexp.MustCompile(`ATATT3[A-Za-z0-9_\-]{60,}=[0-9A-F]{8}`), "Atlassian API token (ATATT3…)", false},
	{regexp.MustCompile(`ATCTT3[A-Za-z0-9_\-]{60,}=[0-9A-F]{8}`), "Bitbucket access token (ATCTT3…)", false},
	{regexp.MustCompile(`ATBB[A-Za-z0-9]{28,}`), "Bitbucket app password (ATBB…)", true},
}

// Found is a token found in a text.
type Found struct {
	// Offset is the token's first byte in the text.
	Offset int
	// Value is the token; it must never be printed.
	Value string
	// What names the kind of token, for messages.
	What string
}

// Scan returns the tokens in text that have the shape GitHub, GitLab,
// Atlassian or Bitbucket Data Center issue them in, in the order of the
// shapes, then of their place: what
// validate reports in a committed file. Find, looser, is for output.
func Scan(text []byte) []Found {
	var out []Found
	for _, s := range issued {
		for _, loc := range s.re.FindAllIndex(text, -1) {
			if s.alone && inBase64Run(text, loc[0], loc[1]) {
				continue
			}
			out = append(out, Found{Offset: loc[0], Value: string(text[loc[0]:loc[1]]), What: s.what})
		}
	}
	for _, loc := range findBitbucketDC(string(text)) {
		out = append(out, Found{Offset: loc[0], Value: string(text[loc[0]:loc[1]]), What: "Bitbucket Data Center HTTP access token"})
	}
	return out
}

// shaped is a token's prefix (in any case) and at least 12 characters that
// tokens use: a whole token, one cut off or changed in case, or a longer
// run of which it is the start. It is looser than issued on purpose: what
// might be a token is never shown.
var shaped = regexp.MustCompile(`(?i)(?:ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|atatt3|atctt3|atbb)[a-z0-9_=-]{12,}`)

// Runs of text that may hold a token encoded: in base64 (either
// alphabet), hex, or with URL escapes.
var (
	base64Run = regexp.MustCompile(`[A-Za-z0-9+/_-]{24,}={0,2}`)
	hexRun    = regexp.MustCompile(`[0-9A-Fa-f]{40,}`)
	escapeRun = regexp.MustCompile(`[A-Za-z0-9_.~+%-]*%[0-9A-Fa-f]{2}[A-Za-z0-9_.~+%-]*`)
)

// RedactDeep returns s with every token-shaped value replaced by Redacted:
// what Redact finds, tokens cut off down to their prefix and 12
// characters (GitLab's too), and runs of base64 (either alphabet, any
// alignment), hex or URL escapes that decode to one. Findings and config
// problems, which quote what a pull request wrote, go through it.
func RedactDeep(s string) string {
	s = shaped.ReplaceAllString(Redact(s), Redacted)
	for _, r := range []struct {
		run    *regexp.Regexp
		decode func(string) [][]byte
	}{{escapeRun, unescapes}, {hexRun, unhex}, {base64Run, unbase64}} {
		s = r.run.ReplaceAllStringFunc(s, func(run string) string {
			for _, dec := range r.decode(run) {
				if shaped.Match(dec) || findBitbucketDC(string(dec)) != nil {
					return Redacted
				}
			}
			return run
		})
	}
	return s
}

func unescapes(run string) [][]byte {
	var out [][]byte
	for _, f := range []func(string) (string, error){url.QueryUnescape, url.PathUnescape} {
		if dec, err := f(run); err == nil {
			out = append(out, []byte(dec))
		}
	}
	return out
}

// unhex decodes a run of hex digits from its first and its second digit.
func unhex(run string) [][]byte {
	var out [][]byte
	for start := range 2 {
		h := run[start:]
		if dec, err := hex.DecodeString(h[:len(h)/2*2]); err == nil {
			out = append(out, dec)
		}
	}
	return out
}

// unbase64 decodes a run in both alphabets from each of its first four
// characters, so that a run that starts inside a quantum is read too; to
// its end when that is a whole byte, else without its last quantum.
func unbase64(run string) [][]byte {
	run = strings.TrimRight(run, "=")
	var out [][]byte
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for start := range 4 {
			part := run[start:]
			if dec, err := enc.DecodeString(part); err == nil {
				out = append(out, dec)
				continue
			}
			if dec, err := enc.DecodeString(part[:len(part)/4*4]); err == nil {
				out = append(out, dec)
			}
		}
	}
	return out
}

// inBase64Run reports whether text[start:end], a run of letters and
// digits, continues a base64 run on either side: a letter, digit, + or /
// before it, or a +, / or = after it.
func inBase64Run(text []byte, start, end int) bool {
	if start > 0 {
		if c := text[start-1]; isAlnum(c) || c == '+' || c == '/' {
			return true
		}
	}
	if end < len(text) {
		if c := text[end]; c == '+' || c == '/' || c == '=' {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
