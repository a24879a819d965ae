package gitea

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/templates"
)

// Client makes the changes rtconf asks of Gitea: create the repository in
// its organisation or for the token's user, protect its branch, and open
// pull requests; through the same caller as the checks.
type Client struct{ c *caller }

var _ forge.Changes = (*Client)(nil)

// NewClient makes a client with tok for the API at o.APIURL. It sends
// nothing.
func NewClient(tok token.Token, o forge.Options) (*Client, error) {
	c, err := newCaller(tok, o)
	if err != nil {
		return nil, err
	}
	return &Client{c: c}, nil
}

// Error is a Gitea API call that failed: forge's one error of changes.
type Error = forge.APIError

// run sends one change request; an answer other than 2xx becomes an
// *Error that says what Gitea answered and what to do.
func (c *Client) run(ctx context.Context, op, method string, f func() (*sdk.Response, error)) (forge.Answer, error) {
	a, err := c.c.call(ctx, method, false, f)
	if err != nil {
		return a, &Error{Op: op, Reason: c.c.tok.Scrub(err.Error()), Err: err}
	}
	if a.Status >= 200 && a.Status < 300 {
		return a, nil
	}
	e := &Error{Op: op, Status: a.Status, Reason: fmt.Sprintf("Gitea answered %d: %s", a.Status, c.c.tok.Scrub(message(a.Body)))}
	scopes, isScope := missingScopes(a)
	switch {
	case a.Status == http.StatusUnauthorized:
		e.Hint = "the token is invalid or was deleted"
	case isScope:
		e.Hint = "the token lacks the scope " + strings.Join(scopes, " or ") + ": make a token with it"
	case a.Status == http.StatusForbidden:
		e.Hint = "the token's user lacks the permission on the repository or organisation"
	case a.Status == http.StatusNotFound:
		e.Hint = "the repository or organisation does not exist, or the token's user cannot see it"
	}
	return a, e
}

// EnsureRepository returns the repository namespace/name, creating it in
// the organisation namespace (POST /orgs/{org}/repos) or, when namespace is
// the token's user, for that user (POST /user/repos) when it does not
// exist. created says whether it was made.
func (c *Client) EnsureRepository(ctx context.Context, namespace, name string, private bool) (forge.Repository, bool, error) {
	path := namespace + "/" + name
	var repo *sdk.Repository
	a, err := c.run(ctx, "look up repository "+path, http.MethodGet, func() (r *sdk.Response, err error) {
		repo, r, err = c.c.sdk.GetRepo(namespace, name)
		return r, err
	})
	if err == nil {
		return named(repo, path, "look up repository")
	}
	if a.Status != http.StatusNotFound {
		return forge.Repository{}, false, err
	}
	opt := sdk.CreateRepoOption{Name: name, Private: private,
		Description: "Shared configuration repository of GitOps Runtimes, managed with rtconf"}
	a, orgErr := c.run(ctx, "find organisation "+namespace, http.MethodGet, func() (r *sdk.Response, err error) {
		_, r, err = c.c.sdk.GetOrg(namespace)
		return r, err
	})
	_, noOrgScope := missingScopes(a)
	switch {
	case orgErr == nil:
		_, err = c.run(ctx, "create repository "+path, http.MethodPost, func() (r *sdk.Response, err error) {
			repo, r, err = c.c.sdk.CreateOrgRepo(namespace, opt)
			return r, err
		})
	case a.Status == http.StatusNotFound || noOrgScope:
		// Not an organisation, or the token may not look: the token's own
		// user needs no organisation scope.
		var user *sdk.User
		if _, err := c.run(ctx, "find the token's user", http.MethodGet, func() (r *sdk.Response, err error) {
			user, r, err = c.c.sdk.GetMyUserInfo()
			return r, err
		}); err != nil {
			return forge.Repository{}, false, err
		}
		if user == nil || !strings.EqualFold(user.UserName, namespace) {
			if noOrgScope {
				return forge.Repository{}, false, orgErr
			}
			return forge.Repository{}, false, &Error{Op: "create repository " + path, Status: http.StatusNotFound,
				Reason: "Gitea has no organisation " + namespace + " and it is not the token's user",
				Hint:   "create the organisation first, or use the token's own user as owner"}
		}
		_, err = c.run(ctx, "create repository "+path, http.MethodPost, func() (r *sdk.Response, err error) {
			repo, r, err = c.c.sdk.CreateRepo(opt)
			return r, err
		})
	default:
		err = orgErr
	}
	if err != nil {
		return forge.Repository{}, false, err
	}
	out, _, err := named(repo, path, "create repository")
	return out, err == nil, err
}

