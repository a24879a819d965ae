// Package fakebitbucketdc is the one fake of Bitbucket Data Center's REST
// API that rtconf's tests share.
//
// It is an httptest server that answers, under /rest/, the endpoints
// rtconf's token checks and repository changes call, with the paths,
// headers, status codes and bodies Atlassian documents
// (https://developer.atlassian.com/server/bitbucket/rest/v906/intro/):
//
//   - GET /rest/api/{1.0,latest}/projects/{key}/repos/{slug} and POST
//     /rest/api/…/projects/{key}/repos (PROJECT_ADMIN);
//   - GET /rest/api/…/projects/{key}/permissions/users (PROJECT_ADMIN);
//   - GET /rest/api/…/repos?projectkey=&name=&permission= (what the caller
//     may read, write or administer);
//   - POST /rest/api/…/projects/{key}/repos/{slug}/settings/pull-requests
//     (REPO_ADMIN) and POST …/pull-requests (REPO_READ);
//   - GET and POST /rest/branch-permissions/2.0/projects/{key}/repos/{slug}/restrictions
//     and GET …/required-builds/latest/…/conditions, POST …/condition
//     (REPO_ADMIN);
//   - GET /rest/access-tokens/1.0/users/{user}/{id}, …/projects/{key}/{id}
//     and …/projects/{key}/repos/{slug}/{id}: a token's record (its own
//     user; the project's or repository's admins).
//
// Authentication is an HTTP access token as "Authorization: Bearer", or a
// personal token as the password of basic auth with its user's name;
// project and repository tokens are refused in basic auth, as Bitbucket
// does. A refused credential is 401 with Bitbucket's error body
// ({"errors":[{"context","message","exceptionName"}]}); a permission the
// caller lacks is 401 too, with AuthorisationException; a project or
// repository that does not exist is 404. Authenticated responses carry
// X-AUSERNAME and X-AUSERID. Lists are paged (start, limit; size,
// isLastPage, nextPageStart). A spent rate limit (Options.Bucket, or the
// RateLimit injection) answers 429 with Retry-After.
//
// The fake reads no wall clock: Options.Now decides expiry and refills the
// rate limit's bucket.
package fakebitbucketdc

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

// Permission levels: a token's and a user's, on a project or repository.
const (
	None  = 0
	Read  = 1
	Write = 2
	Admin = 3
)

// Kinds of token.
const (
	Personal   = "personal"
	Project    = "project"
	Repository = "repository"
)

// Token is an HTTP access token the fake knows.
type Token struct {
	Value string
	Name  string // default "token"
	// User is whom it authenticates as: a person for a personal token, the
	// token's bot user for a project or repository token.
	User string
	Kind string // Personal (default), Project or Repository
	// Project and Repo are the project's key (and the repository's slug)
	// a project (repository) token belongs to.
	Project, Repo string
	// ProjectPerm and RepoPerm bound what the token may do: PROJECT_READ …
	// PROJECT_ADMIN and REPO_READ … REPO_ADMIN (Read, Write, Admin).
	ProjectPerm, RepoPerm int
	Expires               time.Time // zero: never
}

// Proj is a project. Perms maps a username to its project permission.
type Proj struct {
	Key, Name string
	Perms     map[string]int
}

// Repo is a repository.
type Repo struct {
	Project, Slug string
	Name          string // default: the slug
	Public        bool
	DefaultBranch string // default "main"
	// Perms maps a username to its repository permission (the project's
	// permission applies too).
	Perms map[string]int
}

// Bucket is Bitbucket's rate limit: each user's bucket holds Size
// requests and refills Refill a second; an empty bucket answers 429.
type Bucket struct{ Size, Refill int }

// Options configures a fake server.
type Options struct {
	Now      func() time.Time // required
	TLS      bool
	Latency  time.Duration
	Tokens   []Token
	Projects []Proj
	Repos    []Repo
	Bucket   Bucket // zero: no rate limit
	// CloneURL gives a repository's HTTP clone URL (point it at
	// gitserver.Server.NewRepoFunc). Called with the fake's lock held.
	// Default: <server>/scm/<key>/<slug>.git.
	CloneURL func(key, slug string) string
	// BranchExists says whether a repository has a branch: a pull request
	// from or to a missing one answers 409, as Bitbucket does. Called
	// with the lock held. Default: every branch exists.
	BranchExists func(key, slug, branch string) bool
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string // as sent, from /rest/
	Query  string
	Header http.Header
	Body   string
}

// Restriction is a branch permission the fake stores.
type Restriction struct {
	ID        int    `json:"id"`
	Type      string `json:"type"`
	MatcherID string `json:"-"`
}

// Condition is a required builds merge check.
type Condition struct {
	ID              int      `json:"id"`
	BuildParentKeys []string `json:"buildParentKeys"`
	RefMatcherID    string   `json:"-"`
}

// PullRequest is a pull request the fake stores.
type PullRequest struct {
	ID                 int
	Title, Description string
	FromRef, ToRef     string // refs/heads/…
	Author             string
	CreatedDate        int64
}

// Server is a running fake Bitbucket Data Center.
type Server struct {
	host *fakehost.Server[rateLimit]
	opts Options
	log  fakehost.Log[Request]

	reqID atomic.Int64

	mu       sync.Mutex
	tokens   map[string]*Token
	projects map[string]*Proj // key upper-case
	repos    map[string]*repo // KEY/slug
	buckets  map[string]*bucket
	nextID   int
}

