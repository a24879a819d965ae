package bitbucket

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// DefaultOptions are a check's defaults against api.bitbucket.org.
func DefaultOptions() forge.Options { return forge.DefaultOptions(PublicAPIURL) }

// Requests lists the requests a check sends, for `rtconf token check --help`.
func Requests() []string {
	return []string{
		"GET /2.0/user (who the token is; its scopes in x-oauth-scopes, its kind in x-credential-type; a 401 refuses it)",
		"GET /2.0/repositories/:workspace/:repo (the repository exists and the token can see it)",
		"GET /2.0/user/permissions/repositories?q=repository.full_name=\"…\" (an API token's user's permission on it)",
	}
}

// Check checks tok against need on the repository o.Owner/o.Repo (the
// workspace and the repository's slug). The scopes are observed: Bitbucket
// lists a token's scopes in the x-oauth-scopes header of every
// authenticated answer. An API token's user's permission on the repository
// is observed too (GET /2.0/user/permissions/repositories); an access
// token has no user of its own, and its permission is inferred from its
// scopes (a token with Repositories: admin administers its repository).
// Bitbucket does not report a token's expiry. A returned error
// (*forge.UnverifiedError, or bad options) means nothing could be
// concluded.
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

const refused = "Bitbucket refuses the token (401 Unauthorized): it is invalid, expired or revoked"

// user is the part of GET /2.0/user rtconf reads.
type user struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	AccountID   string `json:"account_id"`
}

func check(ctx context.Context, c *caller, need forge.Need, res *forge.Result) error {
	var u user
	a, err := c.get(ctx, "user", &u)
	if err != nil {
		return err
	}
	switch {
	case a.Status == http.StatusUnauthorized:
		res.Invalid, res.Problem = true, refused
		if c.tok.Kind() == APIToken {
			res.Problem += ", or its e-mail address is not its Atlassian account's"
		}
		return nil
	case a.Status == http.StatusForbidden:
		// Authenticated, but without the scope GET /user needs (Account:
		// read): the scopes header still came.
		res.Notes = append(res.Notes, "Bitbucket refused GET /user (403): "+c.tok.Scrub(message(a.Body)))
	case a.Status == http.StatusOK && (u.Username != "" || u.DisplayName != ""):
		res.Notes = append(res.Notes, "the token is "+safe(firstOf(u.Username, u.DisplayName))+"'s")
	default:
		return &forge.UnverifiedError{Reason: fmt.Sprintf("Bitbucket answered %d to GET /2.0/user, which tells nothing about the token", a.Status)}
	}
	if kind := a.Header.Get("X-Credential-Type"); kind != "" {
		res.Notes = append(res.Notes, "Bitbucket says the token is "+credentialType(kind))
	}
	res.Notes = append(res.Notes, "Bitbucket does not report a token's expiry: note the date chosen when it was made")

	granted, listed := scopeList(a.Header)
	res.Scopes = granted
	for _, s := range requiredScopes(c.tok.Kind()) {
		req := forge.Requirement{Name: s.Name, Verdict: forge.Unknown}
		switch {
		case !listed:
			req.Detail = "Bitbucket sent no x-oauth-scopes header"
		case hasScope(granted, s):
			req.Verdict, req.Certainty = forge.Granted, forge.Observed
		default:
			req.Verdict, req.Certainty = forge.Missing, forge.Observed
			req.Detail = "x-oauth-scopes lists none of " + strings.Join(s.Names, ", ")
		}
		res.Requirements = append(res.Requirements, req)
	}
	role, err := permission(ctx, c, need, granted)
	if err != nil {
		return err
	}
	res.Requirements = append(res.Requirements, role)
	return nil
}

// hasScope tells whether granted holds any of s's names; "a+b" needs both.
func hasScope(granted []string, s scope) bool {
	for _, name := range s.Names {
		all := true
		for _, part := range strings.Split(name, "+") {
			all = all && slices.Contains(granted, part)
		}
		if all {
			return true
		}
	}
	return false
}

