package fakebitbucketdc

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// errorBody is Bitbucket's error answer.
func errorBody(status int, exception, msg string) response {
	var exc any
	if exception != "" {
		exc = exception
	}
	b, _ := json.Marshal(map[string]any{"errors": []map[string]any{{"context": nil, "message": msg, "exceptionName": exc}}})
	return response{status: status, body: b}
}

func denied() response {
	return errorBody(http.StatusUnauthorized, notPermitted, "You are not permitted to access this resource")
}

func jsonBody(status int, v any) response {
	b, _ := json.Marshal(v)
	return response{status: status, body: b}
}

// projectPerm is what a caller may do in a project: its user's permission,
// bounded by the token's own.
func (s *Server) projectPerm(a actor, key string) int {
	tk := a.token
	if tk == nil {
		return None
	}
	switch tk.Kind {
	case Repository:
		return None
	case Project:
		if !strings.EqualFold(tk.Project, key) {
			return None
		}
		return tk.ProjectPerm
	}
	p, ok := s.projects[strings.ToUpper(key)]
	if !ok {
		return None
	}
	return min(p.Perms[strings.ToLower(tk.User)], tk.ProjectPerm)
}

// repoPerm is what a caller may do in a repository.
func (s *Server) repoPerm(a actor, r *repo) int {
	tk := a.token
	public := None
	if r.Public {
		public = Read
	}
	if tk == nil {
		return public
	}
	var own int
	switch tk.Kind {
	case Repository:
		if strings.EqualFold(tk.Project, r.Project) && strings.EqualFold(tk.Repo, r.Slug) {
			own = tk.RepoPerm
		}
	case Project:
		if strings.EqualFold(tk.Project, r.Project) {
			own = tk.RepoPerm
		}
	default:
		user := strings.ToLower(tk.User)
		if p, ok := s.projects[strings.ToUpper(r.Project)]; ok {
			own = p.Perms[user]
		}
		own = min(max(own, r.Perms[user]), tk.RepoPerm)
	}
	return max(own, public)
}

// route answers a request under /rest/ (rest is the path after it).
func (s *Server) route(r *http.Request, a actor, rest string, body []byte) response {
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	q := r.URL.Query()
	switch {
	case len(parts) >= 2 && parts[0] == "api" && (parts[1] == "1.0" || parts[1] == "latest"):
		return s.core(r, a, parts[2:], q, body)
	case len(parts) >= 6 && parts[0] == "branch-permissions" && parts[1] == "2.0" && parts[2] == "projects" && parts[4] == "repos":
		return s.repoAdmin(a, parts[3], parts[5], func(rp *repo) response {
			if len(parts) == 7 && parts[6] == "restrictions" {
				return s.restrictions(r, rp, q, body)
			}
			return errorBody(http.StatusNotFound, "", "Not found")
		})
	case len(parts) >= 6 && parts[0] == "required-builds" && (parts[1] == "latest" || parts[1] == "1.0") && parts[2] == "projects" && parts[4] == "repos":
		return s.repoAdmin(a, parts[3], parts[5], func(rp *repo) response {
			switch {
			case len(parts) == 7 && parts[6] == "conditions" && r.Method == http.MethodGet:
				var items []any
				for _, c := range rp.conditions {
					items = append(items, conditionJSON(c))
				}
				return paged(q, items)
			case len(parts) == 7 && parts[6] == "condition" && r.Method == http.MethodPost:
				var in struct {
					BuildParentKeys []string `json:"buildParentKeys"`
					RefMatcher      struct {
						ID string `json:"id"`
					} `json:"refMatcher"`
				}
				if json.Unmarshal(body, &in) != nil || len(in.BuildParentKeys) == 0 || in.RefMatcher.ID == "" {
					return errorBody(http.StatusBadRequest, "com.atlassian.bitbucket.validation.ArgumentValidationException", "buildParentKeys and refMatcher are required")
				}
				s.nextID++
				c := Condition{ID: s.nextID, BuildParentKeys: in.BuildParentKeys, RefMatcherID: in.RefMatcher.ID}
				rp.conditions = append(rp.conditions, c)
				return jsonBody(http.StatusOK, conditionJSON(c))
			}
			return errorBody(http.StatusNotFound, "", "Not found")
		})
	case len(parts) >= 3 && parts[0] == "access-tokens" && (parts[1] == "1.0" || parts[1] == "latest"):
		return s.accessToken(a, parts[2:])
	}
	return errorBody(http.StatusNotFound, "", "Not found")
}

