package jsonpointer

import "testing"

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
		if got := FieldPath(tc.pointer); got != tc.want {
			t.Errorf("FieldPath(%q) = %q, want %q", tc.pointer, got, tc.want)
		}
	}
}

func TestEscapePointer(t *testing.T) {
	for _, s := range []string{"", "a", "a/b", "a~b", "~1", "~0/~", "//~~"} {
		if got := Unescape(Escape(s)); got != s {
			t.Errorf("Unescape(Escape(%q)) = %q", s, got)
		}
	}
	if got, want := Escape("a~/b"), "a~0~1b"; got != want {
		t.Errorf("escapePointer = %q, want %q", got, want)
	}
}

func TestSplit(t *testing.T) {
	if got := Split("/"); got != nil {
		t.Errorf("Split(/) = %q, want none", got)
	}
	if got := Split("/a~1b/0"); len(got) != 2 || got[0] != "a/b" || got[1] != "0" {
		t.Errorf("Split = %q", got)
	}
}
