package fakegitlab

import (
	"net/http"
	"net/url"
	"strings"
)

// route is one endpoint: its method, its path pattern (":id" and ":name"
// segments match one URL-encoded segment each), the scopes registered for
// it, and its handler.
type route struct {
	method, pattern string
	scopes          []string
	auth            bool // authenticate!: anonymous callers get 401
	handle          func(s *Server, c *call) response
}

// call is one request to an endpoint.
type call struct {
	a     actor
	vars  map[string]string // decoded :id and :name
	query url.Values
	body  params
	now   func() string // the fake's clock, as GitLab formats times
}

var routes = []route{
	{"GET", "/personal_access_tokens/self", anyScope, true, getTokenSelf},
	{"GET", "/user", userScopes, true, getUser},
	{"GET", "/projects/:id", apiScopes, false, getProject},
	{"PUT", "/projects/:id", apiScopes, true, putProject},
	{"POST", "/projects", apiScopes, true, createProject},
	{"GET", "/namespaces/:id", apiScopes, true, getNamespace},
	{"GET", "/groups/:id", apiScopes, false, getGroup},
	{"GET", "/projects/:id/protected_branches", apiScopes, true, listProtections},
	{"POST", "/projects/:id/protected_branches", apiScopes, true, protect},
	{"GET", "/projects/:id/protected_branches/:name", apiScopes, true, getProtection},
	{"PATCH", "/projects/:id/protected_branches/:name", apiScopes, true, patchProtection},
	{"DELETE", "/projects/:id/protected_branches/:name", apiScopes, true, unprotect},
	{"GET", "/projects/:id/merge_requests", apiScopes, false, listMergeRequests},
	{"POST", "/projects/:id/merge_requests", apiScopes, true, createMergeRequest},
}

// route answers a request that passed the fault injections, in GitLab's
// order: the token (401), its scopes (403), authenticate! (401), then the
// endpoint. It holds the state lock: requests change the fake one at a time.
func (s *Server) route(r *http.Request, path string, body []byte, a actor) response {
	if a.refused != nil {
		return *a.refused
	}
	for i := range routes {
		rt := &routes[i]
		vars, ok := match(rt.pattern, path)
		if !ok || rt.method != r.Method {
			continue
		}
		if res := scopeRefusal(a, r.Method, rt.scopes); res != nil {
			return *res
		}
		if rt.auth && a.user == nil {
			return errUnauthorized
		}
		p, res, ok := parseParams(r, body)
		if !ok {
			return res
		}
		s.state.Lock()
		defer s.state.Unlock()
		return rt.handle(s, &call{a: a, vars: vars, query: r.URL.Query(), body: p, now: s.timestamp})
	}
	// Grape's catch-all: route :any, '*path' → error!('404 Not Found', 404).
	return apiError(http.StatusNotFound, "error", "404 Not Found")
}

// match matches an escaped path against a pattern and decodes its variables.
func match(pattern, path string) (map[string]string, bool) {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	vars := map[string]string{}
	for i, p := range ps {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			v, err := url.PathUnescape(xs[i])
			if err != nil || v == "" {
				return nil, false
			}
			vars[name] = v
			continue
		}
		if p != xs[i] {
			return nil, false
		}
	}
	return vars, true
}

// timestamp is the fake's clock as GitLab formats times: ISO 8601 in UTC
// with milliseconds.
func (s *Server) timestamp() string { return formatTime(s.opts.Now()) }

// findProject is GitLab's find_project!: a project the caller cannot see is
// 404 Project Not Found, as one that does not exist.
func (s *Server) findProject(c *call) (*project, *response) {
	p := s.db.project(c.vars["id"])
	if p == nil || !visible(c.a.user, p) {
		res := notFound("Project")
		return nil, &res
	}
	return p, nil
}

// authorize finds the project and checks the caller's role: 403 Forbidden
// below least.
func (s *Server) authorize(c *call, least int) (*project, *response) {
	p, res := s.findProject(c)
	if res != nil {
		return nil, res
	}
	if access(c.a.user, p) < least {
		res := errForbidden
		return nil, &res
	}
	return p, nil
}
