// Package benchrepo builds synthetic shared configuration repositories for
// benchmarks, with rtconf itself: an rtconf.yaml of many runtimes, the tree
// the generator renders for it, and every token slot filled with a demo
// token sealed with the demo certificate (as `rtconf init --demo` does).
package benchrepo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/workspace"
	"github.com/rtconf/rtconf/internal/writer"
	"github.com/rtconf/rtconf/templates"
)

// CertificatePath is where the demo certificate lies in a built repository.
const CertificatePath = "certs/demo-sealed-secrets.pem"

// Options say how large a repository to build.
type Options struct {
	Runtimes int
	// Users and Clusters are per runtime.
	Users    int
	Clusters int
	// Now dates the sealed tokens.
	Now time.Time
}

// sealedAt dates the tokens of every synthetic repository, so that the
// same options make the same repository on any day.
var sealedAt = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// DefaultOptions is the benchmark's shape: 5 users and 2 managed clusters
// per runtime.
func DefaultOptions(runtimes int) Options {
	return Options{Runtimes: runtimes, Users: 5, Clusters: 2, Now: sealedAt}
}

// Validate checks the options.
func (o Options) Validate() error {
	if o.Runtimes < 1 || o.Users < 0 || o.Clusters < 0 {
		return fmt.Errorf("benchrepo: %d runtimes, %d users, %d clusters: want at least one runtime and no negative counts", o.Runtimes, o.Users, o.Clusters)
	}
	if o.Now.IsZero() {
		return errors.New("benchrepo: no clock to date the sealed tokens")
	}
	return nil
}

// RuntimeName is the name of the runtime i (from 0) of a repository.
func RuntimeName(i int) string { return fmt.Sprintf("rt-%04d", i+1) }

// Config renders the rtconf.yaml of the repository.
func Config(o Options) ([]byte, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	cert, err := workspace.DemoCertificate()
	if err != nil {
		return nil, err
	}
	cfg := config.Config{
		Repository: config.Repository{URL: "https://github.com/example-org/shared-config", Revision: config.DefaultRevision, Provider: config.DefaultProvider},
		Sealing:    config.Sealing{Certificate: CertificatePath, Fingerprint: cert.Fingerprint, Scope: config.ScopeStrict},
	}
	for i := range o.Runtimes {
		name := RuntimeName(i)
		rt := config.Runtime{Name: name, Namespace: name}
		for c := range o.Clusters {
			cl := fmt.Sprintf("cluster-%d", c+1)
			rt.ManagedClusters = append(rt.ManagedClusters, config.Cluster{Name: cl, Server: "https://" + cl + "." + name + ".example.com"})
		}
		for u := range o.Users {
			rt.Users = append(rt.Users, fmt.Sprintf("user-%02d", u+1))
		}
		cfg.Runtimes = append(cfg.Runtimes, rt)
	}
	var b bytes.Buffer
	b.WriteString(workspace.ModeLine)
	b.WriteString("# Synthetic benchmark repository (internal/benchrepo): DEMO tokens sealed with the DEMO certificate.\n")
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

// Files renders the whole repository in memory, path → content: rtconf.yaml,
// the demo certificate and the generated tree with sealed tokens.
func Files(o Options) (map[string][]byte, error) {
	data, err := Config(o)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Parse(config.FileName, data)
	if err != nil {
		return nil, fmt.Errorf("benchrepo: generated configuration: %w", err)
	}
	files, err := generator.Generate(cfg)
	if err != nil {
		return nil, err
	}
	if err := sealSlots(cfg, files, o.Now); err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(files)+2)
	out[config.FileName] = data
	out[CertificatePath] = templates.DemoCertificate()
	for _, f := range files {
		out[f.Path] = f.Data
	}
	return out, nil
}

// sealSlots seals every token slot, one worker per CPU.
func sealSlots(cfg *config.Config, files []generator.File, now time.Time) error {
	cert, err := workspace.DemoCertificate()
	if err != nil {
		return err
	}
	jobs := make(chan int)
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				data, err := workspace.SealDemoToken(cfg, cert, *files[i].Slot, now)
				if err != nil {
					errs[w] = errors.Join(errs[w], fmt.Errorf("seal %s: %w", files[i].Path, err))
					continue
				}
				files[i].Data = data
			}
		}()
	}
	for i, f := range files {
		if f.Slot != nil {
			jobs <- i
		}
	}
	close(jobs)
	wg.Wait()
	return errors.Join(errs...)
}

// Write builds the repository into dir, which must not exist or be empty.
// With configOnly, only rtconf.yaml and the certificate are written: the
// starting point of a `rtconf generate` from scratch.
func Write(dir string, o Options, configOnly bool) error {
	var files map[string][]byte
	var err error
	if configOnly {
		var data []byte
		data, err = Config(o)
		files = map[string][]byte{config.FileName: data, CertificatePath: templates.DemoCertificate()}
	} else {
		files, err = Files(o)
	}
	if err != nil {
		return err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("benchrepo: %s is not empty", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("benchrepo: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("benchrepo: %w", err)
	}
	defer root.Close()
	changes := make([]generator.Change, 0, len(files))
	for p, data := range files {
		changes = append(changes, generator.Change{Path: p, Op: generator.Add, Data: data})
	}
	if err := writer.Apply(root, changes); err != nil {
		return fmt.Errorf("benchrepo: write %s: %w", dir, err)
	}
	return nil
}
