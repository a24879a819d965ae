package bitbucketdc

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

// caller sends rtconf's requests to a Bitbucket Data Center host under
// forge.Policy: the one way rtconf talks to its REST APIs, for checks and
// changes alike. No maintained Go client of Bitbucket Data Center's API is
// served here (go-bitbucket is Bitbucket Cloud's 2.0 API), so requests are
// plain net/http through forge.HTTPClient, which refuses redirects to
// another origin and bounds every body.
type caller struct {
	hc   *http.Client
	root string // https://HOST/, the REST APIs under root+"rest/"
	tok  token.Token
	opts forge.Options
	n    int // requests sent
}

func newCaller(tok token.Token, o forge.Options) (*caller, error) {
	if o.Now.IsZero() || o.Sleep == nil || o.Timeout <= 0 {
		return nil, errors.New("bitbucketdc: options not filled in; start from DefaultOptions")
	}
	root, ok := strings.CutSuffix(strings.TrimSuffix(o.APIURL, "/")+"/", apiPath)
	if !ok {
		return nil, fmt.Errorf("the Bitbucket Data Center API URL %q does not end in %s", o.APIURL, apiPath)
	}
	return &caller{hc: forge.HTTPClient(o.HTTPClient), root: root + "/", tok: tok, opts: o}, nil
}

// do sends one request to root+path (path holds its query, escaped) with
// body as JSON, under the policy. Every answer comes back, whatever its
// status; an error means none did (*forge.UnverifiedError).
func (c *caller) do(ctx context.Context, method, path string, body any, retryWrites bool) (forge.Answer, error) {
	p := forge.Policy{
		Options: c.opts, Title: "Bitbucket Data Center", RetryWrites: retryWrites, Limited: rateLimited,
		Redact: c.tok.Scrub,
	}
	return p.DoJSON(ctx, c.hc, method, c.root+path, body, func(req *http.Request) {
		c.n++
		// HTTP access tokens go as Bearer: the only way project and
		// repository tokens authenticate, and one personal tokens accept
		// too (https://confluence.atlassian.com/bitbucketserver/http-access-tokens-939515499.html).
		req.Header.Set("Authorization", "Bearer "+c.tok.Reveal())
	})
}

// get sends a GET and decodes a 200 answer into v; the answer is returned
// whatever its status.
func (c *caller) get(ctx context.Context, path string, v any) (forge.Answer, error) {
	a, err := c.do(ctx, http.MethodGet, path, nil, false)
	if err != nil || a.Status != http.StatusOK || v == nil {
		return a, err
	}
	return a, decode(a, v)
}

func decode(a forge.Answer, v any) error {
	if err := json.Unmarshal([]byte(a.Body), v); err != nil {
		return &forge.UnverifiedError{Reason: fmt.Sprintf("Bitbucket Data Center answered %d with a body that is not the JSON asked for", a.Status), Err: err}
	}
	return nil
}

// rateLimited reads Bitbucket Data Center's rate limit: a user whose token
// bucket is empty gets 429 Too Many Requests, with Retry-After in seconds
// (https://confluence.atlassian.com/bitbucketserver/improving-instance-stability-with-rate-limiting-976171954.html).
func rateLimited(a forge.Answer, _ time.Time) (forge.RateLimit, bool) {
	if a.Status != http.StatusTooManyRequests {
		return forge.RateLimit{}, false
	}
	rl := forge.RateLimit{Wait: -1, What: "the Bitbucket Data Center host's rate limit"}
	if s, err := strconv.Atoi(strings.TrimSpace(a.Header.Get("Retry-After"))); err == nil && s >= 0 {
		rl.Wait = time.Duration(s) * time.Second
	}
	return rl, true
}

// apiErrors is Bitbucket's error body: {"errors": [{"context", "message",
// "exceptionName"}]}
// (https://developer.atlassian.com/server/bitbucket/rest/v906/intro/#errors-and-validation).
type apiErrors struct {
	Errors []struct {
		Message       string `json:"message"`
		ExceptionName string `json:"exceptionName"`
	} `json:"errors"`
}

// message is the error body's first message, on one line; exception its
// Java exception's name.
func message(body string) (msg, exception string) {
	var e apiErrors
	if json.Unmarshal([]byte(body), &e) != nil || len(e.Errors) == 0 {
		return "an answer that is not Bitbucket's error JSON", ""
	}
	msg = strings.Join(strings.Fields(e.Errors[0].Message), " ")
	if msg == "" {
		msg = "an error Bitbucket did not explain"
	}
	return msg, e.Errors[0].ExceptionName
}

// refusedToken: Bitbucket answers 401 both to credentials it refuses and to
// a permission the authenticated user lacks
// (com.atlassian.bitbucket.AuthorisationException). Only the first
// refuses the token.
func refusedToken(a forge.Answer) bool {
	if a.Status != http.StatusUnauthorized {
		return false
	}
	_, exc := message(a.Body)
	return !strings.HasSuffix(exc, "AuthorisationException")
}

// notPermitted: the token authenticated, but may not do this.
func notPermitted(a forge.Answer) bool {
	if a.Status == http.StatusForbidden {
		return true
	}
	return a.Status == http.StatusUnauthorized && !refusedToken(a)
}

// page is Bitbucket's paged list
// (https://developer.atlassian.com/server/bitbucket/rest/v906/intro/#paged-apis).
type page struct {
	Values        []json.RawMessage `json:"values"`
	IsLastPage    bool              `json:"isLastPage"`
	NextPageStart *int              `json:"nextPageStart"`
}

// maxPages bounds a paged walk: rtconf stops looking after this many pages
// of 100.
const maxPages = 20

// pages walks the paged list at path (with its query) until each says
// stop. A non-200 answer ends the walk and is returned.
func (c *caller) pages(ctx context.Context, path string, q url.Values, each func(json.RawMessage) (stop bool, err error)) (forge.Answer, error) {
	start := 0
	for range maxPages {
		q.Set("start", strconv.Itoa(start))
		q.Set("limit", "100")
		var pg page
		a, err := c.get(ctx, path+"?"+q.Encode(), &pg)
		if err != nil || a.Status != http.StatusOK {
			return a, err
		}
		for _, v := range pg.Values {
			if stop, err := each(v); stop || err != nil {
				return a, err
			}
		}
		if pg.IsLastPage || pg.NextPageStart == nil {
			return a, nil
		}
		if *pg.NextPageStart <= start {
			return a, &forge.UnverifiedError{Reason: fmt.Sprintf("Bitbucket Data Center's list at %s does not move on (nextPageStart %d after start %d)", path, *pg.NextPageStart, start)}
		}
		start = *pg.NextPageStart
	}
	return forge.Answer{}, &forge.UnverifiedError{Reason: fmt.Sprintf("Bitbucket Data Center's list at %s is longer than %d pages: rtconf stopped looking", path, maxPages)}
}

// repoPath is the REST path of a repository under rest/api/1.0/.
func repoPath(project, slug string) string {
	return "rest/api/1.0/projects/" + url.PathEscape(project) + "/repos/" + url.PathEscape(slug)
}
