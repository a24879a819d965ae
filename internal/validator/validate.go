package validator

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path"
	"strings"
	"time"

	"sigs.k8s.io/kustomize/api/types"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/schemas"
)

// Options are the inputs of Validate.
type Options struct {
	// ConfigFile is the configuration's path in the repository.
	ConfigFile string
	// Strict turns unknown kinds and pending tokens into errors.
	Strict bool
	// Shard, when set, validates one deterministic part of the runtimes.
	Shard Shard
	// Now is the time certificates are checked at.
	Now time.Time
	// Parallelism bounds the overlays built at once; 0 means one per CPU.
	Parallelism int
	// Progress, if set, is called after each Kustomize build.
	Progress func(done, total int)
	// Schemas validates manifests; a new set when nil.
	Schemas *schemas.ManifestSet
	// Live, when set, also checks the tokens CI holds against GitHub.
	Live *Live
}

// DefaultOptions validates everything in rtconf.yaml.
func DefaultOptions() Options {
	return Options{ConfigFile: config.FileName}
}

// Validate checks the options.
func (o Options) Validate() error {
	if o.ConfigFile == "" {
		return errors.New("no configuration file given")
	}
	if o.Now.IsZero() {
		return errors.New("validate: no clock")
	}
	return o.Shard.validate()
}

// Validate checks the repository in fsys and reports what it found. An
// error means it could not run; problems in the repository are findings.
func Validate(ctx context.Context, fsys fs.FS, opts Options) (Report, error) {
	if err := opts.Validate(); err != nil {
		return Report{}, err
	}
	r, cfg, scope, findings, err := readScoped(fsys, opts)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Files: scope.ownFiles(r.paths), Shard: opts.Shard.String(), Runtimes: scope.runtimes()}

	findings = append(findings, tokenFindings(r, scope)...)
	findings = append(findings, journalFinding(r)...)
	drift := startDriftCheck(r, cfg, scope)
	// The live checks wait on the network, not the CPU: they run beside
	// the builds.
	live := make(chan []Finding, 1)
	go func() { live <- liveRuntimeFindings(ctx, r, cfg, opts.Live, scope) }()
	oc, certFindings := newObjectChecker(r, cfg, opts)
	findings = append(findings, certFindings...)

	plain, objects := plainManifestFindings(r, oc, scope)
	findings = append(findings, plain...)
	rep.Objects += objects

	roots, kf := rootsToBuild(r, scope)
	findings = append(findings, kf...)
	check := func(root string, objs []rendered, err error) rootResult {
		return checkRoot(r, oc, cfg, opts.Strict, root, objs, err)
	}
	results, err := buildAll(ctx, r, roots, opts, check)
	findings = append(findings, <-drift...)
	findings = append(findings, <-live...)
	if err != nil {
		return Report{}, err
	}
	for _, res := range results {
		rep.Objects += res.objects
		findings = append(findings, res.findings...)
	}

	rep.Findings = scope.own(findings)
	return rep.finished(), nil
}

// readScoped reads the repository as the scope of opts needs it: for the
// whole repository every file; for a shard, its own runtimes' files (see
// runtimeScope.reads), without listing other shards' runtime folders. It
// returns the configuration, the scope and the findings of reading both.
func readScoped(fsys fs.FS, opts Options) (*repo, *config.Config, runtimeScope, []Finding, error) {
	r := newRepo(fsys)
	cfg, cf, early := shardConfig(r, opts)
	var prune func(dir string) bool
	if cfg != nil {
		prune = newRuntimeScope(opts.Shard, cfg).prunes
	}
	findings, err := r.list(prune)
	if err != nil {
		return nil, nil, runtimeScope{}, nil, err
	}
	if early && r.unread[opts.ConfigFile] {
		// The listing found it no regular file (a symlink the fs.FS
		// followed): it is not read, as in a whole run.
		delete(r.files, opts.ConfigFile)
		early = false
	}
	if !early {
		findings = append(findings, r.read(func(p string) bool { return p == opts.ConfigFile })...)
		cfg, cf = configFindings(r, opts.ConfigFile)
	}
	scope := newRuntimeScope(opts.Shard, cfg)
	findings = append(append(findings, cf...), r.read(scope.reads)...)
	return r, cfg, scope, findings, nil
}

// shardConfig is how a shard starts: it reads rtconf.yaml before it lists
// the tree, to know whose folders it need not list (a file in one is read
// only if one of its own builds asks for it). It reports whether it read
// the file; a whole validation reads nothing here.
func shardConfig(r *repo, opts Options) (*config.Config, []Finding, bool) {
	if opts.Shard.Total <= 1 {
		return nil, nil, false
	}
	data, problem := readFile(r.fsys, opts.ConfigFile)
	if problem != nil {
		return nil, nil, false
	}
	r.files[opts.ConfigFile] = data
	cfg, cf := configFindings(r, opts.ConfigFile)
	return cfg, cf, true
}

