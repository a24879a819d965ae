package fakegitea

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

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
		"clone_url":      repo.cloneURL,
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
		for _, b := range []string{opt.Head, opt.Base} {
			if s.opts.BranchExists != nil && !s.opts.BranchExists(repo.Owner, repo.Name, b) {
				return message(http.StatusNotFound, "The target couldn't be found.")
			}
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
