package bitbucket

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// Client makes the changes rtconf asks of Bitbucket Cloud: create the
// repository in its workspace, restrict its branch, and open pull
// requests; through the same caller as the checks.
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

// Error is a Bitbucket API call that failed: forge's one error of changes.
type Error = forge.APIError

// run sends one change request and decodes a 2xx JSON answer into out; any
// other answer becomes an *Error that says what Bitbucket answered and
// what to do.
func (c *Client) run(ctx context.Context, op, method, path string, body, out any) (forge.Answer, error) {
	a, err := c.c.call(ctx, method, path, body, false)
	if err != nil {
		return a, &Error{Op: op, Reason: c.c.tok.Scrub(err.Error()), Err: err}
	}
	if a.Status >= 200 && a.Status < 300 {
		if out != nil && a.Status != http.StatusNoContent {
			if err := json.Unmarshal([]byte(a.Body), out); err != nil {
				return a, &Error{Op: op, Status: a.Status, Reason: "Bitbucket's answer is not the JSON asked for", Err: err}
			}
		}
		return a, nil
	}
	e := &Error{Op: op, Status: a.Status, Reason: fmt.Sprintf("Bitbucket answered %d: %s", a.Status, c.c.tok.Scrub(message(a.Body)))}
	switch a.Status {
	case http.StatusUnauthorized:
		e.Hint = "the token is invalid, expired or revoked"
	case http.StatusForbidden:
		e.Hint = "the token lacks a scope (Repositories: admin to create and restrict, Pull requests: write to open one) or its user the permission"
	case http.StatusNotFound:
		e.Hint = "the workspace or repository does not exist, or the token cannot see it"
	}
	return a, e
}

// repository is the part of Bitbucket's repository object rtconf reads
// (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-repositories/).
type repository struct {
	FullName   string `json:"full_name"`
	Slug       string `json:"slug"`
	IsPrivate  bool   `json:"is_private"`
	Mainbranch *struct {
		Name string `json:"name"`
	} `json:"mainbranch"`
	Links struct {
		HTML struct {
			Href string `json:"href"`
		} `json:"html"`
		Clone []struct {
			Name string `json:"name"`
			Href string `json:"href"`
		} `json:"clone"`
	} `json:"links"`
}

func repoPath(namespace, name string) string {
	return "repositories/" + url.PathEscape(namespace) + "/" + url.PathEscape(name)
}

// EnsureRepository returns the repository namespace/name (workspace and
// slug), creating it (POST /2.0/repositories/{workspace}/{repo_slug}, Git,
// private unless told otherwise) when it does not exist. Bitbucket puts a
// repository created without a project into the workspace's oldest
// project. created says whether it was made.
func (c *Client) EnsureRepository(ctx context.Context, namespace, name string, private bool) (forge.Repository, bool, error) {
	path := namespace + "/" + name
	var repo repository
	a, err := c.run(ctx, "look up repository "+path, http.MethodGet, repoPath(namespace, name), nil, &repo)
	if err == nil {
		out, err := named(repo, path, "look up repository")
		return out, false, err
	}
	if a.Status != http.StatusNotFound {
		return forge.Repository{}, false, err
	}
	body := map[string]any{"scm": "git", "is_private": private,
		"description": "Shared configuration repository of GitOps Runtimes, managed with rtconf"}
	if _, err := c.run(ctx, "create repository "+path, http.MethodPost, repoPath(namespace, name), body, &repo); err != nil {
		return forge.Repository{}, false, err
	}
	out, err := named(repo, path, "create repository")
	return out, err == nil, err
}

// named returns repo when it is namespace/name (Bitbucket compares slugs
// without case); an answer about any other repository is no answer.
func named(repo repository, path, op string) (forge.Repository, error) {
	if !strings.EqualFold(repo.FullName, path) {
		return forge.Repository{}, &Error{Op: op + " " + path,
			Reason: "Bitbucket's answer does not name that repository (its full_name is missing or another repository's)",
			Hint:   "check the API URL; rtconf could not verify the repository"}
	}
	owner, name, _ := RepoPath(repo.FullName)
	out := forge.Repository{Owner: owner, Name: name, HTMLURL: repo.Links.HTML.Href, Private: repo.IsPrivate}
	if repo.Mainbranch != nil {
		out.DefaultBranch = repo.Mainbranch.Name
	}
	for _, l := range repo.Links.Clone {
		if l.Name != "https" {
			continue
		}
		// Bitbucket's https clone link names the caller:
		// https://USER@bitbucket.org/…; rtconf pushes with its own
		// username, so the link goes without it.
		if u, err := url.Parse(l.Href); err == nil {
			u.User = nil
			out.CloneURL = u.String()
		}
	}
	return out, nil
}

// restriction is a branch restriction
// (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-branch-restrictions/).
type restriction struct {
	ID              int    `json:"id,omitempty"`
	Kind            string `json:"kind"`
	BranchMatchKind string `json:"branch_match_kind"`
	Pattern         string `json:"pattern"`
	Value           *int   `json:"value,omitempty"`
	Users           []any  `json:"users"`
	Groups          []any  `json:"groups"`
}

