package workspace

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/writer"
	"github.com/rtconf/rtconf/templates"
)

// InitOptions are the inputs of Init.
type InitOptions struct {
	// Dir is the folder of the new repository; it is made if missing.
	Dir string
	// Demo writes a complete example with a demo-only certificate instead
	// of a configuration built from the fields below.
	Demo bool

	RepoURL string
	// Provider is repository.provider ("": the default, GitHub).
	Provider      string
	Revision      string
	Runtime       string
	Namespace     string // default: the runtime's name
	ArgoNamespace string
	Users         []string
	Certificate   string
	// CodeScanning writes ci.codeScanning: true (GitHub only); Bootstrap
	// sets it for a repository it creates public.
	CodeScanning bool
	// Now dates the demo tokens' sealing.
	Now time.Time
	Run RunOptions

	faults faultSeam
}

// DefaultInitOptions tracks the main branch.
func DefaultInitOptions() InitOptions {
	return InitOptions{Revision: config.DefaultRevision, Run: DefaultRunOptions()}
}

// UsageError is an error in what the user asked for, as opposed to a
// failure to do it.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Validate checks that the options describe one repository.
func (o InitOptions) Validate() error {
	if o.Dir == "" {
		return &UsageError{"no repository folder given"}
	}
	if o.Demo {
		if o.Now.IsZero() {
			return errors.New("init: no clock to date the demo tokens")
		}
		if o.Provider != "" && o.Provider != config.DefaultProvider {
			return &UsageError{"--demo writes a GitHub example; leave out --provider, or drop --demo"}
		}
		if o.RepoURL != "" || o.Runtime != "" || o.Namespace != "" || o.ArgoNamespace != "" || len(o.Users) > 0 || o.Certificate != "" {
			return &UsageError{"--demo writes a complete example configuration; leave out --repo, --runtime, --namespace, --argocd-namespace, --user and --certificate, or drop --demo"}
		}
		return nil
	}
	var missing []string
	if o.RepoURL == "" {
		missing = append(missing, "--repo")
	}
	if o.Runtime == "" {
		missing = append(missing, "--runtime")
	}
	if missing != nil {
		return &UsageError{fmt.Sprintf("missing %s (or use --demo for an example repository)", strings.Join(missing, " and "))}
	}
	return nil
}

// ModeLine lets editors find the schema of rtconf.yaml.
const ModeLine = "# yaml-language-server: $schema=" + generator.SchemaFile + "\n"

const configPreamble = `#
# rtconf configuration: the single source of truth of this repository.
# Edit it, then run ` + "`rtconf generate`" + `. Every field: ` + "`rtconf schema`" + `.
`

// Init writes rtconf.yaml, the generated tree and rtconf's lines of
// .gitignore into a new (or empty) repository folder. Run again with the
// same options, it changes nothing.
func Init(ctx context.Context, opts InitOptions) (Result, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("create %s: %w", opts.Dir, err)
	}
	t, err := openTree(ctx, opts.Dir, config.FileName, opts.Run)
	if err != nil {
		return Result{}, err
	}
	defer t.Close()
	res, _, err := initTree(t.Root, opts)
	return res, err
}

