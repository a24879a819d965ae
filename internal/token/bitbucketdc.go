package token

import (
	"encoding/base64"
	"regexp"
)

// A Bitbucket Data Center HTTP access token is the standard base64 of its
// record's 12-digit ID, a colon and 20 random bytes: 44 characters, no
// padding and no prefix (see internal/forge/bitbucketdc's ParseToken).
const (
	bitbucketDCLength   = 44
	bitbucketDCIDLength = 12
	bitbucketDCRawBytes = 33
)

// base64Word is a whole run of the characters of either base64 alphabet,
// with its padding. A Bitbucket Data Center token is found only as a whole
// run, never as a part of a longer one (a certificate's line, a
// SealedSecret's ciphertext).
var base64Word = regexp.MustCompile(`[A-Za-z0-9+/_-]+={0,2}`)

// findBitbucketDC returns the start and end of every run in s that is a
// Bitbucket Data Center token: 44 characters that decode to 12 ASCII
// digits, a colon and 20 bytes. Its shape has no prefix, but the decoded
// one is strict: 44 characters of random base64 pass with a chance of
// (10/256)^12/256, about 2e-19, so base64 that YAML holds otherwise (a
// digest, a key, a certificate's last line) is not taken for one; only
// the base64 of "<12 digits>:<20 bytes>", which is such a token, or a
// credential of the same kind, is.
func findBitbucketDC(s string) [][2]int {
	var out [][2]int
	for _, loc := range base64Word.FindAllStringIndex(s, -1) {
		if loc[1]-loc[0] == bitbucketDCLength && isBitbucketDC(s[loc[0]:loc[1]]) {
			out = append(out, [2]int{loc[0], loc[1]})
		}
	}
	return out
}

// isBitbucketDC tells whether v, 44 characters, decodes as a Bitbucket
// Data Center token does.
func isBitbucketDC(v string) bool {
	raw, err := base64.StdEncoding.Strict().DecodeString(v)
	if err != nil || len(raw) != bitbucketDCRawBytes || raw[bitbucketDCIDLength] != ':' {
		return false
	}
	for _, b := range raw[:bitbucketDCIDLength] {
		if b < '0' || b > '9' {
			return false
		}
	}
	return true
}
