package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/repolock"
	"github.com/rtconf/rtconf/internal/writer"
)

// RunOptions are what every writing command shares: how long it waits for
// another rtconf run on the same repository, and where it says so.
type RunOptions struct {
	// LockWait bounds the wait for another run's lock; 0 tries once.
	LockWait time.Duration
	// Stderr, if set, is told when the run waits for the lock and what it
	// repaired of an earlier run's half-written state.
	Stderr io.Writer
}

// DefaultRunOptions wait repolock.DefaultWait for another run.
func DefaultRunOptions() RunOptions { return RunOptions{LockWait: repolock.DefaultWait} }

// tree is the repository a writing command works on: the repository's
// lock held for the whole run, and what an earlier run left half-written
// repaired.
type tree struct {
	*os.Root
	lock *repolock.Lock
	// recovered: an interrupted write was rolled back.
	recovered bool
}

// Recover does what every writing command does first, and nothing else:
// it takes the repository's lock, repairs a Git index an interrupted Git
// write left empty, and rolls back a write an interrupted run left
// unfinished, if its journal is one rtconf can trust. It reports whether
// there was a journal to roll back.
func Recover(ctx context.Context, dir, configFile string, run RunOptions) (bool, error) {
	t, err := openTree(ctx, dir, configFile, run)
	if err != nil {
		return false, err
	}
	return t.recovered, t.Close()
}

// Close closes the tree and lets the next run in.
func (t *tree) Close() error {
	return errors.Join(t.Root.Close(), t.lock.Release())
}

// openTree is where every writing command starts. It takes the lock of the
// repository at dir, repairs a Git index an interrupted Git write left
// empty (and explains an empty Git reference), and rolls back any write an earlier run left unfinished (killed
// between its first and last change), so that what is read and planned is
// a whole tree and nobody else changes it meanwhile. configFile is the
// command's configuration file, which bounds what a roll-back may touch.
func openTree(ctx context.Context, dir, configFile string, run RunOptions) (*tree, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	lock, err := repolock.Acquire(ctx, dir, repolock.Options{Wait: run.LockWait, Stderr: run.Stderr})
	if err != nil {
		root.Close()
		return nil, err
	}
	t := &tree{Root: root, lock: lock}
	note, err := gitrepo.Repair(dir)
	if err != nil {
		t.Close()
		return nil, err
	}
	if note != "" && run.Stderr != nil {
		fmt.Fprintln(run.Stderr, "rtconf: "+note)
	}
	if t.recovered, err = writer.Recover(root, recoverScope(root, dir, configFile)); err != nil {
		t.Close()
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return t, nil
}

// readTree opens the repository for a command that only plans (a dry run):
// it takes no lock and writes nothing, so a journal left there is
// reported, never rolled back.
func readTree(dir string) (*os.Root, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	if _, err := root.Lstat(writer.JournalFile); err == nil {
		root.Close()
		return nil, fmt.Errorf("%s: %s is there: an interrupted rtconf run left the tree part-written, or the repository brought the file; "+
			"a dry run changes nothing, so it does not roll it back: run the command without --dry-run (it rolls back a journal of "+
			"its own run, and refuses any other), or remove the file if Git tracks it (`git rm %s`)", dir, writer.JournalFile, writer.JournalFile)
	}
	return root, nil
}

// recoverScope is what a roll-back may touch in the repository at dir: the
// generated tree, the configuration file, .gitignore, and the certificate
// each version of the configuration (as it is, staged or backed up by the
// interrupted run) names. Git tells which files it tracks. The versions of
// the configuration are read only when there is a journal to check: a run
// with none (nearly every run) does not parse rtconf.yaml for it.
func recoverScope(root *os.Root, dir, configFile string) writer.Scope {
	cfgPath := filepath.ToSlash(configFile)
	certs := sync.OnceValue(func() map[string]bool {
		certs := map[string]bool{DefaultCertificatePath: true}
		for _, p := range []string{cfgPath, writer.StagingName(cfgPath), writer.BackupName(cfgPath)} {
			if c := certificatePath(root, p); c != "" {
				certs[c] = true
			}
		}
		return certs
	})
	return writer.Scope{
		Owns: func(p string) bool {
			return p == cfgPath || p == GitignoreFile || generator.Writes(p) || certs()[p]
		},
		Tracked: func(p string) (bool, error) { return gitrepo.Tracked(dir, p) },
	}
}

// certificatePath reads sealing.certificate from a version of the
// configuration, leniently: "" when there is none or it cannot be read.
func certificatePath(root *os.Root, p string) string {
	fi, err := root.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > 4<<20 {
		return ""
	}
	data, err := repofs.ReadFile(root, p)
	if err != nil {
		return ""
	}
	var doc struct {
		Sealing struct {
			Certificate string `yaml:"certificate"`
		} `yaml:"sealing"`
	}
	if yaml.Unmarshal(data, &doc) != nil {
		return ""
	}
	return doc.Sealing.Certificate
}

// faultSeam lets tests put a failing file system between a job and the
// tree it writes; nil writes to the tree itself.
type faultSeam func(writer.FS) writer.FS

func (f faultSeam) fs(root *os.Root) writer.FS {
	if f == nil {
		return root
	}
	return f(root)
}

// onTree plans changes of the repository at dir with plan and writes them,
// all at once or not at all, under the repository's lock (openTree). A dry
// run only plans, without the lock (readTree).
func onTree(ctx context.Context, dir, configFile string, run RunOptions, dryRun bool, faults faultSeam, plan func(*os.Root) ([]generator.Change, error)) error {
	if dryRun {
		root, err := readTree(dir)
		if err != nil {
			return err
		}
		defer root.Close()
		_, err = plan(root)
		return err
	}
	t, err := openTree(ctx, dir, configFile, run)
	if err != nil {
		return err
	}
	defer t.Close()
	changes, err := plan(t.Root)
	if err != nil {
		return err
	}
	if err := writer.Apply(faults.fs(t.Root), changes); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	return nil
}
