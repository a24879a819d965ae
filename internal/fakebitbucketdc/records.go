package fakebitbucketdc

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) openPull(a actor, rp *repo, body []byte) response {
	var in struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		FromRef     struct {
			ID string `json:"id"`
		} `json:"fromRef"`
		ToRef struct {
			ID string `json:"id"`
		} `json:"toRef"`
	}
	if json.Unmarshal(body, &in) != nil || in.Title == "" || in.FromRef.ID == "" || in.ToRef.ID == "" {
		return errorBody(http.StatusBadRequest, "com.atlassian.bitbucket.validation.ArgumentValidationException", "title, fromRef and toRef are required")
	}
	if a.token == nil {
		return denied()
	}
	for _, ref := range []string{in.FromRef.ID, in.ToRef.ID} {
		if s.opts.BranchExists != nil && !s.opts.BranchExists(rp.Project, rp.Slug, strings.TrimPrefix(ref, "refs/heads/")) {
			return errorBody(http.StatusNotFound, "com.atlassian.bitbucket.repository.NoSuchBranchException", "Repository \""+rp.Slug+"\" of project \""+rp.Project+"\" has no branch \""+ref+"\"")
		}
	}
	for _, p := range rp.pulls {
		if p.FromRef == in.FromRef.ID && p.ToRef == in.ToRef.ID {
			return errorBody(http.StatusConflict, "com.atlassian.bitbucket.pull.DuplicatePullRequestException", "Only one pull request may be open for a given source and target branch")
		}
	}
	pr := PullRequest{ID: len(rp.pulls) + 1, Title: in.Title, Description: in.Description, FromRef: in.FromRef.ID, ToRef: in.ToRef.ID,
		Author: a.token.User, CreatedDate: s.opts.Now().UnixMilli()}
	rp.pulls = append(rp.pulls, pr)
	web := s.host.URL() + "/projects/" + strings.ToUpper(rp.Project) + "/repos/" + rp.Slug + "/pull-requests/" + strconv.Itoa(pr.ID)
	return jsonBody(http.StatusCreated, map[string]any{"id": pr.ID, "version": 0, "title": pr.Title, "description": pr.Description,
		"state": "OPEN", "open": true, "closed": false, "createdDate": pr.CreatedDate,
		"fromRef": map[string]any{"id": pr.FromRef}, "toRef": map[string]any{"id": pr.ToRef},
		"links": map[string]any{"self": []map[string]string{{"href": web}}}})
}

// accessToken answers a token's record: users/USER/ID (the user itself),
// projects/KEY/ID (project admins), projects/KEY/repos/SLUG/ID (repository
// admins).
func (s *Server) accessToken(a actor, parts []string) response {
	var kind, key, slug, user, id string
	switch {
	case len(parts) == 3 && parts[0] == "users":
		kind, user, id = Personal, parts[1], parts[2]
		if a.token == nil || !strings.EqualFold(a.token.User, user) {
			return denied()
		}
	case len(parts) == 3 && parts[0] == "projects":
		kind, key, id = Project, parts[1], parts[2]
		if s.projectPerm(a, key) < Admin {
			return denied()
		}
	case len(parts) == 5 && parts[0] == "projects" && parts[2] == "repos":
		kind, key, slug, id = Repository, parts[1], parts[3], parts[4]
		rp, res, ok := s.findRepo(a, key, slug)
		if !ok {
			return res
		}
		if s.repoPerm(a, rp) < Admin {
			return denied()
		}
	default:
		return errorBody(http.StatusNotFound, "", "Not found")
	}
	for _, v := range sortedKeys(s.tokens) {
		tk := s.tokens[v]
		if tokenID(v) != id || tk.Kind != kind ||
			(kind == Personal && !strings.EqualFold(tk.User, user)) ||
			(kind != Personal && !strings.EqualFold(tk.Project, key)) ||
			(kind == Repository && !strings.EqualFold(tk.Repo, slug)) {
			continue
		}
		rec := map[string]any{"id": id, "name": tk.Name, "createdDate": s.opts.Now().Add(-24 * 3600 * 1e9).UnixMilli(),
			"permissions": permissions(tk), "user": map[string]any{"name": tk.User, "slug": strings.ToLower(tk.User)}}
		if !tk.Expires.IsZero() {
			rec["expiryDate"] = tk.Expires.UnixMilli()
			rec["expiryDays"] = 90
		}
		return jsonBody(http.StatusOK, rec)
	}
	return errorBody(http.StatusNotFound, "com.atlassian.bitbucket.NoSuchEntityException", "No access token with ID "+id+" exists.")
}

func permissions(tk *Token) []string {
	var out []string
	if tk.Kind != Repository && tk.ProjectPerm > None {
		out = append(out, [...]string{"", "PROJECT_READ", "PROJECT_WRITE", "PROJECT_ADMIN"}[tk.ProjectPerm])
	}
	if tk.RepoPerm > None {
		out = append(out, [...]string{"", "REPO_READ", "REPO_WRITE", "REPO_ADMIN"}[tk.RepoPerm])
	}
	return out
}