// wantedRestrictions protect a branch: nobody pushes to it directly (push
// with no users or groups allowed), no force pushes, no deletion, one
// approval and one passing build before a merge. Bitbucket's "required
// builds" count passing builds and cannot name one: the Pipelines step
// "rtconf validate" of the generated bitbucket-pipelines.yml is the build.
// Bitbucket enforces the merge checks on its Premium plan only; on the
// others they are shown as advice
// (https://support.atlassian.com/bitbucket-cloud/docs/suggest-or-require-checks-before-a-merge/).
func wantedRestrictions(branch string) []restriction {
	one := 1
	r := func(kind string, value *int) restriction {
		return restriction{Kind: kind, BranchMatchKind: "glob", Pattern: branch, Value: value, Users: []any{}, Groups: []any{}}
	}
	return []restriction{
		r("push", nil), r("force", nil), r("delete", nil),
		r("require_approvals_to_merge", &one), r("require_passing_builds_to_merge", &one),
	}
}

// Protect restricts branch (see wantedRestrictions). The restrictions
// already there are read first (every page), and only the missing ones
// are created, or updated (PUT) when their value differs, so that a
// re-run converges on the same set.
func (c *Client) Protect(ctx context.Context, namespace, name, branch, check string) error {
	op := fmt.Sprintf("protect branch %s of %s/%s", branch, namespace, name)
	have, err := c.restrictions(ctx, op, namespace, name, branch)
	if err != nil {
		return err
	}
	base := repoPath(namespace, name) + "/branch-restrictions"
	for _, w := range wantedRestrictions(branch) {
		old, ok := have[w.Kind]
		switch {
		case !ok:
			_, err = c.run(ctx, op, http.MethodPost, base, w, nil)
		case weaker(old, w):
			_, err = c.run(ctx, op, http.MethodPut, fmt.Sprintf("%s/%d", base, old.ID), w, nil)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// weaker tells whether the restriction there is less than the one wanted:
// fewer approvals or builds, or a push restriction that lets someone push.
// A stricter one is kept.
func weaker(have, want restriction) bool {
	if want.Value != nil {
		return have.Value == nil || *have.Value < *want.Value
	}
	return want.Kind == "push" && (len(have.Users) > 0 || len(have.Groups) > 0)
}

// restrictions lists the restrictions of branch's pattern by kind,
// following Bitbucket's pagination ("next") on the API's own origin.
func (c *Client) restrictions(ctx context.Context, op, namespace, name, branch string) (map[string]restriction, error) {
	out := map[string]restriction{}
	next := repoPath(namespace, name) + "/branch-restrictions?" + url.Values{"pattern": {branch}, "pagelen": {"100"}}.Encode()
	for pages := 0; next != ""; pages++ {
		if pages == 20 {
			return nil, &Error{Op: op, Reason: "Bitbucket lists more than 20 pages of branch restrictions"}
		}
		var page struct {
			Values []restriction `json:"values"`
			Next   string        `json:"next"`
		}
		if _, err := c.run(ctx, op, http.MethodGet, next, nil, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Values {
			if r.Pattern == branch && r.BranchMatchKind == "glob" {
				out[r.Kind] = r
			}
		}
		next = ""
		if page.Next != "" {
			u, err := c.c.base.Parse(page.Next)
			if err != nil || u.Scheme != c.c.base.Scheme || u.Host != c.c.base.Host || !strings.HasPrefix(u.Path, c.c.base.Path) {
				return nil, &Error{Op: op, Reason: "Bitbucket's next page is not on its API: not followed"}
			}
			next = strings.TrimPrefix(u.Path, c.c.base.Path) + "?" + u.RawQuery
		}
	}
	return out, nil
}

// OpenChangeRequest opens a pull request (POST
// /2.0/repositories/{workspace}/{repo_slug}/pullrequests) whose source
// branch is closed on merge, and returns its web address.
func (c *Client) OpenChangeRequest(ctx context.Context, namespace, name string, cr forge.ChangeRequest) (string, error) {
	body := map[string]any{
		"title": cr.Title, "description": cr.Body, "close_source_branch": true,
		"source":      map[string]any{"branch": map[string]string{"name": cr.Head}},
		"destination": map[string]any{"branch": map[string]string{"name": cr.Base}},
	}
	var pr struct {
		Links struct {
			HTML struct {
				Href string `json:"href"`
			} `json:"html"`
		} `json:"links"`
	}
	op := fmt.Sprintf("open a pull request from %s into %s of %s/%s", cr.Head, cr.Base, namespace, name)
	if _, err := c.run(ctx, op, http.MethodPost, repoPath(namespace, name)+"/pullrequests", body, &pr); err != nil {
		return "", err
	}
	if pr.Links.HTML.Href == "" {
		return "", &Error{Op: op, Reason: "Bitbucket's answer has no links.html.href"}
	}
	return pr.Links.HTML.Href, nil
}