type repo struct {
	Repo
	clone        string
	restrictions []Restriction
	conditions   []Condition
	approvers    int
	pulls        []PullRequest
}

type rateLimit struct{ retryAfter int }

// New starts the fake; it is closed with t.Cleanup.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Now == nil {
		t.Fatal("fakebitbucketdc: Options.Now is required: give the fake the test's clock")
	}
	s := &Server{opts: o, tokens: map[string]*Token{}, projects: map[string]*Proj{}, repos: map[string]*repo{}, buckets: map[string]*bucket{}}
	for _, tk := range o.Tokens {
		tk := tk
		if tk.Kind == "" {
			tk.Kind = Personal
		}
		if tk.Name == "" {
			tk.Name = "token"
		}
		s.tokens[tk.Value] = &tk
	}
	for _, p := range o.Projects {
		p := p
		p.Perms = lower(p.Perms)
		s.projects[strings.ToUpper(p.Key)] = &p
	}
	s.host = fakehost.Start[rateLimit](t, s, fakehost.Options{TLS: o.TLS, Latency: o.Latency})
	for _, r := range o.Repos {
		s.addRepo(r)
	}
	return s
}

func lower(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func repoKey(key, slug string) string { return strings.ToUpper(key) + "/" + strings.ToLower(slug) }

func (s *Server) addRepo(r Repo) *repo {
	if r.Name == "" {
		r.Name = r.Slug
	}
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	r.Perms = lower(r.Perms)
	rp := &repo{Repo: r}
	if s.opts.CloneURL != nil {
		rp.clone = s.opts.CloneURL(r.Project, r.Slug)
	} else {
		rp.clone = s.host.URL() + "/scm/" + strings.ToLower(r.Project) + "/" + r.Slug + ".git"
	}
	s.repos[repoKey(r.Project, r.Slug)] = rp
	return rp
}

// URL is the core REST API's base, http(s)://127.0.0.1:PORT/rest/api/1.0/.
func (s *Server) URL() string { return s.host.URL() + "/rest/api/1.0/" }

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

// Fault makes the next n requests whose path (from /rest/) has the prefix
// answer with status, extra headers and body; n < 0 means forever.
func (s *Server) Fault(prefix string, n int, status int, header http.Header, body string) {
	s.host.Fault(prefix, n, status, header, body)
}

// RateLimit makes the next n requests answer as an empty token bucket: 429
// with Retry-After: retryAfter seconds (omitted when retryAfter < 0).
func (s *Server) RateLimit(n int, retryAfter int) {
	s.host.Answer(n, rateLimit{retryAfter: retryAfter})
}

// Stall makes the next n requests wait d before answering.
func (s *Server) Stall(n int, d time.Duration) { s.host.Stall(n, d) }

// ResetConnection makes the next n requests drop the connection.
func (s *Server) ResetConnection(n int) { s.host.ResetConnection(n) }

// CutBody makes the next n requests send headers and half a body, then drop.
func (s *Server) CutBody(n int) { s.host.CutBody(n) }

// HasRepo reports whether KEY/slug exists.
func (s *Server) HasRepo(key, slug string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.repos[repoKey(key, slug)]
	return ok
}

// Protection is what protects a repository: its branch permissions'
// types and required builds, per ref, and its required approvers.
type Protection struct {
	Restrictions map[string][]string // ref → types, in order made
	Builds       map[string][]string // ref → build keys
	Approvers    int
}

// Protection returns KEY/slug's protection.
func (s *Server) Protection(key, slug string) Protection {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := Protection{Restrictions: map[string][]string{}, Builds: map[string][]string{}}
	r, ok := s.repos[repoKey(key, slug)]
	if !ok {
		return p
	}
	for _, x := range r.restrictions {
		p.Restrictions[x.MatcherID] = append(p.Restrictions[x.MatcherID], x.Type)
	}
	for _, c := range r.conditions {
		p.Builds[c.RefMatcherID] = append(p.Builds[c.RefMatcherID], c.BuildParentKeys...)
	}
	p.Approvers = r.approvers
	return p
}

// PullRequests returns KEY/slug's pull requests.
func (s *Server) PullRequests(key, slug string) []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.repos[repoKey(key, slug)]; ok {
		return append([]PullRequest(nil), r.pulls...)
	}
	return nil
}

// response is an answer before it is written.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := r.URL.EscapedPath()
	s.log.Add(Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
	rl, ok := s.host.Begin(w, r, path)
	if !ok {
		return
	}
	s.mu.Lock()
	a, authErr := s.authenticate(r)
	var res response
	switch {
	case rl != nil && rl.Kind == fakehost.KindFault:
		res = response{status: rl.Status, header: rl.Header.Clone(), body: []byte(rl.Body)}
	case rl != nil && rl.Kind == fakehost.KindHost:
		res = throttled(rl.Host.retryAfter)
	case !strings.HasPrefix(path, "/rest/"):
		res = errorBody(http.StatusNotFound, "", "Not found")
	case authErr != nil:
		res = *authErr
	default:
		if wait, limited := s.take(a); limited {
			res = throttled(wait)
			break
		}
		res = s.route(r, a, strings.TrimPrefix(path, "/rest/"), body)
	}
	s.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("X-AREQUESTID", "@FAKE"+strconv.FormatInt(s.reqID.Add(1), 36))
	if a.token != nil {
		h.Set("X-AUSERNAME", a.token.User)
		h.Set("X-AUSERID", strconv.Itoa(101+len(a.token.User)))
	}
	fakehost.Write(w, rl, res.status, res.header, res.body)
}
