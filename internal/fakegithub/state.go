package fakegithub

import (
	"encoding/json"
	"slices"
	"strings"
)

// PullRequest is a pull request opened on the fake.
type PullRequest struct {
	Number int
	Title  string
	Body   string
	Head   string // the head branch's name (head.ref)
	Base   string // the base branch's name (base.ref)

	id        int64
	headOwner string // head.label is headOwner:Head
	draft     bool
	author    string
}

// PullRequests returns the pull requests opened on owner/repo, oldest first.
func (s *Server) PullRequests(owner, repo string) []PullRequest {
	s.state.Lock()
	defer s.state.Unlock()
	return slices.Clone(s.pulls[repoKey(owner, repo)])
}

// Protection returns the protection of owner/repo's branch as GET
// …/branches/{branch}/protection answers it, and whether there is one.
func (s *Server) Protection(owner, repo, branch string) (json.RawMessage, bool) {
	s.state.Lock()
	defer s.state.Unlock()
	p, ok := s.protections[protectionKey(owner, repo, branch)]
	return slices.Clone(p), ok
}

// CreatedRepos returns "owner/name" of every repository created through the
// API, in order.
func (s *Server) CreatedRepos() []string {
	s.state.Lock()
	defer s.state.Unlock()
	return slices.Clone(s.created)
}

func repoKey(owner, name string) string { return strings.ToLower(owner + "/" + name) }

// Branch names are case-sensitive; owner and repository names are not.
func protectionKey(owner, repo, branch string) string { return repoKey(owner, repo) + "\x00" + branch }

// webRoot is the site's web address: github.com, or for Enterprise the
// server's own host, where GHES serves its web UI beside /api/v3.
func (s *Server) webRoot() string {
	if s.opts.Enterprise {
		return s.host.URL()
	}
	return "https://github.com"
}

// cloneURL is a repository's clone_url, from Options.CloneURL once.
func (s *Server) cloneURL(repo *Repo) string {
	key := repoKey(repo.Owner, repo.Name)
	if u, ok := s.cloneURLs[key]; ok {
		return u
	}
	u := s.webRoot() + "/" + repo.Owner + "/" + repo.Name + ".git"
	if s.opts.CloneURL != nil {
		u = s.opts.CloneURL(repo.Owner, repo.Name)
	}
	s.cloneURLs[key] = u
	return u
}

// isOrg reports whether login is one of Options.Orgs.
func (s *Server) isOrg(login string) bool {
	for org := range s.opts.Orgs {
		if strings.EqualFold(org, login) {
			return true
		}
	}
	return false
}

func (s *Server) repoJSON(repo *Repo, a actor) map[string]any {
	full := repo.Owner + "/" + repo.Name
	visibility := "public"
	if repo.Private {
		visibility = "private"
	}
	ownerType := "User"
	if s.isOrg(repo.Owner) {
		ownerType = "Organization"
	}
	m := map[string]any{
		"id":             s.repoIDs[repoKey(repo.Owner, repo.Name)],
		"name":           repo.Name,
		"full_name":      full,
		"private":        repo.Private,
		"visibility":     visibility,
		"owner":          map[string]any{"login": repo.Owner, "id": s.ids[strings.ToLower(repo.Owner)], "type": ownerType},
		"url":            s.URL() + "repos/" + full,
		"html_url":       s.webRoot() + "/" + full,
		"clone_url":      s.cloneURL(repo),
		"default_branch": "main",
	}
	if p := s.perms(repo, a.login); a.tok != nil && p != nil {
		m["permissions"] = p
	}
	return m
}
