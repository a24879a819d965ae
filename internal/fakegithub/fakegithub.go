// Package fakegithub is the one fake of GitHub's REST API that rtconf's tests share.
//
// It is an httptest server that answers the handful of endpoints rtconf's token
// checks call, with the headers and status codes GitHub documents: rate-limit
// headers on every response, X-OAuth-Scopes for classic tokens,
// X-Accepted-GitHub-Permissions for fine-grained ones, 404 where GitHub hides a
// repository, 422 for an invalid write. Most writes that pass validation are
// answered as GitHub would answer them and then forgotten; four are applied
// (see state.go): creating a repository (POST /user/repos, POST
// /orgs/{org}/repos), protecting a branch (PUT …/branches/{branch}/protection,
// then answered by GET) and opening a pull request (POST …/pulls, then listed
// by GET …/pulls).
//
// Access follows GitHub's rules: a private repository is 404 to anyone who
// cannot see it; a classic token's scopes and a fine-grained token's
// permissions are both capped by the user's role; a fine-grained token reads
// public repositories it was not given; an expired token is 401 like a revoked
// one; anonymous callers (and refused credentials) share a limit of 60
// requests, users 5000 each, and a spent limit answers 403 as GitHub does.
//
// GitHub Apps (apps.go) authenticate with JWTs the fake verifies with the
// App's public key (RS256, iss, iat and exp on the fake's clock, at most 10
// minutes' life); they read GET /app, find their installation on a
// repository (suspended ones too) and make installation tokens, which work
// like fine-grained tokens on the repository endpoints and, through
// GitAuth, for Git over HTTPS as x-access-token, until they expire an hour
// later on the fake's clock.
//
// Faults are injected per request, in the order they were set: each request
// takes the first pending injection that matches it (Fault, PrimaryRateLimit,
// SecondaryRateLimit, Stall, ResetConnection, CutBody).
package fakegithub

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakehost"
)

// Token is a token the fake knows.
type Token struct {
	Value       string
	Login       string
	Scopes      []string          // classic tokens: sent in X-OAuth-Scopes (comma+space separated); nil for fine-grained
	FineGrained bool              // github_pat_ tokens: no X-OAuth-Scopes header at all
	Permissions map[string]string // fine-grained repository permissions: "administration", "contents", "metadata", "pull_requests", "statuses", "webhooks" → "read" | "write"
	Repos       []string          // fine-grained: "owner/name" the token may access (others answer 404)
	Expires     time.Time         // zero: no expiry header
	SSO         string            // non-empty: every request answers 403 with header X-GitHub-SSO: required; url=<SSO>
	Revoked     bool              // answers 401

	installation *installationOf // an installation token (apps.go)
}

// Repo is a repository the fake serves.
type Repo struct {
	Owner, Name string
	Private     bool
	// Collaborators maps a login to its role permissions in GET /repos responses: admin, maintain, push, triage, pull.
	Collaborators map[string]map[string]bool
}

// Options configures a fake server.
type Options struct {
	// Now is the fake's clock, required: it decides whether a token has
	// expired and when rate limits reset. Give it the clock of the code
	// under test, so that both agree on what "now" is.
	Now        func() time.Time
	Enterprise bool          // serve under /api/v3 (GitHub Enterprise Server); URL then ends in /api/v3/
	TLS        bool          // serve HTTPS, as GitHub does, with httptest's certificate (Client trusts it)
	Latency    time.Duration // added to every response
	Tokens     []Token
	Repos      []Repo
	// Orgs maps an organization to the logins of its members, who may
	// create repositories in it (POST /orgs/{org}/repos); other
	// organizations answer 404 there.
	Orgs map[string][]string
	// CloneURL gives a repository's clone_url (point it at a
	// gitserver.Server). It is called at most once per repository, when a
	// repository is created or its JSON is first needed, with the fake's
	// lock held: it must not call the fake. Default:
	// https://github.com/OWNER/NAME.git (Enterprise: the server's own web root).
	CloneURL func(owner, name string) string
	// BranchExists, when set, says whether a branch exists: a pull request
	// whose head or base does not answers 422 and protecting a missing branch
	// 404, as GitHub does. Called with the fake's lock held. Default: every
	// branch exists.
	BranchExists func(owner, repo, branch string) bool
	// Apps are the GitHub Apps the fake knows (apps.go): their JWTs,
	// installations and installation tokens.
	Apps []App
}

