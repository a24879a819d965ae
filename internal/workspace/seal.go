package workspace

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/token"
)

// SealOptions are the inputs of Seal.
type SealOptions struct {
	Dir        string
	ConfigFile string
	Runtime    string
	// Runtimes, instead of Runtime, are several runtimes to seal the one
	// Git runtime token into, in one write (SealMany).
	Runtimes []string
	// AllRuntimes, instead of Runtime, seals the Git runtime token into
	// every runtime of the configuration.
	AllRuntimes bool
	// User is the login whose Git user token is sealed; empty seals the
	// runtime's Git runtime token.
	User  string
	Token token.Token
	// Cert is a certificate file or https URL to use instead of the one
	// in the repository.
	Cert string
	// AcceptNewCert allows a certificate other than the pinned one and
	// pins it.
	AcceptNewCert bool
	Now           time.Time
	HTTPClient    *http.Client
	// SkipLiveCheck seals without checking the token against GitHub; the
	// sealed secret records it as unverified.
	SkipLiveCheck bool
	// Live configures the live check; the repository comes from
	// rtconf.yaml when left empty, the API always from Trust (Live.APIURL
	// is not read).
	Live forge.Options
	// Trust decides where the token may go (--api-url, GITHUB_API_URL in
	// GitHub Actions, or the API of repository.url's host).
	Trust forge.Trust
	// Demo allows sealing a token that is not one of the demo's fake
	// tokens with the demo certificate, whose private key is published.
	Demo bool
	// DryRun plans the changes without writing them: no lock, and a
	// journal left by an interrupted run is reported, not rolled back.
	DryRun bool
	// Diff fills Result.Diffs in a dry run (GenerateOptions.Diff).
	Diff bool
	Run  RunOptions
	// App, when set, seals a GitHub App's credentials in the place of the
	// runtime's Git runtime token, instead of Token.
	App *forge.App
	// Replace allows sealing App credentials over a sealed runtime token,
	// and a token over sealed App credentials.
	Replace bool

	faults faultSeam
}

// DefaultSealOptions seals into the repository in the current folder.
func DefaultSealOptions() SealOptions {
	return SealOptions{Dir: ".", ConfigFile: config.FileName, Live: providers.DefaultOptions(), Run: DefaultRunOptions()}
}

// Validate checks the options before anything is read.
func (o SealOptions) Validate() error {
	if o.Dir == "" {
		return &UsageError{"no repository folder given"}
	}
	if o.ConfigFile == "" || !filepath.IsLocal(o.ConfigFile) {
		return &UsageError{fmt.Sprintf("configuration file %q must be a path inside the repository folder", o.ConfigFile)}
	}
	if err := o.validateRuntimes(); err != nil {
		return err
	}
	if o.App != nil {
		if o.User != "" {
			return &UsageError{"a GitHub App is a runtime's credential, not a user's: leave --user out"}
		}
		if o.App.ID <= 0 || o.App.Key.Reveal() == "" {
			return &UsageError{"no GitHub App given: pass --app-id ID and the private key"}
		}
		if o.SkipLiveCheck && o.App.InstallationID <= 0 {
			return &UsageError{"--skip-live-check needs --installation-id: without the live check rtconf cannot look the installation up"}
		}
	} else if o.Token.Reveal() == "" {
		return &UsageError{"no token given"}
	}
	if o.Now.IsZero() {
		return errors.New("seal: no clock")
	}
	return nil
}

// SealResult says what sealing wrote.
type SealResult struct {
	Result
	// Path is the file that holds the sealed token.
	Path     string
	Warnings []string
	// Notes say what to do after sealing: the credential it replaced,
	// to revoke.
	Notes []string
	// App is the App sealed (its installation looked up), when one was.
	App *forge.App
	// Runtimes are the runtimes sealed into, in the order of the
	// configuration for AllRuntimes, else as given.
	Runtimes []string
}

