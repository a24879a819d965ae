package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFieldPath(t *testing.T) {
	for _, tc := range []struct {
		pointer string
		want    string
	}{
		{"", ""},
		{"/runtimes", "runtimes"},
		{"/runtimes/0", "runtimes[0]"},
		{"/runtimes/0/users/1", "runtimes[0].users[1]"},
		{"/runtimes/12/managedClusters/3/name", "runtimes[12].managedClusters[3].name"},
		{"/a~1b", "a/b"},
		{"/a~0b", "a~b"},
		// ~01 is "~1" escaped, not "/".
		{"/a~01", "a~1"},
		{"/x/~0~1/0", "x.~/[0]"},
	} {
		if got := fieldPath(tc.pointer); got != tc.want {
			t.Errorf("fieldPath(%q) = %q, want %q", tc.pointer, got, tc.want)
		}
	}
}

func TestEscapePointer(t *testing.T) {
	for _, s := range []string{"", "a", "a/b", "a~b", "~1", "~0/~", "//~~"} {
		if got := unescapePointer(escapePointer(s)); got != s {
			t.Errorf("unescapePointer(escapePointer(%q)) = %q", s, got)
		}
	}
	if got, want := escapePointer("a~/b"), "a~0~1b"; got != want {
		t.Errorf("escapePointer = %q, want %q", got, want)
	}
}

func TestErrorString(t *testing.T) {
	err := &Error{Problems: []Problem{
		{File: "rtconf.yaml", Position: Position{Line: 3, Column: 7}, Field: "runtimes[0].name", Message: "bad name", Hint: "rename it"},
		{File: "rtconf.yaml", Position: Position{Line: 4}, Message: "invalid YAML: x"},
		{File: "rtconf.yaml", Message: "file is empty", Hint: "run `rtconf init`"},
	}}
	want := "rtconf.yaml:3:7: runtimes[0].name: bad name\n" +
		"\thint: rename it\n" +
		"rtconf.yaml:4: invalid YAML: x\n" +
		"rtconf.yaml: file is empty\n" +
		"\thint: run `rtconf init`"
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("Error() (-want +got):\n%s", diff)
	}
}
