package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSetString(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		path  []string
		value string
		want  string
	}{{
		name:  "replace plain value keeping its comment",
		in:    "# top\nsealing:\n  certificate: old.pem   # mine\n  scope: strict\nruntimes: []\n",
		path:  []string{"sealing", "certificate"},
		value: "certs/new.pem",
		want:  "# top\nsealing:\n  certificate: certs/new.pem   # mine\n  scope: strict\nruntimes: []\n",
	}, {
		name:  "replace double-quoted value",
		in:    "sealing:\n  fingerprint: \"sha256:aa\" # pinned\n",
		path:  []string{"sealing", "fingerprint"},
		value: "sha256:bb",
		want:  "sealing:\n  fingerprint: sha256:bb # pinned\n",
	}, {
		name:  "replace single-quoted value with an escaped quote",
		in:    "a:\n  b: 'it''s' # c\n",
		path:  []string{"a", "b"},
		value: "x",
		want:  "a:\n  b: x # c\n",
	}, {
		name:  "add a key to an existing mapping, after its nested values",
		in:    "repository:\n    url: https://x/y/z\nsealing:\n    scope: strict\n# trailing comment\nruntimes:\n  - name: a\n",
		path:  []string{"sealing", "fingerprint"},
		value: "sha256:cc",
		want:  "repository:\n    url: https://x/y/z\nsealing:\n    scope: strict\n    fingerprint: sha256:cc\n# trailing comment\nruntimes:\n  - name: a\n",
	}, {
		name:  "add a missing mapping at the end",
		in:    "repository:\n  url: https://x/y/z\nruntimes:\n  - name: a\n    users: [b]",
		path:  []string{"sealing", "certificate"},
		value: "certs/c.pem",
		want:  "repository:\n  url: https://x/y/z\nruntimes:\n  - name: a\n    users: [b]\nsealing:\n  certificate: certs/c.pem\n",
	}, {
		name:  "quote a value that needs it",
		in:    "a:\n  b: c\n",
		path:  []string{"a", "b"},
		value: "yes: no",
		want:  "a:\n  b: 'yes: no'\n",
	}, {
		name:  "keep CRLF line endings",
		in:    "a:\r\n  b: c\r\n",
		path:  []string{"a", "d"},
		value: "e",
		want:  "a:\r\n  b: c\r\n  d: e\r\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SetString([]byte(tc.in), tc.path, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetStringRefuses(t *testing.T) {
	for _, tc := range []struct {
		in   string
		path []string
		want string
	}{
		{"sealing: {scope: strict}\n", []string{"sealing", "fingerprint"}, "edit sealing: not a block mapping; write it in block style to let rtconf edit it"},
		{"a:\n  b: |\n    x\n", []string{"a", "b"}, "edit a.b: not a single-line value"},
		{"a: [1]\n", []string{"a", "b"}, "edit a: not a block mapping; write it in block style to let rtconf edit it"},
	} {
		_, err := SetString([]byte(tc.in), tc.path, "v")
		if err == nil || err.Error() != tc.want {
			t.Errorf("SetString(%q, %v) error = %v, want %q", tc.in, tc.path, err, tc.want)
		}
	}
}
