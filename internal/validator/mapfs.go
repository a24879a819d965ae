package validator

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"testing/fstest"
	"time"
)

// memTree serves the repository read into memory as an fs.FS, for the
// generator's planner. Files open as in fstest.MapFS; ReadDir is answered
// from the sorted path list, so listing a folder costs what lies under it
// (fstest.MapFS scans every file of the tree for each folder, which made
// walking a large repository quadratic).
type memTree struct {
	fstest.MapFS
	paths []string // sorted
}

func newMemTree(files map[string][]byte, sorted []string) memTree {
	m := make(fstest.MapFS, len(files))
	for p, data := range files {
		m[p] = &fstest.MapFile{Data: data}
	}
	return memTree{MapFS: m, paths: sorted}
}

// ReadDir lists a folder, sorted by name.
func (t memTree) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	prefix := name + "/"
	if name == "." {
		prefix = ""
	}
	var out []fs.DirEntry
	last := ""
	for i := sort.SearchStrings(t.paths, prefix); i < len(t.paths) && strings.HasPrefix(t.paths[i], prefix); i++ {
		child, _, isDir := strings.Cut(t.paths[i][len(prefix):], "/")
		if child == last {
			continue
		}
		last = child
		if isDir {
			out = append(out, fs.FileInfoToDirEntry(dirInfo(child)))
			continue
		}
		info, err := t.Stat(t.paths[i])
		if err != nil {
			return nil, err
		}
		out = append(out, fs.FileInfoToDirEntry(info))
	}
	if out == nil {
		// Not a folder with files: let MapFS say what it is.
		return t.MapFS.ReadDir(name)
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// Stat describes a file or folder; a folder (which exists only as the
// prefix of its files) is found in the sorted paths, not by a scan of
// every file as fstest.MapFS does: fs.WalkDir starts with a Stat.
func (t memTree) Stat(name string) (fs.FileInfo, error) {
	if _, ok := t.MapFS[name]; ok || name == "." || !fs.ValidPath(name) {
		return t.MapFS.Stat(name)
	}
	prefix := name + "/"
	if i := sort.SearchStrings(t.paths, prefix); i < len(t.paths) && strings.HasPrefix(t.paths[i], prefix) {
		return dirInfo(path.Base(name)), nil
	}
	return t.MapFS.Stat(name)
}

// dirInfo describes a folder that holds files, as fstest.MapFS does.
type dirInfo string

func (d dirInfo) Name() string       { return string(d) }
func (d dirInfo) Size() int64        { return 0 }
func (d dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (d dirInfo) ModTime() time.Time { return time.Time{} }
func (d dirInfo) IsDir() bool        { return true }
func (d dirInfo) Sys() any           { return nil }
