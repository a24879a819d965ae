package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// Client makes the changes rtconf asks of the GitHub API: create the
// shared configuration repository, protect its default branch, and open
// pull requests. Its requests go through the same caller as the checks:
// one HTTP client, one retry and rate-limit policy, one error mapping.
type Client struct {
	c *caller
}

var _ forge.Changes = (*Client)(nil)

// NewClient makes a client with tok for the API at o.APIURL
// (https://api.github.com/, or https://HOST/api/v3/ for GitHub Enterprise
// Server); o is the live check's options (clock, waits, retries).
func NewClient(tok token.Token, o forge.Options) (*Client, error) {
	base, err := url.Parse(strings.TrimSuffix(o.APIURL, "/") + "/")
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("GitHub API URL %q is not a URL", o.APIURL)
	}
	if o.Now.IsZero() || o.Sleep == nil || o.Timeout <= 0 {
		return nil, errors.New("github: options not filled in; start from DefaultOptions")
	}
	o.APIURL = base.String()
	o.HTTPClient = forge.HTTPClient(o.HTTPClient)
	return &Client{c: &caller{tok: tok, opts: o}}, nil
}

// EnsureRepository returns the repository owner/name, creating it when it
// does not exist: in the token's own account when owner is its login, in
// the organisation owner otherwise. created says whether it was made.
func (c *Client) EnsureRepository(ctx context.Context, owner, name string, private bool) (repo forge.Repository, created bool, err error) {
	path := "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name)
	var r gh.Repository
	err = c.call(ctx, "look up repository "+owner+"/"+name, http.MethodGet, path, nil, &r)
	if err == nil {
		return named(&r, owner, name, "look up repository")
	}
	if !isStatus(err, http.StatusNotFound) {
		return forge.Repository{}, false, err
	}
	var user gh.User
	if err := c.call(ctx, "find the token's user", http.MethodGet, "user", nil, &user); err != nil {
		return forge.Repository{}, false, err
	}
	create := "user/repos"
	if !strings.EqualFold(user.GetLogin(), owner) {
		create = "orgs/" + url.PathEscape(owner) + "/repos"
	}
	err = c.call(ctx, "create repository "+owner+"/"+name, http.MethodPost, create, &gh.Repository{
		Name:        gh.String(name),
		Private:     gh.Bool(private),
		Description: gh.String("Shared configuration repository of GitOps Runtimes, managed with rtconf"),
	}, &r)
	if err != nil {
		var ge *Error
		if errors.As(err, &ge) && ge.Status == http.StatusUnprocessableEntity && strings.Contains(ge.Reason, "already exists") {
			ge.Reason, ge.Hint = "the repository exists, but the token cannot see it", "give the token access to it"
		}
		return forge.Repository{}, false, err
	}
	repo, _, err = named(&r, owner, name, "create repository")
	return repo, err == nil, err
}

// named returns r when it is the repository owner/name (GitHub compares
// names without case): an answer about any other repository is no answer,
// and its clone URL is not used.
func named(r *gh.Repository, owner, name, op string) (forge.Repository, bool, error) {
	if !strings.EqualFold(r.GetFullName(), owner+"/"+name) {
		return forge.Repository{}, false, &Error{Op: op + " " + owner + "/" + name,
			Reason: "GitHub's answer does not name that repository (its full_name is missing or another repository's)",
			Hint:   "check the API URL; rtconf could not verify the repository"}
	}
	return forge.Repository{
		Owner: r.GetOwner().GetLogin(), Name: r.GetName(),
		CloneURL: r.GetCloneURL(), HTMLURL: r.GetHTMLURL(),
		DefaultBranch: r.GetDefaultBranch(), Private: r.GetPrivate(),
	}, false, nil
}

// Protect requires pull requests (one approval) and the status check named
// check, up to date with the branch, before anything merges into branch.
func (c *Client) Protect(ctx context.Context, owner, name, branch, check string) error {
	path := "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/branches/" + url.PathEscape(branch) + "/protection"
	return c.call(ctx, fmt.Sprintf("protect branch %s of %s/%s", branch, owner, name), http.MethodPut, path, &gh.ProtectionRequest{
		RequiredStatusChecks: &gh.RequiredStatusChecks{
			Strict: true,
			Checks: &[]*gh.RequiredStatusCheck{{Context: check}},
		},
		RequiredPullRequestReviews: &gh.PullRequestReviewsEnforcementRequest{RequiredApprovingReviewCount: 1},
		EnforceAdmins:              false,
	}, nil)
}

