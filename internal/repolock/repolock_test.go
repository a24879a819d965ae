//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package repolock_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rtconf/rtconf/internal/repolock"
)

// holdLock locks dir's lock file as another rtconf run would, through its
// own open file (flock locks belong to the open file, so this conflicts
// with Acquire in the same process). It returns the function that unlocks.
func holdLock(t *testing.T, dir string) func() {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, repolock.File), os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	unlock := func() { once.Do(func() { f.Close() }) }
	t.Cleanup(unlock)
	return unlock
}

func TestAcquireWaitsTheBoundThenGivesUp(t *testing.T) {
	dir := t.TempDir()
	holdLock(t, dir)
	synctest.Test(t, func(t *testing.T) {
		var stderr bytes.Buffer
		done := make(chan error, 1)
		go func() {
			l, err := repolock.Acquire(context.Background(), dir, repolock.Options{Wait: 10 * time.Second, Stderr: &stderr})
			if err == nil {
				l.Release()
			}
			done <- err
		}()
		time.Sleep(9950 * time.Millisecond)
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("Acquire returned %v before the 10 s bound", err)
		default:
		}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		var err error
		select {
		case err = <-done:
		default:
			t.Fatal("Acquire still waits after the 10 s bound")
		}
		var busy *repolock.BusyError
		if !errors.As(err, &busy) {
			t.Fatalf("Acquire = %v, want a *BusyError", err)
		}
		want := "another rtconf run is writing " + dir + " (it holds " + filepath.Join(dir, repolock.File) + "): gave up after 10s"
		if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("error = %q, want it to start with %q", err, want)
		}
		if got, want := stderr.String(), "waiting for another rtconf run on "+dir+" (lock .rtconf.lock)…\n"; got != want {
			t.Errorf("stderr = %q, want one line %q", got, want)
		}
	})
}

func TestAcquireTakesTheLockOnceFreed(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, repolock.File)
	unlock := holdLock(t, dir)
	synctest.Test(t, func(t *testing.T) {
		got := make(chan *repolock.Lock, 1)
		go func() {
			l, err := repolock.Acquire(context.Background(), dir, repolock.Options{Wait: 10 * time.Second})
			if err != nil {
				t.Errorf("Acquire: %v", err)
			}
			got <- l
		}()
		time.Sleep(3 * time.Second)
		synctest.Wait()
		select {
		case <-got:
			t.Fatal("Acquire took a lock that is held")
		default:
		}
		unlock()
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		select {
		case l := <-got:
			if err := l.Release(); err != nil {
				t.Errorf("Release: %v", err)
			}
		default:
			t.Fatal("Acquire did not take the lock once it was free")
		}
	})
	// The run removed the file as it ended.
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file is left behind: %v", err)
	}
}

func TestAcquireWithNoWaitTriesOnce(t *testing.T) {
	dir := t.TempDir()
	first, err := repolock.Acquire(context.Background(), dir, repolock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	_, err = repolock.Acquire(context.Background(), dir, repolock.Options{Stderr: &stderr})
	var busy *repolock.BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("a second Acquire = %v, want a *BusyError", err)
	}
	if stderr.Len() != 0 {
		t.Errorf("with no wait, stderr = %q, want nothing", stderr.String())
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(dir, repolock.File)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the run left the lock file behind: %v", err)
	}
	second, err := repolock.Acquire(context.Background(), dir, repolock.Options{})
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	second.Release()
}

func TestAcquireStopsWithTheContext(t *testing.T) {
	dir := t.TempDir()
	holdLock(t, dir)
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := repolock.Acquire(ctx, dir, repolock.Options{Wait: time.Hour})
			done <- err
		}()
		time.Sleep(time.Second)
		cancel()
		synctest.Wait()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Acquire = %v, want context.Canceled", err)
			}
		default:
			t.Fatal("Acquire waits on after its context is done")
		}
	})
}

// TestAcquireRefusesHostileLockFiles: the lock file is in the repository, so
// a pull request can put anything there.
func TestAcquireRefusesHostileLockFiles(t *testing.T) {
	tests := []struct {
		name    string
		plant   func(t *testing.T, dir, outside string)
		wantErr string // empty: the lock is taken
	}{
		{"symlink to a file outside", func(t *testing.T, dir, outside string) {
			symlink(t, filepath.Join(outside, "victim"), filepath.Join(dir, repolock.File))
		}, "is a symlink"},
		{"dangling symlink", func(t *testing.T, dir, outside string) {
			symlink(t, filepath.Join(outside, "made-by-rtconf"), filepath.Join(dir, repolock.File))
		}, "is a symlink"},
		{"symlink inside the repository", func(t *testing.T, dir, outside string) {
			symlink(t, "rtconf.yaml", filepath.Join(dir, repolock.File))
		}, "is a symlink"},
		{"FIFO", func(t *testing.T, dir, outside string) {
			if err := syscall.Mkfifo(filepath.Join(dir, repolock.File), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
		{"folder", func(t *testing.T, dir, outside string) {
			if err := os.Mkdir(filepath.Join(dir, repolock.File), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
		{"committed file with content", func(t *testing.T, dir, outside string) {
			if err := os.WriteFile(filepath.Join(dir, repolock.File), []byte("pid 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dir, outside := filepath.Join(base, "repo"), filepath.Join(base, "outside")
			for _, d := range []string{dir, outside} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(outside, "victim"), []byte("precious\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "rtconf.yaml"), []byte("runtimes: []\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			tt.plant(t, dir, outside)
			before := listing(t, base)
			l, err := repolock.Acquire(context.Background(), dir, repolock.Options{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Acquire: %v", err)
				}
				if err := l.Release(); err != nil {
					t.Fatal(err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				l.Release()
				t.Fatalf("Acquire = %v, want an error saying %q", err, tt.wantErr)
			}
			if after := listing(t, base); after != before {
				t.Errorf("Acquire changed files:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// TestLockExcludes runs many locking goroutines (each its own open file, as
// separate processes would be): never are two inside at once, although
// each removes the lock file as it ends.
func TestLockExcludes(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		var inside, most, runs atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 20 {
					l, err := repolock.Acquire(context.Background(), dir, repolock.Options{Wait: time.Hour})
					if err != nil {
						t.Error(err)
						return
					}
					n := inside.Add(1)
					if n > most.Load() {
						most.Store(n)
					}
					time.Sleep(time.Millisecond) // let the others try meanwhile
					runs.Add(1)
					inside.Add(-1)
					if err := l.Release(); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if most.Load() != 1 || runs.Load() != 160 {
			t.Errorf("%d runs, at most %d inside at once; want 160 runs, one at a time", runs.Load(), most.Load())
		}
	})
}

func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// listing describes every path under dir: type and content.
func listing(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b.WriteString(rel + " " + fi.Mode().String())
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			b.WriteString(" -> " + target)
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b.WriteString(" " + string(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
