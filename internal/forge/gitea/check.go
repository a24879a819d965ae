package gitea

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// DefaultOptions are a check's defaults. Gitea has no public host of its
// own: the API URL is always the one forge.Trust resolves from
// repository.url.
func DefaultOptions() forge.Options { return forge.DefaultOptions("") }

// Requests lists the requests a check sends, for `rtconf token check --help`.
func Requests() []string {
	return []string{
		"GET /api/v1/user (who the token is; a 401 refuses it)",
		"GET /api/v1/repos/:owner/:repo (the user's admin, push and pull permission; a 403 naming read:repository shows the scope missing)",
		"POST /api/v1/repos/:owner/:repo/pulls with an empty body, with --probe-writes (422 when write:repository is granted, 403 naming it when not; nothing is created)",
	}
}

// Check checks tok against need on the repository o.Owner/o.Repo. A Gitea
// token cannot list its own scopes: they are inferred from Gitea's answers
// (a 403 names the scope a route needs). Gitea access tokens do not expire
// (https://github.com/go-gitea/gitea/issues/4793, /issues/17864), so a
// check reports no expiry. A returned error (*forge.UnverifiedError,
// or bad options) means nothing could be concluded.
func Check(ctx context.Context, tok token.Token, need forge.Need, o forge.Options) (forge.Result, error) {
	if err := o.Validate(); err != nil {
		return forge.Result{}, err
	}
	c, err := newCaller(tok, o)
	if err != nil {
		return forge.Result{}, err
	}
	res := forge.Result{TokenKind: tok.Kind()}
	err = check(ctx, c, need, &res)
	res.Requests = c.n
	return res, err
}

const refused = "Gitea refuses the token (401 Unauthorized): it is invalid or was deleted"

func check(ctx context.Context, c *caller, need forge.Need, res *forge.Result) error {
	var user *sdk.User
	a, err := c.call(ctx, http.MethodGet, false, func() (resp *sdk.Response, err error) {
		user, resp, err = c.sdk.GetMyUserInfo()
		return resp, err
	})
	if err != nil {
		return err
	}
	switch scopes, isScope := missingScopes(a); {
	case a.Status == http.StatusUnauthorized:
		res.Invalid, res.Problem = true, refused
		return nil
	case isScope:
		res.Notes = append(res.Notes, "the token has no read:user scope ("+strings.Join(scopes, ", ")+"), so Gitea does not say whose it is; rtconf does not need it")
	case a.Status == http.StatusForbidden:
		// Not a scope: Gitea refuses the account itself (inactive,
		// prohibited from signing in).
		res.Invalid, res.Problem = true, "Gitea refuses the token's user (403): "+c.tok.Scrub(message(a.Body))
		return nil
	case a.Status == http.StatusOK && user != nil && user.UserName != "":
		res.Notes = append(res.Notes, "the token is "+user.UserName+"'s")
	default:
		return &forge.UnverifiedError{Reason: fmt.Sprintf("Gitea answered %d to GET /user, which tells nothing about the token", a.Status)}
	}
	res.Notes = append(res.Notes, "Gitea access tokens do not expire")

	path := c.opts.Owner + "/" + c.opts.Repo
	var repo *sdk.Repository
	a, err = c.call(ctx, http.MethodGet, false, func() (resp *sdk.Response, err error) {
		repo, resp, err = c.sdk.GetRepo(c.opts.Owner, c.opts.Repo)
		return resp, err
	})
	if err != nil {
		return err
	}
	scope := forge.Requirement{Name: repoScope, Verdict: forge.Unknown}
	role := forge.Requirement{Name: roleRequirement(need), Verdict: forge.Missing, Certainty: forge.Observed}
	switch _, isScope := missingScopes(a); {
	case a.Status == http.StatusUnauthorized:
		res.Invalid, res.Problem = true, refused
		return nil
	case isScope:
		// Gitea's write:X includes read:X: a token that may not read
		// repositories may not write them.
		scope.Verdict, scope.Certainty = forge.Missing, forge.Inferred
		scope.Detail = "Gitea refused GET /repos/" + path + ": " + c.tok.Scrub(message(a.Body))
		role.Verdict, role.Certainty, role.Detail = forge.Unknown, "", "the token cannot read the repository, so its user's permission is unknown"
		res.Requirements = append(res.Requirements, scope, role)
		return nil
	case a.Status == http.StatusNotFound:
		role.Detail = "Gitea answers 404: the repository " + path + " does not exist or the token's user cannot see it"
		scope.Detail = "not probed: the token's user cannot see the repository"
		res.Requirements = append(res.Requirements, scope, role)
		return nil
	case a.Status != http.StatusOK || repo == nil || !strings.EqualFold(repo.FullName, path):
		return &forge.UnverifiedError{Reason: fmt.Sprintf("Gitea's answer to GET /repos/%s does not name that repository", path)}
	default:
		role.Detail = "the token's user has " + permissions(repo.Permissions)
		p := repo.Permissions
		if p != nil && (p.Admin || (!needsAdmin(need) && p.Push)) {
			role.Verdict = forge.Granted
		}
	}
	if err := probeScope(ctx, c, path, &scope); err != nil {
		return err
	}
	res.Requirements = append(res.Requirements, scope, role)
	return nil
}

func permissions(p *sdk.Permission) string {
	if p == nil {
		return "no permission reported"
	}
	var have []string
	for _, x := range []struct {
		ok   bool
		name string
	}{{p.Admin, "admin"}, {p.Push, "push"}, {p.Pull, "pull"}} {
		if x.ok {
			have = append(have, x.name)
		}
	}
	if len(have) == 0 {
		return "no permission"
	}
	return strings.Join(have, ", ") + " permission"
}

// probeScope learns whether the token has write:repository, with
// Options.ProbeWrites: an empty pull request, which Gitea's route refuses
// with 403 naming the scope before it reads the body, or with 422 for the
// missing fields when the scope is there. Nothing can be created.
func probeScope(ctx context.Context, c *caller, path string, scope *forge.Requirement) error {
	if !c.opts.ProbeWrites {
		scope.Detail = "Gitea does not list a token's scopes: pass --probe-writes to probe with an empty pull request, which creates nothing"
		return nil
	}
	a, err := c.call(ctx, http.MethodPost, true, func() (*sdk.Response, error) {
		_, resp, err := c.sdk.CreatePullRequest(c.opts.Owner, c.opts.Repo, sdk.CreatePullRequestOption{})
		return resp, err
	})
	if err != nil {
		return err
	}
	scopes, isScope := missingScopes(a)
	switch {
	case isScope:
		scope.Verdict, scope.Certainty = forge.Missing, forge.Inferred
		scope.Detail = "Gitea refused an empty pull request for want of " + strings.Join(scopes, ", ")
	case a.Status == http.StatusUnprocessableEntity, a.Status == http.StatusForbidden:
		// Past the scope check: the body was refused (422), or the user's
		// permission (403 without a scope).
		scope.Verdict, scope.Certainty = forge.Granted, forge.Inferred
		scope.Detail = fmt.Sprintf("Gitea passed an empty pull request's scope check (it answered %d)", a.Status)
	case a.Status == http.StatusUnauthorized:
		return &forge.UnverifiedError{Reason: "Gitea refused the token's probe with 401 after accepting it"}
	default:
		scope.Detail = fmt.Sprintf("Gitea answered %d to an empty pull request for %s, which tells nothing about the scope", a.Status, path)
	}
	return nil
}
