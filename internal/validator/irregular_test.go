package validator_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/internal/workspace"
	"github.com/rtconf/rtconf/schemas"
)

// faultTree is a repository in which one file cannot be read: opening it
// fails with err, or, with mode set, opens a file of that mode (as an
// fs.FS that follows symlinks, or a file swapped after the walk, would).
type faultTree struct {
	fs.FS
	path string
	err  error
	mode fs.FileMode
}

func (t faultTree) Open(name string) (fs.File, error) {
	if name != t.path {
		return t.FS.Open(name)
	}
	if t.err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: t.err}
	}
	f, err := t.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return modeFile{File: f, mode: t.mode}, nil
}

type modeFile struct {
	fs.File
	mode fs.FileMode
}

func (f modeFile) Stat() (fs.FileInfo, error) {
	fi, err := f.File.Stat()
	if err != nil {
		return nil, err
	}
	return modeInfo{FileInfo: fi, mode: f.mode}, nil
}

type modeInfo struct {
	fs.FileInfo
	mode fs.FileMode
}

func (i modeInfo) Mode() fs.FileMode { return i.mode }

// TestUnreadableFilesAreErrors: a file validate could not read (refused
// permission, which root cannot be shown on disk, or a file that turns out
// not to be regular once open) is an error, and one in place of
// rtconf.yaml or the pinned certificate says what could not be checked.
// The repository never passes.
func TestUnreadableFilesAreErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	if _, err := workspace.Init(context.Background(), workspace.InitOptions{Dir: dir, Demo: true, Now: now}); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	opts := validator.DefaultOptions()
	opts.Now = now
	opts.Schemas = schemas.NewManifestSet()

	type want struct{ path, rule string }
	tests := []struct {
		name string
		tree faultTree
		want []want
	}{
		{"config refused", faultTree{path: "rtconf.yaml", err: fs.ErrPermission},
			[]want{{"rtconf.yaml", validator.RuleConfig}, {"rtconf.yaml", validator.RuleUnreadable}}},
		{"config a FIFO once open", faultTree{path: "rtconf.yaml", mode: fs.ModeNamedPipe | 0o644},
			[]want{{"rtconf.yaml", validator.RuleConfig}, {"rtconf.yaml", validator.RuleUnreadable}}},
		{"certificate refused", faultTree{path: "certs/demo-sealed-secrets.pem", err: fs.ErrPermission},
			[]want{{"rtconf.yaml", validator.RuleCertificate}, {"certs/demo-sealed-secrets.pem", validator.RuleUnreadable}}},
		{"manifest refused", faultTree{path: "runtimes/production/in-cluster.yaml", err: fs.ErrPermission},
			[]want{{"runtimes/production/in-cluster.yaml", validator.RuleUnreadable}}},
		{"kustomization a symlink once open", faultTree{path: "overlays/staging/kustomization.yaml", mode: fs.ModeSymlink | 0o777},
			[]want{{"overlays/staging/kustomization.yaml", validator.RuleUnreadable}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.tree.FS = repofs.FS(root)
			rep, err := validator.Validate(context.Background(), tt.tree, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.HasErrors() {
				t.Fatalf("no error: %+v", rep.Findings)
			}
			for _, w := range tt.want {
				found := false
				for _, f := range rep.Findings {
					found = found || f.Path == w.path && f.Rule == w.rule && f.Severity == validator.Error
				}
				if !found {
					t.Errorf("no %s error at %s in %+v", w.rule, w.path, rep.Findings)
				}
			}
		})
	}
}

// TestShardSymlinkedConfig: a shard reads rtconf.yaml before it lists the
// tree; when the listing then finds it a symlink (an fs.FS that follows
// symlinks read it), the shard refuses it as a whole run does.
func TestShardSymlinkedConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	if _, err := workspace.Init(context.Background(), workspace.InitOptions{Dir: dir, Demo: true, Now: now}); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "rtconf.yaml"), filepath.Join(dir, "real.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.yaml", filepath.Join(dir, "rtconf.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, shard := range []validator.Shard{{}, {Index: 1, Total: 2}} {
		opts := validator.DefaultOptions()
		opts.Now, opts.Shard = now, shard
		rep, err := validator.Validate(context.Background(), os.DirFS(dir), opts)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range rep.Findings {
			if f.Rule == validator.RuleConfig && f.Path == "rtconf.yaml" {
				found = true
			}
		}
		if !found || len(rep.Runtimes) != 0 {
			t.Errorf("shard %q: runtimes %v, findings %+v; want rtconf.yaml refused and no runtime validated", shard, rep.Runtimes, rep.Findings)
		}
	}
}
