package bitbucketdc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// DefaultOptions are a check's defaults. Bitbucket Data Center has no
// public host: the API URL is always the one forge.Trust resolves from
// repository.url.
func DefaultOptions() forge.Options { return forge.DefaultOptions("") }

// Requests lists the requests a check sends, for `rtconf token check --help`.
func Requests() []string {
	return []string{
		"GET /rest/api/1.0/projects/:key/repos/:slug (X-AUSERNAME names the token's user; a 401 refuses the token)",
		"GET /rest/api/1.0/projects/:key/permissions/users?limit=1 (runtime token: answered only with PROJECT_ADMIN)",
		"GET /rest/api/1.0/repos?projectkey=:key&permission=REPO_WRITE (user token: lists the repository only with REPO_WRITE)",
		"GET /rest/access-tokens/1.0/{users/:user,projects/:key,projects/:key/repos/:slug}/:id (the token's record: kind, permissions, expiry)",
	}
}

// Check checks tok against need on the repository o.Owner (the project's
// key) / o.Repo (its slug). The permissions are observed: Bitbucket
// answers the permission-bound requests only when the token (within its
// own permissions and its user's) has them. The token's kind, its own
// permissions and expiry come from its record when Bitbucket shows it.
// A returned error (*forge.UnverifiedError, or bad options) means nothing
// could be concluded.
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

const refused = "Bitbucket Data Center refuses the token (401 Unauthorized): it is invalid, expired or revoked"

func check(ctx context.Context, c *caller, need forge.Need, res *forge.Result) error {
	key, slug := c.opts.Owner, c.opts.Repo
	path := key + "/" + slug
	var repo repoJSON
	a, err := c.get(ctx, repoPath(key, slug), &repo)
	if err != nil {
		return err
	}
	var reqs []forge.Requirement
	for _, name := range RequirementNames(res.TokenKind, need) {
		reqs = append(reqs, forge.Requirement{Name: name, Verdict: forge.Missing, Certainty: forge.Observed})
	}
	switch {
	case refusedToken(a):
		res.Invalid, res.Problem = true, refused
		return nil
	case a.Status == http.StatusNotFound || notPermitted(a):
		msg, _ := message(a.Body)
		for i := range reqs {
			reqs[i].Detail = fmt.Sprintf("Bitbucket answers %d to GET the repository %s: %s", a.Status, path, c.tok.Scrub(msg))
		}
		res.Requirements = reqs
		return nil
	case a.Status != http.StatusOK || !strings.EqualFold(repo.Slug, slug) || !strings.EqualFold(repo.Project.Key, key):
		return &forge.UnverifiedError{Reason: fmt.Sprintf("Bitbucket Data Center's answer (%d) to GET the repository %s does not name that repository", a.Status, path)}
	}
	// Bitbucket names the authenticated user in X-AUSERNAME on its
	// responses (a project or repository token's is its own bot user).
	user := a.Header.Get("X-AUSERNAME")
	if user != "" {
		res.Notes = append(res.Notes, "the token authenticates as "+user)
	} else {
		res.Notes = append(res.Notes, "Bitbucket did not name the token's user (no X-AUSERNAME header)")
	}
	for i := range reqs {
		var err error
		switch reqs[i].Name {
		case adminRequirement:
			err = probeAdmin(ctx, c, key, &reqs[i])
		case writeRequirement:
			err = probeWrite(ctx, c, key, slug, &reqs[i])
		}
		if err != nil {
			return err
		}
	}
	res.Requirements = reqs
	return record(ctx, c, user, key, slug, res)
}

// probeAdmin: GET …/projects/KEY/permissions/users needs PROJECT_ADMIN
// ("The authenticated user must have PROJECT_ADMIN permission for the
// specified project", https://developer.atlassian.com/server/bitbucket/rest/v906/api-group-project/#api-api-latest-projects-projectkey-permissions-users-get).
func probeAdmin(ctx context.Context, c *caller, key string, req *forge.Requirement) error {
	a, err := c.get(ctx, "rest/api/1.0/projects/"+url.PathEscape(key)+"/permissions/users?limit=1", nil)
	if err != nil {
		return err
	}
	switch {
	case a.Status == http.StatusOK:
		req.Verdict, req.Detail = forge.Granted, "Bitbucket lists the project's user permissions, which only PROJECT_ADMIN may"
	case notPermitted(a):
		msg, _ := message(a.Body)
		req.Detail = fmt.Sprintf("Bitbucket refuses the project's user permissions (%d): %s", a.Status, c.tok.Scrub(msg))
	default:
		req.Verdict, req.Certainty = forge.Unknown, ""
		req.Detail = fmt.Sprintf("Bitbucket answered %d to the project's user permissions, which tells nothing about PROJECT_ADMIN", a.Status)
	}
	return nil
}

