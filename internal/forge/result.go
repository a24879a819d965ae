package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/rtconf/rtconf/internal/token"
)

// Options are the inputs of a live check.
type Options struct {
	// APIURL is the API base: https://api.github.com/ or, for GitHub
	// Enterprise Server, https://HOST/api/v3/.
	APIURL string
	// Owner and Repo name the shared configuration repository, which
	// fine-grained tokens are probed on and classic ones are checked with.
	Owner, Repo string
	// Also adds the requirements of another kind (a runtime token that
	// serves as user token).
	Also []Kind
	// ProbeWrites sends write requests with deliberately invalid bodies
	// (GitHub answers 422 when the permission is there, 403 or 404 when
	// not); nothing can change.
	ProbeWrites bool
	// MaxWait is the longest rtconf waits out a rate limit.
	MaxWait time.Duration
	// Retries is how often a 5xx, a timeout or a broken connection is
	// retried, with exponential backoff from Backoff.
	Retries int
	Backoff time.Duration
	// Timeout bounds each request.
	Timeout time.Duration
	// ExpiryWarning: a token expiring sooner gets a warning.
	ExpiryWarning time.Duration
	HTTPClient    *http.Client
	Now           time.Time
	// Sleep waits; tests make it instant.
	Sleep func(context.Context, time.Duration) error
	// Waiting, if set, is told before each wait what it waits for, how
	// long, and until when (by Now): the CLI says it on a terminal.
	Waiting func(Wait)
	// Gate, shared by checks running at the same time, makes them wait
	// out a rate limit together; nil for a check alone.
	Gate *Gate
}

// Wait is one wait of the retry and rate-limit policy.
type Wait struct {
	// For says what is waited for: "GitHub's primary rate limit", or "a
	// retry (…)" with the failure it follows (the token redacted).
	For   string
	Until time.Time
	Delay time.Duration
}

// Validate checks the options.
func (o Options) Validate() error {
	u, err := url.Parse(o.APIURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("API URL %q is not an http(s) URL", o.APIURL)
	}
	if o.Owner == "" || o.Repo == "" {
		return errors.New("no repository to check the token on")
	}
	if o.Now.IsZero() || o.Sleep == nil || o.Timeout <= 0 {
		return errors.New("forge: options not filled in; start from the provider's DefaultOptions")
	}
	return nil
}

// Requirement is one scope or permission and the verdict on it.
type Requirement struct {
	Name      string    `json:"name"`
	Verdict   Verdict   `json:"verdict"`
	Certainty Certainty `json:"certainty,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

// Result is the outcome of a check.
type Result struct {
	TokenKind    token.Kind    `json:"tokenKind"`
	Scopes       []string      `json:"scopes,omitempty"`
	Requirements []Requirement `json:"requirements"`
	// ExpiresAt is zero when the host reports no expiry.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	Expired   bool      `json:"expired,omitempty"`
	Expiring  bool      `json:"expiring,omitempty"`
	// Invalid is set when the host refuses the token (revoked, wrong, or
	// not authorised for the organisation's SAML single sign-on).
	Invalid  bool     `json:"invalid,omitempty"`
	Problem  string   `json:"problem,omitempty"`
	Notes    []string `json:"notes,omitempty"`
	Requests int      `json:"requests"`
}

// IssueKind is what is wrong with a token.
type IssueKind string

// The kinds of issue, fatal first.
const (
	// IssueInvalid: the host refuses the token (Result.Problem says why).
	IssueInvalid IssueKind = "invalid"
	// IssueExpired: the token's expiry has passed on rtconf's clock.
	IssueExpired IssueKind = "expired"
	// IssueMissing: a requirement is missing.
	IssueMissing IssueKind = "missing"
	// IssueExpiring: the token expires within Options.ExpiryWarning.
	IssueExpiring IssueKind = "expiring"
	// IssueUnverified: a requirement could not be verified.
	IssueUnverified IssueKind = "unverified"
)

// Issue is one thing a check found wrong with a token.
type Issue struct {
	Kind IssueKind
	// Fatal: the token must not be used (invalid, expired, or missing a
	// requirement); otherwise it is a warning.
	Fatal bool
	// Requirement is the one a missing or unverified issue is about.
	Requirement Requirement
}

// Issues is the one place that turns a check into a verdict: what every
// command (seal, rotate, validate --live, token check) reports and refuses
// a token for. An invalid token has that one issue; otherwise its expiry
// comes first, then the requirements in their order.
func (r Result) Issues() []Issue {
	if r.Invalid {
		return []Issue{{Kind: IssueInvalid, Fatal: true}}
	}
	var out []Issue
	switch {
	case r.Expired:
		out = append(out, Issue{Kind: IssueExpired, Fatal: true})
	case r.Expiring:
		out = append(out, Issue{Kind: IssueExpiring})
	}
	for _, req := range r.Requirements {
		switch req.Verdict {
		case Missing:
			out = append(out, Issue{Kind: IssueMissing, Fatal: true, Requirement: req})
		case Unknown:
			out = append(out, Issue{Kind: IssueUnverified, Requirement: req})
		}
	}
	return out
}

// Outcome is what a check concluded, for the caller to act on (the
// command line turns it into an exit code).
type Outcome string

// The outcomes.
const (
	// Met: every requirement granted, the token valid and not expired.
	Met Outcome = "met"
	// NotMet: something missing, or the token expired or invalid.
	NotMet Outcome = "not-met"
	// Inconclusive: nothing is missing, but something could not be
	// verified. Never a pass.
	Inconclusive Outcome = "inconclusive"
)

// Outcome sums up the issues: NotMet when any is fatal, else Inconclusive
// when a requirement could not be verified, else Met.
func (r Result) Outcome() Outcome {
	out := Met
	for _, is := range r.Issues() {
		switch {
		case is.Fatal:
			return NotMet
		case is.Kind == IssueUnverified:
			out = Inconclusive
		}
	}
	return out
}

// Granted lists what was found granted, for the sealed secret's record.
func (r Result) Granted() []string {
	var out []string
	for _, req := range r.Requirements {
		if req.Verdict == Granted {
			out = append(out, req.Name)
		}
	}
	return out
}

// Sleep waits for d or until ctx is done: Options.Sleep outside tests.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
