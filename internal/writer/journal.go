package writer

import (
	"encoding/json"
	"fmt"
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
