package workspace

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/writer"
)

// DefaultCertificatePath is where `rtconf cert pin` stores the certificate
// when rtconf.yaml names no path.
const DefaultCertificatePath = "certs/sealed-secrets.pem"

// SealOptions are the inputs of Seal.
type SealOptions struct {
	Dir        string
	ConfigFile string
	Runtime    string
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
	// DryRun plans the changes without writing them: no lock, and a
	// journal left by an interrupted run is reported, not rolled back.
	DryRun bool
	Run    RunOptions

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
	if o.Runtime == "" {
		return &UsageError{"missing --runtime"}
	}
	if o.Token.Reveal() == "" {
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
}

// Seal encrypts a token into its place in the runtime's overlay, together
// with any generated file that is out of date, all at once or not at all.
func Seal(ctx context.Context, opts SealOptions) (SealResult, error) {
	if err := opts.Validate(); err != nil {
		return SealResult{}, err
	}
	var root *os.Root
	if opts.DryRun {
		r, err := readTree(opts.Dir)
		if err != nil {
			return SealResult{}, err
		}
		defer r.Close()
		root = r
	} else {
		t, err := openTree(ctx, opts.Dir, opts.ConfigFile, opts.Run)
		if err != nil {
			return SealResult{}, err
		}
		defer t.Close()
		root = t.Root
	}
	raw, cfg, err := readConfig(root, opts.Dir, opts.ConfigFile)
	if err != nil {
		return SealResult{}, err
	}
	rt, err := findRuntime(cfg, opts.Runtime)
	if err != nil {
		return SealResult{}, err
	}
	if opts.Token, err = ownToken(cfg, opts.Token); err != nil {
		return SealResult{}, err
	}
	login := strings.ToLower(opts.User)
	if opts.User != "" {
		if err := checkUser(rt, opts.User); err != nil {
			return SealResult{}, err
		}
	}

	cert, source, err := loadCertificate(ctx, root, cfg, opts.Cert, opts.HTTPClient)
	if err != nil {
		return SealResult{}, err
	}
	warnings, err := cert.Check(source, seal.CheckOptions{Pinned: cfg.Sealing.Fingerprint, AcceptNew: opts.AcceptNewCert, Now: opts.Now})
	if err != nil {
		return SealResult{}, err
	}
	var extra []generator.Change
	switch {
	case cfg.Sealing.Fingerprint == "":
		warnings = append(warnings, "the certificate is not pinned: run `rtconf cert pin` so that sealing and validation refuse another one")
	case !strings.EqualFold(cfg.Sealing.Fingerprint, cert.Fingerprint):
		// --accept-new-cert: Check allowed it, so pin it.
		extra, err = pinChanges(root, opts.ConfigFile, raw, cfg, cert, "")
		if err != nil {
			return SealResult{}, err
		}
	}

	record, liveWarnings, err := liveCheck(ctx, cfg, rt, login, opts)
	if err != nil {
		return SealResult{}, err
	}
	warnings = append(warnings, liveWarnings...)

	var ss []byte
	var comment string
	if login == "" {
		obj, err := seal.RuntimeToken(cfg, rt, opts.Token, cert, opts.Now)
		if err != nil {
			return SealResult{}, err
		}
		for k, v := range record {
			obj.Annotations[k] = v
		}
		comment = fmt.Sprintf("Git runtime token of runtime %s, sealed by rtconf.\nReplace it with: rtconf seal runtime-token --runtime %s", rt.Name, rt.Name)
		ss, err = seal.Marshal(obj, generator.Header, comment)
		if err != nil {
			return SealResult{}, err
		}
	} else {
		obj, err := seal.UserToken(cfg, rt, login, opts.Token, cert, opts.Now)
		if err != nil {
			return SealResult{}, err
		}
		for k, v := range record {
			obj.Annotations[k] = v
		}
		comment = fmt.Sprintf("Git user token of %s on runtime %s, sealed by rtconf.\nReplace it with: rtconf seal user-token --runtime %s --user %s", login, rt.Name, rt.Name, login)
		ss, err = seal.Marshal(obj, generator.Header, comment)
		if err != nil {
			return SealResult{}, err
		}
	}

	files, err := generator.Generate(cfg)
	if err != nil {
		return SealResult{}, err
	}
	slot := -1
	for i, f := range files {
		if f.Slot != nil && f.Slot.Runtime == rt.Name && f.Slot.User == login {
			slot = i
		}
	}
	if slot < 0 {
		return SealResult{}, fmt.Errorf("seal: no place for the token of %q in runtime %q", login, rt.Name)
	}
	files[slot].Data = ss
	files[slot].Mode = generator.Generated
	changes, err := generator.Plan(repofs.FS(root), files)
	if err != nil {
		return SealResult{}, err
	}
	changes = mergeChanges(changes, extra)
	if !opts.DryRun {
		if err := writer.Apply(opts.faults.fs(root), changes); err != nil {
			return SealResult{}, fmt.Errorf("write %s: %w", opts.Dir, err)
		}
	}
	return SealResult{Result: Result{Changes: changes}, Path: files[slot].Path, Warnings: warnings}, nil
}

// RefusedError is a token the live check found lacking.
type RefusedError struct {
	Reasons []string
}

func (e *RefusedError) Error() string {
	return "refusing to seal the token: " + strings.Join(e.Reasons, "; ") +
		" (fix the token, or pass --skip-live-check to seal it unverified)"
}

// liveCheck checks the token against its Git host unless told not to, and
// returns the annotations that record the result.
func liveCheck(ctx context.Context, cfg *config.Config, rt config.Runtime, login string, opts SealOptions) (map[string]string, []string, error) {
	now := opts.Now.UTC().Format(time.RFC3339)
	if opts.SkipLiveCheck {
		return map[string]string{seal.AnnotationVerification: seal.VerificationUnverified},
			[]string{"sealed without a live check: the token's scopes and expiry are unverified"}, nil
	}
	kind := forge.RuntimeToken
	if login != "" {
		kind = forge.UserToken
	}
	f := cfg.Forge()
	live := opts.Live
	if live.Owner == "" {
		live.Owner, live.Repo, _ = cfg.OwnerRepo()
	}
	dest, err := opts.Trust.Resolve(f, cfg.Repository.URL, cfg.Repository.APIURL)
	if err != nil {
		return nil, nil, fmt.Errorf("%w; nothing was sent (pass --skip-live-check to seal the token unverified)", err)
	}
	live.APIURL = dest.APIURL
	live.Now = opts.Now
	res, err := f.Check(ctx, opts.Token, forge.NeedFor(kind, rt.RuntimeTokenAsUserToken), live)
	if err != nil {
		return nil, nil, fmt.Errorf("%w; pass --skip-live-check to seal it unverified", err)
	}
	reasons, warnings := refusals(res)
	if reasons != nil {
		return nil, nil, &RefusedError{Reasons: reasons}
	}
	record := map[string]string{
		seal.AnnotationVerification: seal.VerificationVerified,
		seal.AnnotationCheckedAt:    now,
		seal.AnnotationScopes:       strings.Join(res.Granted(), ", "),
	}
	if res.Outcome() == forge.Inconclusive {
		record[seal.AnnotationVerification] = seal.VerificationPartial
	}
	if !res.ExpiresAt.IsZero() {
		record[seal.AnnotationExpiresAt] = res.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return record, warnings, nil
}

// refusals phrases a check's issues for sealing: the reasons to refuse the
// token, and the warnings to seal it with.
func refusals(res forge.Result) (reasons, warnings []string) {
	var expiring []string
	for _, is := range res.Issues() {
		switch is.Kind {
		case forge.IssueInvalid:
			reasons = append(reasons, res.Problem)
		case forge.IssueExpired:
			reasons = append(reasons, "the token expired on "+res.ExpiresAt.Format(time.RFC3339))
		case forge.IssueMissing:
			reasons = append(reasons, fmt.Sprintf("%s is missing (%s)", is.Requirement.Name, is.Requirement.Detail))
		case forge.IssueUnverified:
			warnings = append(warnings, fmt.Sprintf("%s could not be verified: %s", is.Requirement.Name, is.Requirement.Detail))
		case forge.IssueExpiring:
			expiring = append(expiring, "the token expires on "+res.ExpiresAt.Format(time.RFC3339)+": rotate it soon")
		}
	}
	return reasons, append(warnings, expiring...)
}

func readConfig(root *os.Root, dir, name string) ([]byte, *config.Config, error) {
	display := filepath.Join(dir, name)
	raw, err := fs.ReadFile(repofs.FS(root), filepath.ToSlash(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%s not found: run `rtconf init` first, or pass --dir with the repository folder", display)
	}
	if err != nil {
		return nil, nil, configReadError(display, err)
	}
	cfg, err := config.Parse(display, raw)
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

func mergeChanges(a, b []generator.Change) []generator.Change {
	out := append(append([]generator.Change{}, a...), b...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// PinOptions are the inputs of Pin.
type PinOptions struct {
	Dir        string
	ConfigFile string
	// Cert is the certificate file or https URL to pin.
	Cert string
	// Path is where to store it in the repository; default: the path
	// rtconf.yaml names, or DefaultCertificatePath.
	Path       string
	Now        time.Time
	HTTPClient *http.Client
	Run        RunOptions
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
	if opts.Dir == "" || opts.Cert == "" {
		return PinResult{}, &UsageError{"missing --cert FILE|URL"}
	}
	if opts.ConfigFile == "" {
		opts.ConfigFile = config.FileName
	}
	t, err := openTree(ctx, opts.Dir, opts.ConfigFile, opts.Run)
	if err != nil {
		return PinResult{}, err
	}
	defer t.Close()
	root := t.Root
	raw, cfg, err := readConfig(root, opts.Dir, opts.ConfigFile)
	if err != nil {
		return PinResult{}, err
	}
	data, err := seal.ReadCertificate(ctx, opts.HTTPClient, opts.Cert)
	if err != nil {
		return PinResult{}, err
	}
	cert, err := seal.ParseCertificate(opts.Cert, data)
	if err != nil {
		return PinResult{}, err
	}
	// Pinning is the explicit way to accept a new certificate.
	warnings, err := cert.Check(opts.Cert, seal.CheckOptions{Now: opts.Now})
	if err != nil {
		return PinResult{}, err
	}
	changes, err := pinChanges(root, opts.ConfigFile, raw, cfg, cert, opts.Path)
	if err != nil {
		return PinResult{}, err
	}
	if err := writer.Apply(root, changes); err != nil {
		return PinResult{}, fmt.Errorf("write %s: %w", opts.Dir, err)
	}
	return PinResult{Result: Result{Changes: changes}, Fingerprint: cert.Fingerprint, Previous: cfg.Sealing.Fingerprint, Warnings: warnings}, nil
}
