//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package repolock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// handle is an open, flock'ed lock file.
type handle struct {
	f    *os.File
	path string
}

// errGone is a lock file removed between two looks at it.
var errGone = errors.New("lock file removed meanwhile")

// staleTries bounds how often a try starts over when the file it locked
// was removed or replaced meanwhile (a run that held it ended).
const staleTries = 10

// tryLock takes the lock if it is free: errBusy when another run holds it.
func tryLock(dir string) (*handle, error) {
	p := filepath.Join(dir, File)
	for range staleTries {
		f, err := openLockFile(p)
		if errors.Is(err, errGone) {
			continue // removed between the two opens: start over
		}
		if err != nil {
			return nil, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", p, err)
		}
		if !fi.Mode().IsRegular() {
			f.Close()
			return nil, fmt.Errorf("lock %s: it is not a regular file (%s); rtconf keeps its lock file there: remove it, then run again", p, fi.Mode().Type())
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, errBusy
			}
			return nil, fmt.Errorf("lock %s: %w", p, err)
		}
		// A lock on a file no longer at that name guards nothing: the run
		// that held it removed it as it ended, and the next run makes a
		// new one.
		if now, err := os.Lstat(p); err != nil || !os.SameFile(fi, now) {
			f.Close()
			continue
		}
		return &handle{f: f, path: p}, nil
	}
	return nil, errBusy
}

// openLockFile opens the lock file, making it if it is missing, and never
// through a symlink.
func openLockFile(p string) (*os.File, error) {
	const flags = syscall.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	fd, err := syscall.Open(p, flags|syscall.O_CREAT|syscall.O_EXCL, 0o644)
	if errors.Is(err, syscall.EEXIST) {
		fd, err = syscall.Open(p, flags, 0)
		if errors.Is(err, syscall.ENOENT) {
			return nil, errGone
		}
	}
	switch {
	case err == nil:
		return os.NewFile(uintptr(fd), p), nil
	case errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK):
		return nil, fmt.Errorf("lock %s: it is a symlink, which rtconf never follows there: remove it, then run again", p)
	}
	return nil, fmt.Errorf("lock %s: %w", p, &fs.PathError{Op: "open", Path: p, Err: err})
}

// release removes the lock file while the lock is held, if it is still the
// file locked and empty, then unlocks. A run waiting on the removed file
// finds it gone once it gets the lock, and starts over.
func (h *handle) release() error {
	var errs []error
	fi, err := h.f.Stat()
	if now, lerr := os.Lstat(h.path); err == nil && lerr == nil && os.SameFile(fi, now) && now.Size() == 0 {
		if err := os.Remove(h.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove %s: %w", h.path, err))
		}
	}
	if err := h.f.Close(); err != nil {
		errs = append(errs, fmt.Errorf("unlock %s: %w", h.path, err))
	}
	return errors.Join(errs...)
}
