package generator

import (
	"fmt"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// DiffLines is how many lines Diff shows of a file's changes at most.
const DiffLines = 20

// Diff returns a short unified diff from old, the file at path as it is,
// to new, what rtconf generates, with one line of context, cut after max
// lines (headers included; max <= 0: DiffLines) with a line that says how
// many more there are. "" when they are equal.
func Diff(path string, old, new []byte, max int) string {
	if max <= 0 {
		max = DiffLines
	}
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        splitLines(old),
		B:        splitLines(new),
		FromFile: "a/" + path,
		ToFile:   "b/" + path,
		Context:  1,
	})
	if err != nil || text == "" {
		return ""
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) > max {
		more := len(lines) - max
		lines = append(lines[:max], fmt.Sprintf("… %d more diff %s", more, plural(more == 1, "line", "lines")))
	}
	return strings.Join(lines, "\n")
}

// splitLines splits data after each line break; a last line without one
// gets one (difflib.SplitLines adds an empty last line instead).
func splitLines(data []byte) []string {
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] += "\n"
	}
	return lines
}
