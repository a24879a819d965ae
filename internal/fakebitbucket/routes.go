package fakebitbucket

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Scopes each kind of route takes: an access token's scope or an API
// token's (https://developer.atlassian.com/cloud/bitbucket/rest/intro/#scopes,
// https://support.atlassian.com/bitbucket-cloud/docs/api-token-permissions/).
// Bitbucket's write and admin scopes include read.
func scopeAccount() []string { return []string{"account", "account:write", "read:user:bitbucket"} }
func scopeRepoRead() []string {
	return []string{"repository", "repository:write", "repository:admin", "read:repository:bitbucket"}
}
func scopeRepoAdmin() []string { return []string{"repository:admin", "admin:repository:bitbucket"} }
func scopePRWrite() []string   { return []string{"pullrequest:write", "write:pullrequest:bitbucket"} }

func (s *Server) route(r *http.Request, path string, body []byte, tok *Token, h http.Header) response {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	switch {
	case len(parts) == 1 && parts[0] == "user" && r.Method == http.MethodGet:
		// An access token has no account scope to ask for: it is its own
		// user (the token's name), as Bitbucket shows it in its UI. What
		// the live API answers it here is the fake's assumption; rtconf
		// reads the scopes headers of a 403 as well.
		if res, ok := need(tok, h, scopeAccount()...); !ok && tok.Kind == APIToken {
			return res
		}
		return jsonResponse(http.StatusOK, map[string]any{"type": "user", "username": tok.User,
			"display_name": tok.User, "account_id": "fake:" + tok.User, "uuid": "{" + tok.User + "}"})
	case len(parts) == 3 && parts[0] == "user" && parts[1] == "permissions" && parts[2] == "repositories" && r.Method == http.MethodGet:
		return s.permissions(r, tok, h)
	case len(parts) >= 3 && parts[0] == "repositories":
		return s.repoRoute(r, parts[1], parts[2], parts[3:], body, tok, h)
	}
	return apiError(http.StatusNotFound, "Resource not found", nil)
}

// perm is tok's permission on the repository ws/slug: an API token's
// user's, or an access token's (from its scopes) within its reach.
func (s *Server) perm(tok *Token, ws, slug string) string {
	full := key(ws, slug)
	if tok.Kind != APIToken {
		inReach := strings.EqualFold(tok.Repo, full) || tok.Workspace != "" && strings.EqualFold(tok.Workspace, ws)
		switch {
		case !inReach:
			return ""
		case slices.Contains(tok.Scopes, "repository:admin"):
			return "admin"
		case slices.Contains(tok.Scopes, "repository:write"):
			return "write"
		}
		return "read"
	}
	if r, ok := s.repos[full]; ok {
		return r.Perms[tok.User]
	}
	return ""
}

func rank(p string) int { return map[string]int{"read": 1, "write": 2, "admin": 3}[p] }

func (s *Server) repoRoute(r *http.Request, ws, slug string, rest []string, body []byte, tok *Token, h http.Header) response {
	full := key(ws, slug)
	repo, exists := s.repos[full]
	p := s.perm(tok, ws, slug)
	if len(rest) == 0 && r.Method == http.MethodPost {
		return s.create(ws, slug, body, tok, h, exists)
	}
	if res, ok := need(tok, h, scopeRepoRead()...); !ok {
		return res
	}
	if !exists || (repo.Private && p == "") {
		return apiError(http.StatusNotFound, "Repository "+ws+"/"+slug+" not found", nil)
	}
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		return jsonResponse(http.StatusOK, s.repoJSON(repo, tok))
	case len(rest) >= 1 && rest[0] == "branch-restrictions":
		if res, ok := need(tok, h, scopeRepoAdmin()...); !ok {
			return res
		}
		if rank(p) < 3 {
			return apiError(http.StatusForbidden, "You need admin access to the repository", nil)
		}
		return s.restrict(r, full, rest[1:], body)
	case len(rest) == 1 && rest[0] == "pullrequests" && r.Method == http.MethodPost:
		if res, ok := need(tok, h, scopePRWrite()...); !ok {
			return res
		}
		if rank(p) < 2 {
			return apiError(http.StatusForbidden, "You need write access to the repository", nil)
		}
		return s.openPR(repo, body)
	}
	return apiError(http.StatusNotFound, "Resource not found", nil)
}

