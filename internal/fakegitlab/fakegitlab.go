// Package fakegitlab is the one fake of GitLab's REST API v4 that rtconf's
// tests share.
//
// It is an httptest server that answers, under /api/v4, the endpoints
// rtconf's token checks and repository changes call, with the bodies, headers
// and status codes GitLab documents or its source shows
// (https://docs.gitlab.com/api/rest/, https://gitlab.com/gitlab-org/gitlab):
//
//   - GET /personal_access_tokens/self and GET /user (any token, of a user or
//     of a project or group access token's bot user);
//   - GET /projects/:id (numeric, or the URL-encoded full path), PUT
//     /projects/:id, POST /projects, GET /namespaces/:id, GET /groups/:id;
//   - POST, GET, PATCH, DELETE /projects/:id/protected_branches[/:name];
//   - POST and GET /projects/:id/merge_requests.
//
// Authentication is GitLab's: a PRIVATE-TOKEN header or Authorization:
// Bearer. An unknown token is 401 {"message":"401 Unauthorized"}; an expired
// or revoked one is 401 with the OAuth 2.0 error body and WWW-Authenticate
// header GitLab's API guard sends; a token without a scope the endpoint
// accepts is 403 insufficient_scope (see auth.go). Access follows the user's
// role (guest 10 … owner 50) from project and group memberships: a private
// project is 404 to anyone who cannot see it, and a role too weak for an
// endpoint is 403 {"message":"403 Forbidden"}.
//
// Every response carries GitLab.com's RateLimit-* headers (2000 requests a
// minute per user, 500 per IP for anonymous callers); a spent limit answers
// 429 "Retry later" with Retry-After. List endpoints paginate with X-Page,
// X-Per-Page, X-Total, X-Total-Pages, X-Next-Page, X-Prev-Page and Link.
//
// The writes rtconf makes are applied (see state.go): created projects,
// protected branches, project settings and merge requests are answered by
// later GETs and by the state accessors.
//
// Faults are injected per request, in the order they were set: each request
// takes the first pending injection that matches it (Fault, RateLimit,
// Stall, ResetConnection, CutBody).
//
// The fake reads no wall clock: Options.Now decides token expiry and rate
// limit windows.
package fakegitlab

import (
	"crypto/x509"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakehost"
)

// Access levels, as GitLab's API reports and takes them
// (https://docs.gitlab.com/api/members/#roles).
const (
	NoAccess   = 0
	Guest      = 10
	Reporter   = 20
	Developer  = 30
	Maintainer = 40
	Owner      = 50
	Admin      = 60 // protected branches only: "Admins"
)

// Token is a token the fake knows: a personal access token, or a project or
// group access token (a personal access token of a bot User).
type Token struct {
	Value  string
	User   string   // the username it authenticates as
	Name   string   // the token's name; default "token"
	Scopes []string // api, read_api, read_user, read_repository, write_repository, …
	// Expires is the date the token expires on (its time of day is
	// ignored): GitLab stores a date, and the token stops working at 00:00
	// UTC that day. Zero: it never expires (expires_at null).
	Expires   time.Time
	Revoked   bool
	CreatedAt time.Time // default: the clock when the fake starts
}

// User is a GitLab user. Users named only by tokens, members and projects'
// namespaces need not be listed.
type User struct {
	Username string
	Name     string // default: the username
	Bot      bool   // the bot user of a project or group access token
}

// Group is a group or subgroup.
type Group struct {
	FullPath   string // "group" or "group/sub"; a subgroup's parent must be listed too
	Name       string // default: the last path segment
	Visibility string // private (default), internal or public
	// Members maps a username to its access level; subgroups and projects
	// inherit it.
	Members map[string]int
	// ProjectCreationLevel is who may create projects in the group:
	// "noone", "owner", "maintainer" or "developer" (GitLab's
	// project_creation_level). Default "maintainer": GitLab's instance
	// default is "developer", but rtconf must not rely on it.
	ProjectCreationLevel string
}

// Project is a project the fake serves.
type Project struct {
	PathWithNamespace string // "user/name", "group/name" or "group/sub/name"
	Name              string // default: the last path segment
	Visibility        string // private (default), internal or public
	DefaultBranch     string // default "main"
	Description       string
	// Members maps a username to its project access level. The owner of a
	// user namespace is the Owner of its projects.
	Members map[string]int

	OnlyAllowMergeIfPipelineSucceeds bool
	RemoveSourceBranchAfterMerge     bool
}

