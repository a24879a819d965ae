package writer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
)

// maxJournalSize bounds the journal read back (a run that writes 1,000
// runtimes records about 2 MiB).
const maxJournalSize = 64 << 20

// Scope is what a roll-back may touch. The journal is a file in the
// repository, so a pull request can commit one and anything can plant one:
// Recover acts on it only when it is the kind of journal a killed rtconf run
// leaves, and only on files that run could have written.
type Scope struct {
	// Owns reports whether rtconf writes p (slash-separated, relative to
	// the root) in some run: the generated tree, the configuration, the
	// certificate. A journal that names anything else is refused. Nil owns
	// nothing.
	Owns func(p string) bool
	// Tracked reports whether Git tracks p (HEAD's tree or the index holds
	// it). rtconf never commits its journal, so a tracked one came with the
	// repository and is refused. Nil: the tree is not in Git.
	Tracked func(p string) (bool, error)
}

func (s Scope) owns(p string) bool { return s.Owns != nil && s.Owns(p) }

func (s Scope) tracked(p string) (bool, error) {
	if s.Tracked == nil {
		return false, nil
	}
	return s.Tracked(p)
}

// UntrustedJournalError refuses a journal that no run of rtconf can have
// left: nothing was changed.
type UntrustedJournalError struct {
	// File is the journal (or its staging copy).
	File string
	// Reason says what is wrong with it.
	Reason string
	// Tracked is set when Git tracks the file.
	Tracked bool
}

func (e *UntrustedJournalError) Error() string {
	fix := fmt.Sprintf("if you did not make it, delete it (`rm %s`) and check the tree with `git status`", e.File)
	if e.Tracked {
		fix = fmt.Sprintf("remove it with `git rm %s` and commit", e.File)
	}
	return fmt.Sprintf("%s is not a journal rtconf can trust: %s; rtconf left it alone and changed nothing: %s, then run again",
		e.File, e.Reason, fix)
}

