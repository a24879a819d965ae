package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// Client makes the changes rtconf asks of GitLab: create the project in
// its group, protect its branch and require pipelines to succeed, and open
// merge requests; through the same caller as the checks.
type Client struct{ c *caller }

var _ forge.Changes = (*Client)(nil)

// NewClient makes a client with tok for the API at o.APIURL.
func NewClient(tok token.Token, o forge.Options) (*Client, error) {
	c, err := newCaller(tok, o)
	if err != nil {
		return nil, err
	}
	return &Client{c: c}, nil
}

// Error is a GitLab API call that failed: forge's one error of changes.
type Error = forge.APIError

// run sends one change request; an answer other than 2xx becomes an
// *Error that says what GitLab answered and what to do.
func (c *Client) run(ctx context.Context, op, method string, f func(...gl.RequestOptionFunc) (*gl.Response, error)) (forge.Answer, error) {
	a, err := c.c.call(ctx, method, f)
	if err != nil {
		return a, &Error{Op: op, Reason: c.c.tok.Scrub(err.Error()), Err: err}
	}
	if a.Status >= 200 && a.Status < 300 {
		return a, nil
	}
	e := &Error{Op: op, Status: a.Status, Reason: fmt.Sprintf("GitLab answered %d: %s", a.Status, c.c.tok.Scrub(message(a.Body)))}
	switch a.Status {
	case http.StatusUnauthorized:
		e.Hint = "the token is invalid, expired or revoked"
	case http.StatusForbidden:
		e.Hint = "the token lacks the scope api, or its user the role"
	case http.StatusNotFound:
		e.Hint = "the project or group does not exist, or the token's user cannot see it"
	}
	return a, e
}

// EnsureRepository returns the project namespace/name, creating it in the
// namespace (a group with its subgroups, or the token's user) when it does
// not exist. created says whether it was made.
func (c *Client) EnsureRepository(ctx context.Context, namespace, name string, private bool) (forge.Repository, bool, error) {
	path := namespace + "/" + name
	var p *gl.Project
	a, err := c.run(ctx, "look up project "+path, http.MethodGet, func(o ...gl.RequestOptionFunc) (r *gl.Response, err error) {
		p, r, err = c.c.gl.Projects.GetProject(path, nil, o...)
		return r, err
	})
	if err == nil {
		return named(p, path, "look up project")
	}
	if a.Status != http.StatusNotFound {
		return forge.Repository{}, false, err
	}
	var ns *gl.Namespace
	if _, err := c.run(ctx, "find namespace "+namespace, http.MethodGet, func(o ...gl.RequestOptionFunc) (r *gl.Response, err error) {
		ns, r, err = c.c.gl.Namespaces.GetNamespace(namespace, o...)
		return r, err
	}); err != nil {
		return forge.Repository{}, false, err
	}
	visibility := gl.PrivateVisibility
	if !private {
		visibility = gl.PublicVisibility
	}
	_, err = c.run(ctx, "create project "+path, http.MethodPost, func(o ...gl.RequestOptionFunc) (r *gl.Response, err error) {
		p, r, err = c.c.gl.Projects.CreateProject(&gl.CreateProjectOptions{
			Name: gl.Ptr(name), Path: gl.Ptr(name), NamespaceID: gl.Ptr(ns.ID), Visibility: gl.Ptr(visibility),
			Description: gl.Ptr("Shared configuration repository of GitOps Runtimes, managed with rtconf"),
		}, o...)
		return r, err
	})
	var ge *Error
	if errors.As(err, &ge) && ge.Status == http.StatusBadRequest && strings.Contains(ge.Reason, "namespace is not valid") {
		// GitLab's answer when the user may not create projects there.
		ge.Hint = "the token's user may not create projects in " + namespace + ": the group's \"Allowed to create projects\" setting decides who may"
	}
	if err != nil {
		return forge.Repository{}, false, err
	}
	repo, _, err := named(p, path, "create project")
	return repo, err == nil, err
}

// named returns p when it is the project path (GitLab compares paths
// without case); an answer about any other project is no answer.
func named(p *gl.Project, path, op string) (forge.Repository, bool, error) {
	if p == nil || !samePath(p.PathWithNamespace, path) {
		return forge.Repository{}, false, &Error{Op: op + " " + path,
			Reason: "GitLab's answer does not name that project (its path_with_namespace is missing or another project's)",
			Hint:   "check the API URL; rtconf could not verify the project"}
	}
	ns, name, _ := RepoPath(p.PathWithNamespace)
	return forge.Repository{
		Owner: ns, Name: name, CloneURL: p.HTTPURLToRepo, HTMLURL: p.WebURL,
		DefaultBranch: p.DefaultBranch, Private: p.Visibility == gl.PrivateVisibility,
	}, false, nil
}

func samePath(a, b string) bool { return strings.EqualFold(a, b) }

// Protect protects branch (no direct pushes, merges by maintainers, no
// force push) and requires pipelines to succeed before a merge request
// merges: GitLab has no named required checks, so check, the job that
// gathers rtconf validate, is required through the pipeline it is in.
// A branch protected already is left as it is.
func (c *Client) Protect(ctx context.Context, namespace, name, branch, check string) error {
	path := namespace + "/" + name
	a, err := c.run(ctx, fmt.Sprintf("protect branch %s of %s", branch, path), http.MethodPost, func(o ...gl.RequestOptionFunc) (*gl.Response, error) {
		_, r, err := c.c.gl.ProtectedBranches.ProtectRepositoryBranches(path, &gl.ProtectRepositoryBranchesOptions{
			Name: gl.Ptr(branch), PushAccessLevel: gl.Ptr(gl.NoPermissions),
			MergeAccessLevel: gl.Ptr(gl.MaintainerPermissions), AllowForcePush: gl.Ptr(false),
		}, o...)
		return r, err
	})
	if err != nil && a.Status != http.StatusConflict {
		return err
	}
	_, err = c.run(ctx, fmt.Sprintf("require pipelines (%s) to succeed before merging into %s of %s", check, branch, path), http.MethodPut, func(o ...gl.RequestOptionFunc) (*gl.Response, error) {
		_, r, err := c.c.gl.Projects.EditProject(path, &gl.EditProjectOptions{
			OnlyAllowMergeIfPipelineSucceeds: gl.Ptr(true),
		}, o...)
		return r, err
	})
	return err
}

// OpenChangeRequest opens a merge request whose source branch is removed
// on merge, and returns its web address.
func (c *Client) OpenChangeRequest(ctx context.Context, namespace, name string, cr forge.ChangeRequest) (string, error) {
	path := namespace + "/" + name
	var mr *gl.MergeRequest
	_, err := c.run(ctx, fmt.Sprintf("open a merge request from %s into %s of %s", cr.Head, cr.Base, path), http.MethodPost, func(o ...gl.RequestOptionFunc) (r *gl.Response, err error) {
		mr, r, err = c.c.gl.MergeRequests.CreateMergeRequest(path, &gl.CreateMergeRequestOptions{
			Title: gl.Ptr(cr.Title), Description: gl.Ptr(cr.Body),
			SourceBranch: gl.Ptr(cr.Head), TargetBranch: gl.Ptr(cr.Base), RemoveSourceBranch: gl.Ptr(true),
		}, o...)
		return r, err
	})
	if err != nil {
		return "", err
	}
	if mr == nil || mr.WebURL == "" {
		return "", &Error{Op: "open a merge request", Reason: "GitLab's answer has no web_url"}
	}
	return mr.WebURL, nil
}