// repoAdmin runs f on KEY/slug for a caller with REPO_ADMIN.
func (s *Server) repoAdmin(a actor, key, slug string, f func(*repo) response) response {
	rp, res, ok := s.findRepo(a, key, slug)
	if !ok {
		return res
	}
	if s.repoPerm(a, rp) < Admin {
		return denied()
	}
	return f(rp)
}

// findRepo returns KEY/slug when the caller may read it; 404 when it does
// not exist, 401 when the caller may not see it.
func (s *Server) findRepo(a actor, key, slug string) (*repo, response, bool) {
	rp, ok := s.repos[repoKey(key, slug)]
	if !ok {
		return nil, errorBody(http.StatusNotFound, "com.atlassian.bitbucket.repository.NoSuchRepositoryException", "Repository "+key+"/"+slug+" does not exist."), false
	}
	if s.repoPerm(a, rp) < Read {
		return nil, denied(), false
	}
	return rp, response{}, true
}

func (s *Server) core(r *http.Request, a actor, parts []string, q url.Values, body []byte) response {
	switch {
	case len(parts) == 1 && parts[0] == "repos" && r.Method == http.MethodGet:
		return s.listRepos(a, q)
	case len(parts) == 4 && parts[0] == "projects" && parts[2] == "permissions" && parts[3] == "users" && r.Method == http.MethodGet:
		p, ok := s.projects[strings.ToUpper(parts[1])]
		if !ok {
			return errorBody(http.StatusNotFound, "com.atlassian.bitbucket.project.NoSuchProjectException", "Project "+parts[1]+" does not exist.")
		}
		if s.projectPerm(a, p.Key) < Admin {
			return denied()
		}
		var items []any
		for u, lvl := range p.Perms {
			items = append(items, map[string]any{"user": map[string]any{"name": u, "slug": u, "type": "NORMAL"}, "permission": [...]string{"", "PROJECT_READ", "PROJECT_WRITE", "PROJECT_ADMIN"}[lvl]})
		}
		return paged(q, items)
	case len(parts) == 3 && parts[0] == "projects" && parts[2] == "repos" && r.Method == http.MethodPost:
		return s.createRepo(a, parts[1], body)
	case len(parts) >= 4 && parts[0] == "projects" && parts[2] == "repos":
		rp, res, ok := s.findRepo(a, parts[1], parts[3])
		if !ok {
			return res
		}
		return s.repoRoute(r, a, rp, parts[4:], body)
	}
	return errorBody(http.StatusNotFound, "", "Not found")
}

func (s *Server) repoJSON(rp *repo) map[string]any {
	web := s.host.URL() + "/projects/" + strings.ToUpper(rp.Project) + "/repos/" + rp.Slug + "/browse"
	return map[string]any{
		"slug": rp.Slug, "id": 1, "name": rp.Name, "scmId": "git", "state": "AVAILABLE", "forkable": false,
		"project":       map[string]any{"key": strings.ToUpper(rp.Project), "id": 1, "name": rp.Project, "type": "NORMAL"},
		"public":        rp.Public,
		"defaultBranch": rp.DefaultBranch,
		"links": map[string]any{
			"clone": []map[string]string{{"href": rp.clone, "name": "http"}, {"href": "ssh://git@127.0.0.1:7999/" + strings.ToLower(rp.Project) + "/" + rp.Slug + ".git", "name": "ssh"}},
			"self":  []map[string]string{{"href": web}},
		},
	}
}

func (s *Server) listRepos(a actor, q url.Values) response {
	want := Read
	switch q.Get("permission") {
	case "REPO_WRITE":
		want = Write
	case "REPO_ADMIN":
		want = Admin
	case "", "REPO_READ":
	default:
		return errorBody(http.StatusBadRequest, "", "Unknown permission "+q.Get("permission"))
	}
	var items []any
	for _, k := range sortedKeys(s.repos) {
		rp := s.repos[k]
		if pk := q.Get("projectkey"); pk != "" && !strings.EqualFold(pk, rp.Project) {
			continue
		}
		if n := q.Get("name"); n != "" && !strings.Contains(strings.ToLower(rp.Name), strings.ToLower(n)) {
			continue
		}
		if s.repoPerm(a, rp) >= want {
			items = append(items, s.repoJSON(rp))
		}
	}
	return paged(q, items)
}

