package token

import "encoding/base64"

// A Bitbucket Data Center HTTP access token is the standard base64 of its
// record's 12-digit ID, a colon and 20 random bytes: 44 characters, no
// padding and no prefix (see internal/forge/bitbucketdc's ParseToken).
const (
	bitbucketDCLength   = 44
	bitbucketDCIDLength = 12
	bitbucketDCRawBytes = 33
)

// isBase64Char tells whether c is a character of either base64 alphabet.
func isBase64Char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '_' || c == '-'
}

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
	// Whole runs of base64 with their padding (up to two '='): a Bitbucket
	// Data Center token is found only as a whole run, never as a part of a
	// longer one (a certificate's line, a SealedSecret's ciphertext). A
	// loop over the bytes, not a regular expression: validate scans every
	// file of the repository with it.
	for i := 0; i < len(s); {
		if !isBase64Char(s[i]) {
			i++
			continue
		}
		end := i + 1
		for end < len(s) && isBase64Char(s[end]) {
			end++
		}
		for pad := 0; pad < 2 && end < len(s) && s[end] == '='; pad++ {
			end++
		}
		if end-i == bitbucketDCLength && isBitbucketDC(s[i:end]) {
			out = append(out, [2]int{i, end})
		}
		i = end
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
