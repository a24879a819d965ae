// Package fakegitea is a small fake of Gitea's (and Forgejo's) REST API v1
// for rtconf's tests of the Gitea provider.
//
// It is an httptest server that answers, under /api/v1, the endpoints
// rtconf's token check and repository changes call, with the status codes
// and bodies Gitea's API sends (https://docs.gitea.com/development/api-usage,
// Gitea's routers/api/v1/api.go):
//
//   - GET /user (needs read:user);
//   - GET /repos/{owner}/{repo} (read:repository), with the user's
//     permissions {admin, push, pull};
//   - POST /repos/{owner}/{repo}/pulls (write:repository; push permission),
//     422 for a body without head, base or title;
//   - GET, POST, PATCH /repos/{owner}/{repo}/branch_protections[/{name}]
//     (write:repository for writes; admin permission);
//   - GET /orgs/{org} (read:organization), POST /orgs/{org}/repos
//     (write:organization; an owner of the organisation, or a member
//     allowed to create), POST /user/repos (write:user, as Forgejo asks).
//
// Authentication is Gitea's "Authorization: token …" header. No token, or
// an unknown one, is 401 {"message":"token is required"}-style; a token
// without a scope the route group asks for is 403 {"message":"token does
// not have at least one of required scope(s): [SCOPE]"}; a repository the
// user cannot see is 404 {"message":"The target couldn't be found."}; a
// permission too weak is 403.
//
// Faults are injected per request, in the order they were set (Fault,
// RateLimit, ResetConnection). The fake reads no wall clock: Options.Now
// stamps what it creates.
package fakegitea

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is an access token the fake knows: 40 hex characters, of a user,
// with Gitea's scopes (read:repository, write:repository, read:user, …,
// or "all").
type Token struct {
	Value  string
	User   string
	Scopes []string
}

// Org is an organisation: Owners may do anything in it; Members may
// create repositories only when CanCreate.
type Org struct {
	Name      string
	Owners    []string
	Members   []string
	CanCreate bool
}

// Perm is a user's permission on a repository.
type Perm struct{ Admin, Push, Pull bool }

// Repo is a repository the fake serves.
type Repo struct {
	Owner, Name   string
	Private       bool
	DefaultBranch string // default "main"
	// Perms maps a username to its permission; the owner (a user) is
	// admin. An organisation's owners are admins of its repositories.
	Perms map[string]Perm

	cloneURL string
}

// Protection is a branch protection rule as the fake stores it.
type Protection struct {
	RuleName            string   `json:"rule_name"`
	BranchName          string   `json:"branch_name"`
	EnablePush          bool     `json:"enable_push"`
	EnableStatusCheck   bool     `json:"enable_status_check"`
	StatusCheckContexts []string `json:"status_check_contexts"`
	RequiredApprovals   int64    `json:"required_approvals"`
	Created             string   `json:"created_at"`
}

