// Package faultfs is a file system for tests that fails the way a full disk
// or a killed process does, at a chosen call, and records every mutating
// call it sees.
package faultfs

import (
	"errors"
	"io/fs"

	"github.com/rtconf/rtconf/internal/writer"
)

// ErrInjected is the error of every failed call.
var ErrInjected = errors.New("injected fault")

// FS fails its FailAt-th mutating call (1-based; 0 never fails). With Dead,
// that call and every one after it fail without doing anything, as in a
// process killed there, so nothing can be undone.
type FS struct {
	// Inner is the file system wrapped.
	Inner  writer.FS
	FailAt int
	Dead   bool
	// Calls holds "op name" of every mutating call, in order.
	Calls []string
}

var _ writer.FS = (*FS)(nil)

// fault records a mutating call and fails it if it is the FailAt-th (or,
// with Dead, any call after it).
func (f *FS) fault(op, name string) error {
	f.Calls = append(f.Calls, op+" "+name)
	n := len(f.Calls)
	if f.FailAt > 0 && (n == f.FailAt || f.Dead && n > f.FailAt) {
		return &fs.PathError{Op: op, Path: name, Err: ErrInjected}
	}
	return nil
}

// MkdirAll makes a folder unless this call fails.
func (f *FS) MkdirAll(name string, perm fs.FileMode) error {
	if err := f.fault("mkdirall", name); err != nil {
		return err
	}
	return f.Inner.MkdirAll(name, perm)
}

// WriteFile fails the way a full disk (or a kill mid-write) does: part of
// the data is written.
func (f *FS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if err := f.fault("writefile", name); err != nil {
		_ = f.Inner.WriteFile(name, data[:len(data)/2], perm)
		return err
	}
	return f.Inner.WriteFile(name, data, perm)
}

// Rename renames unless this call fails.
func (f *FS) Rename(oldname, newname string) error {
	if err := f.fault("rename", oldname+" "+newname); err != nil {
		return err
	}
	return f.Inner.Rename(oldname, newname)
}

// Remove removes unless this call fails.
func (f *FS) Remove(name string) error {
	if err := f.fault("remove", name); err != nil {
		return err
	}
	return f.Inner.Remove(name)
}

// Lstat reads from Inner: reads never fail.
func (f *FS) Lstat(name string) (fs.FileInfo, error) { return f.Inner.Lstat(name) }

// ReadFile reads from Inner: reads never fail.
func (f *FS) ReadFile(name string) ([]byte, error) { return f.Inner.ReadFile(name) }
