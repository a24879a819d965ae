// Package repofs reads the files of a repository checked out on disk,
// which a pull request controls: only regular files are read, a symlink in
// the last element of a path is never followed, and a named pipe (FIFO) or
// device is refused before it is opened, so that nothing a pull request
// puts in the tree can block a read or stand in for a file elsewhere.
package repofs

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileSize bounds what ReadFile reads; a larger file is an error.
const MaxFileSize = 8 << 20

// NotRegularError is the cause of a refused read: the path is not a regular
// file but Mode's kind of file.
type NotRegularError struct {
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return "not a regular file but " + Describe(e.Mode) + "; rtconf reads only regular files"
}

// TooLargeError is the cause of a refused read of a file over MaxFileSize.
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("larger than %d MiB", e.Limit>>20)
}

// Describe names the kind of file a mode is, for messages.
func Describe(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	default:
		return "a special file"
	}
}

// Open opens the regular file name in root for reading. A symlink as the
// last element, a directory, a FIFO, a socket or a device is refused with a
// *fs.PathError whose Err is a *NotRegularError; a FIFO is never opened in a
// way that waits for a writer.
func Open(root *os.Root, name string) (*os.File, error) {
	before, err := root.Lstat(name)
	if err != nil {
		return nil, err
	}
	return openLstated(root, name, before)
}

// openLstated is Open once name's Lstat is before.
func openLstated(root *os.Root, name string, before fs.FileInfo) (*os.File, error) {
	if !before.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: &NotRegularError{Mode: before.Mode()}}
	}
	// O_NONBLOCK: should the path be swapped for a FIFO after Lstat,
	// opening it still returns at once, and the check below refuses it.
	f, err := root.OpenFile(name, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	after, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !after.Mode().IsRegular() || !os.SameFile(before, after) {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: &NotRegularError{Mode: after.Mode()}}
	}
	return f, nil
}

// ReadFile reads the regular file name in root, as Open opens it, up to
// MaxFileSize.
func ReadFile(root *os.Root, name string) ([]byte, error) {
	f, err := Open(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, name)
}

func readAll(f fs.File, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if len(data) > MaxFileSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: &TooLargeError{Limit: MaxFileSize}}
	}
	return data, nil
}

// FS returns the tree of root as an fs.FS whose files open as Open opens
// them. Directories open and list as in root.FS(); a directory entry for a
// symlink or FIFO says so, and opening it fails.
func FS(root *os.Root) fs.FS { return tree{root: root, dirs: root.FS()} }

type tree struct {
	root *os.Root
	dirs fs.FS
}

// Open opens a regular file as Open does, or a directory.
func (t tree) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	fi, err := t.root.Lstat(name)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return t.dirs.Open(name)
	}
	return openLstated(t.root, name, fi)
}

// ReadFile reads a regular file, up to MaxFileSize.
func (t tree) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return ReadFile(t.root, name)
}

// ReadDir lists a directory; entries keep their own type (a symlink is a
// symlink).
func (t tree) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(t.dirs, name)
}

// Stat describes name, following symlinks inside the tree as fs.Stat does;
// it never opens the file.
func (t tree) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	return t.root.Stat(name)
}