// named returns repo when it is namespace/name (Gitea compares names
// without case); an answer about any other repository is no answer.
func named(repo *sdk.Repository, path, op string) (forge.Repository, bool, error) {
	if repo == nil || !strings.EqualFold(repo.FullName, path) {
		return forge.Repository{}, false, &Error{Op: op + " " + path,
			Reason: "Gitea's answer does not name that repository (its full_name is missing or another repository's)",
			Hint:   "check the API URL; rtconf could not verify the repository"}
	}
	owner, name, _ := RepoPath(repo.FullName)
	return forge.Repository{Owner: owner, Name: name, CloneURL: repo.CloneURL, HTMLURL: repo.HTMLURL,
		DefaultBranch: repo.DefaultBranch, Private: repo.Private}, false, nil
}

// Protect protects branch with one rule named after it: no direct pushes,
// one approval, and the status Gitea Actions reports for the workflow's job
// named check required (enable_status_check, status_check_contexts
// templates.GiteaStatusContext(check)), through POST
// /repos/{owner}/{repo}/branch_protections, or PATCH of the rule when it
// exists already, so that a re-run converges on the same rule.
func (c *Client) Protect(ctx context.Context, namespace, name, branch, check string) error {
	op := fmt.Sprintf("protect branch %s of %s/%s", branch, namespace, name)
	a, err := c.run(ctx, op, http.MethodGet, func() (*sdk.Response, error) {
		_, r, err := c.c.sdk.GetBranchProtection(namespace, name, branch)
		return r, err
	})
	switch {
	case err == nil:
		no, yes, one := false, true, int64(1)
		_, err = c.run(ctx, op, http.MethodPatch, func() (*sdk.Response, error) {
			_, r, err := c.c.sdk.EditBranchProtection(namespace, name, branch, sdk.EditBranchProtectionOption{
				EnablePush: &no, EnableStatusCheck: &yes, StatusCheckContexts: []string{templates.GiteaStatusContext(check)}, RequiredApprovals: &one,
			})
			return r, err
		})
		return err
	case a.Status != http.StatusNotFound:
		return err
	}
	_, err = c.run(ctx, op, http.MethodPost, func() (*sdk.Response, error) {
		_, r, err := c.c.sdk.CreateBranchProtection(namespace, name, sdk.CreateBranchProtectionOption{
			BranchName: branch, RuleName: branch, EnablePush: false,
			EnableStatusCheck: true, StatusCheckContexts: []string{templates.GiteaStatusContext(check)}, RequiredApprovals: 1,
		})
		return r, err
	})
	return err
}

// OpenChangeRequest opens a pull request and returns its web address.
func (c *Client) OpenChangeRequest(ctx context.Context, namespace, name string, cr forge.ChangeRequest) (string, error) {
	var pr *sdk.PullRequest
	_, err := c.run(ctx, fmt.Sprintf("open a pull request from %s into %s of %s/%s", cr.Head, cr.Base, namespace, name), http.MethodPost, func() (r *sdk.Response, err error) {
		pr, r, err = c.c.sdk.CreatePullRequest(namespace, name, sdk.CreatePullRequestOption{
			Head: cr.Head, Base: cr.Base, Title: cr.Title, Body: cr.Body,
		})
		return r, err
	})
	if err != nil {
		return "", err
	}
	if pr == nil || pr.HTMLURL == "" {
		return "", &Error{Op: "open a pull request", Reason: "Gitea's answer has no html_url"}
	}
	return pr.HTMLURL, nil
}