// startDriftCheck starts the drift check, which re-renders the whole tree,
// to run beside the Kustomize builds; its findings come on the channel
// (none without a configuration).
func startDriftCheck(r *repo, cfg *config.Config, scope runtimeScope) <-chan []Finding {
	drift := make(chan []Finding, 1)
	if cfg == nil {
		drift <- nil
		return drift
	}
	go func() { drift <- driftFindings(r, cfg, scope) }()
	return drift
}

// newObjectChecker is the checker of every manifest, with the options'
// schemas (a new set when nil) and, when there is a configuration, the
// pinned certificate; it returns the findings about that certificate.
func newObjectChecker(r *repo, cfg *config.Config, opts Options) (*objectChecker, []Finding) {
	set := opts.Schemas
	if set == nil {
		set = schemas.NewManifestSet()
	}
	oc := &objectChecker{repo: r, schemas: set, strict: opts.Strict, cfg: cfg, now: opts.Now}
	if cfg == nil {
		return oc, nil
	}
	var certFindings []Finding
	oc.keyBytes, certFindings = certificateFindings(r, cfg, opts.Now, anySealedSecret(r))
	certFindings = append(certFindings, demoPinFindings(cfg)...)
	oc.pinned = cfg.Sealing.Fingerprint
	return oc, certFindings
}

// anySealedSecret reports whether a YAML file of the repository holds a
// SealedSecret, as far as its text says. The files already read are
// looked at first, so that a shard reads no other for this.
func anySealedSecret(r *repo) bool {
	holds := func(p string) bool {
		return isYAML(p) && bytes.Contains(r.data(p), []byte("kind: SealedSecret"))
	}
	for _, p := range r.paths {
		if r.wasRead(p) && holds(p) {
			return true
		}
	}
	for _, p := range r.paths {
		if !r.wasRead(p) && holds(p) {
			return true
		}
	}
	return false
}

// plainManifestFindings checks the objects of the manifests that no
// kustomization renders, and counts them.
func plainManifestFindings(r *repo, oc *objectChecker, scope runtimeScope) ([]Finding, int) {
	var out []Finding
	objects := 0
	for _, p := range plainManifests(r) {
		if !scope.covers(runtimeOf(p)) {
			continue // each of its findings is another shard's
		}
		objs, mf := manifestObjects(r, p)
		out = append(out, mf...)
		objects += len(objs)
		for _, obj := range objs {
			out = append(out, oc.check(obj, p, p, runtimeOf(p))...)
		}
	}
	return out, objects
}

// rootsToBuild lists the Kustomize roots of the scope's runtimes that can
// be built offline (they reference no remote base), with the findings about
// the repository's kustomizations.
func rootsToBuild(r *repo, scope runtimeScope) ([]string, []Finding) {
	roots, kf := r.kustomizations()
	var todo []string
	for _, root := range roots {
		if scope.covers(rootRuntime(root)) && !hasRemote(kf, root) {
			todo = append(todo, root)
		}
	}
	return todo, kf
}

// finished is the report as Validate returns it: findings sorted, without
// repeats, empty lists rather than none, and redacted.
func (rep Report) finished() Report {
	sortFindings(rep.Findings)
	rep.Findings = dedupe(rep.Findings)
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if rep.Runtimes == nil {
		rep.Runtimes = []string{}
	}
	return rep.redacted()
}

// rootRuntime is the runtime whose overlay a Kustomize root is, or "".
func rootRuntime(root string) string {
	if rest, ok := strings.CutPrefix(root, generator.DirOverlays+"/"); ok && !strings.Contains(rest, "/") {
		return rest
	}
	return runtimeOf(root + "/")
}

// buildErrorPosition points at the entry of the kustomization that a build
// error names, when it names one.
func buildErrorPosition(kustomization []byte, msg string) (int, int) {
	var k types.Kustomization
	if err := sigsyaml.Unmarshal(kustomization, &k); err != nil {
		line, col, _ := yamlErrorPosition(kustomization, err)
		return line, col
	}
	for _, ref := range append(append([]string{}, k.Resources...), k.Components...) {
		if strings.Contains(msg, "'"+ref+"'") {
			return refPosition(kustomization, ref)
		}
	}
	return 0, 0
}

func kustomizationFile(r *repo, root string) string {
	for _, n := range kustomizationNames() {
		if _, ok := r.file(path.Join(root, n)); ok {
			return path.Join(root, n)
		}
	}
	return path.Join(root, "kustomization.yaml")
}

func hasRemote(findings []Finding, root string) bool {
	for _, f := range findings {
		if f.Rule == RuleRemoteBase && path.Dir(f.Path) == root {
			return true
		}
	}
	return false
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func dedupe(fs []Finding) []Finding {
	out := fs[:0]
	for _, f := range fs {
		if len(out) > 0 && out[len(out)-1] == f {
			continue
		}
		out = append(out, f)
	}
	return out
}
