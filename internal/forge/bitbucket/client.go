package bitbucket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// caller sends requests to Bitbucket Cloud's REST API 2.0 with net/http,
// through forge.HTTPClient (same-origin redirects only, bounded bodies),
// under forge.Policy: the one way rtconf talks to Bitbucket Cloud, for
// checks and changes alike.
//
// There is no official Go client: github.com/ktrysmt/go-bitbucket, the
// community one, returns decoded bodies without the response, so neither
// x-oauth-scopes nor x-credential-type (what a check reads) nor the status
// of a refusal reach its caller; and it builds its own http.Client per
// call. Plain requests are a few lines here.
type caller struct {
	hc   *http.Client
	base *url.URL
	tok  token.Token
	opts forge.Options
	n    int // requests sent
}

func newCaller(tok token.Token, o forge.Options) (*caller, error) {
	if o.Now.IsZero() || o.Sleep == nil || o.Timeout <= 0 {
		return nil, errors.New("bitbucket: options not filled in; start from DefaultOptions")
	}
	base, err := url.Parse(strings.TrimSuffix(o.APIURL, "/") + "/")
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") {
		return nil, fmt.Errorf("the Bitbucket API URL %q is not an http(s) URL", o.APIURL)
	}
	return &caller{hc: forge.HTTPClient(o.HTTPClient), base: base, tok: tok, opts: o}, nil
}

// authorize sets the header each kind of token authenticates with: HTTP
// basic auth with the Atlassian account's e-mail address for an API token
// (https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens/),
// Bearer for a repository, project or workspace access token
// (https://support.atlassian.com/bitbucket-cloud/docs/using-access-tokens/).
func (c *caller) authorize(req *http.Request) {
	if c.tok.Kind() == APIToken {
		req.SetBasicAuth(c.tok.Account(), c.tok.Reveal())
		return
	}
	req.Header.Set("Authorization", "Bearer "+c.tok.Reveal())
}

// call sends one request under the policy: path is relative to the API
// base (with its query), body is JSON or nil. Any answer comes back, for
// the caller to read.
func (c *caller) call(ctx context.Context, method, path string, body any, retryWrites bool) (forge.Answer, error) {
	u, err := c.base.Parse(path)
	if err != nil {
		return forge.Answer{}, fmt.Errorf("bitbucket: bad API path %q: %w", path, err)
	}
	p := forge.Policy{
		Options: c.opts, Title: "Bitbucket", RetryWrites: retryWrites, Limited: rateLimited,
		Redact: c.tok.Scrub,
	}
	return p.DoJSON(ctx, c.hc, method, u.String(), body, func(req *http.Request) {
		c.n++
		c.authorize(req)
	})
}

// get sends a GET and decodes a 200's JSON into out; any other answer is
// returned undecoded.
func (c *caller) get(ctx context.Context, path string, out any) (forge.Answer, error) {
	a, err := c.call(ctx, http.MethodGet, path, nil, false)
	if err != nil || a.Status != http.StatusOK || out == nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(a.Body), out); err != nil {
		return a, &forge.UnverifiedError{Reason: "Bitbucket's answer to GET " + path + " is not the JSON asked for", Err: err}
	}
	return a, nil
}

// rateLimited reads Bitbucket Cloud's rate-limit answer: 429 Too Many
// Requests once a token's hourly allowance (a rolling window) is spent
// (https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/).
// Bitbucket names the limit (X-RateLimit-Limit, X-RateLimit-Resource) but
// no time to wait; a Retry-After in seconds, which a proxy may add, is
// honoured, and without one the policy stops rather than guess.
func rateLimited(a forge.Answer, _ time.Time) (forge.RateLimit, bool) {
	if a.Status != http.StatusTooManyRequests {
		return forge.RateLimit{}, false
	}
	rl := forge.RateLimit{Wait: -1, What: "Bitbucket Cloud's API rate limit"}
	if r := safe(a.Header.Get("X-RateLimit-Resource")); strings.TrimSpace(r) != "" {
		rl.What += " (" + strings.TrimSpace(r) + ")"
	}
	if s, err := strconv.Atoi(a.Header.Get("Retry-After")); err == nil && s >= 0 {
		rl.Wait = time.Duration(s) * time.Second
	}
	return rl, true
}

// message is Bitbucket's error body, {"type": "error", "error":
// {"message": …, "detail": …}}, as one line, without repeating an
// unreadable body (whoever sent it chose it).
func message(body string) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Detail  any    `json:"detail"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(body), &e) != nil {
		return "an answer that is not Bitbucket's JSON"
	}
	if e.Error.Message == "" {
		return "an error Bitbucket did not explain"
	}
	msg := e.Error.Message
	if d, ok := e.Error.Detail.(string); ok && d != "" {
		msg += ": " + d
	}
	return strings.Join(strings.Fields(msg), " ")
}

// scopeList is x-oauth-scopes, the scopes Bitbucket sends on a response to
// an authenticated request (comma-separated, as GitHub's header of the
// same name).
func scopeList(h http.Header) ([]string, bool) {
	v, ok := h["X-Oauth-Scopes"]
	if !ok {
		return nil, false
	}
	var out []string
	for _, s := range strings.Split(strings.Join(v, ","), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, true
}
