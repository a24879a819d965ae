package workspace

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/seal"
)

// The sealing certificate: where sealing finds it, which one it accepts,
// and `rtconf cert pin`, which records it.

// DefaultCertificatePath is where `rtconf cert pin` stores the certificate
// when rtconf.yaml names no path.
const DefaultCertificatePath = "certs/sealed-secrets.pem"

// loadCertificate reads the certificate from override (a file or https URL)
// or from the path rtconf.yaml names in the repository.
func loadCertificate(ctx context.Context, root *os.Root, cfg *config.Config, override string, client *http.Client) (*seal.Certificate, string, error) {
	var data []byte
	var source string
	switch {
	case override != "":
		source = override
		var err error
		if data, err = seal.ReadCertificate(ctx, client, override); err != nil {
			return nil, "", err
		}
	case cfg.Sealing.Certificate != "":
		source = cfg.Sealing.Certificate
		var err error
		if data, err = fs.ReadFile(repofs.FS(root), cfg.Sealing.Certificate); err != nil {
			return nil, "", fmt.Errorf("read certificate %s (sealing.certificate): %w; fetch it with `kubeseal --fetch-cert` and pin it with `rtconf cert pin`", source, pathCause(err))
		}
	default:
		return nil, "", &UsageError{"no sealing certificate: pin the controller's with `rtconf cert pin --cert FILE|URL`, or pass --cert"}
	}
	cert, err := seal.ParseCertificate(source, data)
	if err != nil {
		return nil, "", err
	}
	return cert, source, nil
}

func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// pinChanges stores cert in the repository and records it in rtconf.yaml.
func pinChanges(root *os.Root, configFile string, raw []byte, cfg *config.Config, cert *seal.Certificate, path string) ([]generator.Change, error) {
	if path == "" {
		path = cfg.Sealing.Certificate
	}
	if path == "" {
		path = DefaultCertificatePath
	}
	if !filepath.IsLocal(filepath.FromSlash(path)) {
		return nil, &UsageError{fmt.Sprintf("certificate path %q must be inside the repository", path)}
	}
	edited := raw
	var err error
	if cfg.Sealing.Certificate != path {
		if edited, err = config.SetString(edited, []string{"sealing", "certificate"}, path); err != nil {
			return nil, fmt.Errorf("pin in %s: %w", cfg.File, err)
		}
	}
	if edited, err = config.SetString(edited, []string{"sealing", "fingerprint"}, cert.Fingerprint); err != nil {
		return nil, fmt.Errorf("pin in %s: %w", cfg.File, err)
	}
	if _, err := config.Parse(cfg.File, edited); err != nil {
		return nil, fmt.Errorf("pin: the edited %s would not load: %w", cfg.File, err)
	}
	var changes []generator.Change
	for _, f := range []struct {
		path string
		data []byte
	}{{filepath.ToSlash(configFile), edited}, {path, cert.PEM}} {
		c, ok, err := fileChange(root, f.path, f.data)
		if err != nil {
			return nil, err
		}
		if ok {
			changes = append(changes, c)
		}
	}
	return changes, nil
}

// fileChange is the change that makes p hold data, if any.
// Only a path that does not exist is added; anything else that cannot be
// read (a symlink, a FIFO, a folder) is an error, never overwritten.
func fileChange(root *os.Root, p string, data []byte) (generator.Change, bool, error) {
	old, err := repofs.ReadFile(root, p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return generator.Change{Path: p, Op: generator.Add, Data: data}, true, nil
	case err != nil:
		return generator.Change{}, false, fmt.Errorf("read %s: %w", p, pathCause(err))
	case string(old) == string(data):
		return generator.Change{}, false, nil
	}
	return generator.Change{Path: p, Op: generator.Update, Data: data}, true, nil
}

// PinOptions are the inputs of Pin.
type PinOptions struct {
	Dir        string
	ConfigFile string
	// Cert is the certificate file or https URL to pin.
	Cert string
	// Fetch, when set instead of Cert, reads the certificate (from the
	// cluster: `cert pin --from-cluster`); Source names where from.
	Fetch  func(context.Context) ([]byte, error)
	Source string
	// Path is where to store it in the repository; default: the path
	// rtconf.yaml names, or DefaultCertificatePath.
	Path       string
	Now        time.Time
	HTTPClient *http.Client
	Run        RunOptions
	// Confirm, when set, is asked before a certificate other than the
	// pinned one replaces it; an error stops pinning, changing nothing.
	Confirm func(previous, next string) error
	// DryRun and Diff: as GenerateOptions'.
	DryRun, Diff bool
}