// probeWrite: GET /rest/api/1.0/repos?permission=REPO_WRITE lists only the
// repositories the authenticated user (within the token's permissions) may
// write (https://developer.atlassian.com/server/bitbucket/rest/v906/api-group-repository/#api-api-latest-repos-get).
func probeWrite(ctx context.Context, c *caller, key, slug string, req *forge.Requirement) error {
	q := url.Values{"projectkey": {key}, "permission": {"REPO_WRITE"}}
	found := false
	a, err := c.pages(ctx, "rest/api/1.0/repos", q, func(v json.RawMessage) (bool, error) {
		var r repoJSON
		if json.Unmarshal(v, &r) != nil {
			return false, nil
		}
		found = strings.EqualFold(r.Slug, slug) && strings.EqualFold(r.Project.Key, key)
		return found, nil
	})
	if err != nil {
		return err
	}
	switch {
	case found:
		req.Verdict, req.Detail = forge.Granted, "Bitbucket lists the repository among those the token may write"
	case a.Status == http.StatusOK:
		req.Detail = "Bitbucket does not list the repository among those the token may write"
	default:
		req.Verdict, req.Certainty = forge.Unknown, ""
		req.Detail = fmt.Sprintf("Bitbucket answered %d to the list of writable repositories", a.Status)
	}
	return nil
}

// tokenRecord is an HTTP access token's record under
// /rest/access-tokens/1.0/ (dates in milliseconds since the epoch;
// expiryDate absent for a token that does not expire)
// (https://developer.atlassian.com/server/bitbucket/rest/v906/api-group-authentication/#api-access-tokens-latest-users-userslug-tokenid-get).
type tokenRecord struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
	ExpiryDate  *int64   `json:"expiryDate"`
}

// record finds the token's record by the ID its value holds: a personal
// token's under the user, a project's or repository's under them. The
// first found tells the kind, the token's own permissions and its expiry.
// Bitbucket shows project and repository tokens to admins only: without
// a record the expiry is unknown, which a note says.
func record(ctx context.Context, c *caller, user, key, slug string, res *forge.Result) error {
	id, ok := tokenID(c.tok.Reveal())
	if !ok {
		return nil
	}
	type place struct {
		kind token.Kind
		path string
	}
	var places []place
	if user != "" {
		places = append(places, place{PersonalToken, "rest/access-tokens/1.0/users/" + url.PathEscape(user) + "/" + id})
	}
	places = append(places,
		place{ProjectToken, "rest/access-tokens/1.0/projects/" + url.PathEscape(key) + "/" + id},
		place{RepositoryToken, "rest/access-tokens/1.0/projects/" + url.PathEscape(key) + "/repos/" + url.PathEscape(slug) + "/" + id})
	for _, p := range places {
		var rec tokenRecord
		a, err := c.get(ctx, p.path, &rec)
		if err != nil {
			return err
		}
		if a.Status != http.StatusOK || rec.ID != id {
			continue
		}
		res.TokenKind = p.kind
		res.Scopes = rec.Permissions
		res.Notes = append(res.Notes, fmt.Sprintf("a %s HTTP access token, %q, with %s", p.kind, rec.Name, strings.Join(rec.Permissions, ", ")))
		if rec.ExpiryDate == nil {
			res.Notes = append(res.Notes, "the token does not expire")
			return nil
		}
		res.ExpiresAt = time.UnixMilli(*rec.ExpiryDate).UTC()
		now := c.opts.Now
		res.Expired = !now.Before(res.ExpiresAt)
		res.Expiring = !res.Expired && res.ExpiresAt.Sub(now) < c.opts.ExpiryWarning
		return nil
	}
	res.Notes = append(res.Notes, "Bitbucket did not show the token's record (a project or repository token's is shown to its admins only), so its kind and expiry are unknown")
	return nil
}

// repoJSON is what rtconf reads of a repository
// (https://developer.atlassian.com/server/bitbucket/rest/v906/api-group-repository/#api-api-latest-projects-projectkey-repos-repositoryslug-get).
type repoJSON struct {
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Public  bool   `json:"public"`
	Project struct {
		Key string `json:"key"`
	} `json:"project"`
	DefaultBranch string `json:"defaultBranch"`
	Links         struct {
		Clone []struct {
			Href string `json:"href"`
			Name string `json:"name"`
		} `json:"clone"`
		Self []struct {
			Href string `json:"href"`
		} `json:"self"`
	} `json:"links"`
}
