package writer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/rtconf/rtconf/generator"
)

// JournalFile is written at the root of the tree before Apply changes
// anything and removed once every change is in place. If the process dies
// in between (SIGKILL, power loss), it is left behind, and Recover rolls the
// tree back to how it was before.
const JournalFile = ".rtconf-journal.json"

const journalTmp = JournalFile + ".tmp"

// journal lists what a transaction may have done: the steps, with their
// staging and backup names, and the folders it may have made.
type journal struct {
	Steps []journalStep `json:"steps"`
	Dirs  []string      `json:"dirs,omitempty"` // parents first
}

type journalStep struct {
	Path string `json:"path"`
	Op   string `json:"op"`
	Tmp  string `json:"tmp"`
	Bak  string `json:"bak"`
}

// writeJournal records the transaction, atomically (write, then rename).
func (tx *transaction) writeJournal(dirs []string) error {
	j := journal{Dirs: dirs}
	for _, s := range tx.steps {
		j.Steps = append(j.Steps, journalStep{Path: s.Path, Op: verb(s.Op), Tmp: s.tmp, Bak: s.bak})
	}
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", JournalFile, err)
	}
	if err := tx.fsys.WriteFile(journalTmp, append(data, '\n'), filePerm); err != nil {
		_ = tx.fsys.Remove(journalTmp)
		return fmt.Errorf("write %s: %w", JournalFile, err)
	}
	if err := tx.fsys.Rename(journalTmp, JournalFile); err != nil {
		_ = tx.fsys.Remove(journalTmp)
		return fmt.Errorf("write %s: %w", JournalFile, err)
	}
	tx.journaled = true
	return nil
}

// missingDirs lists the folders Apply will have to make, parents first,
// and remembers the ones found.
func (tx *transaction) missingDirs(changes []generator.Change) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range changes {
		if c.Op == generator.Remove {
			continue
		}
		var chain []string
		for dir := path.Dir(c.Path); dir != "." && dir != "/" && !seen[dir] && !tx.dirs[dir]; dir = path.Dir(dir) {
			if fi, err := tx.fsys.Lstat(dir); err == nil {
				tx.dirs[dir] = fi.IsDir() // a file in the way: mkdirs says so
				break
			}
			seen[dir] = true
			chain = append(chain, dir)
		}
		slices.Reverse(chain)
		out = append(out, chain...)
	}
	return out
}

// Recover rolls back a transaction that a killed process left unfinished,
// if its journal is there, so that the tree is as it was before that run.
// It reports whether there was one. Every step is idempotent: a Recover
// that is itself interrupted is finished by the next one.
func Recover(fsys FS) (bool, error) {
	data, err := fsys.ReadFile(JournalFile)
	if errors.Is(err, fs.ErrNotExist) {
		if rerr := fsys.Remove(journalTmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return false, fmt.Errorf("remove %s: %w", journalTmp, rerr)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", JournalFile, err)
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		return true, fmt.Errorf("%s is damaged (%v): an interrupted rtconf run left the tree part-written; "+
			"restore it with git (git status, git checkout), then delete %s", JournalFile, err, JournalFile)
	}
	var errs []error
	for i := len(j.Steps) - 1; i >= 0; i-- {
		errs = append(errs, undoStep(fsys, j.Steps[i]))
	}
	for i := len(j.Dirs) - 1; i >= 0; i-- {
		_ = fsys.Remove(j.Dirs[i]) // only if empty: it may hold the user's files by now
	}
	if err := errors.Join(errs...); err != nil {
		return true, fmt.Errorf("undo the interrupted write recorded in %s: %w", JournalFile, err)
	}
	if err := fsys.Remove(JournalFile); err != nil {
		return true, fmt.Errorf("remove %s: %w", JournalFile, err)
	}
	return true, nil
}

// undoStep puts one path back as it was. A backup means the original was
// moved aside: put it back. An added file with no staging copy left was
// installed: remove it. A staging copy left over is removed.
func undoStep(fsys FS, s journalStep) error {
	if !fs.ValidPath(s.Path) || !fs.ValidPath(s.Tmp) || !fs.ValidPath(s.Bak) {
		return fmt.Errorf("journal names %q: not a path inside the tree", s.Path)
	}
	_, tmpErr := fsys.Lstat(s.Tmp)
	if _, err := fsys.Lstat(s.Bak); err == nil {
		if err := fsys.Rename(s.Bak, s.Path); err != nil {
			return fmt.Errorf("restore %s from %s: %w", s.Path, s.Bak, err)
		}
	} else if s.Op == "add" && errors.Is(tmpErr, fs.ErrNotExist) {
		if _, err := fsys.Lstat(s.Path); err == nil {
			if err := fsys.Remove(s.Path); err != nil {
				return fmt.Errorf("remove %s: %w", s.Path, err)
			}
		}
	}
	if tmpErr == nil {
		if err := fsys.Remove(s.Tmp); err != nil {
			return fmt.Errorf("remove %s: %w", s.Tmp, err)
		}
	}
	return nil
}