// Request is one request the fake received.
type Request struct {
	Method, Path string // Path without the /api/v3 prefix
	Header       http.Header
	Body         string
}

// Server is a running fake GitHub API.
type Server struct {
	host  *fakehost.Server[limit]
	opts  Options
	start time.Time

	tokens  map[string]*Token
	repos   map[string]*Repo // by "owner/name", lower case
	repoIDs map[string]int64 // by "owner/name", lower case
	ids     map[string]int64 // user IDs by login, from 1 in order of appearance

	reqID atomic.Int64

	// state guards what requests change: repos and repoIDs (which grow when
	// a repository is created), fine-grained tokens' Repos, and the fields
	// below. route holds it while it answers.
	state       sync.Mutex
	cloneURLs   map[string]string          // by "owner/name", lower case
	created     []string                   // "owner/name" in order of creation
	protections map[string]json.RawMessage // by protectionKey
	pulls       map[string][]PullRequest   // by "owner/name", lower case
	pullSeq     int64                      // the last pull request's id

	log fakehost.Log[Request]

	apps map[int64]*App  // by ID; fixed after New
	bots map[string]bool // the Apps' bot logins, lower case; fixed after New

	mu         sync.Mutex
	used       map[string]int    // rate-limit use per bucket (a login, or "" for anonymous)
	instTokens map[string]*Token // installation tokens issued, by value
	instSeq    int
}

const apiPrefix = "/api/v3"

// New starts the fake; it is closed with t.Cleanup.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	o = clone(o)
	if o.Now == nil {
		t.Fatal("fakegithub: Options.Now is required: give the fake the test's clock")
	}
	s := &Server{
		opts:    o,
		start:   o.Now(),
		tokens:  map[string]*Token{},
		repos:   map[string]*Repo{},
		repoIDs: map[string]int64{},
		ids:     map[string]int64{},
		used:    map[string]int{},

		instTokens: map[string]*Token{},

		cloneURLs:   map[string]string{},
		protections: map[string]json.RawMessage{},
		pulls:       map[string][]PullRequest{},
	}
	for _, org := range slices.Sorted(maps.Keys(o.Orgs)) {
		s.userID(org)
	}
	for i := range o.Tokens {
		tok := &o.Tokens[i]
		if tok.Value == "" || tok.Login == "" {
			t.Fatalf("fakegithub: token %d needs a Value and a Login", i)
		}
		if _, dup := s.tokens[tok.Value]; dup {
			t.Fatalf("fakegithub: token %d repeats a value", i)
		}
		s.tokens[tok.Value] = tok
		s.userID(tok.Login)
	}
	for i := range o.Repos {
		r := &o.Repos[i]
		key := strings.ToLower(r.Owner + "/" + r.Name)
		if _, dup := s.repos[key]; dup || r.Owner == "" || r.Name == "" {
			t.Fatalf("fakegithub: repo %d (%s/%s) is empty or repeated", i, r.Owner, r.Name)
		}
		s.repos[key] = r
		s.repoIDs[key] = int64(1000 + i)
		s.userID(r.Owner)
	}
	if err := s.initApps(); err != nil {
		t.Fatal(err)
	}
	// HTTPS, as GitHub serves, when Options.TLS is set.
	s.host = fakehost.Start[limit](t, s, fakehost.Options{TLS: o.TLS, Latency: o.Latency})
	return s
}

// clone copies o deeply enough that the caller may change its own copy later
// without a data race.
func clone(o Options) Options {
	o.Tokens = slices.Clone(o.Tokens)
	for i := range o.Tokens {
		t := &o.Tokens[i]
		t.Scopes, t.Repos, t.Permissions = slices.Clone(t.Scopes), slices.Clone(t.Repos), maps.Clone(t.Permissions)
	}
	orgs := map[string][]string{}
	for org, members := range o.Orgs {
		orgs[org] = slices.Clone(members)
	}
	o.Orgs = orgs
	o.Apps = slices.Clone(o.Apps)
	for i := range o.Apps {
		o.Apps[i].Installations = slices.Clone(o.Apps[i].Installations)
		for j := range o.Apps[i].Installations {
			in := &o.Apps[i].Installations[j]
			in.Repos, in.Permissions = slices.Clone(in.Repos), maps.Clone(in.Permissions)
		}
	}
	o.Repos = slices.Clone(o.Repos)
	for i := range o.Repos {
		c := map[string]map[string]bool{}
		for login, perms := range o.Repos[i].Collaborators {
			c[login] = maps.Clone(perms)
		}
		o.Repos[i].Collaborators = c
	}
	return o
}

