package fakegithub

import (
	"net/http"
	"slices"
	"strings"
)

// Who may create a repository, as GitHub documents it:
//   - classic tokens need the repo scope, or public_repo for a public
//     repository; without it GitHub answers 404;
//   - fine-grained tokens need the administration=write permission (on "All
//     repositories"; the fake adds the new repository to the token's Repos);
//     without it 403;
//   - in an organization, the user must be one of its members in
//     Options.Orgs (403 otherwise); an organization the fake does not know is
//     404.
//
// The creator is the new repository's admin.

const createDoc = "https://docs.github.com/rest/repos/repos#create-a-repository-for-the-authenticated-user"
const createOrgDoc = "https://docs.github.com/rest/repos/repos#create-an-organization-repository"

var createFields = []field{{name: "description", typ: "string"}, {name: "private", typ: "bool"},
	{name: "auto_init", typ: "bool"}, {name: "visibility", typ: "string", enum: []string{"public", "private", "internal"}}}

// createRepo answers POST /user/repos (org "") and POST /orgs/{org}/repos.
func (s *Server) createRepo(a actor, org string, body []byte) response {
	doc := createDoc
	if org != "" {
		doc = createOrgDoc
	}
	if a.tok == nil {
		return apiError(http.StatusUnauthorized, "Requires authentication", doc)
	}
	owner := a.login
	if org != "" {
		members, ok := s.members(org)
		if !ok {
			return notFound(doc)
		}
		if !slices.ContainsFunc(members, func(m string) bool { return strings.EqualFold(m, a.login) }) {
			return apiError(http.StatusForbidden, "You need admin access to the organization before adding a repository to it.", doc)
		}
		owner = org
	}
	if res, ok := createAllowed(a.tok, false, doc); !ok {
		return res
	}
	m, res, ok := validate("Repository", []field{{name: "name", typ: "string"}}, createFields, body, doc)
	if !ok {
		return res
	}
	private, _ := m["private"].(bool)
	if v, _ := m["visibility"].(string); v != "" {
		private = v != "public"
	}
	if res, ok := createAllowed(a.tok, private, doc); !ok {
		return res
	}
	name, _ := m["name"].(string)
	key := repoKey(owner, name)
	if s.repos[key] != nil {
		return jsonResponse(http.StatusUnprocessableEntity, map[string]any{
			"message": "Repository creation failed.",
			"errors": []map[string]any{{"resource": "Repository", "code": "custom", "field": "name",
				"message": "name already exists on this account"}},
			"documentation_url": doc,
			"status":            "422",
		})
	}
	repo := &Repo{Owner: owner, Name: name, Private: private, Collaborators: map[string]map[string]bool{}}
	if org != "" {
		repo.Collaborators[a.login] = map[string]bool{"admin": true, "maintain": true, "push": true, "triage": true, "pull": true}
	}
	s.repos[key] = repo
	s.repoIDs[key] = int64(1000 + len(s.repoIDs))
	s.created = append(s.created, owner+"/"+name)
	if a.tok.FineGrained {
		a.tok.Repos = append(a.tok.Repos, owner+"/"+name)
	}
	out := s.repoJSON(repo, a)
	out["description"], _ = m["description"].(string)
	res = jsonResponse(http.StatusCreated, out)
	res.header = http.Header{}
	res.header.Set("Location", s.URL()+"repos/"+owner+"/"+name)
	return res
}

// members returns an organization's members from Options.Orgs.
func (s *Server) members(org string) ([]string, bool) {
	for o, members := range s.opts.Orgs {
		if strings.EqualFold(o, org) {
			return members, true
		}
	}
	return nil, false
}

// createAllowed checks a token's scopes or permissions for creating a
// repository.
func createAllowed(tok *Token, private bool, doc string) (response, bool) {
	if tok.FineGrained {
		if tok.Permissions["administration"] == "write" {
			return response{}, true
		}
		res := apiError(http.StatusForbidden, "Resource not accessible by personal access token", doc)
		res.header = http.Header{}
		res.header.Set("X-Accepted-GitHub-Permissions", "administration=write")
		return res, false
	}
	need := publicWrite
	if private {
		need = repoScope
	}
	if slices.ContainsFunc(tok.Scopes, func(sc string) bool { return slices.Contains(need, sc) }) {
		return response{}, true
	}
	res := notFound(doc)
	res.header = http.Header{}
	res.header.Set("X-Accepted-OAuth-Scopes", "public_repo, repo")
	return res, false
}