func (s *Server) repoJSON(r *Repo, tok *Token) map[string]any {
	full := r.Workspace + "/" + r.Slug
	clone := "https://" + tok.User + "@bitbucket.org/" + full + ".git"
	if s.opts.CloneURL != nil {
		clone = s.opts.CloneURL(full)
	}
	return map[string]any{"type": "repository", "full_name": full, "slug": r.Slug, "name": r.Slug, "scm": "git",
		"is_private": r.Private, "mainbranch": map[string]string{"type": "branch", "name": r.MainBranch},
		"links": map[string]any{
			"html":  map[string]string{"href": s.WebURL() + "/" + full},
			"clone": []map[string]string{{"name": "https", "href": clone}, {"name": "ssh", "href": "git@bitbucket.org:" + full + ".git"}},
		}}
}

// create makes a repository: 400 when it exists, 403 without the scope or
// without admin rights in the workspace.
func (s *Server) create(ws, slug string, body []byte, tok *Token, h http.Header, exists bool) response {
	if res, ok := need(tok, h, scopeRepoAdmin()...); !ok {
		return res
	}
	var in struct {
		SCM       string `json:"scm"`
		IsPrivate *bool  `json:"is_private"`
	}
	if json.Unmarshal(body, &in) != nil {
		return apiError(http.StatusBadRequest, "Bad request", nil)
	}
	var w *Workspace
	for i := range s.opts.Workspaces {
		if strings.EqualFold(s.opts.Workspaces[i].Slug, ws) {
			w = &s.opts.Workspaces[i]
		}
	}
	switch {
	case w == nil:
		return apiError(http.StatusNotFound, "Workspace "+ws+" not found", nil)
	case tok.Kind == APIToken && !slices.Contains(w.Admins, tok.User),
		tok.Kind != APIToken && !strings.EqualFold(tok.Workspace, ws):
		return apiError(http.StatusForbidden, "You do not have permission to create repositories in "+ws, nil)
	case exists:
		return apiError(http.StatusBadRequest, "Repository with this Slug and Owner already exists.", nil)
	}
	r := &Repo{Workspace: w.Slug, Slug: slug, Private: in.IsPrivate == nil || *in.IsPrivate, MainBranch: "main",
		Perms: map[string]string{tok.User: "admin"}}
	s.repos[key(ws, slug)] = r
	s.created = append(s.created, r.Workspace+"/"+r.Slug)
	return jsonResponse(http.StatusOK, s.repoJSON(r, tok))
}

// page answers a list as Bitbucket's paged object: pagelen (1 to 100,
// default 10), page (from 1), size, and next while there is more.
func (s *Server) page(r *http.Request, items []any) response {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("pagelen"))
	if err != nil || per < 1 {
		per = 10
	}
	per = min(per, 100)
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 {
		n = 1
	}
	from, to := min((n-1)*per, len(items)), min(n*per, len(items))
	out := map[string]any{"pagelen": per, "size": len(items), "page": n, "values": append([]any{}, items[from:to]...)}
	if to < len(items) {
		q.Set("page", strconv.Itoa(n+1))
		out["next"] = s.host.URL() + r.URL.EscapedPath() + "?" + q.Encode()
	}
	return jsonResponse(http.StatusOK, out)
}

// permissions answers GET /user/permissions/repositories: an API token's
// user's permissions, filtered by q=repository.full_name="ws/slug" (the one
// filter the fake understands). Access tokens have no user: 403.
func (s *Server) permissions(r *http.Request, tok *Token, h http.Header) response {
	if res, ok := need(tok, h, scopeRepoRead()...); !ok {
		return res
	}
	if tok.Kind != APIToken {
		return apiError(http.StatusForbidden, "This API is only accessible with the following authentication types: session, password, apppassword, api_token", nil)
	}
	want := ""
	if q := r.URL.Query().Get("q"); q != "" {
		v, ok := strings.CutPrefix(q, "repository.full_name=")
		if !ok {
			return apiError(http.StatusBadRequest, "Invalid field name", nil)
		}
		want = strings.ToLower(strings.Trim(v, `"`))
	}
	var items []any
	names := make([]string, 0, len(s.repos))
	for k := range s.repos {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		repo := s.repos[k]
		p := repo.Perms[tok.User]
		if p == "" || want != "" && k != want {
			continue
		}
		items = append(items, map[string]any{"type": "repository_permission", "permission": p,
			"repository": map[string]string{"full_name": repo.Workspace + "/" + repo.Slug}})
	}
	return s.page(r, items)
}

