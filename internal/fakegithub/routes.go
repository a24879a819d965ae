package fakegithub

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Roles, weakest first, as GET /repos reports them in "permissions".
var roles = []string{"pull", "triage", "push", "maintain", "admin"}

const (
	rolePull  = 1
	rolePush  = 3
	roleAdmin = 5
)

// route is one repository endpoint and what it takes to call it.
type route struct {
	method, pattern string
	doc             string
	perm, access    string   // fine-grained permission and level: webhooks, write
	role            int      // least collaborator role
	scopes          []string // classic scopes that grant it on a private repository
	public          []string // ... on a public one; nil: no scope needed
	required        []field  // writes: body fields that must be present
	optional        []field  // writes: body fields checked when present
	resource        string   // writes: "resource" in validation errors
	status          int      // writes: status of a valid write that apply is nil for (never applied)
	get             func(s *Server, c *repoCall) response
	apply           func(s *Server, c *repoCall) response // writes: a valid write that changes the fake's state
}

// repoCall is one request to a repository endpoint, after access was granted.
type repoCall struct {
	repo  *Repo
	a     actor
	vars  map[string]string // from the route's pattern
	query url.Values
	body  map[string]any // writes: the decoded, validated body
	doc   string         // documentation_url of the endpoint
}

// field is a body field a write checks: typ is "string", "object" or "bool";
// enum limits a string's values.
type field struct {
	name, typ string
	enum      []string
}

var (
	repoScope   = []string{"repo"}
	publicWrite = []string{"repo", "public_repo"}
	hookRead    = []string{"admin:repo_hook", "read:repo_hook", "repo", "write:repo_hook"}
	hookWrite   = []string{"admin:repo_hook", "repo", "write:repo_hook"}
	statusScope = []string{"repo", "repo:status"}
)

var routes = []route{
	{method: "GET", pattern: "/repos/{owner}/{repo}", doc: "repos/repos#get-a-repository",
		perm: "metadata", access: "read", role: rolePull, scopes: repoScope,
		get: func(s *Server, c *repoCall) response {
			return jsonResponse(http.StatusOK, s.repoJSON(c.repo, c.a))
		}},
	{method: "PATCH", pattern: "/repos/{owner}/{repo}", doc: "repos/repos#update-a-repository",
		perm: "administration", access: "write", role: roleAdmin, scopes: repoScope, public: publicWrite,
		optional: []field{{name: "name", typ: "string"}, {name: "description", typ: "string"},
			{name: "private", typ: "bool"}, {name: "visibility", typ: "string", enum: []string{"public", "private", "internal"}},
			{name: "default_branch", typ: "string"}},
		resource: "Repository", status: http.StatusOK},
	{method: "GET", pattern: "/repos/{owner}/{repo}/hooks", doc: "repos/webhooks#list-repository-webhooks",
		perm: "webhooks", access: "read", role: roleAdmin, scopes: hookRead, public: hookRead, get: emptyList},
	{method: "POST", pattern: "/repos/{owner}/{repo}/hooks", doc: "repos/webhooks#create-a-repository-webhook",
		perm: "webhooks", access: "write", role: roleAdmin, scopes: hookWrite, public: hookWrite,
		required: []field{{name: "config", typ: "object"}}, resource: "Hook", status: http.StatusCreated},
	{method: "GET", pattern: "/repos/{owner}/{repo}/pulls", doc: "pulls/pulls#list-pull-requests",
		perm: "pull_requests", access: "read", role: rolePull, scopes: repoScope, get: listPulls},
	{method: "POST", pattern: "/repos/{owner}/{repo}/pulls", doc: "pulls/pulls#create-a-pull-request",
		perm: "pull_requests", access: "write", role: rolePull, scopes: repoScope, public: publicWrite,
		required: []field{{name: "head", typ: "string"}, {name: "base", typ: "string"}},
		optional: []field{{name: "title", typ: "string"}, {name: "body", typ: "string"}, {name: "draft", typ: "bool"}},
		resource: "PullRequest", apply: createPull},
	{method: "GET", pattern: "/repos/{owner}/{repo}/contents/{path...}", doc: "repos/contents#get-repository-content",
		perm: "contents", access: "read", role: rolePull, scopes: repoScope, get: getContents},
	{method: "PUT", pattern: "/repos/{owner}/{repo}/contents/{path...}", doc: "repos/contents#create-or-update-file-contents",
		perm: "contents", access: "write", role: rolePush, scopes: repoScope, public: publicWrite,
		required: []field{{name: "message", typ: "string"}, {name: "content", typ: "string"}},
		resource: "Content", status: http.StatusCreated},
	{method: "GET", pattern: "/repos/{owner}/{repo}/commits/{ref}/statuses", doc: "commits/statuses#list-commit-statuses-for-a-reference",
		perm: "statuses", access: "read", role: rolePull, scopes: statusScope, get: emptyList},
	{method: "POST", pattern: "/repos/{owner}/{repo}/statuses/{sha}", doc: "commits/statuses#create-a-commit-status",
		perm: "statuses", access: "write", role: rolePush, scopes: statusScope, public: []string{"repo", "public_repo", "repo:status"},
		required: []field{{name: "state", typ: "string", enum: []string{"error", "failure", "pending", "success"}}},
		resource: "Status", status: http.StatusCreated},
	{method: "GET", pattern: "/repos/{owner}/{repo}/branches/{branch}/protection", doc: "branches/branch-protection#get-branch-protection",
		perm: "administration", access: "read", role: roleAdmin, scopes: repoScope, public: publicWrite,
		get: getProtection},
	{method: "PUT", pattern: "/repos/{owner}/{repo}/branches/{branch}/protection", doc: "branches/branch-protection#update-branch-protection",
		perm: "administration", access: "write", role: roleAdmin, scopes: repoScope, public: publicWrite,
		apply: putProtection},
}

