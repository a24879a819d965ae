// Package workspace runs rtconf's jobs on a shared configuration repository
// checked out on disk: it loads rtconf.yaml, generates, plans and writes.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/repofs"
)

// GenerateOptions are the inputs of Generate.
type GenerateOptions struct {
	// Dir is the root of the shared configuration repository.
	Dir string
	// ConfigFile is the configuration's path relative to Dir.
	ConfigFile string
	// DryRun plans without writing: no lock, and a journal left by an
	// interrupted run is reported, not rolled back.
	DryRun bool
	// Diff fills Result.Diffs: what differs in each file updated, as
	// generator.Diff shows it (for generate --dry-run --diff).
	Diff bool
	Run  RunOptions

	faults faultSeam
}

// DefaultGenerateOptions generates the repository in the current folder.
func DefaultGenerateOptions() GenerateOptions {
	return GenerateOptions{Dir: ".", ConfigFile: config.FileName, Run: DefaultRunOptions()}
}

// Validate checks the options before anything is read.
func (o GenerateOptions) Validate() error {
	if o.Dir == "" {
		return errors.New("no repository folder given")
	}
	if o.ConfigFile == "" || !filepath.IsLocal(o.ConfigFile) {
		return fmt.Errorf("configuration file %q must be a path inside the repository folder", o.ConfigFile)
	}
	return nil
}

// Result says what a run changed, or would change in a dry run.
type Result struct {
	Changes []generator.Change
	// Owned lists every path rtconf writes in the repository (init only).
	Owned []string
	// Diffs holds, by path, what differs in each file updated, from the
	// file as it was to what rtconf generates (GenerateOptions.Diff).
	Diffs map[string]string
}

// Generate brings the generated tree of the repository in line with its
// configuration. It writes all of the changes or none.
func Generate(ctx context.Context, opts GenerateOptions) (Result, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, err
	}
	var changes []generator.Change
	var diffs map[string]string
	err := onTree(ctx, opts.Dir, opts.ConfigFile, opts.Run, opts.DryRun, opts.faults, func(root *os.Root) ([]generator.Change, error) {
		var err error
		if changes, err = generatePlan(root, opts); err != nil || !opts.Diff {
			return changes, err
		}
		diffs, err = changeDiffs(root, changes)
		return changes, err
	})
	if err != nil {
		return Result{}, err
	}
	return Result{Changes: changes, Diffs: diffs}, nil
}

// changeDiffs shows what each update of changes changes in root, before
// anything is written.
func changeDiffs(root *os.Root, changes []generator.Change) (map[string]string, error) {
	diffs := map[string]string{}
	tree := repofs.FS(root)
	for _, c := range changes {
		if c.Op != generator.Update {
			continue
		}
		old, err := fs.ReadFile(tree, c.Path)
		if err != nil {
			return nil, err
		}
		if d := generator.Diff(c.Path, old, c.Data, generator.DiffLines); d != "" {
			diffs[c.Path] = d
		}
	}
	return diffs, nil
}

// generatePlan is what Generate changes in root.
func generatePlan(root *os.Root, opts GenerateOptions) ([]generator.Change, error) {
	cfg, err := loadConfig(root, opts.Dir, opts.ConfigFile)
	if err != nil {
		return nil, err
	}
	files, err := generator.Generate(cfg)
	if err != nil {
		return nil, err
	}
	return generator.Plan(repofs.FS(root), files)
}

func loadConfig(root *os.Root, dir, name string) (*config.Config, error) {
	display := filepath.Join(dir, name)
	f, err := repofs.Open(root, filepath.ToSlash(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s not found: run `rtconf init` first, or pass --dir with the repository folder", display)
	}
	if err != nil {
		return nil, configReadError(display, err)
	}
	defer f.Close()
	return config.Read(f, display)
}

// configReadError explains why the configuration could not be read; a
// symlink, FIFO or folder in its place is refused, never followed.
func configReadError(display string, err error) error {
	var nr *repofs.NotRegularError
	if errors.As(err, &nr) {
		return fmt.Errorf("load %s: %w; replace it with the file itself", display, pathCause(err))
	}
	return fmt.Errorf("load %s: %w", display, err)
}
