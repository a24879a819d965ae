package validator

import (
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"testing/fstest"
	"time"
)

// memTree serves the repository as an fs.FS, for the generator's planner.
// Files open as in fstest.MapFS, their content read through read (so a
// file left to read when needed is read when opened); ReadDir is answered
// from the sorted path list, so listing a folder costs what lies under it
// (fstest.MapFS scans every file of the tree for each folder, which made
// walking a large repository quadratic).
type memTree struct {
	fstest.MapFS          // every file, without its content
	paths        []string // sorted
	read         func(p string) ([]byte, bool)
}

func newMemTree(files map[string][]byte, sorted []string) memTree {
	return newTree(sorted, func(p string) ([]byte, bool) {
		data, ok := files[p]
		return data, ok
	})
}

func newTree(sorted []string, read func(p string) ([]byte, bool)) memTree {
	m := make(fstest.MapFS, len(sorted))
	for _, p := range sorted {
		m[p] = &fstest.MapFile{}
	}
	return memTree{MapFS: m, paths: sorted, read: read}
}

// Open opens a file with its content, or a folder listed as ReadDir lists
// it.
func (t memTree) Open(name string) (fs.File, error) {
	if _, ok := t.MapFS[name]; !ok {
		info, err := t.Stat(name)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		entries, err := t.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &memDir{info: info, entries: entries}, nil
	}
	data, ok := t.read(name)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return fstest.MapFS{name: &fstest.MapFile{Data: data}}.Open(name)
}

// ReadFile reads a file.
func (t memTree) ReadFile(name string) ([]byte, error) {
	if _, ok := t.MapFS[name]; !ok {
		return t.MapFS.ReadFile(name)
	}
	data, ok := t.read(name)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return slices.Clone(data), nil
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
	if _, ok := t.MapFS[name]; ok {
		data, ok := t.read(name)
		if !ok {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
		}
		return fstest.MapFS{name: &fstest.MapFile{Data: data}}.Stat(name)
	}
	if name == "." || !fs.ValidPath(name) {
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

// memDir is an open folder of a memTree.
type memDir struct {
	info    fs.FileInfo
	entries []fs.DirEntry
	off     int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *memDir) Close() error               { return nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.Name(), Err: fs.ErrInvalid}
}

// ReadDir returns the next n entries, or all that are left when n <= 0.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return rest[:n], nil
}

// Lstat is Stat: the tree has no symbolic links.
func (t memTree) Lstat(name string) (fs.FileInfo, error) { return t.Stat(name) }