func (s *Server) createRepo(a actor, key string, body []byte) response {
	p, ok := s.projects[strings.ToUpper(key)]
	if !ok {
		return errorBody(http.StatusNotFound, "com.atlassian.bitbucket.project.NoSuchProjectException", "Project "+key+" does not exist.")
	}
	if s.projectPerm(a, p.Key) < Admin {
		return denied()
	}
	var in struct {
		Name          string `json:"name"`
		ScmID         string `json:"scmId"`
		Public        bool   `json:"public"`
		DefaultBranch string `json:"defaultBranch"`
	}
	if json.Unmarshal(body, &in) != nil || in.Name == "" {
		return errorBody(http.StatusBadRequest, "com.atlassian.bitbucket.validation.ArgumentValidationException", "The repository name is required.")
	}
	// Bitbucket makes the slug from the name: lower case, spaces as dashes.
	slug := strings.ReplaceAll(strings.ToLower(in.Name), " ", "-")
	if _, ok := s.repos[repoKey(p.Key, slug)]; ok {
		return errorBody(http.StatusConflict, "com.atlassian.bitbucket.repository.DuplicateRepositoryNameException", "This repository URL is already taken by '"+in.Name+"' in '"+p.Key+"'")
	}
	rp := s.addRepo(Repo{Project: p.Key, Slug: slug, Name: in.Name, Public: in.Public, DefaultBranch: in.DefaultBranch})
	return jsonBody(http.StatusCreated, s.repoJSON(rp))
}

func (s *Server) repoRoute(r *http.Request, a actor, rp *repo, rest []string, body []byte) response {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		return jsonBody(http.StatusOK, s.repoJSON(rp))
	case len(rest) == 2 && rest[0] == "settings" && rest[1] == "pull-requests" && r.Method == http.MethodPost:
		if s.repoPerm(a, rp) < Admin {
			return denied()
		}
		var in struct {
			RequiredApprovers *int `json:"requiredApprovers"`
		}
		if json.Unmarshal(body, &in) != nil {
			return errorBody(http.StatusBadRequest, "", "invalid settings")
		}
		if in.RequiredApprovers != nil {
			rp.approvers = *in.RequiredApprovers
		}
		return jsonBody(http.StatusOK, map[string]any{"requiredApprovers": rp.approvers, "requiredAllApprovers": false, "requiredAllTasksComplete": false, "requiredSuccessfulBuilds": 0})
	case len(rest) == 1 && rest[0] == "pull-requests" && r.Method == http.MethodPost:
		return s.openPull(a, rp, body)
	}
	return errorBody(http.StatusNotFound, "", "Not found")
}

func (s *Server) restrictions(r *http.Request, rp *repo, q url.Values, body []byte) response {
	switch r.Method {
	case http.MethodGet:
		var items []any
		for _, x := range rp.restrictions {
			if id := q.Get("matcherId"); id != "" && id != x.MatcherID {
				continue
			}
			items = append(items, restrictionJSON(x))
		}
		return paged(q, items)
	case http.MethodPost:
		var in struct {
			Type    string `json:"type"`
			Matcher struct {
				ID   string `json:"id"`
				Type struct {
					ID string `json:"id"`
				} `json:"type"`
			} `json:"matcher"`
		}
		if json.Unmarshal(body, &in) != nil || in.Matcher.ID == "" || in.Matcher.Type.ID == "" {
			return errorBody(http.StatusBadRequest, "com.atlassian.bitbucket.validation.ArgumentValidationException", "A matcher is required")
		}
		switch in.Type {
		case "read-only", "no-deletes", "fast-forward-only", "pull-request-only":
		default:
			return errorBody(http.StatusBadRequest, "com.atlassian.bitbucket.validation.ArgumentValidationException", "Unknown restriction type "+in.Type)
		}
		s.nextID++
		x := Restriction{ID: s.nextID, Type: in.Type, MatcherID: in.Matcher.ID}
		rp.restrictions = append(rp.restrictions, x)
		return jsonBody(http.StatusOK, restrictionJSON(x))
	}
	return errorBody(http.StatusMethodNotAllowed, "", "Method not allowed")
}

func refMatcher(id string) map[string]any {
	return map[string]any{"id": id, "displayId": strings.TrimPrefix(id, "refs/heads/"), "active": true,
		"type": map[string]any{"id": "BRANCH", "name": "Branch"}}
}

func restrictionJSON(x Restriction) map[string]any {
	return map[string]any{"id": x.ID, "type": x.Type, "matcher": refMatcher(x.MatcherID), "users": []any{}, "groups": []any{}, "accessKeys": []any{}}
}

func conditionJSON(c Condition) map[string]any {
	return map[string]any{"id": c.ID, "buildParentKeys": c.BuildParentKeys, "refMatcher": refMatcher(c.RefMatcherID), "exemptRefMatcher": nil}
}
