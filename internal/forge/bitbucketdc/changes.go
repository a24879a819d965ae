package bitbucketdc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// Client makes the changes rtconf asks of Bitbucket Data Center: create the
// repository in its project, protect its branch with branch permissions
// and merge checks, and open pull requests; through the same caller as the
// checks.
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

// Error is a Bitbucket Data Center API call that failed: forge's one error
// of changes.
type Error = forge.APIError

// run sends one change request; an answer other than 2xx becomes an
// *Error that says what Bitbucket answered and what to do.
func (c *Client) run(ctx context.Context, op, method, path string, body, out any) (forge.Answer, error) {
	a, err := c.c.do(ctx, method, path, body, false)
	if err != nil {
		return a, &Error{Op: op, Reason: c.c.tok.Scrub(err.Error()), Err: err}
	}
	if a.Status >= 200 && a.Status < 300 {
		if out != nil && a.Status != http.StatusNoContent {
			if err := decode(a, out); err != nil {
				return a, &Error{Op: op, Status: a.Status, Reason: err.Error(), Err: err}
			}
		}
		return a, nil
	}
	msg, _ := message(a.Body)
	e := &Error{Op: op, Status: a.Status, Reason: fmt.Sprintf("Bitbucket Data Center answered %d: %s", a.Status, c.c.tok.Scrub(msg))}
	switch {
	case refusedToken(a):
		e.Hint = "the token is invalid, expired or revoked"
	case notPermitted(a):
		e.Hint = "the token (or its user) lacks the permission: the runtime token needs PROJECT_ADMIN on the project"
	case a.Status == http.StatusNotFound:
		e.Hint = "the project or repository does not exist, or the token cannot see it"
	}
	return a, e
}

// EnsureRepository returns the repository namespace (the project's key) /
// name (its slug), creating it in the project (POST
// /rest/api/1.0/projects/KEY/repos, which takes PROJECT_ADMIN) when it
// does not exist. created says whether it was made.
func (c *Client) EnsureRepository(ctx context.Context, namespace, name string, private bool) (forge.Repository, bool, error) {
	path := namespace + "/" + name
	var repo repoJSON
	a, err := c.run(ctx, "look up repository "+path, http.MethodGet, repoPath(namespace, name), nil, &repo)
	if err == nil {
		out, err := named(repo, namespace, name, "look up repository")
		return out, false, err
	}
	if a.Status != http.StatusNotFound {
		return forge.Repository{}, false, err
	}
	// Bitbucket makes the slug from the name; defaultBranch is taken since
	// Bitbucket 7.5. public: false keeps it to those given access.
	body := map[string]any{"name": name, "scmId": "git", "forkable": false, "public": !private, "defaultBranch": "main",
		"description": "Shared configuration repository of GitOps Runtimes, managed with rtconf"}
	a, err = c.run(ctx, "create repository "+path, http.MethodPost, "rest/api/1.0/projects/"+url.PathEscape(namespace)+"/repos", body, &repo)
	if err != nil {
		var e *Error
		if a.Status == http.StatusNotFound && errors.As(err, &e) {
			e.Hint = "create the project " + namespace + " first: rtconf creates repositories, not projects"
		}
		return forge.Repository{}, false, err
	}
	out, err := named(repo, namespace, name, "create repository")
	return out, err == nil, err
}

// named returns repo when it is namespace/name; an answer about any other
// repository is no answer.
func named(repo repoJSON, key, slug, op string) (forge.Repository, error) {
	if !strings.EqualFold(repo.Slug, slug) || !strings.EqualFold(repo.Project.Key, key) {
		return forge.Repository{}, &Error{Op: op + " " + key + "/" + slug,
			Reason: fmt.Sprintf("Bitbucket's answer names the repository %q of project %q, not that one (Bitbucket makes the slug from the name: write repository.url with the slug)", repo.Slug, repo.Project.Key),
			Hint:   "check the API URL and repository.url"}
	}
	out := forge.Repository{Owner: repo.Project.Key, Name: repo.Slug, DefaultBranch: repo.DefaultBranch, Private: !repo.Public}
	for _, l := range repo.Links.Clone {
		if l.Name == "http" || l.Name == "https" {
			out.CloneURL = l.Href
		}
	}
	if len(repo.Links.Self) > 0 {
		out.HTMLURL = repo.Links.Self[0].Href
	}
	return out, nil
}

// restrictionTypes are the branch permissions Protect sets on the branch:
// changes only through pull requests, no deletion, no rewriting of history
// (https://confluence.atlassian.com/bitbucketserver/using-branch-permissions-776639807.html;
// REST: https://developer.atlassian.com/server/bitbucket/rest/v906/api-group-permission-management/).
var restrictionTypes = []string{"pull-request-only", "no-deletes", "fast-forward-only"}

type matcher struct {
	ID        string `json:"id"`
	DisplayID string `json:"displayId"`
	Type      struct {
		ID   string `json:"id"`
		Name string `json:"name,omitempty"`
	} `json:"type"`
	Active bool `json:"active,omitempty"`
}

