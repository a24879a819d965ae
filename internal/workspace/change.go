package workspace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/repolock"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/writer"
)

// A Change is one edit of the repository that `rtconf runtime add`, `user
// add`, `token rotate` and their kin make: it plans file changes, which
// are then written to the working tree, or committed on a branch, pushed
// and proposed as a pull request.
type Change struct {
	// Slug names the branch: rtconf/<Slug>.
	Slug string
	// Title is the commit's and pull request's title.
	Title string
	// Affected lists the runtimes and users the change touches, for the
	// pull request's body.
	Affected []string
	// Runtimes, when set, are the only runtimes Plan reads: rtconf.yaml is
	// then parsed for them alone (config.ParseRuntimes), so the change
	// costs the same in a repository of any size.
	Runtimes []string
	// Plan computes the file changes against the repository as it is.
	Plan func(ctx context.Context, root *os.Root, raw []byte, cfg *config.Config) (Planned, error)
}

// Planned is what a change will do.
type Planned struct {
	Changes []generator.Change
	// Notes tell what to do after the change (e.g. which token to revoke);
	// they are printed and added to the pull request.
	Notes []string
	// Warnings are printed.
	Warnings []string
}

// PROptions make a change a pull request.
type PROptions struct {
	// Token pushes the branch (HTTPS basic auth) and opens the pull request.
	Token token.Token
	// Remote is the Git URL to push to, the user's choice; default: the
	// remote "origin", else repository.url, either on the host of
	// repository.url.
	Remote string
	// Trust decides where the token may go (--api-url, GITHUB_API_URL in
	// GitHub Actions, or the API of repository.url's host).
	Trust      forge.Trust
	HTTPClient *http.Client
}

// ChangeOptions are the inputs of Apply.
type ChangeOptions struct {
	Dir, ConfigFile string
	Now             time.Time
	// PR, when set, commits the change on a branch and opens a pull
	// request instead of leaving it in the working tree.
	PR *PROptions
	// DryRun plans the change without writing or proposing it: no lock,
	// and a journal left by an interrupted run is reported, not rolled
	// back (GenerateOptions.DryRun). It does not go with PR.
	DryRun bool
	// Diff fills ChangeResult.Diffs in a dry run: what differs in each
	// file the change updates (GenerateOptions.Diff).
	Diff bool
	Run  RunOptions

	faults faultSeam
}

// ChangeResult says what a change did.
type ChangeResult struct {
	Planned
	Branch string
	Commit string
	PRURL  string
	// PRKind is what the host calls the request: "pull request" or
	// "merge request".
	PRKind string
	// Diffs holds, by path, what differs in each file updated, for a dry
	// run with ChangeOptions.Diff (Result.Diffs).
	Diffs map[string]string
}

// DirtyError refuses a pull request from a working tree with changes of
// its own.
type DirtyError struct{ Paths []string }

func (e *DirtyError) Error() string {
	shown := e.Paths
	more := ""
	if len(shown) > 10 {
		more = fmt.Sprintf(" and %d more", len(shown)-10)
		shown = shown[:10]
	}
	return fmt.Sprintf("the working tree has uncommitted changes: %s%s; commit or stash them first, so the pull request holds only rtconf's change",
		strings.Join(shown, ", "), more)
}

// ApplyChange plans ch and writes it, or proposes it as a pull request. A
// failure leaves the working tree as it was; after a failed push the
// change stays committed on its local branch.
func ApplyChange(ctx context.Context, ch Change, opts ChangeOptions) (ChangeResult, error) {
	if opts.Dir == "" || opts.ConfigFile == "" {
		return ChangeResult{}, &UsageError{"no repository folder given"}
	}
	if opts.DryRun {
		return planChange(ctx, ch, opts)
	}
	t, err := openTree(ctx, opts.Dir, opts.ConfigFile, opts.Run)
	if err != nil {
		return ChangeResult{}, err
	}
	defer t.Close()
	root := t.Root

	var repo *gitrepo.Repo
	var base string
	branch := "rtconf/" + ch.Slug
	if opts.PR != nil {
		if repo, base, err = prepareBranch(opts.Dir, branch); err != nil {
			return ChangeResult{}, err
		}
	}
	raw, cfg, err := readConfig(root, opts.Dir, opts.ConfigFile, ch.Runtimes...)
	if err != nil {
		return ChangeResult{}, err
	}
	planned, err := ch.Plan(ctx, root, raw, cfg)
	if err != nil {
		return ChangeResult{}, err
	}
	res := ChangeResult{Planned: planned}
	if len(planned.Changes) == 0 {
		return res, nil
	}
	if opts.PR == nil {
		if err := writer.Apply(opts.faults.fs(root), planned.Changes); err != nil {
			return ChangeResult{}, fmt.Errorf("write %s: %w", opts.Dir, err)
		}
		return res, nil
	}
	res.Branch = branch
	return proposeChange(ctx, repo, root, ch, cfg, base, res, opts)
}