// Seal encrypts a token into its place in the runtime's overlay, all at
// once or not at all. It writes the token's own file, and rtconf.yaml and
// the certificate when --accept-new-cert pins a new one; it renders and
// reads nothing of the other runtimes. Only when the overlay's
// kustomization does not list the token's file yet (the overlay is older
// than rtconf.yaml, or not generated) are the runtime's own files planned
// with it. Other out-of-date files are for `rtconf generate`.
func Seal(ctx context.Context, opts SealOptions) (SealResult, error) {
	if err := opts.Validate(); err != nil {
		return SealResult{}, err
	}
	var res SealResult
	err := onTree(ctx, opts.Dir, opts.ConfigFile, opts.Run, opts.DryRun, opts.faults, func(root *os.Root) ([]generator.Change, error) {
		raw, cfg, err := readConfig(root, opts.Dir, opts.ConfigFile, opts.parsedRuntimes()...)
		if err != nil {
			return nil, err
		}
		if opts.several() {
			res, err = planSealMany(ctx, root, raw, cfg, opts, false)
		} else {
			res, err = planSeal(ctx, root, raw, cfg, opts)
		}
		if err != nil || !opts.DryRun || !opts.Diff {
			return res.Changes, err
		}
		res.Diffs, err = changeDiffs(root, res.Changes)
		return res.Changes, err
	})
	if err != nil {
		return SealResult{}, err
	}
	return res, nil
}

// planSeal plans sealing opts.Token in the repository at root, whose
// configuration is raw, parsed as cfg: Seal writes the plan, `token rotate`
// proposes it. It reads the certificate, the runtime's overlay
// kustomization and the token's file, and writes nothing.
func planSeal(ctx context.Context, root *os.Root, raw []byte, cfg *config.Config, opts SealOptions) (SealResult, error) {
	rt, err := findRuntime(cfg, opts.Runtime)
	if err != nil {
		return SealResult{}, err
	}
	if opts.App != nil {
		if err := appAllowed(cfg, rt); err != nil {
			return SealResult{}, err
		}
	} else if opts.Token, err = ownToken(cfg, opts.Token); err != nil {
		return SealResult{}, err
	}
	slot := generator.Slot{Runtime: rt.Name, User: strings.ToLower(opts.User)}
	comment := fmt.Sprintf("Git runtime token of runtime %s, sealed by rtconf.\nReplace it with: rtconf seal runtime-token --runtime %s", rt.Name, rt.Name)
	if opts.App != nil {
		comment = fmt.Sprintf("GitHub App credentials of runtime %s (its Git runtime credential), sealed by rtconf.\nReplace them with: rtconf seal github-app --runtime %s --app-id %d --private-key-file FILE", rt.Name, rt.Name, opts.App.ID)
	}
	notes, err := replacing(root, cfg, rt, slot, opts)
	if err != nil {
		return SealResult{}, err
	}
	if slot.User != "" {
		if err := checkUser(rt, opts.User); err != nil {
			return SealResult{}, err
		}
		comment = fmt.Sprintf("Git user token of %s on runtime %s, sealed by rtconf.\nReplace it with: rtconf seal user-token --runtime %s --user %s", slot.User, rt.Name, rt.Name, slot.User)
	}
	cert, warnings, pin, err := sealingCertificate(ctx, root, raw, cfg, opts)
	if err != nil {
		return SealResult{}, err
	}
	if err := refuseDemo(cert, opts); err != nil {
		return SealResult{}, err
	}
	var record map[string]string
	var liveWarnings []string
	var data []byte
	if opts.App != nil {
		app := *opts.App
		if record, liveWarnings, err = liveCheckApp(ctx, cfg, rt, &app, opts); err != nil {
			return SealResult{}, err
		}
		opts.App = &app
		data, err = sealApp(cfg, rt, app, cert, opts.Now, record, comment)
	} else {
		kind := forge.RuntimeToken
		if slot.User != "" {
			kind = forge.UserToken
		}
		if record, liveWarnings, err = liveCheck(ctx, cfg, forge.NeedFor(kind, rt.RuntimeTokenAsUserToken), opts); err != nil {
			return SealResult{}, err
		}
		data, err = sealSlot(cfg, rt, slot, opts.Token, cert, opts.Now, record, comment)
	}
	if err != nil {
		return SealResult{}, err
	}
	warnings = append(warnings, liveWarnings...)
	changes, err := slotChanges(root, cfg, slot, data)
	if err != nil {
		return SealResult{}, err
	}
	return SealResult{Result: Result{Changes: mergeChanges(changes, pin)}, Path: slot.Path(), Warnings: warnings, Notes: notes, App: opts.App, Runtimes: []string{rt.Name}}, nil
}

