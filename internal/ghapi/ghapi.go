// Package ghapi makes the changes rtconf asks of the GitHub API: create the
// shared configuration repository, protect its default branch, and open
// pull requests. Token checks live in ghcheck.
package ghapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/rtconf/rtconf/internal/ghcheck"
	"github.com/rtconf/rtconf/internal/token"
)

// Client calls the GitHub API with one token.
type Client struct {
	gh  *github.Client
	tok token.Token
}

// New makes a client for the API at apiURL (https://api.github.com/, or
// https://HOST/api/v3/ for GitHub Enterprise Server).
func New(apiURL string, tok token.Token, hc *http.Client) (*Client, error) {
	base, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("GitHub API URL %q is not a URL", apiURL)
	}
	gh := github.NewClient(ghcheck.HTTPClient(hc)).WithAuthToken(tok.Reveal())
	gh.BaseURL = base
	return &Client{gh: gh, tok: tok}, nil
}

// Repository is what rtconf needs to know of a repository.
type Repository struct {
	Owner, Name   string
	CloneURL      string
	HTMLURL       string
	DefaultBranch string
	Private       bool
}

func repository(r *github.Repository) Repository {
	return Repository{
		Owner: r.GetOwner().GetLogin(), Name: r.GetName(),
		CloneURL: r.GetCloneURL(), HTMLURL: r.GetHTMLURL(),
		DefaultBranch: r.GetDefaultBranch(), Private: r.GetPrivate(),
	}
}

// EnsureRepository returns the repository owner/name, creating it when it
// does not exist: in the token's own account when owner is its login, in
// the organisation owner otherwise. created says whether it was made.
func (c *Client) EnsureRepository(ctx context.Context, owner, name string, private bool) (repo Repository, created bool, err error) {
	r, _, err := c.gh.Repositories.Get(ctx, owner, name)
	if err == nil {
		return named(r, owner, name, "look up repository")
	}
	if status(err) != http.StatusNotFound {
		return Repository{}, false, c.explain(err, "look up repository "+owner+"/"+name)
	}
	user, _, err := c.gh.Users.Get(ctx, "")
	if err != nil {
		return Repository{}, false, c.explain(err, "find the token's user")
	}
	org := owner
	if strings.EqualFold(user.GetLogin(), owner) {
		org = ""
	}
	r, _, err = c.gh.Repositories.Create(ctx, org, &github.Repository{
		Name:        github.String(name),
		Private:     github.Bool(private),
		Description: github.String("Shared configuration repository of GitOps Runtimes, managed with rtconf"),
	})
	if err != nil {
		e := c.explain(err, "create repository "+owner+"/"+name)
		if ge, ok := e.(*Error); ok && ge.Status == http.StatusUnprocessableEntity && strings.Contains(ge.Reason, "already exists") {
			ge.Reason, ge.Hint = "the repository exists, but the token cannot see it", "give the token access to it"
		}
		return Repository{}, false, e
	}
	repo, _, err = named(r, owner, name, "create repository")
	return repo, err == nil, err
}

// named returns r when it is the repository owner/name (GitHub compares
// names without case): an answer about any other repository is no answer,
// and its clone URL is not used.
func named(r *github.Repository, owner, name, op string) (Repository, bool, error) {
	if !strings.EqualFold(r.GetFullName(), owner+"/"+name) {
		return Repository{}, false, &Error{Op: op + " " + owner + "/" + name,
			Reason: "GitHub's answer does not name that repository (its full_name is missing or another repository's)",
			Hint:   "check the API URL; rtconf could not verify the repository"}
	}
	return repository(r), false, nil
}

// Protect requires pull requests (one approval) and the status check named
// check, up to date with the branch, before anything merges into branch.
func (c *Client) Protect(ctx context.Context, owner, name, branch, check string) error {
	_, _, err := c.gh.Repositories.UpdateBranchProtection(ctx, owner, name, branch, &github.ProtectionRequest{
		RequiredStatusChecks: &github.RequiredStatusChecks{
			Strict: true,
			Checks: &[]*github.RequiredStatusCheck{{Context: check}},
		},
		RequiredPullRequestReviews: &github.PullRequestReviewsEnforcementRequest{RequiredApprovingReviewCount: 1},
		EnforceAdmins:              false,
	})
	if err != nil {
		return c.explain(err, fmt.Sprintf("protect branch %s of %s/%s", branch, owner, name))
	}
	return nil
}

// PullRequest is a pull request to open.
type PullRequest struct {
	Title, Body string
	Head, Base  string
}

// OpenPullRequest opens pr and returns its web address.
func (c *Client) OpenPullRequest(ctx context.Context, owner, name string, pr PullRequest) (string, error) {
	created, _, err := c.gh.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{
		Title: github.String(pr.Title), Body: github.String(pr.Body),
		Head: github.String(pr.Head), Base: github.String(pr.Base),
	})
	if err != nil {
		return "", c.explain(err, fmt.Sprintf("open a pull request from %s into %s of %s/%s", pr.Head, pr.Base, owner, name))
	}
	return created.GetHTMLURL(), nil
}

// Error is a GitHub API call that failed; its message never holds the token.
type Error struct {
	Op     string
	Status int
	Reason string
	Hint   string
}

func (e *Error) Error() string {
	msg := e.Op + ": " + e.Reason
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

func status(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// explain turns a go-github error into one that says what to do.
func (c *Client) explain(err error, op string) error {
	e := &Error{Op: op, Status: status(err)}
	var er *github.ErrorResponse
	var rl *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	var redirect *ghcheck.RedirectError
	switch {
	case errors.As(err, &redirect):
		e.Reason = redirect.Error()
	case errors.Is(err, ghcheck.ErrResponseTooLarge):
		e.Reason = ghcheck.ErrResponseTooLarge.Error()
	case errors.As(err, &rl):
		e.Reason = "GitHub's rate limit is exhausted until " + rl.Rate.Reset.UTC().Format("15:04:05 MST")
		e.Hint = "run again after that"
	case errors.As(err, &abuse):
		e.Reason = "GitHub's secondary rate limit refused the request"
		e.Hint = "wait a minute and run again"
	case errors.As(err, &er):
		e.Reason = fmt.Sprintf("GitHub answered %d: %s", e.Status, detail(er))
		switch e.Status {
		case http.StatusUnauthorized:
			e.Hint = "the token is invalid, expired or revoked"
		case http.StatusForbidden, http.StatusNotFound:
			e.Hint = "the token may lack the permission"
			if p := er.Response.Header.Get("X-Accepted-GitHub-Permissions"); p != "" {
				e.Hint += "; GitHub accepts " + p
			}
		}
	default:
		e.Reason = err.Error()
	}
	if s := c.tok.Reveal(); s != "" {
		e.Reason = strings.ReplaceAll(e.Reason, s, "[token]")
	}
	return e
}

func detail(er *github.ErrorResponse) string {
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
