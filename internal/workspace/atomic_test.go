package workspace

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/faultfs"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/writer"
)

// treeOf maps every path under dir to its content ("/" for a folder).
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			tree[filepath.ToSlash(rel)] = "/"
			return nil
		}
		data, err := os.ReadFile(p)
		tree[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// atomicJob is a workspace job run with a seam: prepare makes the tree it
// starts from (in dir), run does the job through the seam.
type atomicJob struct {
	name    string
	prepare func(t *testing.T, dir string)
	run     func(dir string, seam faultSeam) error
}

var atomicNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func atomicJobs(t *testing.T) []atomicJob {
	demo := func(t *testing.T, dir string) {
		if _, err := Init(context.Background(), InitOptions{Dir: dir, Demo: true, Now: atomicNow}); err != nil {
			t.Fatal(err)
		}
	}
	newCert := filepath.Join(t.TempDir(), "new.pem")
	testcreds.WriteCert(t, newCert, atomicNow.Add(-time.Hour), atomicNow.Add(365*24*time.Hour))
	tok, err := github.ParseToken(testcreds.Classic("atomicSEAL"))
	if err != nil {
		t.Fatal(err)
	}
	return []atomicJob{
		{
			name: "generate: a runtime added, a user removed",
			prepare: func(t *testing.T, dir string) {
				demo(t, dir)
				p := filepath.Join(dir, "rtconf.yaml")
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				s := strings.Replace(string(data), "      - bob\n", "", 1) +
					"  - name: qa\n    namespace: qa\n    users: [carol]\n"
				if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			run: func(dir string, seam faultSeam) error {
				_, err := Generate(context.Background(), GenerateOptions{Dir: dir, ConfigFile: "rtconf.yaml", faults: seam})
				return err
			},
		},
		{
			name:    "seal: a user token with a new certificate pinned",
			prepare: demo,
			run: func(dir string, seam faultSeam) error {
				o := DefaultSealOptions()
				o.Dir, o.Runtime, o.User, o.Token, o.Now = dir, "production", "alice", tok, atomicNow
				o.Cert, o.AcceptNewCert, o.SkipLiveCheck, o.faults = newCert, true, true, seam
				_, err := Seal(context.Background(), o)
				return err
			},
		},
		{
			name:    "seal: one runtime token into every runtime",
			prepare: demo,
			run: func(dir string, seam faultSeam) error {
				o := DefaultSealOptions()
				o.Dir, o.AllRuntimes, o.Token, o.Now = dir, true, tok, atomicNow
				o.SkipLiveCheck, o.Demo, o.faults = true, true, seam
				_, err := Seal(context.Background(), o)
				return err
			},
		},
		{
			name:    "token rotate: several runtimes",
			prepare: demo,
			run: func(dir string, seam faultSeam) error {
				o := DefaultSealOptions()
				o.Dir, o.Runtimes, o.Token, o.Now = dir, []string{"staging", "production"}, tok, atomicNow
				o.SkipLiveCheck, o.Demo = true, true
				_, err := ApplyChange(context.Background(), RotateToken(o),
					ChangeOptions{Dir: dir, ConfigFile: "rtconf.yaml", Now: atomicNow, faults: seam})
				return err
			},
		},
		{
			name:    "user add: rtconf.yaml edited, a token placeholder added",
			prepare: demo,
			run: func(dir string, seam faultSeam) error {
				_, err := ApplyChange(context.Background(), AddUser("rtconf.yaml", "production", "carol"),
					ChangeOptions{Dir: dir, ConfigFile: "rtconf.yaml", Now: atomicNow, faults: seam})
				return err
			},
		},
		{
			name:    "runtime remove: rtconf.yaml edited, an overlay and its sealed tokens removed",
			prepare: demo,
			run: func(dir string, seam faultSeam) error {
				_, err := ApplyChange(context.Background(), RemoveRuntime("rtconf.yaml", "production"),
					ChangeOptions{Dir: dir, ConfigFile: "rtconf.yaml", Now: atomicNow, faults: seam})
				return err
			},
		},
		{
			name:    "init: the demo into an empty folder",
			prepare: func(*testing.T, string) {},
			run: func(dir string, seam faultSeam) error {
				_, err := Init(context.Background(), InitOptions{Dir: dir, Demo: true, Now: atomicNow, faults: seam})
				return err
			},
		},
	}
}

// TestJobsAreAtomic fails each mutating call of generate, seal, the change
// commands and init in
// turn: until the commit point (the journal's removal) the job must fail and
// leave the tree exactly as it was; after it, the job succeeds with the new
// tree, at most with a hidden backup left.
func TestJobsAreAtomic(t *testing.T) {
	t.Parallel()
	for _, job := range atomicJobs(t) {
		t.Run(job.name, func(t *testing.T) {
			t.Parallel()
			clean := t.TempDir()
			job.prepare(t, clean)
			counter := &faultfs.FS{}
			if err := job.run(clean, func(w writer.FS) writer.FS { counter.Inner = w; return counter }); err != nil {
				t.Fatalf("clean run: %v", err)
			}
			after := treeOf(t, clean)
			commit := 0
			for i, c := range counter.Calls {
				if c == "remove "+writer.JournalFile {
					commit = i + 1
				}
			}
			if commit == 0 || commit < 5 {
				t.Fatalf("clean run: commit point at call %d of:\n%s", commit, strings.Join(counter.Calls, "\n"))
			}
			t.Logf("%d mutating calls, the commit point at %d", len(counter.Calls), commit)
			for k := 1; k <= len(counter.Calls); k++ {
				dir := t.TempDir()
				job.prepare(t, dir)
				before := treeOf(t, dir)
				f := &faultfs.FS{FailAt: k}
				err := job.run(dir, func(w writer.FS) writer.FS { f.Inner = w; return f })
				got := treeOf(t, dir)
				if k <= commit {
					if !errors.Is(err, faultfs.ErrInjected) {
						t.Fatalf("call %d (%s) failing: err = %v, want the injected fault", k, f.Calls[k-1], err)
					}
					if d := cmp.Diff(before, got); d != "" {
						t.Errorf("call %d (%s) failing: the tree changed (-before +after):\n%s", k, f.Calls[k-1], d)
					}
					continue
				}
				if err != nil {
					t.Fatalf("cleanup call %d (%s) failing: err = %v, want success", k, f.Calls[k-1], err)
				}
				// Sealing encrypts with a random session key: sealed files
				// differ from run to run, and are compared by path only.
				for p, v := range got {
					if _, ok := after[p]; ok && strings.Contains(v, "encryptedData") {
						continue
					}
					if after[p] != v && !strings.HasSuffix(p, ".rtconf-bak") && v != "/" {
						t.Errorf("cleanup call %d (%s) failing: %s differs from a clean run", k, f.Calls[k-1], p)
					}
				}
				for p := range after {
					if _, ok := got[p]; !ok {
						t.Errorf("cleanup call %d (%s) failing: %s missing", k, f.Calls[k-1], p)
					}
				}
			}
		})
	}
}
