package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rtconf/rtconf/internal/cluster"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/status"
	"github.com/rtconf/rtconf/internal/validator"
)

// DefaultApplyTimeout is how long apply waits for a runtime by default.
const DefaultApplyTimeout = 5 * time.Minute

// Remote is the Git remote whose branch Argo CD is taken to sync.
const Remote = "origin"

// NotReadyError is a repository that is not ready to apply: validate
// finds errors, or what Argo CD would sync is not what is checked out.
type NotReadyError struct {
	Msg      string
	Problems []string
}

func (e *NotReadyError) Error() string {
	if len(e.Problems) == 0 {
		return e.Msg
	}
	return e.Msg + ":\n  " + strings.Join(e.Problems, "\n  ")
}

// ApplyOptions are the inputs of Apply.
type ApplyOptions struct {
	Dir, ConfigFile string
	// Runtimes are the runtimes to apply; All applies every one.
	Runtimes []string
	All      bool
	Client   *cluster.Client
	// DryRun asks the API server what it would do (server-side dry-run)
	// and waits for nothing.
	DryRun bool
	// Timeout bounds the wait of each runtime; Interval is how often it
	// looks.
	Timeout, Interval time.Duration
	// Now is the time certificates are validated at.
	Now time.Time
	// Progress, when set, is told each time what a runtime waits for
	// changes.
	Progress func(runtime string, v cluster.Verdict)
}

// RuntimeApplied is what Apply did for one runtime.
type RuntimeApplied struct {
	Runtime string `json:"runtime"`
	// Namespaces are the namespaces it created.
	Namespaces []string          `json:"createdNamespaces"`
	Applied    []cluster.Applied `json:"applied"`
	Verdict    cluster.Verdict   `json:"-"`
	TimedOut   bool              `json:"timedOut,omitempty"`
}

// ApplyResult is what Apply did.
type ApplyResult struct {
	// Commit is the commit applied: HEAD, which the remote branch
	// Argo CD syncs holds.
	Commit, Branch string
	Runtimes       []RuntimeApplied
}

// Apply sends each chosen runtime's rendered overlay to the cluster with
// server-side apply, credentials first, and waits until its SealedSecrets
// are unsealed and its self-managing Application is Synced and Healthy at
// the commit. It refuses (a *NotReadyError) unless validate finds no error
// for the runtime and HEAD is committed and on the remote branch Argo CD
// syncs. A runtime that fails or times out ends the run; its
// RuntimeApplied says why.
func Apply(ctx context.Context, opts ApplyOptions) (ApplyResult, error) {
	var res ApplyResult
	if opts.ConfigFile == "" {
		opts.ConfigFile = config.FileName
	}
	if opts.Interval == 0 {
		opts.Interval = time.Second
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultApplyTimeout
	}
	root, err := os.OpenRoot(opts.Dir)
	if err != nil {
		return res, fmt.Errorf("open repository: %w", err)
	}
	defer root.Close()
	cfg, err := loadConfig(root, opts.Dir, opts.ConfigFile)
	if err != nil {
		return res, err
	}
	runtimes, err := chosenRuntimes(cfg, opts.Runtimes, opts.All)
	if err != nil {
		return res, err
	}
	if res.Commit, res.Branch, err = syncedCommit(opts.Dir, cfg); err != nil {
		return res, err
	}
	if err := validFor(ctx, root, cfg, opts, runtimes); err != nil {
		return res, err
	}
	for _, rt := range runtimes {
		ra, err := applyRuntime(ctx, root, cfg, rt, res.Commit, opts)
		res.Runtimes = append(res.Runtimes, ra)
		if err != nil || ra.Verdict.Failed != nil || ra.TimedOut {
			return res, err
		}
	}
	return res, nil
}

func chosenRuntimes(cfg *config.Config, names []string, all bool) ([]config.Runtime, error) {
	switch {
	case all && len(names) > 0:
		return nil, &UsageError{"give --runtime NAME or --all-runtimes, not both"}
	case all:
		return cfg.Runtimes, nil
	case len(names) == 0:
		return nil, &UsageError{"missing --runtime NAME (or --all-runtimes)"}
	}
	var out []config.Runtime
	for _, n := range names {
		rt, err := findRuntime(cfg, n)
		if err != nil {
			return nil, err
		}
		out = append(out, rt)
	}
	return out, nil
}

// syncedCommit is the commit Argo CD will sync: HEAD, provided the work
// tree holds nothing uncommitted, HEAD is on the branch rtconf.yaml names,
// and the remote's branch (as last fetched or pushed) is HEAD.
func syncedCommit(dir string, cfg *config.Config) (commit, branch string, err error) {
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return "", "", &NotReadyError{Msg: fmt.Sprintf("the repository must be committed and pushed before it is applied: %v", err)}
	}
	if !repo.HasCommits() {
		return "", "", &NotReadyError{Msg: "the repository has no commit yet: commit and push it first (Argo CD syncs the remote, not the work tree)"}
	}
	dirty, err := repo.Dirty()
	if err != nil {
		return "", "", err
	}
	if len(dirty) > 0 {
		if len(dirty) > 10 {
			dirty = append(dirty[:10], fmt.Sprintf("… and %d more", len(dirty)-10))
		}
		return "", "", &NotReadyError{Msg: "uncommitted changes: commit and push them first (Argo CD syncs the remote, not the work tree)", Problems: dirty}
	}
	if branch, err = repo.Branch(); err != nil {
		return "", "", &NotReadyError{Msg: err.Error()}
	}
	want := cfg.Repository.Revision
	if want != "" && branch != want {
		return "", "", &NotReadyError{Msg: fmt.Sprintf("HEAD is on branch %s, but Argo CD syncs %s (repository.revision): check out %s", branch, want, want)}
	}
	if commit, err = repo.Head(); err != nil {
		return "", "", err
	}
	remote, ok := repo.RemoteBranch(Remote, branch)
	switch {
	case !ok:
		return "", "", &NotReadyError{Msg: fmt.Sprintf("commit %s is not pushed: there is no %s/%s; push it first (git push %s %s), Argo CD syncs the remote", commit[:7], Remote, branch, Remote, branch)}
	case remote != commit:
		return "", "", &NotReadyError{Msg: fmt.Sprintf("commit %s is not what %s/%s holds (%s, as last fetched): push or pull first, Argo CD syncs the remote", commit[:7], Remote, branch, remote[:7])}
	}
	return commit, branch, nil
}

