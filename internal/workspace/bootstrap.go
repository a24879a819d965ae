package workspace

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/token"
)

// BootstrapOptions put a new repository in Git and on GitHub.
type BootstrapOptions struct {
	// Create makes the repository on GitHub when it does not exist.
	Create bool
	// Public makes a created repository public; it is private by default.
	// On GitHub it turns on ci.codeScanning too: code scanning is free for
	// public repositories, and needs GitHub Advanced Security otherwise.
	Public bool
	// Push pushes the branch to the remote.
	Push bool
	// Protect requires pull requests and the check CheckName on the branch.
	Protect   bool
	CheckName string
	// Token authenticates the API calls and the push.
	Token token.Token
	// Remote is the Git URL to push to, the user's choice; default: the
	// created repository's clone URL, the remote "origin", or
	// repository.url, any of them on the host of repository.url.
	Remote string
	// Trust decides where the token may go (--api-url, GITHUB_API_URL in
	// GitHub Actions, or the API of repository.url's host).
	Trust      forge.Trust
	HTTPClient *http.Client
	Now        time.Time
}

// BootstrapResult says what Bootstrap did.
type BootstrapResult struct {
	Result
	GitInit     bool   // a Git repository was made
	Commit      string // the commit made, if any
	Branch      string
	Repository  *forge.Repository
	RepoCreated bool
	Remote      string
	Pushed      bool
	Protected   bool
	// Required says what protection now requires, in the host's words.
	Required string
}

// online tells whether the options need GitHub or a remote.
func (b BootstrapOptions) online() bool { return b.Create || b.Push || b.Protect }

// Bootstrap runs Init in a Git repository (made on the tracked branch when
// there is none), commits the files rtconf owns that changed, and then, as
// asked, creates the repository on GitHub, pushes and protects the branch.
// Run again, it changes nothing. A failed Init leaves the folder as it was.
func Bootstrap(ctx context.Context, opts InitOptions, b BootstrapOptions) (BootstrapResult, error) {
	if err := opts.Validate(); err != nil {
		return BootstrapResult{}, err
	}
	if b.online() && b.Token.Reveal() == "" {
		return BootstrapResult{}, &UsageError{"--create, --push and --protect need a token: pipe it to standard input, or use --token-file or --token-env"}
	}
	if b.Protect && !b.Push {
		return BootstrapResult{}, &UsageError{"--protect needs --push: the branch must exist on GitHub before it can be protected"}
	}
	if b.Create && b.Public && !opts.Demo && cmp.Or(opts.Provider, config.DefaultProvider) == github.Name {
		opts.CodeScanning = true
	}
	_, statErr := os.Stat(opts.Dir)
	dirExisted := statErr == nil
	branch := opts.Revision
	if opts.Demo || branch == "" {
		branch = gitrepo.DefaultBranch
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return BootstrapResult{}, fmt.Errorf("create %s: %w", opts.Dir, err)
	}
	// The lock covers the whole run: git init, the files, the commit and
	// the push.
	t, err := openTree(ctx, opts.Dir, config.FileName, opts.Run)
	if err != nil {
		if !dirExisted {
			_ = os.Remove(opts.Dir)
		}
		return BootstrapResult{}, err
	}
	defer t.Close()
	repo, gitInit, err := gitrepo.Init(opts.Dir, branch)
	if err != nil {
		return BootstrapResult{}, err
	}
	res := BootstrapResult{GitInit: gitInit}
	undo := func() {
		switch {
		case !dirExisted:
			_ = os.RemoveAll(opts.Dir)
		case gitInit:
			_ = os.RemoveAll(filepath.Join(opts.Dir, ".git"))
		}
	}
	var cfg *config.Config
	res.Result, cfg, err = initTree(t.Root, opts)
	if err != nil {
		undo()
		return BootstrapResult{}, err
	}
	if res.Branch, err = repo.Branch(); err != nil {
		return res, err
	}
	if err := commitOwned(repo, cfg, &res, b.Now); err != nil {
		return res, err
	}
	if !b.online() {
		return res, nil
	}
	return publish(ctx, repo, cfg, res, b)
}

// commitOwned commits the files rtconf owns that Git sees changed.
func commitOwned(repo *gitrepo.Repo, cfg *config.Config, res *BootstrapResult, now time.Time) error {
	dirty, err := repo.Dirty()
	if err != nil {
		return err
	}
	var paths []string
	for _, p := range dirty {
		if _, ok := slices.BinarySearch(res.Owned, p); ok {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return nil
	}
	msg := "Bootstrap the shared configuration repository with rtconf"
	if repo.HasCommits() {
		msg = "Add the rtconf configuration and generated tree"
	}
	h, err := repo.Commit(paths, msg+"\n\nWritten by `rtconf init`: rtconf.yaml and the files generated from it.", author(repo, cfg, now))
	if err != nil {
		return err
	}
	res.Commit = h.String()
	return nil
}

// publish creates, pushes and protects as asked.
func publish(ctx context.Context, repo *gitrepo.Repo, cfg *config.Config, res BootstrapResult, b BootstrapOptions) (BootstrapResult, error) {
	owner, name, ok := cfg.OwnerRepo()
	if !ok {
		return res, fmt.Errorf("repository.url %q names no GitHub owner/repository", cfg.Repository.URL)
	}
	host, err := connect(cfg, b.Trust, b.Token, b.HTTPClient, b.Now)
	if err != nil {
		return res, err
	}
	cloneURL := ""
	if b.Create {
		r, created, err := host.api.EnsureRepository(ctx, owner, name, !b.Public)
		if err != nil {
			return res, err
		}
		res.Repository, res.RepoCreated = &r, created
		cloneURL = r.CloneURL
	}
	remote, err := pushRemote(repo, cfg, b.Remote, cloneURL, host.dest)
	if err != nil {
		return res, err
	}
	if err := repo.SetRemote("origin", remote); err != nil {
		return res, err
	}
	res.Remote = remote
	if b.Push {
		if !repo.HasCommits() {
			return res, errors.New("nothing to push: the repository has no commits")
		}
		if err := repo.Push(ctx, remote, res.Branch, host.cred); err != nil {
			return res, fmt.Errorf("%w; the commit is kept locally: run `rtconf init` again, or `git push origin %s`, once fixed", err, res.Branch)
		}
		res.Pushed = true
	}
	if b.Protect {
		if err := host.api.Protect(ctx, owner, name, res.Branch, b.CheckName); err != nil {
			return res, err
		}
		res.Protected = true
		res.Required = host.forge.Protection(b.CheckName)
	}
	return res, nil
}