// planChange is a dry run of ch: what it would change, and with
// opts.Diff how, read without the lock; nothing is written or pushed.
func planChange(ctx context.Context, ch Change, opts ChangeOptions) (ChangeResult, error) {
	if opts.PR != nil {
		return ChangeResult{}, &UsageError{"--dry-run shows the change without making it: leave out --pr"}
	}
	root, err := readTree(opts.Dir)
	if err != nil {
		return ChangeResult{}, err
	}
	defer root.Close()
	raw, cfg, err := readConfig(root, opts.Dir, opts.ConfigFile)
	if err != nil {
		return ChangeResult{}, err
	}
	planned, err := ch.Plan(ctx, root, raw, cfg)
	if err != nil {
		return ChangeResult{}, err
	}
	res := ChangeResult{Planned: planned}
	if opts.Diff {
		if res.Diffs, err = changeDiffs(root, planned.Changes); err != nil {
			return ChangeResult{}, err
		}
	}
	return res, nil
}

// prepareBranch checks that a pull request can be made from the working
// tree in dir: a Git repository on a branch, with no changes of its own,
// and no branch of that name yet.
func prepareBranch(dir, branch string) (*gitrepo.Repo, string, error) {
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return nil, "", err
	}
	if !repo.HasCommits() {
		return nil, "", fmt.Errorf("%s has no commits yet: commit and push the repository first (`rtconf init --push` does both)", dir)
	}
	base, err := repo.Branch()
	if err != nil {
		return nil, "", err
	}
	dirty, err := repo.Dirty()
	if err != nil {
		return nil, "", err
	}
	// The lock this run holds is no change of the user's.
	dirty = slices.DeleteFunc(dirty, func(p string) bool { return p == repolock.File })
	if len(dirty) > 0 {
		return nil, "", &DirtyError{Paths: dirty}
	}
	if repo.BranchExists(branch) {
		return nil, "", fmt.Errorf("branch %s already exists: merge or close its pull request and delete it (`git branch -D %s`), then run again", branch, branch)
	}
	return repo, base, nil
}

// proposeChange writes the change on a new branch, commits, pushes and
// opens the pull request, and returns to the base branch.
func proposeChange(ctx context.Context, repo *gitrepo.Repo, root *os.Root, ch Change, cfg *config.Config, base string, res ChangeResult, opts ChangeOptions) (ChangeResult, error) {
	owner, name, ok := cfg.OwnerRepo()
	if !ok {
		return ChangeResult{}, fmt.Errorf("repository.url %q names no GitHub owner/repository to open the pull request in", cfg.Repository.URL)
	}
	host, err := connect(cfg, opts.PR.Trust, opts.PR.Token, opts.PR.HTTPClient, opts.Now)
	if err != nil {
		return ChangeResult{}, err
	}
	remote, err := pushRemote(repo, cfg, opts.PR.Remote, "", host.dest)
	if err != nil {
		return ChangeResult{}, err
	}

	if err := repo.CheckInSync(ctx, remote, base, host.cred); err != nil {
		return ChangeResult{}, err
	}
	if err := repo.CreateBranch(res.Branch); err != nil {
		return ChangeResult{}, err
	}
	// From here on, a failure returns to the base branch; the working tree
	// is then as it was.
	back := func(keepBranch bool) {
		_ = repo.Checkout(base)
		if !keepBranch {
			_ = repo.DeleteBranch(res.Branch)
		}
	}
	if err := writer.Apply(opts.faults.fs(root), res.Changes); err != nil {
		back(false)
		return ChangeResult{}, fmt.Errorf("write %s: %w", opts.Dir, err)
	}
	body := prBody(ch, res.Planned)
	commit, err := repo.Commit(paths(res.Changes), ch.Title+"\n\n"+body, author(repo, cfg, opts.Now))
	if err != nil {
		back(false)
		return ChangeResult{}, err
	}
	res.Commit = commit.String()
	short := res.Commit[:7]
	if err := repo.Push(ctx, remote, res.Branch, host.cred); err != nil {
		back(true)
		return ChangeResult{}, fmt.Errorf("%w; the change is kept in commit %s on the local branch %s: push it with `git push origin %s` and open the pull request, or delete the branch and run again",
			err, short, res.Branch, res.Branch)
	}
	url, err := host.api.OpenChangeRequest(ctx, owner, name, forge.ChangeRequest{Title: ch.Title, Body: body, Head: res.Branch, Base: base})
	if err != nil {
		// Leave nothing half-done on the remote.
		cleanup := ""
		if derr := repo.DeleteRemoteBranch(ctx, remote, res.Branch, host.cred); derr != nil {
			cleanup = fmt.Sprintf("; the pushed branch %s could not be deleted again (%v): delete it on GitHub", res.Branch, derr)
		}
		back(true)
		return ChangeResult{}, fmt.Errorf("%w%s; the change is kept in commit %s on the local branch %s", err, cleanup, short, res.Branch)
	}
	res.PRURL, res.PRKind = url, host.forge.Doc().ChangeRequest
	back(true)
	return res, nil
}

