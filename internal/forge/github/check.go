package github

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// Options are the inputs of Check.
type Options = forge.Options

// DefaultOptions checks against github.com.
func DefaultOptions() Options {
	return forge.DefaultOptions(PublicAPIURL)
}

// Requirement is one scope or permission and the verdict on it.
type Requirement = forge.Requirement

// Result is the outcome of a check.
type Result = forge.Result

// Check checks tok for a kind of use. A returned error (*UnverifiedError or
// bad options) means nothing could be concluded.
func Check(ctx context.Context, tok token.Token, kind Kind, o Options) (Result, error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	o.HTTPClient = forge.HTTPClient(o.HTTPClient)
	c := &caller{tok: tok, opts: o, retryWrites: true}
	res := Result{TokenKind: tok.Kind()}
	var err error
	if tok.Kind() == FineGrained {
		err = checkFineGrained(ctx, c, kind, o, &res)
	} else {
		err = checkClassic(ctx, c, kind, o, &res)
	}
	res.Requests = c.n
	return res, err
}

func repoPath(o Options) string {
	return "repos/" + url.PathEscape(o.Owner) + "/" + url.PathEscape(o.Repo)
}

// refused handles the answers that end a check: bad credentials and SSO.
func refused(a answer, res *Result) bool {
	switch {
	case a.Status == http.StatusUnauthorized:
		res.Invalid = true
		res.Problem = "GitHub refuses the token (401 Bad credentials): it is invalid, expired or revoked"
		return true
	case a.Status == http.StatusForbidden && a.Header.Get("X-GitHub-SSO") != "":
		res.Invalid = true
		res.Problem = "the token is not authorised for the organisation's SAML single sign-on"
		if _, u, ok := strings.Cut(a.Header.Get("X-GitHub-SSO"), "url="); ok {
			res.Problem += "; authorise it at " + strings.TrimSpace(u)
		}
		return true
	}
	return false
}

// expiry records the token's expiry from the first answer.
func expiry(a answer, o Options, res *Result) {
	v := a.Header.Get("GitHub-Authentication-Token-Expiration")
	if v == "" {
		res.Notes = append(res.Notes, "GitHub reports no expiry for this token")
		return
	}
	for _, layout := range []string{"2006-01-02 15:04:05 MST", "2006-01-02 15:04:05 -0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			res.ExpiresAt = t.UTC()
			res.Expired = !o.Now.Before(t)
			res.Expiring = !res.Expired && t.Sub(o.Now) < o.ExpiryWarning
			return
		}
	}
	res.Notes = append(res.Notes, "GitHub sent an expiry rtconf cannot read: "+v)
}

// checkClassic reads the scopes from one request on the repository.
func checkClassic(ctx context.Context, c *caller, kind Kind, o Options, res *Result) error {
	a, err := c.do(ctx, http.MethodGet, repoPath(o), nil)
	if err != nil {
		return err
	}
	if refused(a, res) {
		return nil
	}
	switch a.Status {
	case http.StatusOK:
		if _, err := readRepo(a, o, false); err != nil {
			return err
		}
	case http.StatusNotFound:
	default:
		return &UnverifiedError{Reason: fmt.Sprintf("GitHub answered %d to GET /%s, which tells nothing about the token", a.Status, repoPath(o))}
	}
	expiry(a, o, res)
	header, sent := a.Header["X-Oauth-Scopes"]
	if !sent {
		for _, want := range requirementsClassic(kind, o.Also) {
			res.Requirements = append(res.Requirements, Requirement{Name: want, Verdict: Unknown,
				Detail: "GitHub sent no X-OAuth-Scopes header for this token"})
		}
		return nil
	}
	res.Scopes = ParseScopes(strings.Join(header, ","))
	for _, want := range requirementsClassic(kind, o.Also) {
		r := Requirement{Name: want, Verdict: Missing, Certainty: Observed, Detail: "not among the token's scopes"}
		if grants(res.Scopes, want) {
			r.Verdict, r.Detail = Granted, "in X-OAuth-Scopes"
		}
		res.Requirements = append(res.Requirements, r)
	}
	if a.Status == http.StatusNotFound {
		res.Requirements = append(res.Requirements, Requirement{Name: "access to " + o.Owner + "/" + o.Repo, Verdict: Missing, Certainty: Observed,
			Detail: "GitHub answers 404: the repository does not exist or the token's user cannot see it"})
	}
	return nil
}

// repoAnswer is what rtconf reads of GitHub's answer to GET /repos/{owner}/{repo}.
type repoAnswer struct {
	FullName      string          `json:"full_name"`
	DefaultBranch string          `json:"default_branch"`
	Permissions   map[string]bool `json:"permissions"`
}

// readRepo reads a 200 answer to GET /repos/{owner}/{repo}: it must be a
// JSON object naming that repository (GitHub compares names without case),
// with the user's permissions on it when the check uses them. Anything else
// is no answer to the question asked: the check could not verify. The
// body's own text is never repeated, since whoever sent it chose it.
func readRepo(a answer, o Options, needPermissions bool) (repoAnswer, error) {
	var r repoAnswer
	want := o.Owner + "/" + o.Repo
	if err := json.Unmarshal([]byte(a.Body), &r); err != nil {
		return r, &UnverifiedError{Reason: fmt.Sprintf("GitHub's answer to GET /%s is not the JSON of a repository", repoPath(o))}
	}
	if !strings.EqualFold(r.FullName, want) {
		return r, &UnverifiedError{Reason: fmt.Sprintf("GitHub's answer to GET /%s does not name %s (its full_name is missing or another repository's)", repoPath(o), want)}
	}
	if needPermissions && r.Permissions == nil {
		return r, &UnverifiedError{Reason: fmt.Sprintf("GitHub's answer to GET /%s has no permissions object", repoPath(o))}
	}
	return r, nil
}

func requirementsClassic(kind Kind, also []Kind) []string {
	var out []string
	for _, k := range append([]Kind{kind}, also...) {
		for _, s := range classicRequirements(k) {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