// OpenChangeRequest opens a pull request and returns its web address.
func (c *Client) OpenChangeRequest(ctx context.Context, owner, name string, pr forge.ChangeRequest) (string, error) {
	var created gh.PullRequest
	path := "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/pulls"
	err := c.call(ctx, fmt.Sprintf("open a pull request from %s into %s of %s/%s", pr.Head, pr.Base, owner, name), http.MethodPost, path, &gh.NewPullRequest{
		Title: gh.String(pr.Title), Body: gh.String(pr.Body),
		Head: gh.String(pr.Head), Base: gh.String(pr.Base),
	}, &created)
	if err != nil {
		return "", err
	}
	return created.GetHTMLURL(), nil
}

// call sends one change request through the caller and decodes a 2xx
// answer into out (when not nil); any other answer becomes an *Error.
func (c *Client) call(ctx context.Context, op, method, path string, body, out any) error {
	a, err := c.c.do(ctx, method, path, body)
	if err != nil {
		return c.explain(op, err)
	}
	if a.Status < 200 || a.Status > 299 {
		return c.explainAnswer(op, method, path, a)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(a.Body), out); err != nil {
			return &Error{Op: op, Status: a.Status, Reason: "GitHub's answer is not the JSON rtconf expects", Err: err}
		}
	}
	return nil
}

// Error is a GitHub API call that failed: forge's one error of changes.
type Error = forge.APIError

func isStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// explain is a request that got no answer: the caller's *UnverifiedError
// (the host could not be reached, kept failing, or rate-limited longer than
// rtconf waits) or a refused redirect.
func (c *Client) explain(op string, err error) error {
	var unverified *forge.UnverifiedError
	var redirect *forge.RedirectError
	e := &Error{Op: op, Err: err}
	switch {
	case errors.As(err, &redirect):
		e.Reason = redirect.Error()
	case errors.Is(err, forge.ErrResponseTooLarge):
		e.Reason = forge.ErrResponseTooLarge.Error()
	case errors.As(err, &unverified):
		e.Reason = unverified.Reason
		if strings.Contains(e.Reason, "rate limit") {
			e.Hint = "run again later"
		}
	default:
		e.Reason = err.Error()
	}
	e.Reason = c.c.tok.Scrub(e.Reason)
	return e
}

// explainAnswer turns an error answer into one that says what to do; the
// answer is read with go-github's own CheckResponse.
func (c *Client) explainAnswer(op, method, path string, a answer) error {
	u, _ := url.Parse(c.c.opts.APIURL + path)
	resp := &http.Response{StatusCode: a.Status, Header: a.Header,
		Body: io.NopCloser(strings.NewReader(a.Body)), Request: &http.Request{Method: method, URL: u}}
	e := &Error{Op: op, Status: a.Status}
	var er *gh.ErrorResponse
	if err := gh.CheckResponse(resp); errors.As(err, &er) {
		e.Reason = fmt.Sprintf("GitHub answered %d: %s", a.Status, detail(er))
	} else {
		e.Reason = fmt.Sprintf("GitHub answered %d %s", a.Status, http.StatusText(a.Status))
	}
	switch a.Status {
	case http.StatusUnauthorized:
		e.Hint = "the token is invalid, expired or revoked"
	case http.StatusForbidden, http.StatusNotFound:
		e.Hint = "the token may lack the permission"
		if p := a.Header.Get("X-Accepted-GitHub-Permissions"); p != "" {
			e.Hint += "; GitHub accepts " + p
		}
	}
	e.Reason = c.c.tok.Scrub(e.Reason)
	return e
}

func detail(er *gh.ErrorResponse) string {
	msg := er.Message
	for _, fe := range er.Errors {
		if fe.Message != "" {
			msg += "; " + fe.Message
		} else if fe.Field != "" {
			msg += fmt.Sprintf("; %s %s", fe.Field, fe.Code)
		}
	}
	return msg
}
