// Package writer applies a generator plan to a directory all at once or not
// at all: new contents of existing files are staged beside their targets,
// then renamed into place; new files are written in place (nothing was
// there to lose); every step is undone if any step fails. A journal
// (JournalFile) covers the time between the first and the last change, so
// that a run killed in between is rolled back by Recover.
package writer

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/rtconf/rtconf/generator"
)

// FS is the part of *os.Root the writer needs. *os.Root keeps every path
// inside the directory it was opened on, through symlinks too.
type FS interface {
	MkdirAll(name string, perm fs.FileMode) error
	WriteFile(name string, data []byte, perm fs.FileMode) error
	Rename(oldname, newname string) error
	Remove(name string) error
	Lstat(name string) (fs.FileInfo, error)
	ReadFile(name string) ([]byte, error)
}

const (
	filePerm = 0o644
	dirPerm  = 0o755
)

type step struct {
	generator.Change
	tmp, bak  string
	staged    bool
	backedUp  bool
	installed bool
}

// Apply makes the changes in fsys. On error the tree is as it was before.
// If the process dies during Apply, the journal it leaves lets Recover put
// the tree back as it was; Apply refuses to start while one is there.
func Apply(fsys FS, changes []generator.Change) (err error) {
	if len(changes) == 0 {
		return nil
	}
	if _, err := fsys.Lstat(JournalFile); err == nil {
		return fmt.Errorf("%s is there: an interrupted run must be rolled back first (every writing rtconf command does it, unless Git tracks the journal)", JournalFile)
	}
	tx := &transaction{fsys: fsys, dirs: map[string]bool{}}
	for _, c := range changes {
		if err := checkTarget(c.Path); err != nil {
			return fmt.Errorf("%s %s: %w", verb(c.Op), c.Path, err)
		}
		if err := realDirs(fsys, c.Path, tx.dirs); err != nil {
			return fmt.Errorf("%s %s: %w", verb(c.Op), c.Path, err)
		}
		tx.plan(c)
	}
	if err := tx.writeJournal(tx.missingDirs(changes)); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			if rerr := tx.rollback(); rerr != nil {
				err = fmt.Errorf("%w (and undoing the partial write failed: %v)", err, rerr)
			}
		}
	}()
	for _, s := range tx.steps {
		if err := tx.stage(s); err != nil {
			return err
		}
	}
	for _, s := range tx.steps {
		if err := tx.commit(s); err != nil {
			return err
		}
	}
	// The commit point: once the journal is gone, the new tree stands.
	if err := fsys.Remove(JournalFile); err != nil {
		return fmt.Errorf("remove %s: %w", JournalFile, err)
	}
	tx.journaled = false
	tx.finish()
	return nil
}

type transaction struct {
	fsys      FS
	steps     []*step
	created   []string        // folders made, parents first
	dirs      map[string]bool // folders known to exist (made or found)
	journaled bool            // the journal is on disk
}

func (tx *transaction) plan(c generator.Change) {
	tx.steps = append(tx.steps, &step{Change: c, tmp: StagingName(c.Path), bak: BackupName(c.Path)})
}

func (tx *transaction) stage(s *step) error {
	if s.Op == generator.Remove {
		return nil
	}
	if err := tx.mkdirs(path.Dir(s.Path)); err != nil {
		return err
	}
	if s.Op == generator.Add {
		// Nothing is there: write in place, and remove it to undo. (The
		// journal's undo removes an added file without a staging copy.)
		s.installed = true // a failed write may leave part of the file
		if err := tx.fsys.WriteFile(s.Path, s.Data, filePerm); err != nil {
			return fmt.Errorf("write %s: %w", s.Path, err)
		}
		return nil
	}
	s.staged = true // a failed write may leave part of the file
	if err := tx.fsys.WriteFile(s.tmp, s.Data, filePerm); err != nil {
		return fmt.Errorf("write %s: %w", s.Path, err)
	}
	return nil
}

// mkdirs makes dir and its missing parents, remembering each one made.
func (tx *transaction) mkdirs(dir string) error {
	if dir == "." || dir == "" || tx.dirs[dir] {
		return nil
	}
	if fi, err := tx.fsys.Lstat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("create folder %s: a file of that name is in the way", dir)
		}
		tx.dirs[dir] = true
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("create folder %s: %w", dir, err)
	}
	if err := tx.mkdirs(path.Dir(dir)); err != nil {
		return err
	}
	if err := tx.fsys.MkdirAll(dir, dirPerm); err != nil {
		return fmt.Errorf("create folder %s: %w", dir, err)
	}
	tx.created = append(tx.created, dir)
	tx.dirs[dir] = true
	return nil
}

func (tx *transaction) commit(s *step) error {
	if s.Op == generator.Add {
		return nil // written in place when staged
	}
	if err := tx.fsys.Rename(s.Path, s.bak); err != nil {
		return fmt.Errorf("%s %s: %w", verb(s.Op), s.Path, err)
	}
	s.backedUp = true
	if s.Op == generator.Remove {
		return nil
	}
	if err := tx.fsys.Rename(s.tmp, s.Path); err != nil {
		return fmt.Errorf("%s %s: %w", verb(s.Op), s.Path, err)
	}
	s.installed = true
	return nil
}

func verb(op generator.Op) string {
	switch op {
	case generator.Add:
		return "add"
	case generator.Remove:
		return "remove"
	}
	return "update"
}

// rollback undoes every committed step, newest first, then removes what was
// staged and the folders made for it.
func (tx *transaction) rollback() error {
	var errs []error
	for i := len(tx.steps) - 1; i >= 0; i-- {
		s := tx.steps[i]
		switch {
		case s.backedUp:
			if err := tx.fsys.Rename(s.bak, s.Path); err != nil {
				errs = append(errs, fmt.Errorf("restore %s from %s: %w", s.Path, s.bak, err))
			}
		case s.installed:
			if err := tx.fsys.Remove(s.Path); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", s.Path, err))
			}
		}
		if s.staged && !s.installed {
			if err := tx.fsys.Remove(s.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("remove %s: %w", s.tmp, err))
			}
		}
	}
	for i := len(tx.created) - 1; i >= 0; i-- {
		if err := tx.fsys.Remove(tx.created[i]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove folder %s: %w", tx.created[i], err))
		}
	}
	if len(errs) == 0 && tx.journaled {
		// Left behind, the journal only makes Recover redo what is done.
		if err := tx.fsys.Remove(JournalFile); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", JournalFile, err))
		}
	}
	return errors.Join(errs...)
}

// finish drops the backups and the folders that removals emptied. Nothing
// here can make the new tree wrong, so failures are ignored: a leftover
// backup file is hidden and harmless.
func (tx *transaction) finish() {
	for _, s := range tx.steps {
		if s.backedUp {
			_ = tx.fsys.Remove(s.bak)
		}
		if s.Op == generator.Remove {
			for dir := path.Dir(s.Path); dir != "." && dir != "/"; dir = path.Dir(dir) {
				if tx.fsys.Remove(dir) != nil {
					break // not empty
				}
			}
		}
	}
}
