package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// caller sends requests through client-go under forge.Policy: the one way
// rtconf talks to the GitLab API, for checks and changes alike. client-go's
// own retries and rate limiter are off: the policy decides, on rtconf's
// clock.
type caller struct {
	gl   *gl.Client
	tok  token.Token
	opts forge.Options
	n    int // requests sent
}

// noLimiter never waits: rate limits are the policy's.
type noLimiter struct{}

func (noLimiter) Wait(context.Context) error { return nil }

func newCaller(tok token.Token, o forge.Options) (*caller, error) {
	if o.Now.IsZero() || o.Sleep == nil || o.Timeout <= 0 {
		return nil, errors.New("gitlab: options not filled in; start from DefaultOptions")
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	o.HTTPClient = forge.HTTPClient(o.HTTPClient)
	c, err := gl.NewClient(tok.Reveal(), gl.WithBaseURL(o.APIURL), gl.WithHTTPClient(o.HTTPClient),
		gl.WithoutRetries(), gl.WithCustomLimiter(noLimiter{}))
	if err != nil {
		return nil, fmt.Errorf("GitLab API URL %q: %s", o.APIURL, tok.Scrub(err.Error()))
	}
	return &caller{gl: c, tok: tok, opts: o}, nil
}

// call runs one client-go request, f, under the policy; f must pass the
// request options it is given. A 2xx answer has been decoded by f; any
// other comes back as an Answer, for the caller to read.
func (c *caller) call(ctx context.Context, method string, f func(...gl.RequestOptionFunc) (*gl.Response, error)) (forge.Answer, error) {
	p := forge.Policy{
		Options: c.opts, Title: "GitLab", Limited: rateLimited, Final: final,
		Redact: c.tok.Scrub,
	}
	return p.Do(ctx, method, func(ctx context.Context) (forge.Answer, error) {
		c.n++
		resp, err := f(gl.WithContext(ctx))
		var er *gl.ErrorResponse
		switch {
		case errors.As(err, &er) && er.Response != nil:
			if errors.Is(err, forge.ErrResponseTooLarge) || len(er.Body) >= forge.MaxResponse {
				return forge.Answer{}, forge.ErrResponseTooLarge
			}
			return forge.Answer{Status: er.Response.StatusCode, Header: er.Response.Header, Body: string(er.Body)}, nil
		case errors.Is(err, gl.ErrNotFound) && resp != nil && resp.Response != nil:
			// client-go keeps no body of a 404, only its sentinel.
			return forge.Answer{Status: resp.StatusCode, Header: resp.Header, Body: `{"message":"404 Not Found"}`}, nil
		case err != nil:
			return forge.Answer{}, err
		}
		return forge.Answer{Status: resp.StatusCode, Header: resp.Header}, nil
	})
}

// final: an answer that is not the JSON asked for would only come again
// (the policy knows the rest: forge.Policy.Final).
func final(err error) bool {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syntax) || errors.As(err, &typ)
}

// rateLimited reads GitLab's rate-limit answer: 429 with Retry-After
// (seconds) and RateLimit-Reset (Unix time)
// (https://docs.gitlab.com/security/rate_limits/#headers).
func rateLimited(a forge.Answer, now time.Time) (forge.RateLimit, bool) {
	if a.Status != http.StatusTooManyRequests {
		return forge.RateLimit{}, false
	}
	rl := forge.RateLimit{Wait: -1, What: "GitLab's rate limit"}
	if s, err := strconv.Atoi(a.Header.Get("Retry-After")); err == nil && s >= 0 {
		rl.Wait = time.Duration(s) * time.Second
	} else if reset, err := strconv.ParseInt(a.Header.Get("RateLimit-Reset"), 10, 64); err == nil {
		rl.Wait = max(time.Unix(reset, 0).Sub(now), 0) + time.Second
	}
	return rl, true
}

// apiError is what GitLab's error bodies hold: {"message": …} (a string, or
// an object of field errors), or OAuth's {"error", "error_description",
// "scope"} for a token that lacks a scope
// (https://docs.gitlab.com/api/rest/troubleshooting/).
type apiError struct {
	Message     json.RawMessage `json:"message"`
	Error       string          `json:"error"`
	Description string          `json:"error_description"`
	Scope       string          `json:"scope"`
}

// message is the error body as one line, without repeating an unreadable
// body (whoever sent it chose it).
func message(body string) string {
	var e apiError
	if json.Unmarshal([]byte(body), &e) != nil {
		return "an answer that is not GitLab's JSON"
	}
	if e.Error != "" {
		msg := e.Error
		if e.Scope != "" {
			msg += " (needs scope " + e.Scope + ")"
		}
		return msg
	}
	var s string
	if json.Unmarshal(e.Message, &s) == nil {
		return s
	}
	var fields map[string][]string
	if json.Unmarshal(e.Message, &fields) == nil {
		var parts []string
		for k, vs := range fields {
			parts = append(parts, k+" "+strings.Join(vs, ", "))
		}
		slices.Sort(parts)
		return strings.Join(parts, "; ")
	}
	return "an error GitLab did not explain"
}
