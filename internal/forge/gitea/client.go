package gitea

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// caller sends requests through Gitea's Go SDK (code.gitea.io/sdk/gitea)
// under forge.Policy: the one way rtconf talks to a Gitea API, for checks
// and changes alike. The SDK has no retries or rate limiter of its own; what
// would fight the policy is its version probe (GET /api/v1/version on
// creation and before some calls), which SetGiteaVersion("") turns off, so
// that making a client sends nothing.
type caller struct {
	sdk  *sdk.Client
	rec  *recorder
	tok  token.Token
	opts forge.Options
	n    int // requests sent
}

func newCaller(tok token.Token, o forge.Options) (*caller, error) {
	if o.Now.IsZero() || o.Sleep == nil || o.Timeout <= 0 {
		return nil, errors.New("gitea: options not filled in; start from DefaultOptions")
	}
	base, ok := strings.CutSuffix(strings.TrimSuffix(o.APIURL, "/")+"/", apiPath)
	if !ok {
		return nil, fmt.Errorf("the Gitea API URL %q does not end in %s", o.APIURL, apiPath)
	}
	hc := forge.HTTPClient(o.HTTPClient)
	rec := &recorder{inner: hc.Transport}
	hc.Transport = rec
	o.HTTPClient = hc
	// The SDK sends the token as "Authorization: token …"
	// (https://docs.gitea.com/development/api-usage#authentication), and
	// appends /api/v1 to the URL it is given.
	c, err := sdk.NewClient(base, sdk.SetToken(tok.Reveal()), sdk.SetHTTPClient(hc), sdk.SetGiteaVersion(""))
	if err != nil {
		return nil, fmt.Errorf("the Gitea API URL %q: %s", o.APIURL, tok.Scrub(err.Error()))
	}
	return &caller{sdk: c, rec: rec, tok: tok, opts: o}, nil
}

// recorder keeps the last response's status, header and body: the SDK turns
// an error answer into an error string and drops its body, which rtconf
// reads (the missing scope is named there).
type recorder struct {
	inner http.RoundTripper
	mu    sync.Mutex
	last  *http.Response
	body  *bytes.Buffer
	err   error // reading the body
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.inner.RoundTrip(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last, r.body, r.err = nil, nil, nil
	if err != nil || resp.Body == nil {
		return resp, err
	}
	r.last, r.body = resp, &bytes.Buffer{}
	resp.Body = &teeBody{rc: resp.Body, r: r, buf: r.body}
	return resp, nil
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last, r.body, r.err = nil, nil, nil
}

// answer is the last response, once the SDK has read it.
func (r *recorder) answer() (forge.Answer, error, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		return forge.Answer{}, nil, false
	}
	return forge.Answer{Status: r.last.StatusCode, Header: r.last.Header, Body: r.body.String()}, r.err, true
}

type teeBody struct {
	rc  io.ReadCloser
	r   *recorder
	buf *bytes.Buffer
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.r.mu.Lock()
	b.buf.Write(p[:n])
	if err != nil && err != io.EOF {
		b.r.err = err
	}
	b.r.mu.Unlock()
	return n, err
}

func (b *teeBody) Close() error { return b.rc.Close() }

// call runs one SDK request, f, under the policy. A 2xx answer has been
// decoded by f; any other comes back as an Answer, with its body, for the
// caller to read.
func (c *caller) call(ctx context.Context, method string, retryWrites bool, f func() (*sdk.Response, error)) (forge.Answer, error) {
	p := forge.Policy{
		Options: c.opts, Title: "Gitea", RetryWrites: retryWrites, Limited: rateLimited, Final: final,
		Redact: c.tok.Scrub,
	}
	return p.Do(ctx, method, func(ctx context.Context) (forge.Answer, error) {
		c.n++
		c.rec.reset()
		// The SDK takes its context per client, not per request.
		c.sdk.SetContext(ctx)
		_, err := f()
		a, readErr, answered := c.rec.answer()
		var transport *url.Error
		switch {
		case errors.As(err, &transport):
			// No answer reached the SDK: a network error, or a redirect
			// refused (forge.HTTPClient's), whose 3xx was recorded.
			return forge.Answer{}, err
		case readErr != nil:
			return forge.Answer{}, readErr
		case !answered:
			if err == nil {
				err = errors.New("no response")
			}
			return forge.Answer{}, err
		case a.Status >= 200 && a.Status < 300 && err != nil:
			// A success the SDK could not decode.
			return forge.Answer{}, err
		}
		return a, nil
	})
}

// final: an answer that is not the JSON asked for would only come again
// (the policy knows the rest: forge.Policy.Final).
func final(err error) bool {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syntax) || errors.As(err, &typ)
}

// rateLimited reads a rate-limit answer: Gitea itself does not limit its
// API, but a proxy in front of it may, with 429 and Retry-After (seconds).
func rateLimited(a forge.Answer, _ time.Time) (forge.RateLimit, bool) {
	if a.Status != http.StatusTooManyRequests {
		return forge.RateLimit{}, false
	}
	rl := forge.RateLimit{Wait: -1, What: "the Gitea host's rate limit"}
	if s, err := strconv.Atoi(a.Header.Get("Retry-After")); err == nil && s >= 0 {
		rl.Wait = time.Duration(s) * time.Second
	}
	return rl, true
}

// message is Gitea's error body, {"message": …, "url": …}, as one line,
// without repeating an unreadable body (whoever sent it chose it).
func message(body string) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal([]byte(body), &e) != nil {
		return "an answer that is not Gitea's JSON"
	}
	if e.Message == "" {
		return "an error Gitea did not explain"
	}
	return strings.Join(strings.Fields(e.Message), " ")
}

// scopePrefix begins the 403 message of a token without any of the scopes
// a route asks for: "token does not have at least one of required
// scope(s): [write:repository]" (tokenRequiresScopes in
// https://github.com/go-gitea/gitea/blob/main/routers/api/v1/api.go).
const scopePrefix = "token does not have at least one of required scope(s)"

// missingScopes returns the scopes a 403 body names as required, and
// whether it is that answer at all.
func missingScopes(a forge.Answer) ([]string, bool) {
	if a.Status != http.StatusForbidden {
		return nil, false
	}
	msg := message(a.Body)
	rest, ok := strings.CutPrefix(msg, scopePrefix)
	if !ok {
		return nil, false
	}
	rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
	rest = strings.TrimSuffix(strings.TrimPrefix(rest, "["), "]")
	return strings.Fields(strings.ReplaceAll(rest, ",", " ")), true
}