// Recover rolls back a transaction that a killed process left unfinished,
// if its journal is there, so that the tree is as it was before that run.
// It reports whether there was one. Every step is idempotent: a Recover
// that is itself interrupted is finished by the next one. A journal outside
// scope (see Scope) is refused with an *UntrustedJournalError before
// anything is touched.
func Recover(fsys FS, scope Scope) (bool, error) {
	fi, err := fsys.Lstat(JournalFile)
	if errors.Is(err, fs.ErrNotExist) {
		return false, removeJournalTmp(fsys, scope)
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", JournalFile, err)
	}
	j, err := readJournal(fsys, fi, scope)
	if err != nil {
		return true, err
	}
	if err := checkJournal(fsys, j, scope); err != nil {
		return true, err
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

// removeJournalTmp removes the staging copy of a journal that a run killed
// while writing it left, if it is one.
func removeJournalTmp(fsys FS, scope Scope) error {
	fi, err := fsys.Lstat(journalTmp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", journalTmp, err)
	}
	if !fi.Mode().IsRegular() {
		return &UntrustedJournalError{File: journalTmp, Reason: "it is not a regular file (a symlink, folder or device)"}
	}
	tracked, err := scope.tracked(journalTmp)
	if err != nil {
		return fmt.Errorf("check whether Git tracks %s: %w", journalTmp, err)
	}
	if tracked {
		return &UntrustedJournalError{File: journalTmp, Tracked: true, Reason: trackedReason}
	}
	if err := fsys.Remove(journalTmp); err != nil {
		return fmt.Errorf("remove %s: %w", journalTmp, err)
	}
	return nil
}

const trackedReason = "Git tracks it (it is in HEAD or in the index), so it came with the repository (a pull request, a commit) " +
	"and was not left by an interrupted rtconf run on this machine; rtconf never commits its journal"

// readJournal reads and decodes the journal, refusing one Git tracks.
func readJournal(fsys FS, fi fs.FileInfo, scope Scope) (journal, error) {
	if !fi.Mode().IsRegular() {
		return journal{}, &UntrustedJournalError{File: JournalFile, Reason: "it is not a regular file (a symlink, folder or device)"}
	}
	tracked, err := scope.tracked(JournalFile)
	if err != nil {
		return journal{}, fmt.Errorf("check whether Git tracks %s: %w", JournalFile, err)
	}
	if tracked {
		return journal{}, &UntrustedJournalError{File: JournalFile, Tracked: true, Reason: trackedReason}
	}
	if fi.Size() > maxJournalSize {
		return journal{}, &UntrustedJournalError{File: JournalFile, Reason: fmt.Sprintf("it is %d bytes, more than any run of rtconf writes (%d)", fi.Size(), maxJournalSize)}
	}
	data, err := fsys.ReadFile(JournalFile)
	if err != nil {
		return journal{}, fmt.Errorf("read %s: %w", JournalFile, err)
	}
	var j journal
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return journal{}, fmt.Errorf("%s is damaged (%v): an interrupted rtconf run left the tree part-written; "+
			"restore it with git (git status, git checkout), then delete %s", JournalFile, err, JournalFile)
	}
	if dec.More() {
		return journal{}, fmt.Errorf("%s is damaged (data after the journal): restore the tree with git (git status, git checkout), then delete %s", JournalFile, JournalFile)
	}
	return j, nil
}

// checkJournal refuses a journal that names anything a run of rtconf
// cannot have written: every step must be a path in scope, outside .git,
// with exactly the staging and backup names Apply makes beside it, every
// file on it regular and no folder above it a symlink; every folder must be
// one above a step.
func checkJournal(fsys FS, j journal, scope Scope) error {
	refuse := func(format string, a ...any) error {
		return &UntrustedJournalError{File: JournalFile, Reason: fmt.Sprintf(format, a...)}
	}
	seen := map[string]bool{}
	parents := map[string]bool{}
	known := map[string]bool{}
	for i, s := range j.Steps {
		if err := checkTarget(s.Path); err != nil {
			return refuse("step %d: %v", i+1, err)
		}
		switch s.Op {
		case "add", "update", "remove":
		default:
			return refuse("step %d: %s: unknown operation %q", i+1, s.Path, s.Op)
		}
		if s.Tmp != StagingName(s.Path) || s.Bak != BackupName(s.Path) {
			return refuse("step %d: the staging and backup names of %s are not the ones rtconf makes (%s, %s)", i+1, s.Path, StagingName(s.Path), BackupName(s.Path))
		}
		if !scope.owns(s.Path) {
			return refuse("step %d names %s, which rtconf does not write", i+1, s.Path)
		}
		if seen[s.Path] {
			return refuse("step %d names %s a second time", i+1, s.Path)
		}
		seen[s.Path] = true
		if err := realDirs(fsys, s.Path, known); err != nil {
			return refuse("step %d: %v", i+1, err)
		}
		for _, p := range []string{s.Path, s.Tmp, s.Bak} {
			fi, err := fsys.Lstat(p)
			if err == nil && !fi.Mode().IsRegular() {
				return refuse("step %d: %s is not a regular file (a symlink, folder or device)", i+1, p)
			}
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("check %s: %w", p, err)
			}
		}
		for dir := path.Dir(s.Path); dir != "." && dir != "/"; dir = path.Dir(dir) {
			parents[dir] = true
		}
	}
	for _, d := range j.Dirs {
		if !parents[d] {
			return refuse("it lists the folder %q, which holds none of its files", d)
		}
		fi, err := fsys.Lstat(d)
		if err == nil && !fi.IsDir() {
			return refuse("the folder %s is not a folder (a symlink or a file)", d)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("check %s: %w", d, err)
		}
	}
	return nil
}

// undoStep puts one path back as it was. A backup means the original was
// moved aside: put it back. An added file with no staging copy left was
// installed: remove it. A staging copy left over is removed.
func undoStep(fsys FS, s journalStep) error {
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
