package generator

import (
	"fmt"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	if d := Diff("a.yaml", []byte("x\n"), []byte("x\n"), 0); d != "" {
		t.Errorf("equal files: diff %q", d)
	}
	got := Diff("overlays/p/kustomization.yaml", []byte("a: 1\nb: 2\nc: 3\nd: 4\n"), []byte("a: 1\nb: 3\nc: 3\nd: 4\n"), 0)
	want := strings.Join([]string{
		"--- a/overlays/p/kustomization.yaml",
		"+++ b/overlays/p/kustomization.yaml",
		"@@ -1,3 +1,3 @@",
		" a: 1",
		"-b: 2",
		"+b: 3",
		" c: 3",
	}, "\n")
	if got != want {
		t.Errorf("diff\n%s\nwant\n%s", got, want)
	}

	// A long diff is cut after max lines, with a line that says how many
	// more there are.
	var old, new strings.Builder
	for i := range 30 {
		fmt.Fprintf(&old, "k%d: old\n", i)
		fmt.Fprintf(&new, "k%d: new\n", i)
	}
	lines := strings.Split(Diff("f", []byte(old.String()), []byte(new.String()), 20), "\n")
	if len(lines) != 21 {
		t.Fatalf("%d lines, want 20 and the cut line:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if got, want := lines[20], "… 43 more diff lines"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}
