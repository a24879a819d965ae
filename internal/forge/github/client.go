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
type answer struct {
	status int
	header http.Header
	body   string
}

// caller sends requests with a token, retrying what can be retried: the
// one way rtconf talks to the GitHub API, for checks and changes alike.
type caller struct {
	tok  token.Token
	opts Options
	n    int // requests sent
	// retryWrites retries a POST or PATCH that failed with a 5xx or no
	// answer: right for the checks' probes, whose bodies are invalid on
	// purpose, wrong for a change, which may have been carried out.
	retryWrites bool
}

// do sends one request: 5xx, timeouts and broken connections are retried
// with backoff (a write only when retryWrites says so); rate limits, which
// refuse a request before it is carried out, are waited out when within
// MaxWait, for every method.
func (c *caller) do(ctx context.Context, method, path string, body any) (answer, error) {
	backoff := c.opts.Backoff
	waited := time.Duration(0)
	var cause error // the last request's own error: network, redirect, size
	for attempt := 0; ; attempt++ {
		a, err := c.once(ctx, method, path, body)
		retry := time.Duration(0)
		var why string
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return answer{}, &UnverifiedError{Reason: ctx.Err().Error(), Err: ctx.Err()}
			}
			if final(err) {
				return answer{}, &UnverifiedError{Reason: redact(err.Error(), c.tok), Err: err}
			}
			why = "request failed: " + redact(err.Error(), c.tok)
			retry, cause = backoff, err
		case a.status >= 500:
			why = fmt.Sprintf("GitHub answered %d %s", a.status, http.StatusText(a.status))
			retry = backoff
		default:
			if wait, limited := rateLimited(a, c.opts.Now); limited {
				if wait < 0 || waited+wait > c.opts.MaxWait {
					return answer{}, &UnverifiedError{Reason: rateLimitReason(a, wait, c.opts.MaxWait)}
				}
				if err := c.opts.Sleep(ctx, wait); err != nil {
					return answer{}, &UnverifiedError{Reason: err.Error(), Err: err}
				}
				waited += wait
				continue
			}
			return a, nil
		}
		if !c.retryWrites && (method == http.MethodPost || method == http.MethodPatch) {
			return answer{}, &UnverifiedError{Reason: why + " (not retried: the change may have been made)", Err: cause}
		}
		if attempt >= c.opts.Retries {
			return answer{}, &UnverifiedError{Reason: fmt.Sprintf("%s (after %d attempts)", why, attempt+1), Err: cause}
		}
		if err := c.opts.Sleep(ctx, retry); err != nil {
			return answer{}, &UnverifiedError{Reason: err.Error(), Err: err}
		}
		backoff *= 2
	}
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
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
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
	a := answer{status: r.StatusCode, header: r.Header}
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
		a.body = string(b)
	}
	if a.body == "" {
		switch {
		case ghErr != nil:
			a.body = ghErr.Message
		case rlErr != nil:
			a.body = rlErr.Message
		case abuse != nil:
			a.body = abuse.Message
		}
	}
	return a, nil
}

// final tells whether a failed request must not be retried: a redirect
// rtconf does not follow, or an answer too large to read, would only come
// again.
func final(err error) bool {
	var redirect *forge.RedirectError
	return errors.As(err, &redirect) || errors.Is(err, forge.ErrResponseTooLarge)
}

// rateLimited tells whether an answer is a rate limit and how long to wait:
// a primary limit until X-RateLimit-Reset, a secondary one for Retry-After
// (or a minute when GitHub names no time, as its documentation advises).
func rateLimited(a answer, now time.Time) (time.Duration, bool) {
	if a.status != http.StatusForbidden && a.status != http.StatusTooManyRequests {
		return 0, false
	}
	if ra := a.header.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(ra); err == nil {
			return time.Duration(s) * time.Second, true
		}
	}
	if a.header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(a.header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(now), 0) + time.Second, true
		}
		return -1, true
	}
	if strings.Contains(strings.ToLower(a.body), "secondary rate limit") || a.status == http.StatusTooManyRequests {
		return time.Minute, true
	}
	return 0, false
}

func rateLimitReason(a answer, wait, maxWait time.Duration) string {
	kind := "secondary"
	if a.header.Get("X-RateLimit-Remaining") == "0" {
		kind = "primary"
	}
	if wait < 0 {
		return fmt.Sprintf("GitHub's %s rate limit is exhausted and it named no reset time", kind)
	}
	return fmt.Sprintf("GitHub's %s rate limit asks to wait %s, more than --max-wait %s", kind, wait.Round(time.Second), maxWait)
}

// redact removes the token from a message, in case a transport error
// repeats a header.
func redact(msg string, tok token.Token) string {
	if v := tok.Reveal(); v != "" {
		msg = strings.ReplaceAll(msg, v, "[token]")
	}
	return msg
}
