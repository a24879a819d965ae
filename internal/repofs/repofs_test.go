//go:build unix

package repofs_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fifotest"
	"github.com/rtconf/rtconf/internal/repofs"
)

// TestOnlyRegularFilesAreRead: Open, ReadFile and FS read a regular file and
// refuse a symlink (inside the tree or out of it, dangling or not), a
// folder and a FIFO, without waiting on the FIFO: a call that has not
// returned after a minute fails the test.
func TestOnlyRegularFilesAreRead(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "repo")
	must(t, os.Mkdir(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(work, "outside"), []byte("outside\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "file"), []byte("content\n"), 0o644))
	must(t, os.Symlink("file", filepath.Join(dir, "link")))
	must(t, os.Symlink("../outside", filepath.Join(dir, "link-out")))
	must(t, os.Symlink("nothing", filepath.Join(dir, "dangling")))
	must(t, os.Mkdir(filepath.Join(dir, "folder"), 0o755))
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "big"), make([]byte, repofs.MaxFileSize+1), 0o644))
	root, err := os.OpenRoot(dir)
	must(t, err)
	defer root.Close()

	tests := []struct {
		name    string
		want    string // the content, or the error's text
		notReg  bool   // the error is a *NotRegularError
		missing bool   // the error is fs.ErrNotExist
	}{
		{name: "file", want: "content\n"},
		{name: "link", want: "a symlink", notReg: true},
		{name: "link-out", want: "a symlink", notReg: true},
		{name: "dangling", want: "a symlink", notReg: true},
		{name: "folder", want: "a directory", notReg: true},
		{name: "fifo", want: "a named pipe (FIFO)", notReg: true},
		{name: "big", want: "larger than 8 MiB"},
		{name: "none", want: "no such file", missing: true},
	}
	reads := map[string]func(string) ([]byte, error){
		"ReadFile":    func(p string) ([]byte, error) { return repofs.ReadFile(root, p) },
		"FS.ReadFile": func(p string) ([]byte, error) { return fs.ReadFile(repofs.FS(root), p) },
		"FS.Open": func(p string) ([]byte, error) {
			f, err := repofs.FS(root).Open(p)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return nil, err
			}
			if fi.IsDir() {
				return nil, errors.New("a directory")
			}
			return fs.ReadFile(repofs.FS(root), p)
		},
	}
	for how, read := range reads {
		for _, tt := range tests {
			t.Run(how+"/"+tt.name, func(t *testing.T) {
				var data []byte
				var err error
				fifotest.Within(t, time.Minute, filepath.Join(dir, "fifo"), func() { data, err = read(tt.name) })
				if err == nil {
					if string(data) != tt.want {
						t.Errorf("read %q, want %q", data, tt.want)
					}
					return
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q, want it to say %q", err, tt.want)
				}
				var nr *repofs.NotRegularError
				if errors.As(err, &nr) != tt.notReg && how != "FS.Open" {
					t.Errorf("error %v: *NotRegularError %v, want %v", err, !tt.notReg, tt.notReg)
				}
				if errors.Is(err, fs.ErrNotExist) != tt.missing {
					t.Errorf("error %v: ErrNotExist %v, want %v", err, !tt.missing, tt.missing)
				}
			})
		}
	}
}

// TestFSListsWhatIsThere: walking the tree shows a symlink and a FIFO for
// what they are, so that a caller can report them.
func TestFSListsWhatIsThere(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))
	must(t, os.Symlink("file", filepath.Join(dir, "link")))
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))
	root, err := os.OpenRoot(dir)
	must(t, err)
	defer root.Close()
	got := map[string]string{}
	must(t, fs.WalkDir(repofs.FS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		got[p] = repofs.Describe(d.Type())
		return nil
	}))
	want := map[string]string{"file": "a regular file", "link": "a symlink", "fifo": "a named pipe (FIFO)"}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: %q, want %q", p, got[p], w)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