// validFor runs validate and refuses when it finds an error in one of
// runtimes or in the repository as a whole, or a token of theirs is not
// sealed.
func validFor(ctx context.Context, root *os.Root, cfg *config.Config, opts ApplyOptions, runtimes []config.Runtime) error {
	vo := validator.DefaultOptions()
	vo.ConfigFile = opts.ConfigFile
	vo.Now = opts.Now
	rep, err := validator.Validate(ctx, repofs.FS(root), vo)
	if err != nil {
		return err
	}
	chosen := map[string]bool{}
	for _, rt := range runtimes {
		chosen[rt.Name] = true
	}
	var problems []string
	for _, f := range rep.Findings {
		if f.Severity != validator.Error || (f.Runtime != "" && !chosen[f.Runtime]) {
			continue
		}
		at := f.Path
		if f.Line > 0 {
			at = fmt.Sprintf("%s:%d", f.Path, f.Line)
		}
		problems = append(problems, fmt.Sprintf("%s: %s [%s]", at, f.Message, f.Rule))
	}
	if len(problems) > 0 {
		return &NotReadyError{Msg: fmt.Sprintf("rtconf validate finds %d error(s): fix them, commit and push first", len(problems)), Problems: problems}
	}
	return unsealedTokens(root, cfg, chosen)
}

// unsealedTokens refuses runtimes whose Git tokens are not all sealed: a
// placeholder would reach the cluster where Argo CD needs credentials.
func unsealedTokens(root *os.Root, cfg *config.Config, chosen map[string]bool) error {
	rep, err := status.Compute(repofs.FS(root), cfg)
	if err != nil {
		return err
	}
	var problems []string
	for _, rt := range rep.Runtimes {
		if !chosen[rt.Name] {
			continue
		}
		for _, tok := range append([]status.Token{rt.RuntimeToken}, rt.Users...) {
			if tok.State != status.Sealed && tok.State != status.Covered {
				problems = append(problems, fmt.Sprintf("%s: %s", tok.Path, tok.State))
			}
		}
	}
	if len(problems) > 0 {
		return &NotReadyError{Msg: "some Git tokens are not sealed (rtconf status says how to seal them): seal, commit and push them first", Problems: problems}
	}
	return nil
}

func applyRuntime(ctx context.Context, root *os.Root, cfg *config.Config, rt config.Runtime, commit string, opts ApplyOptions) (RuntimeApplied, error) {
	ra := RuntimeApplied{Runtime: rt.Name, Namespaces: []string{}, Applied: []cluster.Applied{}}
	objs, err := renderObjects(root, rt.Name)
	if err != nil {
		return ra, err
	}
	var namespaces []string
	var target cluster.Target
	target.Revision = commit
	target.App = cluster.Ref{Kind: cluster.KindApplication, Namespace: cfg.ArgoNamespace(rt), Name: config.AppName(rt)}
	for _, o := range objs {
		namespaces = append(namespaces, o.GetNamespace())
		if o.GetKind() == cluster.KindSealedSecret {
			target.Secrets = append(target.Secrets, cluster.RefOf(o))
		}
	}
	if ra.Namespaces, err = opts.Client.EnsureNamespaces(ctx, namespaces, opts.DryRun); err != nil {
		return ra, err
	}
	if ra.Applied, err = opts.Client.Apply(ctx, objs, opts.DryRun, ra.Namespaces...); err != nil {
		return ra, err
	}
	if opts.DryRun {
		return ra, nil
	}
	wctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	progress := func(v cluster.Verdict) {
		if opts.Progress != nil {
			opts.Progress(rt.Name, v)
		}
	}
	ra.Verdict, err = opts.Client.Wait(wctx, target, opts.Interval, progress)
	if errors.Is(err, cluster.ErrTimeout) {
		if ctx.Err() != nil {
			return ra, ctx.Err()
		}
		ra.TimedOut = true
		return ra, nil
	}
	return ra, err
}

// renderObjects is a runtime's overlay as the cluster is sent it,
// credentials first.
func renderObjects(root *os.Root, runtime string) ([]*unstructured.Unstructured, error) {
	maps, err := validator.Render(repofs.FS(root), runtime)
	if err != nil {
		return nil, err
	}
	objs := make([]*unstructured.Unstructured, len(maps))
	for i, m := range maps {
		objs[i] = &unstructured.Unstructured{Object: m}
	}
	return cluster.Order(objs), nil
}
