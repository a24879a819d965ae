package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// UnverifiedError means the token could not be checked. It is never a pass.
type UnverifiedError = forge.UnverifiedError

// answer is one response, reduced to what the checks read.
type answer = forge.Answer

// caller sends requests with a token under forge.Policy: the one way rtconf
// talks to the GitHub API, for checks and changes alike.
type caller struct {
	tok  token.Token
	opts Options
	n    int // requests sent
	// retryWrites retries a POST or PATCH that failed with a 5xx or no
	// answer: right for the checks' probes, whose bodies are invalid on
	// purpose, wrong for a change, which may have been carried out.
	retryWrites bool
}

// do sends one request under the policy.
func (c *caller) do(ctx context.Context, method, path string, body any) (answer, error) {
	p := forge.Policy{
		Options: c.opts, Title: "GitHub", RetryWrites: c.retryWrites,
		Limited: rateLimited,
		Redact:  c.tok.Scrub,
	}
	return p.Do(ctx, method, func(ctx context.Context) (answer, error) { return c.once(ctx, method, path, body) })
}

func (c *caller) once(ctx context.Context, method, path string, body any) (answer, error) {
	// A client per request: go-github refuses requests by itself while it
	// believes a rate limit lasts, which must be decided here instead.
	client := gh.NewClient(c.opts.HTTPClient).WithAuthToken(c.tok.Reveal())
	base, err := url.Parse(c.opts.APIURL)
	if err != nil {
		return answer{}, err
	}
	client.BaseURL = base
	req, err := client.NewRequest(method, path, body)
	if err != nil {
		return answer{}, err
	}
	c.n++
	resp, err := client.BareDo(ctx, req)
	var ghErr *gh.ErrorResponse
	var rlErr *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	var r *http.Response
	switch {
	case errors.As(err, &ghErr):
		r = ghErr.Response
	case errors.As(err, &rlErr):
		r = rlErr.Response
	case errors.As(err, &abuse):
		r = abuse.Response
	case resp != nil && resp.Response != nil:
		r = resp.Response
	}
	if r == nil {
		if err == nil {
			err = errors.New("no response")
		}
		return answer{}, err
	}
	a := answer{Status: r.StatusCode, Header: r.Header}
	if r.Body != nil {
		// The body is bounded by HTTPClient's transport; go-github may have
		// read an error answer already and kept at most forge.MaxResponse of it.
		b, rerr := io.ReadAll(r.Body)
		r.Body.Close()
		if errors.Is(rerr, forge.ErrResponseTooLarge) || len(b) >= forge.MaxResponse {
			return answer{}, forge.ErrResponseTooLarge
		}
		if rerr != nil && r.StatusCode < 300 {
			return answer{}, fmt.Errorf("reading the answer: %w", rerr)
		}
		a.Body = string(b)
	}
	if a.Body == "" {
		switch {
		case ghErr != nil:
			a.Body = ghErr.Message
		case rlErr != nil:
			a.Body = rlErr.Message
		case abuse != nil:
			a.Body = abuse.Message
		}
	}
	return a, nil
}

// rateLimited tells whether an answer is a rate limit and how long to wait:
// a primary limit until X-RateLimit-Reset, a secondary one for Retry-After
// (or a minute when GitHub names no time, as its documentation advises).
func rateLimited(a answer, now time.Time) (forge.RateLimit, bool) {
	if a.Status != http.StatusForbidden && a.Status != http.StatusTooManyRequests {
		return forge.RateLimit{}, false
	}
	what := "GitHub's secondary rate limit"
	if a.Header.Get("X-RateLimit-Remaining") == "0" {
		what = "GitHub's primary rate limit"
	}
	if ra := a.Header.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(ra); err == nil {
			return forge.RateLimit{Wait: time.Duration(s) * time.Second, What: what}, true
		}
	}
	if a.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(a.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return forge.RateLimit{Wait: max(time.Unix(reset, 0).Sub(now), 0) + time.Second, What: what}, true
		}
		return forge.RateLimit{Wait: -1, What: what}, true
	}
	if strings.Contains(strings.ToLower(a.Body), "secondary rate limit") || a.Status == http.StatusTooManyRequests {
		return forge.RateLimit{Wait: time.Minute, What: what}, true
	}
	return forge.RateLimit{}, false
}