// restrict lists, creates and updates branch restrictions.
func (s *Server) restrict(r *http.Request, full string, rest []string, body []byte) response {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		var items []any
		pattern := r.URL.Query().Get("pattern")
		for _, x := range s.restrictions[full] {
			if pattern == "" || x.Pattern == pattern {
				items = append(items, x)
			}
		}
		return s.page(r, items)
	case len(rest) == 0 && r.Method == http.MethodPost:
		var in Restriction
		if json.Unmarshal(body, &in) != nil || in.Kind == "" || in.Pattern == "" {
			return apiError(http.StatusBadRequest, "kind and pattern are required", nil)
		}
		for _, x := range s.restrictions[full] {
			if x.Kind == in.Kind && x.Pattern == in.Pattern {
				return apiError(http.StatusConflict, fmt.Sprintf("A branch restriction of kind %s already exists for %s", in.Kind, in.Pattern), nil)
			}
		}
		s.nextID++
		in.ID = s.nextID
		s.restrictions[full] = append(s.restrictions[full], in)
		return jsonResponse(http.StatusCreated, in)
	case len(rest) == 1 && r.Method == http.MethodPut:
		id, _ := strconv.Atoi(rest[0])
		for i, x := range s.restrictions[full] {
			if x.ID == id {
				var in Restriction
				if json.Unmarshal(body, &in) != nil {
					return apiError(http.StatusBadRequest, "Bad request", nil)
				}
				in.ID = id
				s.restrictions[full][i] = in
				return jsonResponse(http.StatusOK, in)
			}
		}
	}
	return apiError(http.StatusNotFound, "Resource not found", nil)
}

func (s *Server) openPR(repo *Repo, body []byte) response {
	var in struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Close       bool   `json:"close_source_branch"`
		Source      struct {
			Branch struct {
				Name string `json:"name"`
			} `json:"branch"`
		} `json:"source"`
		Destination struct {
			Branch struct {
				Name string `json:"name"`
			} `json:"branch"`
		} `json:"destination"`
	}
	if json.Unmarshal(body, &in) != nil || in.Title == "" || in.Source.Branch.Name == "" {
		return apiError(http.StatusBadRequest, "title and source.branch.name are required", nil)
	}
	full := repo.Workspace + "/" + repo.Slug
	dest := in.Destination.Branch.Name
	if dest == "" {
		dest = repo.MainBranch
	}
	if f := s.opts.BranchExists; f != nil && (!f(full, in.Source.Branch.Name) || !f(full, dest)) {
		return apiError(http.StatusBadRequest, "branch not found", nil)
	}
	k := key(repo.Workspace, repo.Slug)
	pr := PullRequest{ID: len(s.pulls[k]) + 1, Title: in.Title, Description: in.Description,
		Source: in.Source.Branch.Name, Dest: dest, CloseSourceBranch: in.Close, Created: s.opts.Now()}
	s.pulls[k] = append(s.pulls[k], pr)
	return jsonResponse(http.StatusCreated, map[string]any{"type": "pullrequest", "id": pr.ID, "title": pr.Title, "state": "OPEN",
		"links": map[string]any{"html": map[string]string{"href": fmt.Sprintf("%s/%s/pull-requests/%d", s.WebURL(), full, pr.ID)}}})
}

// Restrictions returns the branch restrictions of ws/slug.
func (s *Server) Restrictions(ws, slug string) []Restriction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.restrictions[key(ws, slug)])
}

// PullRequests returns the pull requests opened on ws/slug.
func (s *Server) PullRequests(ws, slug string) []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pulls[key(ws, slug)])
}

// HasRepo tells whether ws/slug exists.
func (s *Server) HasRepo(ws, slug string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.repos[key(ws, slug)]
	return ok
}

// Created lists the repositories created through the API, in order.
func (s *Server) Created() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.created)
}