// Options configures a fake server.
type Options struct {
	// Now is the fake's clock, required: it decides whether a token has
	// expired and when rate limits reset. Give it the clock of the code
	// under test, so that both agree on what "now" is.
	Now      func() time.Time
	TLS      bool          // serve HTTPS with httptest's certificate (Client trusts it)
	Latency  time.Duration // added to every response
	Tokens   []Token
	Users    []User
	Groups   []Group
	Projects []Project
	// CloneURL gives a project's http_url_to_repo from its
	// path_with_namespace (point it at gitserver.Server.NewProjectFunc). It
	// is called at most once per project, with the fake's lock held: it
	// must not call the fake. Default: <server>/<path_with_namespace>.git.
	CloneURL func(pathWithNamespace string) string
	// BranchExists, when set, says whether a project has a branch: a merge
	// request from or into a missing branch answers 422, as GitLab does.
	// Called with the fake's lock held. Default: every branch exists.
	BranchExists func(pathWithNamespace, branch string) bool
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string // as sent (still URL-encoded), without the /api/v4 prefix
	Query  string
	Header http.Header
	Body   string
}

// Server is a running fake GitLab.
type Server struct {
	host  *fakehost.Server[rateLimit]
	opts  Options
	start time.Time

	reqID atomic.Int64

	// state guards everything requests read and change; route holds it
	// while it answers.
	state sync.Mutex
	db    *db

	log fakehost.Log[Request]

	mu   sync.Mutex
	used map[string]int // rate-limit use per bucket and window
}

const apiPrefix = "/api/v4"

// New starts the fake; it is closed with t.Cleanup.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Now == nil {
		t.Fatal("fakegitlab: Options.Now is required: give the fake the test's clock")
	}
	s := &Server{opts: o, start: o.Now(), used: map[string]int{}}
	d, err := newDB(o, s.start)
	if err != nil {
		t.Fatalf("fakegitlab: %v", err)
	}
	s.db = d
	// HTTPS, as GitLab.com serves, when Options.TLS is set.
	s.host = fakehost.Start[rateLimit](t, s, fakehost.Options{TLS: o.TLS, Latency: o.Latency})
	return s
}

// URL is the API base URL, http(s)://127.0.0.1:PORT/api/v4/, as
// gitlab.WithBaseURL takes it.
func (s *Server) URL() string { return s.host.URL() + apiPrefix + "/" }

// WebURL is the server's web root (web_url of users, groups and projects),
// without a trailing slash.
func (s *Server) WebURL() string { return s.host.URL() }

// Client is an *http.Client for the server.
func (s *Server) Client() *http.Client { return s.host.Client() }

// Certificate is the TLS certificate (Options.TLS), for a process that
// trusts it through SSL_CERT_FILE.
func (s *Server) Certificate() *x509.Certificate { return s.host.Certificate() }

// Now reads the fake's clock: give it to the code under test so that both
// agree on the time.
func (s *Server) Now() time.Time { return s.opts.Now() }

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	return s.log.All(func(r Request) Request {
		r.Header = r.Header.Clone()
		return r
	})
}

// response is an answer before it is written.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path, prefixed := strings.CutPrefix(r.URL.EscapedPath(), apiPrefix)
	s.log.Add(Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
	rl, ok := s.host.Begin(w, r, path)
	if !ok {
		return
	}

	a := s.authenticate(r)
	rate := s.count(a, r)
	var res response
	switch {
	case rl != nil && rl.Kind == fakehost.KindFault:
		res = response{status: rl.Status, header: rl.Header.Clone(), body: []byte(rl.Body)}
	case rl != nil && rl.Kind == fakehost.KindHost:
		rate.remaining, rate.observed = 0, rate.limit
		rate.reset = s.opts.Now().Add(time.Duration(max(rl.Host.retryAfter, 0)) * time.Second)
		res = throttled(rl.Host.retryAfter)
	case rate.remaining < 0:
		rate.remaining = 0
		res = throttled(int(rate.reset.Sub(s.opts.Now()).Seconds()))
	case !prefixed:
		res = apiError(http.StatusNotFound, "error", "404 Not Found")
	default:
		res = s.route(r, path, body, a)
	}

	s.commonHeaders(w.Header(), rate)
	fakehost.Write(w, rl, res.status, res.header, res.body)
}

// commonHeaders sets what GitLab sends on every API response, rate-limit
// headers included (see rate.go).
func (s *Server) commonHeaders(h http.Header, rate rate) {
	n := s.reqID.Add(1)
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "max-age=0, private, must-revalidate")
	h.Set("X-Request-Id", "01FAKE"+strconv.FormatInt(s.start.Unix(), 36)+strconv.FormatInt(n, 36))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Vary", "Origin, Accept-Encoding")
	h.Set("X-Gitlab-Meta", `{"correlation_id":"fake`+strconv.FormatInt(n, 10)+`","version":"1"}`)
	rate.set(h)
}