// PinResult says what pinning changed.
type PinResult struct {
	Result
	Fingerprint string
	Previous    string
	Warnings    []string
}

// Pin stores a controller certificate in the repository and records its
// fingerprint in rtconf.yaml, so sealing refuses any other.
func Pin(ctx context.Context, opts PinOptions) (PinResult, error) {
	if opts.Dir == "" || (opts.Cert == "") == (opts.Fetch == nil) {
		return PinResult{}, &UsageError{"give one of --cert FILE|URL and --from-cluster"}
	}
	if opts.ConfigFile == "" {
		opts.ConfigFile = config.FileName
	}
	var res PinResult
	err := onTree(ctx, opts.Dir, opts.ConfigFile, opts.Run, opts.DryRun, nil, func(root *os.Root) ([]generator.Change, error) {
		var err error
		if res, err = planPin(ctx, root, opts); err != nil || !opts.DryRun || !opts.Diff {
			return res.Changes, err
		}
		res.Diffs, err = changeDiffs(root, res.Changes)
		return res.Changes, err
	})
	if err != nil {
		return PinResult{}, err
	}
	return res, nil
}

// planPin is what Pin changes in root.
func planPin(ctx context.Context, root *os.Root, opts PinOptions) (PinResult, error) {
	raw, cfg, err := readConfig(root, opts.Dir, opts.ConfigFile)
	if err != nil {
		return PinResult{}, err
	}
	source := opts.Cert
	if opts.Fetch != nil {
		source = opts.Source
	}
	var data []byte
	if opts.Fetch != nil {
		data, err = opts.Fetch(ctx)
	} else {
		data, err = seal.ReadCertificate(ctx, opts.HTTPClient, opts.Cert)
	}
	if err != nil {
		return PinResult{}, err
	}
	cert, err := seal.ParseCertificate(source, data)
	if err != nil {
		return PinResult{}, err
	}
	// Pinning is the explicit way to accept a new certificate.
	warnings, err := cert.Check(source, seal.CheckOptions{Now: opts.Now})
	if err != nil {
		return PinResult{}, err
	}
	if prev := cfg.Sealing.Fingerprint; opts.Confirm != nil && prev != "" && prev != cert.Fingerprint {
		if err := opts.Confirm(prev, cert.Fingerprint); err != nil {
			return PinResult{}, err
		}
	}
	changes, err := pinChanges(root, opts.ConfigFile, raw, cfg, cert, opts.Path)
	if err != nil {
		return PinResult{}, err
	}
	return PinResult{Result: Result{Changes: changes}, Fingerprint: cert.Fingerprint, Previous: cfg.Sealing.Fingerprint, Warnings: warnings}, nil
}

// sealingCertificate is the certificate a token is sealed with, checked
// against the pinned one, with the warnings about it and, when
// --accept-new-cert accepts a new one, the changes that pin it.
func sealingCertificate(ctx context.Context, root *os.Root, raw []byte, cfg *config.Config, opts SealOptions) (*seal.Certificate, []string, []generator.Change, error) {
	cert, source, err := loadCertificate(ctx, root, cfg, opts.Cert, opts.HTTPClient)
	if err != nil {
		return nil, nil, nil, err
	}
	warnings, err := cert.Check(source, seal.CheckOptions{Pinned: cfg.Sealing.Fingerprint, AcceptNew: opts.AcceptNewCert, Now: opts.Now})
	if err != nil {
		return nil, nil, nil, err
	}
	var pin []generator.Change
	switch {
	case cfg.Sealing.Fingerprint == "":
		warnings = append(warnings, "the certificate is not pinned: run `rtconf cert pin` so that sealing and validation refuse another one")
	case !strings.EqualFold(cfg.Sealing.Fingerprint, cert.Fingerprint):
		// --accept-new-cert: Check allowed it, so pin it.
		if pin, err = pinChanges(root, opts.ConfigFile, raw, cfg, cert, ""); err != nil {
			return nil, nil, nil, err
		}
	}
	return cert, warnings, pin, nil
}