// URL is the API base URL with a trailing slash (…/api/v3/ for Enterprise), as go-github's BaseURL expects.
func (s *Server) URL() string {
	if s.opts.Enterprise {
		return s.host.URL() + apiPrefix + "/"
	}
	return s.host.URL() + "/"
}

// Client is an *http.Client for the server.
func (s *Server) Client() *http.Client { return s.host.Client() }

// Certificate is the TLS certificate (Options.TLS), for a process that
// trusts it through SSL_CERT_FILE.
func (s *Server) Certificate() *x509.Certificate { return s.host.Certificate() }

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	return s.log.All(func(r Request) Request {
		r.Header = r.Header.Clone()
		return r
	})
}

// userID gives login a stable numeric ID. It is called only before the server
// starts; afterwards s.ids is read without a lock.
func (s *Server) userID(login string) int64 {
	key := strings.ToLower(login)
	if id, ok := s.ids[key]; ok {
		return id
	}
	id := int64(len(s.ids) + 1)
	s.ids[key] = id
	return id
}

// response is an answer before it is written.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path, prefixed := r.URL.Path, true
	if s.opts.Enterprise {
		path, prefixed = strings.CutPrefix(path, apiPrefix)
	}
	s.log.Add(Request{Method: r.Method, Path: path, Header: r.Header.Clone(), Body: string(body)})
	rl, ok := s.host.Begin(w, r, path)
	if !ok {
		return
	}

	a := s.authenticate(r)
	rate := s.count(a)
	var res response
	switch {
	case rl != nil && rl.Kind == fakehost.KindFault:
		res = response{status: rl.Status, header: rl.Header.Clone(), body: []byte(rl.Body)}
	case rl != nil && rl.Kind == fakehost.KindHost && rl.Host.primary:
		rate.remaining, rate.used, rate.reset = 0, rate.limit, rl.Host.reset
		res = s.primaryLimited(a, r)
	case rate.remaining < 0:
		rate.remaining = 0
		res = s.primaryLimited(a, r)
	case rl != nil && rl.Kind == fakehost.KindHost: // a secondary limit
		res = secondaryLimited(rl.Host)
	case !prefixed:
		res = notFound("https://docs.github.com/enterprise-server/rest")
	default:
		res = s.route(r.Method, path, r.URL.Query(), body, a)
	}

	s.commonHeaders(w.Header(), a, rate)
	fakehost.Write(w, rl, res.status, res.header, res.body)
}

// commonHeaders sets what GitHub sends on every response.
func (s *Server) commonHeaders(h http.Header, a actor, rate rate) {
	n := s.reqID.Add(1)
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Request-Id", fmt.Sprintf("F00D:%04X:%06X:%06X:%08X", n%0xFFFF, n, n*7, s.start.Unix()))
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	if s.opts.Enterprise {
		h.Set("X-GitHub-Enterprise-Version", "3.14.0")
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(rate.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(rate.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(rate.reset.Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(rate.used))
	h.Set("X-RateLimit-Resource", "core")
	if a.tok == nil {
		return
	}
	if !a.tok.FineGrained {
		h.Set("X-OAuth-Scopes", strings.Join(a.tok.Scopes, ", "))
		h.Set("X-Accepted-OAuth-Scopes", "")
	}
	if !a.tok.Expires.IsZero() && a.tok.installation == nil {
		h.Set("GitHub-Authentication-Token-Expiration", a.tok.Expires.UTC().Format("2006-01-02 15:04:05 MST"))
	}
}

// Now reads the fake's clock: give it to the code under test so that both
// agree on the time.
func (s *Server) Now() time.Time { return s.opts.Now() }
