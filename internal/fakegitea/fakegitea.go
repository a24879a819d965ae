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
	for _, r := range o.Repos {
		s.addRepo(r)
	}
	s.ts = httptest.NewServer(s)
	t.Cleanup(s.ts.Close)
	return s
}

func (s *Server) addRepo(r Repo) *Repo {
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	r.Perms = clonePerms(r.Perms)
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

// perm is user's permission on repo: its own, the owner's, or an
// organisation owner's; a public repository is readable by anyone.
func (s *Server) perm(repo *Repo, user string) Perm {
	p := repo.Perms[strings.ToLower(user)]
	if strings.EqualFold(repo.Owner, user) {
		p = Perm{Admin: true, Push: true, Pull: true}
	}
	if org, ok := s.orgs[strings.ToLower(repo.Owner)]; ok && has(org.Owners, user) {
		p = Perm{Admin: true, Push: true, Pull: true}
	}
	if p.Admin {
		p.Push = true
	}
	if p.Push || !repo.Private {
		p.Pull = true
	}
	return p
}

func (s *Server) repoJSON(repo *Repo, perm Perm) map[string]any {
	full := repo.Owner + "/" + repo.Name
	return map[string]any{
		"id": 3, "name": repo.Name, "full_name": full,
		"owner":          map[string]any{"login": repo.Owner, "username": repo.Owner},
		"private":        repo.Private,
		"default_branch": repo.DefaultBranch,
		"html_url":       s.ts.URL + "/" + full,
		"clone_url":      s.ts.URL + "/" + full + ".git",
		"permissions":    map[string]bool{"admin": perm.Admin, "push": perm.Push, "pull": perm.Pull},
	}
}

func (s *Server) createRepo(owner, user string, body []byte) response {
	var opt struct {
		Name    string `json:"name"`
		Private bool   `json:"private"`
	}
	if json.Unmarshal(body, &opt) != nil || opt.Name == "" {
		return message(http.StatusUnprocessableEntity, "[Name]: Required")
	}
	if _, ok := s.repos[key(owner, opt.Name)]; ok {
		return message(http.StatusConflict, "The repository with the same name already exists.")
	}
	repo := s.addRepo(Repo{Owner: owner, Name: opt.Name, Private: opt.Private})
	return jsonBody(http.StatusCreated, s.repoJSON(repo, s.perm(repo, user)))
}

func (s *Server) repoRoute(r *http.Request, repo *Repo, perm Perm, rest []string, body []byte) response {
	k := key(repo.Owner, repo.Name)
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		return jsonBody(http.StatusOK, s.repoJSON(repo, perm))
	case len(rest) == 1 && rest[0] == "pulls" && r.Method == http.MethodPost:
		var opt struct{ Head, Base, Title, Body string }
		if json.Unmarshal(body, &opt) != nil || opt.Head == "" || opt.Base == "" || opt.Title == "" {
			return message(http.StatusUnprocessableEntity, "[Head Base Title]: Required")
		}
		if !perm.Push {
			return message(http.StatusForbidden, "user should have permission to write to the target repository")
		}
		n := int64(len(s.pulls[k]) + 1)
		p := &Pull{Number: n, Title: opt.Title, Body: opt.Body, Head: opt.Head, Base: opt.Base, State: "open",
			HTMLURL: s.ts.URL + "/" + repo.Owner + "/" + repo.Name + "/pulls/" + strconv.FormatInt(n, 10), CreatedTime: s.now()}
		s.pulls[k] = append(s.pulls[k], p)
		return jsonBody(http.StatusCreated, p)
	case len(rest) >= 1 && rest[0] == "branch_protections":
		if !perm.Admin {
			return message(http.StatusForbidden, "repository admin permission is required")
		}
		return s.protectionRoute(r, k, rest[1:], body)
	}
	return message(http.StatusNotFound, "The target couldn't be found.")
}

func (s *Server) now() string { return s.opts.Now().UTC().Format(time.RFC3339) }

func (s *Server) protectionRoute(r *http.Request, k string, rest []string, body []byte) response {
	find := func(name string) *Protection {
		for _, p := range s.protections[k] {
			if p.RuleName == name {
				return p
			}
		}
		return nil
	}
	switch {
	case len(rest) == 0 && r.Method == http.MethodPost:
		var p Protection
		if json.Unmarshal(body, &p) != nil {
			return message(http.StatusUnprocessableEntity, "invalid body")
		}
		if p.RuleName == "" {
			p.RuleName = p.BranchName
		}
		if find(p.RuleName) != nil {
			return message(http.StatusForbidden, "Branch protection already exist")
		}
		p.Created = s.now()
		s.protections[k] = append(s.protections[k], &p)
		return jsonBody(http.StatusCreated, p)
	case len(rest) == 1 && r.Method == http.MethodGet:
		if p := find(rest[0]); p != nil {
			return jsonBody(http.StatusOK, p)
		}
	case len(rest) == 1 && r.Method == http.MethodPatch:
		p := find(rest[0])
		if p == nil {
			break
		}
		var patch map[string]json.RawMessage
		if json.Unmarshal(body, &patch) != nil {
			return message(http.StatusUnprocessableEntity, "invalid body")
		}
		set := func(name string, v any) {
			if raw, ok := patch[name]; ok && string(raw) != "null" {
				json.Unmarshal(raw, v)
			}
		}
		set("enable_push", &p.EnablePush)
		set("enable_status_check", &p.EnableStatusCheck)
		set("status_check_contexts", &p.StatusCheckContexts)
		set("required_approvals", &p.RequiredApprovals)
		return jsonBody(http.StatusOK, p)
	}
	return message(http.StatusNotFound, "The target couldn't be found.")
}
