package validator

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/writer"
)

// irregularFinding describes a file that is not a regular file (a symlink,
// a FIFO, a socket or a device). Each is an error: validate reads only
// regular files, so what such a path stands for was not checked, and a
// repository that was not read in full never passes. A symlink that leaves
// the repository or leads nowhere is named as such (Argo CD cannot use it,
// and it may expose the machine's files).
func irregularFinding(fsys fs.FS, p string, mode fs.FileMode) Finding {
	if mode&fs.ModeSymlink != 0 {
		if _, err := fs.Stat(fsys, p); err != nil {
			return Finding{Path: p, Rule: RuleUnreadable, Severity: Error,
				Message: "a symlink that leaves the repository or leads nowhere",
				Hint:    "replace it with the file itself; Argo CD does not follow symlinks out of the repository"}
		}
	}
	return Finding{Path: p, Rule: RuleUnreadable, Severity: Error,
		Message: "not a regular file but " + repofs.Describe(mode) + ": not read, so not validated",
		Hint:    "replace it with the file itself; rtconf validates only regular files"}
}

// journalFinding reports rtconf's journal (or its staging copy) found in
// the repository, whatever kind of file it is. A killed rtconf run leaves
// one beside a part-written tree; in a checkout (as in CI) it came with the
// commit, which rtconf never does and a writing command refuses. Either
// way the tree cannot pass.
func journalFinding(r *repo) []Finding {
	var out []Finding
	for _, p := range []string{writer.JournalFile, writer.JournalFile + ".tmp"} {
		if _, ok := r.file(p); !ok && !r.unread[p] {
			continue
		}
		out = append(out, Finding{Path: p, Rule: RuleJournal, Severity: Error,
			Message: "rtconf's journal is in the repository: a commit brought it (rtconf never commits it, and refuses to act on a tracked one), or an rtconf run was killed here and left the tree part-written",
			Hint: "if Git tracks it (git ls-files " + p + "), remove it with `git rm " + p + "` and commit; " +
				"if a run of yours was killed, a writing rtconf command (e.g. rtconf generate) rolls its write back"})
	}
	return out
}

// positionedError is a YAML problem at a place the parser did not name.
type positionedError struct {
	line, col int
	msg       string
}

func (e *positionedError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// duplicateKey finds the first key given twice in one mapping: the API
// server refuses such a manifest, or keeps one of the values silently.
func duplicateKey(n *yaml.Node) error {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if first, dup := seen[k.Value]; dup && k.Kind == yaml.ScalarNode {
				return &positionedError{line: k.Line, col: k.Column, msg: fmt.Sprintf("duplicate key %q (first at line %d)", k.Value, first)}
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := duplicateKey(c); err != nil {
			return err
		}
	}
	return nil
}

var yamlLineRE = regexp.MustCompile(`(?:yaml: )?line (\d+): (.*)`)

// yamlErrorPosition returns where a YAML error happened, and its message
// without the position: from a positionedError, from "line N" in the
// parser's message, or, for bytes that are not UTF-8, the first of them.
func yamlErrorPosition(data []byte, err error) (int, int, string) {
	var pe *positionedError
	if errors.As(err, &pe) {
		return pe.line, pe.col, pe.msg
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		// The line of the mistake, found again in data: yaml's is the
		// start of the enclosing node.
		if pos, what, _ := config.SyntaxError(data, err); pos.Line > 0 {
			return pos.Line, pos.Column, what
		}
		line, _ := strconv.Atoi(m[1])
		return line, 0, m[2]
	}
	if !utf8.Valid(data) {
		line, col := firstInvalidUTF8(data)
		return line, col, "not valid UTF-8"
	}
	return 0, 0, msg
}

func firstInvalidUTF8(data []byte) (int, int) {
	line, col := 1, 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size == 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		data = data[size:]
	}
	return line, col
}