func paths(changes []generator.Change) []string {
	out := make([]string, 0, len(changes))
	for _, c := range changes {
		out = append(out, c.Path)
	}
	return out
}

// prBody describes a change for reviewers: what it affects and every file
// it adds, changes or removes. It never holds a token: sealed tokens are
// named by their file only.
func prBody(ch Change, p Planned) string {
	var b strings.Builder
	b.WriteString("Proposed by `rtconf`.\n\n")
	if len(ch.Affected) > 0 {
		b.WriteString("### Affects\n\n")
		for _, a := range ch.Affected {
			b.WriteString("- " + a + "\n")
		}
		b.WriteString("\n")
	}
	byOp := map[generator.Op][]string{}
	for _, c := range p.Changes {
		byOp[c.Op] = append(byOp[c.Op], c.Path)
	}
	b.WriteString("### Files\n\n")
	for _, op := range []generator.Op{generator.Add, generator.Update, generator.Remove} {
		ps := byOp[op]
		sort.Strings(ps)
		for _, p := range ps {
			fmt.Fprintf(&b, "- %s `%s`\n", op, p)
		}
	}
	if len(p.Notes) > 0 {
		b.WriteString("\n### After merge\n\n")
		for _, n := range p.Notes {
			b.WriteString("- " + n + "\n")
		}
	}
	b.WriteString("\nThe CI check `rtconf validate` runs on this pull request.\n")
	return b.String()
}

// configEdit plans a change of rtconf.yaml and the files generated from it.
// configEdit plans an edit of rtconf.yaml's text and the files generated
// from the result. check refuses an edit that makes no sense for cfg.
func configEdit(configFile string, check func(*config.Config) error, edit func([]byte) ([]byte, error)) func(context.Context, *os.Root, []byte, *config.Config) (Planned, error) {
	return func(_ context.Context, root *os.Root, raw []byte, cfg *config.Config) (Planned, error) {
		if err := check(cfg); err != nil {
			return Planned{}, err
		}
		edited, err := edit(raw)
		if err != nil {
			return Planned{}, fmt.Errorf("%s: %w", cfg.File, err)
		}
		next, err := config.Parse(cfg.File, edited)
		if err != nil {
			return Planned{}, editProblems(err)
		}
		files, err := generator.Generate(next)
		if err != nil {
			return Planned{}, err
		}
		changes, err := generator.Plan(repofs.FS(root), files)
		if err != nil {
			return Planned{}, err
		}
		return Planned{Changes: mergeChanges(changes, []generator.Change{{Path: filepath.ToSlash(configFile), Op: generator.Update, Data: edited}})}, nil
	}
}

// editProblems restates what is wrong with an edited configuration as a
// usage error: the positions would point into text that is not on disk.
func editProblems(err error) error {
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		return err
	}
	var lines []string
	for _, p := range cerr.Problems {
		line := p.Message
		if p.Hint != "" {
			line += " (" + p.Hint + ")"
		}
		if !slices.Contains(lines, line) {
			lines = append(lines, line)
		}
	}
	return &UsageError{"refused, nothing changed: " + strings.Join(lines, "; ")}
}
