package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/rtconf/rtconf/internal/token"
)

// Credential is what a push authenticates with over HTTPS basic auth: the
// token and the username its Git host's provider says to send with it
// (forge.Forge.GitUsername); with no username, the token goes as
// "Authorization: Bearer" (Bitbucket Data Center's project and repository
// tokens accept nothing else). The zero Credential sends no auth, as for
// file:// remotes.
type Credential struct {
	Username string
	Token    token.Token
}

// PushError is a push the remote refused or that could not reach it. Its
// message never holds the token.
type PushError struct {
	// Op is "push", or "read" when the remote's branches could not be listed.
	Op     string
	URL    string
	Branch string
	Reason string // what went wrong
	Hint   string // what to do
}

func (e *PushError) Error() string {
	msg := fmt.Sprintf("push %s to %s: %s", e.Branch, e.URL, e.Reason)
	if e.Op == "read" {
		msg = fmt.Sprintf("read %s from %s: %s", e.Branch, e.URL, e.Reason)
	}
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// Push sends a local branch to the same branch at url, with cred as HTTPS
// basic auth (no auth when its token is empty, as for file:// remotes). A push
// updates one branch or none: the remote is never left half-done.
func (r *Repo) Push(ctx context.Context, url, branch string, cred Credential) error {
	spec := gitconfig.RefSpec(fmt.Sprintf("refs/heads/%s:refs/heads/%s", branch, branch))
	return r.push(ctx, url, branch, spec, cred)
}

// DeleteRemoteBranch removes a branch from the remote at url.
func (r *Repo) DeleteRemoteBranch(ctx context.Context, url, branch string, cred Credential) error {
	spec := gitconfig.RefSpec(":refs/heads/" + branch)
	return r.push(ctx, url, branch, spec, cred)
}

// CheckInSync tells whether the local branch and the same branch at url
// point at the same commit, so that a branch made here proposes only its
// own change. A branch the remote does not have yet is in sync. The error
// says which side is ahead; it is a *PushError when the remote cannot be
// read.
func (r *Repo) CheckInSync(ctx context.Context, url, branch string, cred Credential) error {
	refs, err := r.anonymous(url).ListContext(ctx, &git.ListOptions{Auth: basicAuth(cred)})
	if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
		e := classify(err, url, branch, cred.Token)
		e.Op = "read"
		return e
	}
	name := plumbing.NewBranchReferenceName(branch)
	var theirs plumbing.Hash
	for _, ref := range refs {
		if ref.Name() == name {
			theirs = ref.Hash()
		}
	}
	if theirs.IsZero() {
		return nil
	}
	head, err := r.repo.Reference(name, true)
	if err != nil {
		return fmt.Errorf("read branch %s: %w", branch, err)
	}
	if head.Hash() == theirs {
		return nil
	}
	if _, err := r.repo.CommitObject(theirs); err != nil {
		return fmt.Errorf("%s at %s has commits this clone does not have: pull them first (git pull), then run again", branch, url)
	}
	return fmt.Errorf("%s has commits that are not pushed to %s: push them (or reset to the remote's %s) first, so that the pull request holds only rtconf's change", branch, url, branch)
}

func (r *Repo) push(ctx context.Context, url, branch string, spec gitconfig.RefSpec, cred Credential) error {
	opts := &git.PushOptions{RemoteName: anonymousRemote, RefSpecs: []gitconfig.RefSpec{spec}, Auth: basicAuth(cred)}
	err := r.anonymous(url).PushContext(ctx, opts)
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return classify(err, url, branch, cred.Token)
}

const anonymousRemote = "rtconf"

// anonymous is a remote for url that is not in the repository's
// configuration: the URL is used as given, whatever remotes are set up.
func (r *Repo) anonymous(url string) *git.Remote {
	return git.NewRemote(r.repo.Storer, &gitconfig.RemoteConfig{Name: anonymousRemote, URLs: []string{url}})
}

// basicAuth is HTTPS basic auth with the credential, a Bearer token when
// it has no username, or none for no token (as for file:// remotes).
func basicAuth(cred Credential) transport.AuthMethod {
	if cred.Token.Reveal() == "" {
		return nil
	}
	if cred.Username == "" {
		return &githttp.TokenAuth{Token: cred.Token.Reveal()}
	}
	return &githttp.BasicAuth{Username: cred.Username, Password: cred.Token.Reveal()}
}

// classify explains a push error in the user's terms.
func classify(err error, url, branch string, tok token.Token) *PushError {
	e := &PushError{Op: "push", URL: url, Branch: branch}
	msg := tok.Scrub(err.Error())
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired):
		e.Reason = "authentication failed: the remote refused the token"
		e.Hint = "check that the token is valid, not expired, and has the repo scope or Contents write permission"
	case errors.Is(err, transport.ErrAuthorizationFailed):
		e.Reason = "the token is not allowed to push to this repository"
		e.Hint = "give the token write access (classic: repo scope; fine-grained: Contents read and write)"
	case errors.Is(err, transport.ErrRepositoryNotFound):
		e.Reason = "repository not found"
		e.Hint = "check the URL, or that the token can see the repository; `rtconf init --create` creates it on GitHub"
	case errors.Is(err, git.ErrNonFastForwardUpdate):
		e.Reason = "the remote branch has commits this clone does not have (non-fast-forward)"
		e.Hint = "pull them first; rtconf never force-pushes"
	case strings.Contains(msg, "hook declined") || strings.Contains(strings.ToLower(msg), "protected branch"):
		e.Reason = "the remote refused the update: " + msg
		e.Hint = "the branch is protected; use --pr to propose the change on a branch instead"
	case errors.As(err, &opErr), errors.As(err, &netErr), errors.Is(err, context.DeadlineExceeded):
		e.Reason = "could not reach the remote: " + msg
		e.Hint = "check the network and the URL, then run again"
	default:
		e.Reason = msg
	}
	return e
}