// permission is the verdict on the token's permission on the repository.
func permission(ctx context.Context, c *caller, need forge.Need, granted []string) (forge.Requirement, error) {
	path := c.opts.Owner + "/" + c.opts.Repo
	role := forge.Requirement{Name: roleRequirement(need), Verdict: forge.Missing, Certainty: forge.Observed}
	var repo repository
	a, err := c.get(ctx, "repositories/"+url.PathEscape(c.opts.Owner)+"/"+url.PathEscape(c.opts.Repo), &repo)
	if err != nil {
		return role, err
	}
	switch {
	case a.Status == http.StatusNotFound, a.Status == http.StatusForbidden:
		role.Detail = fmt.Sprintf("Bitbucket answers %d: the repository %s does not exist or the token cannot see it", a.Status, path)
		return role, nil
	case a.Status != http.StatusOK || !strings.EqualFold(repo.FullName, path):
		return role, &forge.UnverifiedError{Reason: fmt.Sprintf("Bitbucket's answer to GET /2.0/repositories/%s does not name that repository", path)}
	}
	want := "write"
	if needsAdmin(need) {
		want = "admin"
	}
	if c.tok.Kind() != APIToken {
		// An access token acts as itself, with its scopes on its own
		// repository, project or workspace.
		role.Certainty = forge.Inferred
		admin := slices.Contains(granted, "repository:admin") || slices.Contains(granted, "admin:repository:bitbucket")
		write := slices.Contains(granted, "repository:write") || slices.Contains(granted, "write:repository:bitbucket")
		if want == "admin" && admin || want == "write" && write {
			role.Verdict = forge.Granted
		}
		role.Detail = "an access token's permission is that of its scopes on " + path
		return role, nil
	}
	var perms struct {
		Values []struct {
			Permission string `json:"permission"`
		} `json:"values"`
	}
	q := url.Values{"q": {`repository.full_name="` + path + `"`}}
	a, err = c.get(ctx, "user/permissions/repositories?"+q.Encode(), &perms)
	if err != nil {
		return role, err
	}
	switch {
	case a.Status == http.StatusForbidden:
		role.Verdict, role.Certainty = forge.Unknown, ""
		role.Detail = "Bitbucket refused to list the user's repository permissions (403): " + c.tok.Scrub(message(a.Body))
	case a.Status != http.StatusOK:
		return role, &forge.UnverifiedError{Reason: fmt.Sprintf("Bitbucket answered %d to GET /2.0/user/permissions/repositories", a.Status)}
	case len(perms.Values) == 0:
		role.Detail = "the token's user has no permission on " + path
	default:
		p := perms.Values[0].Permission
		role.Detail = "the token's user has " + safe(p) + " permission on " + path
		if p == "admin" || (want == "write" && p == "write") {
			role.Verdict = forge.Granted
		}
	}
	return role, nil
}

// credentialType names x-credential-type's value for messages. Atlassian
// documents the header but not its values: the ones named here are those
// rtconf expects (and the fake sends); any other is shown as sent,
// stripped to safe characters. It only informs: the kind rtconf acts on
// is the token's shape.
func credentialType(v string) string {
	switch v {
	case "repo_access_token", "repository_access_token":
		return "a repository access token"
	case "project_access_token":
		return "a project access token"
	case "workspace_access_token":
		return "a workspace access token"
	case "api_token":
		return "an API token"
	case "app_password":
		return "an app password"
	}
	return "of type " + safe(v)
}

// safe keeps a host's word to token characters and '-', '.', '@', ' ', so
// it cannot carry an escape into a message.
func safe(s string) string {
	s = strings.Map(func(r rune) rune {
		if token.IsTokenChar(r) || r == '-' || r == '.' || r == '@' || r == ' ' {
			return r
		}
		return -1
	}, s)
	if len(s) > 100 {
		s = s[:100]
	}
	return s
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
