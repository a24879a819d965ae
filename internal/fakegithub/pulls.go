package fakegithub

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// createPull applies POST /repos/{owner}/{repo}/pulls (head and base are
// checked present by the route): it answers GitHub's 422s for a missing
// title, a head equal to the base, a missing branch (Options.BranchExists)
// and an open pull request from the same head into the same base; otherwise
// it stores the pull request, numbered from 1 per repository, and answers 201.
func createPull(s *Server, c *repoCall) response {
	str := func(k string) string { v, _ := c.body[k].(string); return v }
	head, base := str("head"), str("base")
	headOwner, headRef, cross := strings.Cut(head, ":")
	if !cross {
		headOwner, headRef = c.repo.Owner, head
	}
	if str("title") == "" {
		return validationFailed(c.doc, map[string]any{"resource": "PullRequest", "code": "missing_field", "field": "title"})
	}
	if exists := s.opts.BranchExists; exists != nil {
		var errs []map[string]any
		if !exists(headOwner, c.repo.Name, headRef) {
			errs = append(errs, map[string]any{"resource": "PullRequest", "field": "head", "code": "invalid"})
		}
		if !exists(c.repo.Owner, c.repo.Name, base) {
			errs = append(errs, map[string]any{"resource": "PullRequest", "field": "base", "code": "invalid"})
		}
		if errs != nil {
			return validationFailed(c.doc, errs...)
		}
	}
	if strings.EqualFold(headOwner, c.repo.Owner) && headRef == base {
		return validationFailed(c.doc, map[string]any{"resource": "PullRequest", "code": "custom",
			"message": "No commits between " + base + " and " + headRef})
	}
	key := repoKey(c.repo.Owner, c.repo.Name)
	for _, pr := range s.pulls[key] {
		if strings.EqualFold(pr.headOwner, headOwner) && pr.Head == headRef && pr.Base == base {
			return validationFailed(c.doc, map[string]any{"resource": "PullRequest", "code": "custom",
				"message": "A pull request already exists for " + headOwner + ":" + headRef + "."})
		}
	}
	draft, _ := c.body["draft"].(bool)
	s.pullSeq++
	pr := PullRequest{id: s.pullSeq, Number: len(s.pulls[key]) + 1, Title: str("title"), Body: str("body"), Head: headRef, Base: base,
		headOwner: headOwner, draft: draft, author: c.a.login}
	s.pulls[key] = append(s.pulls[key], pr)
	res := jsonResponse(http.StatusCreated, s.pullJSON(c, pr))
	res.header = http.Header{}
	res.header.Set("Location", s.URL()+"repos/"+c.repo.Owner+"/"+c.repo.Name+"/pulls/"+strconv.Itoa(pr.Number))
	return res
}

// listPulls answers GET /repos/{owner}/{repo}/pulls, newest first, filtered
// by state (open by default; every stored pull request is open), head
// (user:ref-name, or ref-name in the repository's owner) and base.
func listPulls(s *Server, c *repoCall) response {
	state := c.query.Get("state")
	if state == "" {
		state = "open"
	}
	head, base := c.query.Get("head"), c.query.Get("base")
	headOwner, headRef, cross := strings.Cut(head, ":")
	if !cross {
		headOwner, headRef = c.repo.Owner, head
	}
	out := []map[string]any{}
	prs := s.pulls[repoKey(c.repo.Owner, c.repo.Name)]
	for _, pr := range slices.Backward(prs) {
		switch {
		case state != "open" && state != "all":
		case head != "" && (!strings.EqualFold(pr.headOwner, headOwner) || pr.Head != headRef):
		case base != "" && pr.Base != base:
		default:
			out = append(out, s.pullJSON(c, pr))
		}
	}
	return jsonResponse(http.StatusOK, out)
}

// pullJSON is a pull request as GitHub answers it.
func (s *Server) pullJSON(c *repoCall, pr PullRequest) map[string]any {
	full := c.repo.Owner + "/" + c.repo.Name
	n := strconv.Itoa(pr.Number)
	repo := s.repoJSON(c.repo, c.a)
	user := func(login string) map[string]any {
		return map[string]any{"login": login, "id": s.ids[strings.ToLower(login)], "type": "User"}
	}
	return map[string]any{
		"id":         pr.id,
		"node_id":    "PR_fake" + strconv.FormatInt(pr.id, 10),
		"number":     pr.Number,
		"state":      "open",
		"locked":     false,
		"draft":      pr.draft,
		"merged":     false,
		"title":      pr.Title,
		"body":       pr.Body,
		"user":       user(pr.author),
		"url":        s.URL() + "repos/" + full + "/pulls/" + n,
		"html_url":   s.webRoot() + "/" + full + "/pull/" + n,
		"diff_url":   s.webRoot() + "/" + full + "/pull/" + n + ".diff",
		"issue_url":  s.URL() + "repos/" + full + "/issues/" + n,
		"head":       map[string]any{"label": pr.headOwner + ":" + pr.Head, "ref": pr.Head, "user": user(pr.headOwner), "repo": repo},
		"base":       map[string]any{"label": c.repo.Owner + ":" + pr.Base, "ref": pr.Base, "user": user(c.repo.Owner), "repo": repo},
		"created_at": s.start.UTC().Format("2006-01-02T15:04:05Z"),
	}
}
