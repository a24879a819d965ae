// Package fakebitbucket is the one fake of Bitbucket Cloud's REST API 2.0
// that rtconf's tests share.
//
// It is an httptest server (internal/fakehost) that answers, under /2.0,
// the endpoints rtconf's token check and repository changes call, with the
// paths, headers, status codes and bodies Bitbucket documents
// (https://developer.atlassian.com/cloud/bitbucket/rest/intro/):
//
//   - GET /user (Account: read);
//   - GET /repositories/{workspace}/{repo_slug} (Repositories: read, which
//     write and admin include) and POST to create it (Repositories: admin;
//     a member of the workspace with admin or create rights);
//   - GET /user/permissions/repositories?q=repository.full_name="…" (an API
//     token's user's permission);
//   - GET, POST /repositories/{workspace}/{repo_slug}/branch-restrictions
//     and PUT …/{id} (Repositories: admin; admin permission);
//   - POST /repositories/{workspace}/{repo_slug}/pullrequests (Pull
//     requests: write; write permission).
//
// Authentication is Bitbucket's: an API token as HTTP basic auth with its
// Atlassian account's e-mail address; a repository, project or workspace
// access token as "Authorization: Bearer". Every authenticated answer
// carries X-OAuth-Scopes (the token's scopes), X-Credential-Type (its
// kind), X-Accepted-OAuth-Scopes (what the endpoint takes) and the
// X-RateLimit-Limit and X-RateLimit-Resource headers. A missing or unknown
// credential is 401; a scope missing is 403 "Your credentials lack one or
// more required privilege scopes." with detail granted/required; a
// repository the caller cannot see is 404; a permission too weak is 403.
// Lists are Bitbucket's pages: {"pagelen", "size", "page", "next",
// "values"}, pagelen from 1 to 100 (default 10).
//
// Faults are injected per request, in the order they were set (Fault,
// RateLimit, Stall, ResetConnection, CutBody). The fake reads no wall
// clock: Options.Now stamps what it creates.
package fakebitbucket

import (
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakehost"
)

// Kinds of token, as X-Credential-Type names them.
const (
	APIToken             = "api_token"
	RepoAccessToken      = "repo_access_token"
	ProjectAccessToken   = "project_access_token"
	WorkspaceAccessToken = "workspace_access_token"
)

// Token is a token the fake knows. An API token (Kind APIToken) is a
// user's and authenticates with Email; an access token authenticates as
// itself (User is its name) and reaches only its Repo ("ws/slug"), or the
// repositories of its Workspace.
type Token struct {
	Value     string
	Kind      string
	Email     string // API tokens: the Atlassian account's e-mail address
	User      string // the username it authenticates as
	Scopes    []string
	Repo      string // repository access tokens
	Workspace string // project and workspace access tokens
}

// Repo is a repository the fake serves.
type Repo struct {
	Workspace, Slug string
	Private         bool
	MainBranch      string // default "main"
	// Perms maps a username to "admin", "write" or "read".
	Perms map[string]string
}

// Workspace is a workspace; its Admins may create repositories in it.
type Workspace struct {
	Slug   string
	Admins []string
}

// Restriction is a branch restriction as the fake stores it.
type Restriction struct {
	ID              int    `json:"id"`
	Kind            string `json:"kind"`
	BranchMatchKind string `json:"branch_match_kind"`
	Pattern         string `json:"pattern"`
	Value           *int   `json:"value"`
	Users           []any  `json:"users"`
	Groups          []any  `json:"groups"`
}

// PullRequest is a pull request the fake stores.
type PullRequest struct {
	ID                int
	Title             string
	Description       string
	Source, Dest      string
	CloseSourceBranch bool
	Created           time.Time
}

// Options configures a fake server.
type Options struct {
	// Now is the fake's clock, required.
	Now        func() time.Time
	TLS        bool
	Tokens     []Token
	Workspaces []Workspace
	Repos      []Repo
	// CloneURL gives a repository's https clone link from "ws/slug" (point
	// it at a real Git server); called with the fake's lock held. Default:
	// https://USER@bitbucket.org/ws/slug.git, with the caller's username,
	// as Bitbucket writes it.
	CloneURL func(fullName string) string
	// BranchExists says whether a repository has a branch: a pull request
	// from or into a missing branch answers 400, as Bitbucket does.
	// Default: every branch exists.
	BranchExists func(fullName, branch string) bool
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string // without the /2.0 prefix
	Query  string
	Header http.Header
	Body   string
}

// Server is a running fake Bitbucket Cloud.
type Server struct {
	host *fakehost.Server[rateLimit]
	opts Options
	log  fakehost.Log[Request]

	mu           sync.Mutex
	repos        map[string]*Repo // by lower-case full name
	created      []string
	restrictions map[string][]Restriction
	pulls        map[string][]PullRequest
	nextID       int
}

// rateLimit is a RateLimit injection (fakehost.KindHost).
type rateLimit struct{ retryAfter int }

const apiPrefix = "/2.0"

// New starts the fake; it is closed with t.Cleanup.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Now == nil {
		t.Fatal("fakebitbucket: Options.Now is required: give the fake the test's clock")
	}
	s := &Server{opts: o, repos: map[string]*Repo{}, restrictions: map[string][]Restriction{}, pulls: map[string][]PullRequest{}}
	for i := range o.Repos {
		r := o.Repos[i]
		if r.MainBranch == "" {
			r.MainBranch = "main"
		}
		s.repos[key(r.Workspace, r.Slug)] = &r
	}
	s.host = fakehost.Start[rateLimit](t, s, fakehost.Options{TLS: o.TLS})
	return s
}

