package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/repolock"
	"github.com/rtconf/rtconf/internal/writer"
)

// GitignoreFile is where init keeps rtconf's own files out of Git.
const GitignoreFile = ".gitignore"

// gitignoreLines are rtconf's own files: its journal (a committed one is
// refused), its lock, and the staging and backup copies of its writes.
func gitignoreLines() []string {
	return []string{"/" + writer.JournalFile, "/" + writer.JournalFile + ".tmp", "/" + repolock.File, "*.rtconf-tmp", "*.rtconf-bak"}
}

const gitignoreHeader = "# rtconf's own files (its journal, lock and staging copies): never commit them\n"

// gitignoreChange adds the lines of rtconf's files that .gitignore lacks,
// after the user's own content, which is kept as it is.
func gitignoreChange(root *os.Root) (generator.Change, bool, error) {
	fi, err := root.Lstat(GitignoreFile)
	if errors.Is(err, fs.ErrNotExist) {
		var b bytes.Buffer
		b.WriteString(gitignoreHeader)
		for _, l := range gitignoreLines() {
			b.WriteString(l + "\n")
		}
		return generator.Change{Path: GitignoreFile, Op: generator.Add, Data: b.Bytes()}, true, nil
	}
	if err != nil {
		return generator.Change{}, false, fmt.Errorf("read %s: %w", GitignoreFile, err)
	}
	if !fi.Mode().IsRegular() {
		return generator.Change{}, false, fmt.Errorf("%s is not a regular file (a symlink or device): replace it with a file, then run again", GitignoreFile)
	}
	old, err := repofs.ReadFile(root, GitignoreFile)
	if err != nil {
		return generator.Change{}, false, fmt.Errorf("read %s: %w", GitignoreFile, err)
	}
	have := map[string]bool{}
	for _, l := range bytes.Split(old, []byte("\n")) {
		have[string(bytes.TrimSpace(l))] = true
	}
	var missing []string
	for _, l := range gitignoreLines() {
		if !have[l] {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return generator.Change{}, false, nil
	}
	b := bytes.NewBuffer(append([]byte(nil), old...))
	if len(old) > 0 && old[len(old)-1] != '\n' {
		b.WriteByte('\n')
	}
	if len(old) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(gitignoreHeader)
	for _, l := range missing {
		b.WriteString(l + "\n")
	}
	return generator.Change{Path: GitignoreFile, Op: generator.Update, Data: b.Bytes()}, true, nil
}
