package validator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"sort"
	"strconv"
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

// Shard is the I-th of N parts of the runtimes (1-based); the zero Shard is
// everything. Findings that belong to no runtime go to shard 1.
type Shard struct {
	Index, Total int
}

// ParseShard reads "I/N".
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(i)
	total, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: write I/N, e.g. 1/4", s)
	}
	sh := Shard{Index: index, Total: total}
	return sh, sh.validate()
}

func (s Shard) validate() error {
	if s == (Shard{}) {
		return nil
	}
	if s.Total < 1 || s.Index < 1 || s.Index > s.Total {
		return fmt.Errorf("shard %d/%d: I must be between 1 and N", s.Index, s.Total)
	}
	return nil
}

func (s Shard) String() string {
	if s == (Shard{}) {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Total)
}

// Partition assigns each runtime to a shard: sorted by name, dealt round
// robin, so shards differ in size by at most one. Names not in the list
// (e.g. a stale overlay) are placed by a hash of the name.
func (s Shard) Partition(names []string) map[string]int {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	out := make(map[string]int, len(sorted))
	for i, n := range sorted {
		out[n] = i%max(s.Total, 1) + 1
	}
	return out
}

// owner returns the shard of a runtime name.
func (s Shard) owner(part map[string]int, name string) int {
	if s.Total <= 1 {
		return 1
	}
	if name == "" {
		return 1
	}
	if i, ok := part[name]; ok {
		return i
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32()%uint32(s.Total)) + 1
}

// Validate checks the repository in fsys and reports what it found. An
// error means it could not run; problems in the repository are findings.
func Validate(ctx context.Context, fsys fs.FS, opts Options) (Report, error) {
	if err := opts.Validate(); err != nil {
		return Report{}, err
	}
	set := opts.Schemas
	if set == nil {
		set = schemas.NewManifestSet()
	}
	r, findings, err := readRepo(fsys)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Files: len(r.paths), Shard: opts.Shard.String()}
	cfg, cf := configFindings(r, opts.ConfigFile)
	findings = append(findings, cf...)

	var names []string
	if cfg != nil {
		for _, rt := range cfg.Runtimes {
			names = append(names, rt.Name)
		}
	}
	part := opts.Shard.Partition(names)
	mine := func(rt string) bool { return opts.Shard.Total <= 1 || opts.Shard.owner(part, rt) == opts.Shard.Index }
	for _, n := range names {
		if mine(n) {
			rep.Runtimes = append(rep.Runtimes, n)
		}
	}
	sort.Strings(rep.Runtimes)

	findings = append(findings, tokenFindings(r)...)
	findings = append(findings, journalFinding(r)...)
	oc := &objectChecker{repo: r, schemas: set, strict: opts.Strict, cfg: cfg, now: opts.Now}
	// The drift check re-renders the whole tree: it runs beside the
	// Kustomize builds.
	drift := make(chan []Finding, 1)
	if cfg != nil {
		go func() { drift <- driftFindings(r, cfg) }()
	} else {
		drift <- nil
	}
	if cfg != nil {
		anySealed := false
		for _, p := range r.paths {
			if isYAML(p) && bytes.Contains(r.files[p], []byte("kind: SealedSecret")) {
				anySealed = true
				break
			}
		}
		var certFindings []Finding
		oc.keyBytes, certFindings = certificateFindings(r, cfg, opts.Now, anySealed)
		oc.pinned = cfg.Sealing.Fingerprint
		findings = append(findings, certFindings...)
	}

	for _, p := range plainManifests(r) {
		objs, mf := manifestObjects(r, p)
		findings = append(findings, mf...)
		rep.Objects += len(objs)
		for _, obj := range objs {
			findings = append(findings, oc.check(obj, p, p, runtimeOf(p))...)
		}
	}

	roots, kf := r.kustomizations()
	findings = append(findings, kf...)
	var todo []string
	for _, root := range roots {
		if mine(rootRuntime(root)) && !hasRemote(kf, root) {
			todo = append(todo, root)
		}
	}
	check := func(root string, objs []rendered, err error) rootResult {
		return checkRoot(r, oc, cfg, opts.Strict, root, objs, err)
	}
	results, err := buildAll(ctx, r, todo, opts, check)
	findings = append(findings, <-drift...)
	if err != nil {
		return Report{}, err
	}
	for _, res := range results {
		rep.Objects += res.objects
		findings = append(findings, res.findings...)
	}

	if cfg != nil && opts.Live != nil {
		where := &destination{live: opts.Live, cfg: cfg}
		for _, rt := range cfg.Runtimes {
			if mine(rt.Name) {
				findings = append(findings, liveFindings(ctx, r, cfg, rt, opts.Live, where)...)
			}
		}
	}

	for _, f := range findings {
		if mine(f.Runtime) {
			rep.Findings = append(rep.Findings, f)
		}
	}
	sortFindings(rep.Findings)
	rep.Findings = dedupe(rep.Findings)
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if rep.Runtimes == nil {
		rep.Runtimes = []string{}
	}
	return rep.redacted(), nil
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
		if _, ok := r.files[path.Join(root, n)]; ok {
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