// initTree is Init in a tree already open for writing. It returns the
// configuration it parsed, so that a caller does not read it again.
func initTree(root *os.Root, opts InitOptions) (Result, *config.Config, error) {
	data, err := opts.configFile()
	if err != nil {
		return Result{}, nil, err
	}
	cfg, err := config.Parse(config.FileName, data)
	if err != nil {
		return Result{}, nil, flagProblems(err)
	}
	extra := []generator.Change{{Path: config.FileName, Op: generator.Add, Data: data}}
	if opts.Demo {
		extra = append(extra, generator.Change{Path: cfg.Sealing.Certificate, Op: generator.Add, Data: templates.DemoCertificate()})
	}

	var changes []generator.Change
	for _, c := range extra {
		old, err := fs.ReadFile(repofs.FS(root), c.Path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			changes = append(changes, c)
		case err != nil:
			return Result{}, nil, fmt.Errorf("read %s: %w", filepath.Join(opts.Dir, c.Path), err)
		case !bytes.Equal(old, c.Data):
			return Result{}, nil, fmt.Errorf("%s already exists with other content: edit it and run `rtconf generate --dir %s`, or init another folder",
				filepath.Join(opts.Dir, c.Path), opts.Dir)
		}
	}
	files, err := generator.Generate(cfg)
	if err != nil {
		return Result{}, nil, err
	}
	if opts.Demo {
		if err := sealDemoTokens(cfg, files, opts.Now); err != nil {
			return Result{}, nil, err
		}
	}
	planned, err := generator.Plan(repofs.FS(root), files)
	if err != nil {
		return Result{}, nil, err
	}
	changes = append(changes, planned...)
	gi, ok, err := gitignoreChange(root)
	if err != nil {
		return Result{}, nil, fmt.Errorf("%s: %w", opts.Dir, err)
	}
	if ok {
		changes = append(changes, gi)
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	if err := writer.Apply(opts.faults.fs(root), changes); err != nil {
		return Result{}, nil, fmt.Errorf("write %s: %w", opts.Dir, err)
	}
	owned := make([]string, 0, len(files)+len(extra)+1)
	owned = append(owned, GitignoreFile)
	for _, f := range files {
		owned = append(owned, f.Path)
	}
	for _, c := range extra {
		owned = append(owned, c.Path)
	}
	sort.Strings(owned)
	return Result{Changes: changes, Owned: owned}, cfg, nil
}

// DemoToken is the fake token `init --demo` seals: GitHub never issued it.
func DemoToken(user string) string {
	sum := sha256.Sum256([]byte(user))
	return seal.DemoTokenPrefix + hex.EncodeToString(sum[:])[:13]
}

// sealDemoTokens fills every token slot with a demo token sealed with the
// demo certificate, so that the demo repository is complete.
func sealDemoTokens(cfg *config.Config, files []generator.File, now time.Time) error {
	cert, err := DemoCertificate()
	if err != nil {
		return err
	}
	for i, f := range files {
		if f.Slot == nil {
			continue
		}
		if files[i].Data, err = SealDemoToken(cfg, cert, *f.Slot, now); err != nil {
			return err
		}
	}
	return nil
}

// DemoCertificate is the parsed demo certificate that demo tokens are sealed
// with.
func DemoCertificate() (*seal.Certificate, error) {
	return seal.ParseCertificate("demo certificate", templates.DemoCertificate())
}

// SealDemoToken seals the demo token of a slot with cert and returns the
// file that holds it, as `init --demo` writes it. It is safe to call from
// several goroutines.
func SealDemoToken(cfg *config.Config, cert *seal.Certificate, slot generator.Slot, now time.Time) ([]byte, error) {
	rt, ok := cfg.Runtime(slot.Runtime)
	if !ok {
		return nil, fmt.Errorf("demo token: no runtime %s", slot.Runtime)
	}
	tok, err := cfg.Forge().ParseToken(DemoToken(slot.User))
	if err != nil {
		return nil, fmt.Errorf("demo token: %w", err)
	}
	return sealSlot(cfg, rt, slot, tok, cert, now, nil, "DEMO token sealed with the DEMO certificate: replace it before real use.")
}

// configFile renders the rtconf.yaml that init writes.
func (o InitOptions) configFile() ([]byte, error) {
	if o.Demo {
		return templates.DemoConfig(), nil
	}
	ns := o.Namespace
	if ns == "" {
		ns = o.Runtime
	}
	cfg := config.Config{
		Repository: config.Repository{URL: o.RepoURL, Revision: o.Revision, Provider: cmp.Or(o.Provider, config.DefaultProvider)},
		ArgoCD:     config.ArgoCD{Namespace: o.ArgoNamespace},
		Sealing:    config.Sealing{Certificate: o.Certificate},
		CI:         config.CI{CodeScanning: o.CodeScanning},
		Runtimes:   []config.Runtime{{Name: o.Runtime, Namespace: ns, Users: o.Users}},
	}
	var b bytes.Buffer
	b.WriteString(ModeLine)
	b.WriteString(configPreamble)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&cfg); err != nil {
		return nil, fmt.Errorf("render %s: %w", config.FileName, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("render %s: %w", config.FileName, err)
	}
	return b.Bytes(), nil
}

// flagFor names the init flag that sets a configuration field.
func flagFor(field string) string {
	for _, ff := range [...]struct{ field, flag string }{
		{"repository.url", "--repo"},
		{"repository.revision", "--revision"},
		{"repository.provider", "--provider"},
		{"argocd.namespace", "--argocd-namespace"},
		{"sealing.certificate", "--certificate"},
		{"runtimes[0].name", "--runtime"},
		{"runtimes[0].namespace", "--namespace"},
		{"runtimes[0].users", "--user"},
	} {
		if field == ff.field || strings.HasPrefix(field, ff.field+".") || strings.HasPrefix(field, ff.field+"[") {
			return ff.flag
		}
	}
	return field
}

// flagProblems restates the problems of a configuration built from flags
// in terms of those flags.
func flagProblems(err error) error {
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		return err
	}
	var lines []string
	for _, p := range cerr.Problems {
		line := flagFor(p.Field) + ": " + p.Message
		if p.Hint != "" {
			line += " (" + p.Hint + ")"
		}
		lines = append(lines, line)
	}
	return &UsageError{strings.Join(lines, "\n")}
}