func key(ws, slug string) string { return strings.ToLower(ws + "/" + slug) }

// URL is the API base, http(s)://127.0.0.1:PORT/2.0/.
func (s *Server) URL() string { return s.host.URL() + apiPrefix + "/" }

// WebURL is the web root of links.html, without a trailing slash.
func (s *Server) WebURL() string { return s.host.URL() }

// Client is an *http.Client for the server.
func (s *Server) Client() *http.Client { return s.host.Client() }

// Certificate is the TLS certificate (Options.TLS).
func (s *Server) Certificate() *x509.Certificate { return s.host.Certificate() }

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	return s.log.All(func(r Request) Request {
		r.Header = r.Header.Clone()
		return r
	})
}

// Fault makes the next n requests whose path (after /2.0) has the prefix
// answer with status, extra headers and body; n < 0 means forever.
func (s *Server) Fault(prefix string, n int, status int, header http.Header, body string) {
	s.host.Fault(prefix, n, status, header, body)
}

// RateLimit makes the next n requests answer as a spent Bitbucket rate
// limit: 429 with X-RateLimit-Limit, X-RateLimit-Resource and, when
// retryAfter >= 0, Retry-After (Bitbucket itself names no wait:
// https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/).
func (s *Server) RateLimit(n, retryAfter int) { s.host.Answer(n, rateLimit{retryAfter: retryAfter}) }

// Stall makes the next n requests wait d before answering.
func (s *Server) Stall(n int, d time.Duration) { s.host.Stall(n, d) }

// ResetConnection makes the next n requests drop the connection.
func (s *Server) ResetConnection(n int) { s.host.ResetConnection(n) }

// CutBody makes the next n requests send headers and half a body, then drop.
func (s *Server) CutBody(n int) { s.host.CutBody(n) }

// response is an answer before it is written.
type response struct {
	status int
	header http.Header
	body   []byte
}

func jsonResponse(status int, v any) response {
	b, _ := json.Marshal(v)
	return response{status: status, body: b}
}

// apiError is Bitbucket's error body: {"type": "error", "error":
// {"message": …}}, with detail when given.
func apiError(status int, msg string, detail any) response {
	e := map[string]any{"message": msg}
	if detail != nil {
		e["detail"] = detail
	}
	return jsonResponse(status, map[string]any{"type": "error", "error": e})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path, prefixed := strings.CutPrefix(r.URL.EscapedPath(), apiPrefix)
	s.log.Add(Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
	rl, ok := s.host.Begin(w, r, path)
	if !ok {
		return
	}
	tok := s.authenticate(r)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-RateLimit-Limit", "1000")
	h.Set("X-RateLimit-Resource", "api")
	h.Set("X-RateLimit-NearLimit", "false")
	if tok != nil {
		h.Set("X-OAuth-Scopes", strings.Join(tok.Scopes, ", "))
		h.Set("X-Credential-Type", tok.Kind)
	}
	var res response
	switch {
	case rl != nil && rl.Kind == fakehost.KindFault:
		res = response{status: rl.Status, header: rl.Header.Clone(), body: []byte(rl.Body)}
	case rl != nil && rl.Kind == fakehost.KindHost:
		res = apiError(http.StatusTooManyRequests, "Rate limit for this resource has been exceeded", nil)
		res.header = http.Header{}
		if rl.Host.retryAfter >= 0 {
			res.header.Set("Retry-After", strconv.Itoa(rl.Host.retryAfter))
		}
	case !prefixed:
		res = apiError(http.StatusNotFound, "Resource not found", nil)
	case tok == nil:
		res = apiError(http.StatusUnauthorized, "Unauthorized", nil)
		res.header = http.Header{"Www-Authenticate": {`Basic realm="Bitbucket.org HTTP"`}}
	default:
		s.mu.Lock()
		res = s.route(r, path, body, tok, h)
		s.mu.Unlock()
	}
	fakehost.Write(w, rl, res.status, res.header, res.body)
}

// authenticate finds the request's token: basic auth (an API token with
// its e-mail address) or Bearer (an access token). Anything else is nil.
func (s *Server) authenticate(r *http.Request) *Token {
	if email, secret, ok := r.BasicAuth(); ok {
		for i, t := range s.opts.Tokens {
			if t.Kind == APIToken && t.Value == secret && strings.EqualFold(t.Email, email) {
				return &s.opts.Tokens[i]
			}
		}
		return nil
	}
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil
	}
	for i, t := range s.opts.Tokens {
		if t.Kind != APIToken && t.Value == v {
			return &s.opts.Tokens[i]
		}
	}
	return nil
}

// need answers 403 unless tok has one of the scopes; h gets
// X-Accepted-OAuth-Scopes.
func need(tok *Token, h http.Header, scopes ...string) (response, bool) {
	h.Set("X-Accepted-OAuth-Scopes", strings.Join(scopes, ", "))
	for _, sc := range scopes {
		if slices.Contains(tok.Scopes, sc) {
			return response{}, true
		}
	}
	return apiError(http.StatusForbidden, "Your credentials lack one or more required privilege scopes.",
		map[string]any{"granted": tok.Scopes, "required": scopes}), false
}
