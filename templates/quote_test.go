package templates

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestQuote: whatever a value holds, quote keeps it one YAML value on one
// line, which reads back as the value; no line break of YAML 1.1 or 1.2 is
// written raw.
func TestQuote(t *testing.T) {
	for _, s := range []string{
		"main", `rel/"x"#z{y},+w`, "a\\b", "é-ünïcödé", "emoji \U0001F600",
		"a\nb", "a\r\nb", "a\u0085on: x", "a\u2028b\u2029c", "\ufeffbom", "a\x00b\x01\x7f", "\U000e0001 tag",
		"x\"\n# comment\non: push",
	} {
		q := quote(s)
		if strings.ContainsAny(q, "\n\r\u0085\u2028\u2029") {
			t.Errorf("quote(%q) = %q: a raw line break", s, q)
		}
		var got struct{ K string }
		if err := yaml.Unmarshal([]byte("# c "+q+"\nk: "+q+"\n"), &got); err != nil {
			t.Errorf("quote(%q) = %q: %v", s, q, err)
			continue
		}
		if got.K != s {
			t.Errorf("quote(%q) = %q, reads back as %q", s, q, got.K)
		}
	}
}