// refuseDemo refuses to seal a real-looking token with the demo
// certificate, whose private key anyone can read, unless opts.Demo says
// it is meant; nothing has been sent or written yet.
func refuseDemo(cert *seal.Certificate, opts SealOptions) error {
	if opts.Demo || !seal.IsDemoCertificate(cert.Fingerprint) || (opts.App == nil && seal.IsDemoToken(opts.Token.Reveal())) {
		return nil
	}
	what, noun := "the token", "token"
	if opts.App != nil {
		what, noun = "the GitHub App's private key", "key"
	}
	return &UsageError{"refusing to seal " + what + " with the demo certificate: its private key is published, so anyone could read " + what + "; " +
		"pin your controller's certificate first (kubeseal --fetch-cert > cert.pem; rtconf cert pin --cert cert.pem --yes), " +
		"or pass --demo if this " + noun + " is for a demo only (then revoke it); nothing was sent or written"}
}

// sealSlot seals tok into the SealedSecret of slot on rt, records the
// annotations of record on it, and renders it as a generated file that
// starts with comment.
func sealSlot(cfg *config.Config, rt config.Runtime, slot generator.Slot, tok token.Token, cert *seal.Certificate, now time.Time, record map[string]string, comment string) ([]byte, error) {
	var obj *ssv1alpha1.SealedSecret
	var err error
	if slot.User == "" {
		obj, err = seal.RuntimeToken(cfg, rt, tok, cert, now)
	} else {
		obj, err = seal.UserToken(cfg, rt, slot.User, tok, cert, now)
	}
	if err != nil {
		return nil, err
	}
	maps.Copy(obj.Annotations, record)
	return seal.Marshal(obj, generator.Header, comment)
}

// slotChanges plans data, a sealed token, into its slot. When the
// runtime's overlay kustomization lists the slot's file, that file is all
// that changes, and nothing is rendered; otherwise the runtime's own files
// are rendered and planned with it, so that the token is part of the
// overlay. Nothing of the other runtimes is rendered or read.
func slotChanges(root *os.Root, cfg *config.Config, slot generator.Slot, data []byte) ([]generator.Change, error) {
	tree := repofs.FS(root)
	listed, err := generator.Listed(tree, slot)
	if err != nil {
		return nil, err
	}
	if listed {
		return generator.PlanFiles(tree, []generator.File{{Path: slot.Path(), Data: data, Mode: generator.Generated, Slot: &slot}})
	}
	files, err := generator.GenerateRuntime(cfg, slot.Runtime)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(files, func(f generator.File) bool { return f.Slot != nil && *f.Slot == slot })
	if i < 0 {
		return nil, fmt.Errorf("seal: no place for the token of %q in runtime %q", slot.User, slot.Runtime)
	}
	files[i].Data, files[i].Mode = data, generator.Generated
	return generator.PlanRuntime(tree, files, slot.Runtime)
}

// readConfig reads and parses the configuration file name; with runtimes,
// only what those runtimes need of it (config.ParseRuntimes).
func readConfig(root *os.Root, dir, name string, runtimes ...string) ([]byte, *config.Config, error) {
	display := filepath.Join(dir, name)
	raw, err := fs.ReadFile(repofs.FS(root), filepath.ToSlash(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%s not found: run `rtconf init` first, or pass --dir with the repository folder", display)
	}
	if err != nil {
		return nil, nil, configReadError(display, err)
	}
	parse := config.Parse
	if len(runtimes) > 0 {
		parse = func(file string, data []byte) (*config.Config, error) {
			return config.ParseRuntimes(file, data, runtimes...)
		}
	}
	cfg, err := parse(display, raw)
	if err != nil {
		return nil, nil, err
	}
	return raw, cfg, nil
}

func findRuntime(cfg *config.Config, name string) (config.Runtime, error) {
	if rt, ok := cfg.Runtime(name); ok {
		return rt, nil
	}
	var names []string
	for _, rt := range cfg.Runtimes {
		names = append(names, rt.Name)
	}
	return config.Runtime{}, &UsageError{fmt.Sprintf("runtime %q is not in %s (runtimes: %s)", name, cfg.File, strings.Join(names, ", "))}
}

func checkUser(rt config.Runtime, login string) error {
	if rt.RuntimeTokenAsUserToken {
		return &UsageError{fmt.Sprintf("runtime %q uses its runtime token as every user's token (runtimeTokenAsUserToken): there is no user token to seal", rt.Name)}
	}
	for _, u := range rt.Users {
		if strings.EqualFold(u, login) {
			return nil
		}
	}
	return &UsageError{fmt.Sprintf("user %q is not listed in runtime %q; add it to users in rtconf.yaml first", login, rt.Name)}
}

func mergeChanges(a, b []generator.Change) []generator.Change {
	out := append(append([]generator.Change{}, a...), b...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
