// Package repolock lets one rtconf run at a time write a repository: every
// writing command holds an exclusive flock(2) on File, at the repository's
// root, for its whole run. A second run waits a bounded time, then gives up
// with a *BusyError.
//
// The lock file is in the repository, so it is hostile input like any other
// file there: it is opened without following a symlink, must be a regular
// file, and its content is never read or written. Every run that held the
// lock removes the file before it unlocks, if it is still the one it locked
// and empty (a file with content is not rtconf's: it stays), and every run
// checks after locking that the file it locked is still the one at that
// name, starting over if not: so a run that waited on a removed file never
// holds a lock another run holds too.
//
// It is its own package rather than part of the writer: the writer is one
// transaction over a file-system interface (tested with injected faults),
// while the lock spans a whole command, Git work and pushes included, and
// needs the operating system's file locks.
package repolock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// File is the lock file at the root of the repository.
const File = ".rtconf.lock"

// DefaultWait is how long a run waits for another by default.
const DefaultWait = 10 * time.Second

// poll is how often a waiting run tries again.
const poll = 100 * time.Millisecond

// Options say how a run waits for the lock.
type Options struct {
	// Wait bounds the wait for another run; 0 tries once.
	Wait time.Duration
	// Stderr, if set, is told once when the run has to wait.
	Stderr io.Writer
}

// BusyError is a lock that another run held for longer than the wait.
type BusyError struct {
	Dir  string
	Wait time.Duration
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("another rtconf run is writing %s (it holds %s): gave up after %s; let it finish, then run again (or wait longer with --lock-wait)",
		e.Dir, filepath.Join(e.Dir, File), e.Wait)
}

// errBusy is a lock held by someone else at this try.
var errBusy = errors.New("lock held")

// Lock is a held lock; Release lets the next run in.
type Lock struct {
	h *handle
}

// Acquire takes the lock of the repository in dir, waiting as opts say.
// The wait ends early, with the context's error, when ctx is done.
func Acquire(ctx context.Context, dir string, opts Options) (*Lock, error) {
	tries := int(opts.Wait / poll)
	told := false
	for i := 0; ; i++ {
		h, err := tryLock(dir)
		if err == nil {
			return &Lock{h: h}, nil
		}
		if !errors.Is(err, errBusy) {
			return nil, err
		}
		if i >= tries {
			return nil, &BusyError{Dir: dir, Wait: opts.Wait}
		}
		if !told && opts.Stderr != nil {
			fmt.Fprintf(opts.Stderr, "waiting for another rtconf run on %s (lock %s)…\n", dir, File)
			told = true
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("wait for the lock of %s: %w", dir, ctx.Err())
		case <-t.C:
		}
	}
}

// Release removes the lock file (unless it has content) and unlocks.
// Releasing a nil or released Lock does nothing.
func (l *Lock) Release() error {
	if l == nil || l.h == nil {
		return nil
	}
	h := l.h
	l.h = nil
	return h.release()
}