func emptyList(*Server, *repoCall) response {
	return response{status: http.StatusOK, body: []byte("[]")}
}

// getContents lists the (empty) root and finds no file.
func getContents(s *Server, c *repoCall) response {
	if strings.Trim(c.vars["path"], "/") == "" {
		return emptyList(s, c)
	}
	return notFound("https://docs.github.com/rest/repos/contents#get-repository-content")
}

// route answers a request that passed the fault injections. It holds the
// state lock: requests change the fake one at a time.
func (s *Server) route(method, path string, query url.Values, body []byte, a actor) response {
	if res, refused := refusal(a); refused {
		return res
	}
	s.state.Lock()
	defer s.state.Unlock()
	if res, ok := s.routeApp(method, path, body, a); ok {
		return res
	}
	switch {
	case path == "/user" && method == http.MethodGet:
		return s.getUser(a)
	case path == "/user/repos" && method == http.MethodPost:
		return s.createRepo(a, "", body)
	}
	if vars, ok := match("/orgs/{org}/repos", path); ok && method == http.MethodPost {
		return s.createRepo(a, vars["org"], body)
	}
	for i := range routes {
		rt := &routes[i]
		if vars, ok := match(rt.pattern, path); ok && rt.method == method {
			return s.serveRepo(rt, &repoCall{vars: vars, query: query, a: a}, body)
		}
	}
	return notFound("https://docs.github.com/rest")
}

// match matches path against a pattern with {name} segments and a final {name...}.
func match(pattern, path string) (map[string]string, bool) {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	vars := map[string]string{}
	for i, p := range ps {
		if name, ok := strings.CutSuffix(strings.Trim(p, "{}"), "..."); ok && strings.HasPrefix(p, "{") {
			vars[name] = strings.Join(xs[min(i, len(xs)):], "/")
			return vars, true
		}
		if i >= len(xs) {
			return nil, false
		}
		switch {
		case strings.HasPrefix(p, "{"):
			if xs[i] == "" {
				return nil, false
			}
			vars[strings.Trim(p, "{}")] = xs[i]
		case p != xs[i]:
			return nil, false
		}
	}
	return vars, len(ps) == len(xs)
}

