package token_test

import (
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/token"
)

func TestRedact(t *testing.T) {
	cut := classic[:30] // a token cut off when copied
	tests := []struct {
		name, in, want string
	}{
		{"classic alone", classic, token.Redacted},
		{"fine-grained in a message", "read token file " + fineGrained + ": no such file", "read token file " + token.Redacted + ": no such file"},
		{"quoted", `runtime "` + classic + `" not found`, `runtime "` + token.Redacted + `" not found`},
		{"in a path", "/tmp/" + classic + "/x.pem", "/tmp/" + token.Redacted + "/x.pem"},
		{"in a URL", "https://x-access-token:" + classic + "@github.com/o/r", "https://x-access-token:" + token.Redacted + "@github.com/o/r"},
		{"after a flag name", "--token=" + classic, "--token=" + token.Redacted},
		{"upper case", "RTCONF_RUNTIME_TOKEN_" + strings.ToUpper(classic), "RTCONF_RUNTIME_TOKEN_" + token.Redacted},
		{"glued to a word", "xyz" + classic, "xyz" + token.Redacted},
		{"cut off", cut + " is short", token.Redacted + " is short"},
		{"two", classic + "," + classic2, token.Redacted + "," + token.Redacted},
		{"other kinds", "gho_" + alnum(5, 36) + " ghs_" + alnum(7, 36), token.Redacted + " " + token.Redacted},
		{"legacy", "token " + legacy + ".", "token " + token.Redacted + "."},
		{"legacy upper case", strings.ToUpper(legacy), token.Redacted},
		{"GitLab", "scope api glpat-" + alnum(3, 20) + ")", "scope api " + token.Redacted + ")"},
		{"GitLab routable", "x=glpat-" + alnum(4, 27) + ".01." + alnum(5, 9) + " y", "x=" + token.Redacted + " y"},
		{"GitLab deploy token, upper case", "GLDT-" + alnum(6, 20), token.Redacted},
		{"GitLab cut off", "glpat-" + alnum(7, 12), token.Redacted},
		// Not tokens: short runs after a prefix, hex runs of other
		// lengths (fingerprints), words.
		{"short after prefix", "ghs_list and ghp_" + alnum(1, 19), "ghs_list and ghp_" + alnum(1, 19)},
		{"fingerprint", "sha256:" + strings.Repeat("ab", 32), "sha256:" + strings.Repeat("ab", 32)},
		{"41 hex", legacy + "8", legacy + "8"},
		{"plain text", "no token here: ghp_ alone", "no token here: ghp_ alone"},
		{"GitLab prefix, short", "glpat-short and gldt-", "glpat-short and gldt-"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := token.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestFindEveryValidToken: whatever Parse accepts, Find finds whole.
func TestFindEveryValidToken(t *testing.T) {
	for _, v := range []string{classic, fineGrained, legacy, "ghr_" + alnum(8, 36), "ghp_" + alnum(9, 251)} {
		if _, err := github.ParseToken(v); err != nil {
			t.Fatalf("Parse: %v", err)
		}
		got := token.Find(" " + v + " ")
		if len(got) != 1 || got[0] != [2]int{1, 1 + len(v)} {
			t.Errorf("Find(%.12s…) = %v, want [[1 %d]]", v, got, 1+len(v))
		}
	}
}