// Pull is a pull request the fake stores.
type Pull struct {
	Number      int64  `json:"number"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	Head        string `json:"-"`
	Base        string `json:"-"`
	HTMLURL     string `json:"html_url"`
	State       string `json:"state"`
	CreatedTime string `json:"created_at"`
}

// Options configures a fake server.
type Options struct {
	// Now is the fake's clock, required: it stamps what the fake creates.
	Now    func() time.Time
	Tokens []Token
	Users  []string
	Orgs   []Org
	Repos  []Repo
	// CloneURL gives a repository's clone_url from its owner and name
	// (point it at gitserver.Server.NewRepoFunc, so that a repository
	// created through the fake can be pushed to). It is called once per
	// repository, with the fake's lock held: it must not call the fake.
	// Default: <server>/<owner>/<name>.git.
	CloneURL func(owner, name string) string
	// BranchExists, when set, says whether a repository has a branch: a
	// pull request from or into a missing one answers 404, as Gitea does.
	// Called with the fake's lock held. Default: every branch exists.
	BranchExists func(owner, name, branch string) bool
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string // without the /api/v1 prefix
	Query  string
	Header http.Header
	Body   string
}

// Server is a running fake Gitea.
type Server struct {
	ts   *httptest.Server
	opts Options

	mu          sync.Mutex
	log         []Request
	rules       []*rule
	tokens      map[string]Token
	users       map[string]bool
	orgs        map[string]*Org
	repos       map[string]*Repo // key lower(owner/name)
	protections map[string][]*Protection
	pulls       map[string][]*Pull
}

const apiPrefix = "/api/v1"

// New starts the fake; it is closed with t.Cleanup.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Now == nil {
		t.Fatal("fakegitea: Options.Now is required: give the fake the test's clock")
	}
	s := &Server{opts: o, tokens: map[string]Token{}, users: map[string]bool{}, orgs: map[string]*Org{},
		repos: map[string]*Repo{}, protections: map[string][]*Protection{}, pulls: map[string][]*Pull{}}
	for _, tk := range o.Tokens {
		s.tokens[tk.Value] = tk
		s.users[strings.ToLower(tk.User)] = true
	}
	for _, u := range o.Users {
		s.users[strings.ToLower(u)] = true
	}
	for _, org := range o.Orgs {
		s.orgs[strings.ToLower(org.Name)] = &org
	}
	s.ts = httptest.NewServer(s)
	t.Cleanup(s.ts.Close)
	s.mu.Lock()
	for _, r := range o.Repos {
		s.addRepo(r)
	}
	s.mu.Unlock()
	return s
}

func (s *Server) addRepo(r Repo) *Repo {
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	r.Perms = clonePerms(r.Perms)
	if s.opts.CloneURL != nil {
		r.cloneURL = s.opts.CloneURL(r.Owner, r.Name)
	} else {
		r.cloneURL = s.ts.URL + "/" + r.Owner + "/" + r.Name + ".git"
	}
	s.repos[key(r.Owner, r.Name)] = &r
	return &r
}

func clonePerms(m map[string]Perm) map[string]Perm {
	out := map[string]Perm{}
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func key(owner, name string) string { return strings.ToLower(owner + "/" + name) }

// URL is the API base URL, http://127.0.0.1:PORT/api/v1/.
func (s *Server) URL() string { return s.ts.URL + apiPrefix + "/" }

// Client is an *http.Client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	for i, r := range s.log {
		out[i] = r
		out[i].Header = r.Header.Clone()
	}
	return out
}

// Protections returns the branch protections of owner/name.
func (s *Server) Protections(owner, name string) []Protection {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Protection
	for _, p := range s.protections[key(owner, name)] {
		out = append(out, *p)
	}
	return out
}

// Pulls returns the pull requests of owner/name.
func (s *Server) Pulls(owner, name string) []Pull {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Pull
	for _, p := range s.pulls[key(owner, name)] {
		out = append(out, *p)
	}
	return out
}

// HasRepo reports whether owner/name exists.
func (s *Server) HasRepo(owner, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.repos[key(owner, name)]
	return ok
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path, prefixed := strings.CutPrefix(r.URL.EscapedPath(), apiPrefix)
	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
	rl := s.take(path)
	s.mu.Unlock()

	var res response
	switch {
	case rl != nil && rl.kind == kindReset:
		drop(w)
		return
	case rl != nil && rl.kind == kindFault:
		res = response{status: rl.status, header: rl.header.Clone(), body: []byte(rl.body)}
	case rl != nil && rl.kind == kindRateLimit:
		res = message(http.StatusTooManyRequests, "rate limit exceeded")
		if rl.retryAfter >= 0 {
			res.header = http.Header{"Retry-After": {strconv.Itoa(rl.retryAfter)}}
		}
	case !prefixed:
		res = message(http.StatusNotFound, "The target couldn't be found.")
	default:
		s.mu.Lock()
		res = s.route(r, path, body)
		s.mu.Unlock()
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	for k, v := range res.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(res.body)))
	w.WriteHeader(res.status)
	w.Write(res.body)
}

// message is Gitea's error body: {"message": …, "url": the API's swagger}.
func message(status int, msg string) response {
	b, _ := json.Marshal(map[string]any{"message": msg, "url": "https://gitea.example/api/swagger"})
	return response{status: status, body: b}
}

// ScopeMessage is the 403 body's message for a token without any of the
// scopes a route group asks for (Gitea's tokenRequiresScopes).
func ScopeMessage(scope string) string {
	return "token does not have at least one of required scope(s): [" + scope + "]"
}

func jsonBody(status int, v any) response {
	b, _ := json.Marshal(v)
	return response{status: status, body: b}
}

// authenticate returns the token of the request's Authorization header.
func (s *Server) authenticate(r *http.Request) (Token, bool) {
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "token ")
	if !ok {
		return Token{}, false
	}
	tk, ok := s.tokens[v]
	return tk, ok
}

// hasScope: Gitea's scopes are read:X and write:X, write implying read, and
// "all" granting everything (https://docs.gitea.com/development/oauth2-provider#scopes).
func hasScope(tk Token, want string) bool {
	category := want[strings.Index(want, ":")+1:]
	for _, s := range tk.Scopes {
		if s == "all" || s == want || (strings.HasPrefix(want, "read:") && s == "write:"+category) {
			return true
		}
	}
	return false
}

func (s *Server) route(r *http.Request, path string, body []byte) response {
	tk, ok := s.authenticate(r)
	if !ok {
		return message(http.StatusUnauthorized, "token is required")
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	write := r.Method != http.MethodGet
	need := func(category string) (response, bool) {
		scope := "read:" + category
		if write {
			scope = "write:" + category
		}
		if !hasScope(tk, scope) {
			return message(http.StatusForbidden, ScopeMessage(scope)), false
		}
		return response{}, true
	}
	switch {
	case len(parts) == 1 && parts[0] == "user" && r.Method == http.MethodGet:
		if res, ok := need("user"); !ok {
			return res
		}
		return jsonBody(http.StatusOK, map[string]any{"id": 1, "login": tk.User, "username": tk.User})
	case len(parts) == 2 && parts[0] == "user" && parts[1] == "repos" && r.Method == http.MethodPost:
		if res, ok := need("user"); !ok {
			return res
		}
		return s.createRepo(tk.User, tk.User, body)
	case len(parts) == 2 && parts[0] == "orgs" && r.Method == http.MethodGet:
		if res, ok := need("organization"); !ok {
			return res
		}
		org, ok := s.orgs[strings.ToLower(parts[1])]
		if !ok {
			return message(http.StatusNotFound, "The target couldn't be found.")
		}
		return jsonBody(http.StatusOK, map[string]any{"id": 2, "name": org.Name, "username": org.Name})
	case len(parts) == 3 && parts[0] == "orgs" && parts[2] == "repos" && r.Method == http.MethodPost:
		if res, ok := need("organization"); !ok {
			return res
		}
		org, ok := s.orgs[strings.ToLower(parts[1])]
		if !ok {
			return message(http.StatusNotFound, "The target couldn't be found.")
		}
		if !has(org.Owners, tk.User) && !(org.CanCreate && has(org.Members, tk.User)) {
			return message(http.StatusForbidden, "Given user is not allowed to create repository in organization.")
		}
		return s.createRepo(org.Name, tk.User, body)
	case len(parts) >= 3 && parts[0] == "repos":
		if res, ok := need("repository"); !ok {
			return res
		}
		repo, ok := s.repos[key(parts[1], parts[2])]
		if !ok {
			return message(http.StatusNotFound, "The target couldn't be found.")
		}
		perm := s.perm(repo, tk.User)
		if !perm.Pull {
			return message(http.StatusNotFound, "The target couldn't be found.")
		}
		return s.repoRoute(r, repo, perm, parts[3:], body)
	}
	return message(http.StatusNotFound, "The target couldn't be found.")
}

func has(list []string, name string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, name) })
}