func branchMatcher(branch string) matcher {
	m := matcher{ID: "refs/heads/" + branch, DisplayID: branch, Active: true}
	m.Type.ID, m.Type.Name = "BRANCH", "Branch"
	return m
}

// Protect protects branch: the branch permissions pull-request-only,
// no-deletes and fast-forward-only (restrictions of
// /rest/branch-permissions/2.0/), one approval (requiredApprovers of the
// repository's pull request settings) and a successful build whose key is
// check before a pull request merges (the required builds merge check of
// /rest/required-builds/latest/, Bitbucket 7.14+). What exists already is
// kept, so a re-run converges.
func (c *Client) Protect(ctx context.Context, namespace, name, branch, check string) error {
	op := fmt.Sprintf("protect branch %s of %s/%s", branch, namespace, name)
	perms := "rest/branch-permissions/2.0/projects/" + url.PathEscape(namespace) + "/repos/" + url.PathEscape(name) + "/restrictions"
	var have []string
	ref := "refs/heads/" + branch
	a, err := c.c.pages(ctx, perms, url.Values{"matcherType": {"BRANCH"}, "matcherId": {ref}}, func(v json.RawMessage) (bool, error) {
		var r struct {
			Type    string  `json:"type"`
			Matcher matcher `json:"matcher"`
		}
		if json.Unmarshal(v, &r) == nil && r.Matcher.ID == ref {
			have = append(have, r.Type)
		}
		return false, nil
	})
	if err == nil && a.Status != http.StatusOK {
		_, err = c.run(ctx, op, http.MethodGet, perms, nil, nil) // the answer again, as an *Error
	}
	if err != nil {
		return wrap(op, err)
	}
	for _, t := range restrictionTypes {
		if slices.Contains(have, t) {
			continue
		}
		body := map[string]any{"type": t, "matcher": branchMatcher(branch), "users": []string{}, "groups": []string{}, "accessKeys": []int{}}
		if _, err := c.run(ctx, op+": branch permission "+t, http.MethodPost, perms, body, nil); err != nil {
			return err
		}
	}
	if _, err := c.run(ctx, op+": one required approval", http.MethodPost, repoPath(namespace, name)+"/settings/pull-requests",
		map[string]any{"requiredApprovers": 1}, nil); err != nil {
		return err
	}
	return c.requireBuild(ctx, op, namespace, name, branch, check)
}

// requireBuild adds the required builds merge check for check on branch,
// unless one requires it already.
func (c *Client) requireBuild(ctx context.Context, op, namespace, name, branch, check string) error {
	base := "rest/required-builds/latest/projects/" + url.PathEscape(namespace) + "/repos/" + url.PathEscape(name)
	ref := "refs/heads/" + branch
	found := false
	a, err := c.c.pages(ctx, base+"/conditions", url.Values{}, func(v json.RawMessage) (bool, error) {
		var cond struct {
			BuildParentKeys []string `json:"buildParentKeys"`
			RefMatcher      matcher  `json:"refMatcher"`
		}
		if json.Unmarshal(v, &cond) == nil && cond.RefMatcher.ID == ref && slices.Contains(cond.BuildParentKeys, check) {
			found = true
		}
		return found, nil
	})
	if err == nil && a.Status != http.StatusOK {
		_, err = c.run(ctx, op, http.MethodGet, base+"/conditions", nil, nil)
	}
	if err != nil {
		return wrap(op, err)
	}
	if found {
		return nil
	}
	body := map[string]any{"buildParentKeys": []string{check}, "refMatcher": branchMatcher(branch), "exemptRefMatcher": nil}
	_, err = c.run(ctx, op+": required build "+check, http.MethodPost, base+"/condition", body, nil)
	return err
}

// wrap makes an error of a paged walk an *Error of op.
func wrap(op string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Op: op, Reason: err.Error(), Err: err}
}

// OpenChangeRequest opens a pull request and returns its web address
// (POST /rest/api/1.0/projects/KEY/repos/SLUG/pull-requests).
func (c *Client) OpenChangeRequest(ctx context.Context, namespace, name string, cr forge.ChangeRequest) (string, error) {
	ref := func(branch string) map[string]any {
		return map[string]any{"id": "refs/heads/" + branch,
			"repository": map[string]any{"slug": name, "project": map[string]any{"key": namespace}}}
	}
	body := map[string]any{"title": cr.Title, "description": cr.Body, "fromRef": ref(cr.Head), "toRef": ref(cr.Base)}
	var pr struct {
		ID    int64 `json:"id"`
		Links struct {
			Self []struct {
				Href string `json:"href"`
			} `json:"self"`
		} `json:"links"`
	}
	op := fmt.Sprintf("open a pull request from %s into %s of %s/%s", cr.Head, cr.Base, namespace, name)
	if _, err := c.run(ctx, op, http.MethodPost, repoPath(namespace, name)+"/pull-requests", body, &pr); err != nil {
		return "", err
	}
	if len(pr.Links.Self) == 0 || pr.Links.Self[0].Href == "" {
		return "", &Error{Op: op, Reason: "Bitbucket's answer has no links.self"}
	}
	return pr.Links.Self[0].Href, nil
}
