package gitlab

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// DefaultOptions checks against gitlab.com.
func DefaultOptions() forge.Options {
	return forge.DefaultOptions(PublicAPIURL)
}

// Requests lists the requests a check sends, for `rtconf token check --help`.
func Requests() []string {
	return []string{
		"GET /api/v4/personal_access_tokens/self (the token's scopes, expiry, active, revoked)",
		"GET /api/v4/user (who the token is: a user, or a project or group bot)",
		"GET /api/v4/projects/:namespace%2F:project (the role on the configuration project)",
	}
}

// Check checks tok against need on the project o.Owner/o.Repo (o.Owner is
// the namespace, subgroups included): the token's own record (scopes,
// expiry, active, revoked), its user, and that user's role on the project.
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

func check(ctx context.Context, c *caller, need forge.Need, res *forge.Result) error {
	var pat *gl.PersonalAccessToken
	a, err := c.call(ctx, http.MethodGet, func(opts ...gl.RequestOptionFunc) (resp *gl.Response, err error) {
		pat, resp, err = c.gl.PersonalAccessTokens.GetSinglePersonalAccessToken(opts...)
		return resp, err
	})
	if err != nil {
		return err
	}
	switch {
	case a.Status == http.StatusUnauthorized:
		res.Invalid, res.Problem = true, "GitLab refuses the token (401 Unauthorized): it is invalid, expired or revoked"
		return nil
	case a.Status == http.StatusForbidden:
		// The token cannot read its own record: its scopes are unknown.
		for _, s := range scopeRequirements(need) {
			res.Requirements = append(res.Requirements, forge.Requirement{Name: s, Verdict: forge.Unknown,
				Detail: "GitLab refused GET /personal_access_tokens/self: " + c.tok.Scrub(message(a.Body))})
		}
	case a.Status != http.StatusOK || pat == nil:
		return &forge.UnverifiedError{Reason: fmt.Sprintf("GitLab answered %d to GET /personal_access_tokens/self, which tells nothing about the token", a.Status)}
	default:
		if record(pat, c.opts, res) {
			return nil
		}
		for _, s := range scopeRequirements(need) {
			r := forge.Requirement{Name: s, Verdict: forge.Missing, Certainty: forge.Observed, Detail: "not among the token's scopes"}
			if grants(res.Scopes, s) {
				r.Verdict, r.Detail = forge.Granted, "in the token's scopes"
			}
			res.Requirements = append(res.Requirements, r)
		}
	}
	return checkRole(ctx, c, need, res)
}

// record reads the token's record: scopes and expiry; it reports whether
// the token is refused (revoked or inactive).
func record(pat *gl.PersonalAccessToken, o forge.Options, res *forge.Result) bool {
	res.Scopes = slices.Clone(pat.Scopes)
	if pat.Revoked || !pat.Active {
		res.Invalid, res.Problem = true, "GitLab reports the token revoked or inactive"
		return true
	}
	if pat.ExpiresAt == nil {
		res.Notes = append(res.Notes, "GitLab reports no expiry for this token")
		return false
	}
	// A token expires at the start of its expiry date, 00:00 UTC
	// (https://docs.gitlab.com/user/profile/personal_access_tokens/#access-token-expiration).
	t := time.Time(*pat.ExpiresAt).UTC()
	res.ExpiresAt = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	res.Expired = !o.Now.Before(res.ExpiresAt)
	res.Expiring = !res.Expired && res.ExpiresAt.Sub(o.Now) < o.ExpiryWarning
	return false
}