// serveRepo checks access to a repository endpoint the way GitHub does, then
// answers it.
func (s *Server) serveRepo(rt *route, c *repoCall, body []byte) response {
	doc := "https://docs.github.com/rest/" + rt.doc
	a := c.a
	full := c.vars["owner"] + "/" + c.vars["repo"]
	repo := s.repos[strings.ToLower(full)]
	if repo == nil {
		return notFound(doc)
	}
	perms := s.perms(repo, a.login)
	role := level(perms)
	hdr := http.Header{}
	var refused *response
	switch {
	case a.tok == nil:
		if repo.Private {
			return notFound(doc)
		}
		if rt.access == "write" || rt.role > rolePull {
			res := apiError(http.StatusUnauthorized, "Requires authentication", doc)
			refused = &res
		}
	case a.tok.FineGrained:
		hdr.Set("X-Accepted-GitHub-Permissions", rt.perm+"="+rt.access)
		selected := slices.ContainsFunc(a.tok.Repos, func(r string) bool { return strings.EqualFold(r, full) })
		if repo.Private && (!selected || role == 0) {
			return notFound(doc)
		}
		if !fineGranted(a.tok, rt, selected, !repo.Private) || role < rt.role {
			res := apiError(http.StatusForbidden, "Resource not accessible by personal access token", doc)
			refused = &res
		}
	default: // classic: GitHub hides what the scopes or the role do not reach
		hdr.Set("X-Accepted-OAuth-Scopes", strings.Join(rt.scopes, ", "))
		need := rt.scopes
		if !repo.Private {
			need = rt.public
		}
		granted := need == nil || slices.ContainsFunc(a.tok.Scopes, func(sc string) bool { return slices.Contains(need, sc) })
		if !granted || role < rt.role {
			res := notFound(doc)
			refused = &res
		}
	}
	c.repo, c.doc = repo, doc
	res := response{}
	switch {
	case refused != nil:
		res = *refused
	case rt.get != nil:
		res = rt.get(s, c)
	default:
		res = s.write(rt, c, body)
	}
	if res.header == nil {
		res.header = http.Header{}
	}
	for k, v := range hdr {
		res.header[k] = v
	}
	return res
}

// fineGranted reports whether a fine-grained token's permissions allow rt. A
// fine-grained token also reads public repositories it was not given.
func fineGranted(tok *Token, rt *route, selected, public bool) bool {
	if !selected {
		return public && rt.access == "read" && rt.perm != "webhooks" && rt.perm != "administration"
	}
	if rt.perm == "metadata" { // always granted, read-only, on selected repositories
		return rt.access == "read"
	}
	have := tok.Permissions[rt.perm]
	return have == "write" || have == rt.access
}

// perms is the "permissions" object GET /repos reports for login, or nil when
// login has no access.
func (s *Server) perms(repo *Repo, login string) map[string]bool {
	if login == "" {
		return nil
	}
	out := map[string]bool{}
	if s.bots[strings.ToLower(login)] {
		// An installation's bot: what it may do is its token's
		// permissions, on the repositories the token reaches.
		for _, r := range roles {
			out[r] = true
		}
		return out
	}
	for l, p := range repo.Collaborators {
		if strings.EqualFold(l, login) {
			for _, r := range roles {
				out[r] = p[r]
			}
			return out
		}
	}
	switch {
	case strings.EqualFold(login, repo.Owner):
		for _, r := range roles {
			out[r] = true
		}
	case !repo.Private:
		for _, r := range roles {
			out[r] = r == "pull"
		}
	default:
		return nil
	}
	return out
}

// level is the strongest role in perms, 1 (pull) to 5 (admin); 0 for none.
func level(perms map[string]bool) int {
	for i := len(roles) - 1; i >= 0; i-- {
		if perms[roles[i]] {
			return i + 1
		}
	}
	return 0
}
