package token

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// base64Word is the definition findBitbucketDC's loop implements: a whole
// run of either base64 alphabet, with its padding.
var base64Word = regexp.MustCompile(`[A-Za-z0-9+/_-]+={0,2}`)

func findBitbucketDCByRegexp(s string) [][2]int {
	var out [][2]int
	for _, loc := range base64Word.FindAllStringIndex(s, -1) {
		if loc[1]-loc[0] == bitbucketDCLength && isBitbucketDC(s[loc[0]:loc[1]]) {
			out = append(out, [2]int{loc[0], loc[1]})
		}
	}
	return out
}

// FuzzFindBitbucketDC checks the scanning loop against the regular
// expression it replaced.
func FuzzFindBitbucketDC(f *testing.F) {
	tok := base64.StdEncoding.EncodeToString([]byte("123456789012:abcdefghijklmnopqrst"))
	for _, seed := range []string{
		"", tok, "x " + tok + " y", tok + "=", tok + "===", "a" + tok, tok + "a", "-" + tok + "-",
		tok + "\n" + tok, "password: " + tok + "\n", strings.Repeat("=", 5) + tok, tok[:43], "é" + tok + "é",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := findBitbucketDC(s), findBitbucketDCByRegexp(s); !slices.Equal(got, want) {
			t.Errorf("findBitbucketDC(%q) = %v, the regular expression finds %v", s, got, want)
		}
	})
}
