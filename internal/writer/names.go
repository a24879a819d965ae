package writer

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/rtconf/rtconf/generator"
)

// The writer's own names beside a target path: a staging copy of its new
// content and a backup of its old content, both hidden.
const (
	stagingSuffix = generator.StagingSuffix
	backupSuffix  = generator.BackupSuffix
)

// StagingName is the hidden file beside p that Apply writes p's new
// content to before renaming it into place.
func StagingName(p string) string {
	dir, base := path.Split(p)
	return dir + "." + base + stagingSuffix
}

// BackupName is the hidden file beside p that Apply moves p's old content
// to until the new content stands.
func BackupName(p string) string {
	dir, base := path.Split(p)
	return dir + "." + base + backupSuffix
}

// ownName tells the files the writer keeps for itself, which are never a
// target: the journal, its staging copy, and staging and backup copies.
func ownName(p string) bool {
	return p == JournalFile || p == journalTmp || generator.IsWriterCopy(p)
}

// inGitDir tells a path inside Git's own folder (any component named .git,
// in any case, as on case-insensitive file systems). rtconf never writes,
// renames or removes anything there.
func inGitDir(p string) bool {
	for _, c := range strings.Split(p, "/") {
		if strings.EqualFold(c, ".git") {
			return true
		}
	}
	return false
}

// checkTarget refuses a path the writer must never touch: not a clean
// relative path, inside .git, or one of the writer's own names.
func checkTarget(p string) error {
	switch {
	case !fs.ValidPath(p) || p == ".":
		return fmt.Errorf("%q is not a path inside the repository", p)
	case inGitDir(p):
		return fmt.Errorf("%s is inside Git's own folder (.git), which rtconf never writes", p)
	case ownName(p):
		return fmt.Errorf("%s is one of rtconf's own hidden files (a journal, staging copy or backup), never a target", p)
	}
	return nil
}

// errSymlink is the cause when a folder on a path is a symlink.
var errSymlink = errors.New("a symlink, which rtconf never writes through")

// realDirs checks that every folder above p that exists is a real folder,
// not a symlink (os.Root keeps symlinks from leaving the tree, but one that
// stays inside, e.g. to .git, must not be written through either). known
// caches the folders already checked.
func realDirs(fsys FS, p string, known map[string]bool) error {
	var chain []string
	for dir := path.Dir(p); dir != "." && dir != "/"; dir = path.Dir(dir) {
		chain = append(chain, dir)
	}
	// Parents first: once one is missing, so is everything below it.
	for i := len(chain) - 1; i >= 0; i-- {
		dir := chain[i]
		if known[dir] {
			continue
		}
		fi, err := fsys.Lstat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("check folder %s: %w", dir, err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("folder %s of %s is %w", dir, p, errSymlink)
		}
		if !fi.IsDir() {
			return fmt.Errorf("create folder %s: a file of that name is in the way", dir)
		}
		known[dir] = true
	}
	return nil
}
