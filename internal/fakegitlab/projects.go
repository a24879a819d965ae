package fakegitlab

import (
	"net/http"
	"strings"
)

// getProject answers GET /projects/:id.
// https://docs.gitlab.com/api/projects/#get-a-single-project
func getProject(s *Server, c *call) response {
	p, res := s.findProject(c)
	if res != nil {
		return *res
	}
	return jsonResponse(http.StatusOK, s.projectJSON(p, c.a.user))
}

// putProject answers PUT /projects/:id for the settings rtconf changes; a
// Maintainer may (admin_project). Parameters the fake does not know are
// ignored, as Grape ignores undeclared ones.
// https://docs.gitlab.com/api/projects/#edit-a-project
func putProject(s *Server, c *call) response {
	p, res := s.authorize(c, Maintainer)
	if res != nil {
		return *res
	}
	v := validator{p: c.body}
	v.boolean("only_allow_merge_if_pipeline_succeeds", "remove_source_branch_after_merge")
	if res := v.result(); res != nil {
		return *res
	}
	if b, ok := c.body.boolean("only_allow_merge_if_pipeline_succeeds"); ok {
		p.OnlyAllowMergeIfPipelineSucceeds = b
	}
	if b, ok := c.body.boolean("remove_source_branch_after_merge"); ok {
		p.RemoveSourceBranchAfterMerge = b
	}
	if c.body.has("default_branch") {
		p.DefaultBranch = c.body.str("default_branch")
	}
	if c.body.has("description") {
		p.Description = c.body.str("description")
	}
	return jsonResponse(http.StatusOK, s.projectJSON(p, c.a.user))
}

// creationLevels maps a group's project_creation_level to the least role
// that may create projects in it.
var creationLevels = map[string]int{"noone": Owner + 100, "owner": Owner, "maintainer": Maintainer, "developer": Developer}

// createProject answers POST /projects. A namespace the user may not create
// in (or that does not exist) is 400 {"message":{"namespace":["is not
// valid"]}}, as Projects::CreateService#deny_namespace answers; a path or
// name already taken in the namespace is 400 "has already been taken".
// https://docs.gitlab.com/api/projects/#create-a-project
func createProject(s *Server, c *call) response {
	b := c.body
	if !b.has("name") && !b.has("path") {
		return apiError(http.StatusBadRequest, "error", "name, path are missing, at least one parameter must be provided")
	}
	v := validator{p: b}
	v.oneOf("visibility", "private", "internal", "public")
	if res := v.result(); res != nil {
		return *res
	}
	u := c.a.user
	ns := u.ns
	if b.has("namespace_id") {
		ns = s.db.namespace(b.str("namespace_id"))
	}
	if ns == nil || !canCreateIn(u, ns) {
		return apiError(http.StatusBadRequest, "message", map[string][]string{"namespace": {"is not valid"}})
	}
	name, path := b.str("name"), b.str("path")
	if path == "" {
		path = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), " ", "-"))
	}
	if name == "" {
		name = path
	}
	taken := map[string][]string{}
	for _, p := range s.db.projects {
		if p.ns == ns && strings.EqualFold(p.path, path) {
			taken["path"] = []string{"has already been taken"}
		}
		if p.ns == ns && strings.EqualFold(p.Name, name) {
			taken["name"] = []string{"has already been taken"}
		}
	}
	if len(taken) > 0 {
		return apiError(http.StatusBadRequest, "message", taken)
	}
	p, err := s.db.addProject(Project{PathWithNamespace: ns.fullPath + "/" + path, Name: name,
		Visibility: b.str("visibility"), DefaultBranch: b.str("default_branch"), Description: b.str("description")})
	if err != nil {
		return apiError(http.StatusBadRequest, "message", err.Error())
	}
	p.createdAt = s.opts.Now()
	s.db.created = append(s.db.created, p.PathWithNamespace)
	return jsonResponse(http.StatusCreated, s.projectJSON(p, u))
}

// canCreateIn is the create_projects ability: a user's own namespace, or a
// group whose project_creation_level the user's role reaches.
func canCreateIn(u *user, ns *namespace) bool {
	if ns.kind == "user" {
		return ns.owner == u
	}
	return groupAccess(u, ns) >= creationLevels[ns.group.ProjectCreationLevel]
}

// getNamespace answers GET /namespaces/:id for the caller's own namespace
// and the groups it is a member of (directly or through a parent); others
// are 404 Namespace Not Found.
// https://docs.gitlab.com/api/namespaces/#get-details-on-a-namespace
func getNamespace(s *Server, c *call) response {
	ns := s.db.namespace(c.vars["id"])
	if ns == nil || (ns.owner != c.a.user && groupAccess(c.a.user, ns) == NoAccess) {
		return notFound("Namespace")
	}
	return jsonResponse(http.StatusOK, s.namespaceJSON(ns))
}

// getGroup answers GET /groups/:id: public groups to everyone, internal ones
// to signed-in users, private ones to members; otherwise 404 Group Not Found.
// https://docs.gitlab.com/api/groups/#get-a-single-group
func getGroup(s *Server, c *call) response {
	ns := s.db.namespace(c.vars["id"])
	if ns == nil || ns.group == nil {
		return notFound("Group")
	}
	g := ns.group
	if g.Visibility == "private" && groupAccess(c.a.user, ns) == NoAccess || g.Visibility == "internal" && c.a.user == nil {
		return notFound("Group")
	}
	m := s.namespaceJSON(ns)
	delete(m, "kind")
	m["full_name"] = strings.ReplaceAll(ns.fullPath, "/", " / ")
	m["visibility"] = g.Visibility
	m["description"] = ""
	m["project_creation_level"] = g.ProjectCreationLevel
	m["created_at"] = formatTime(s.start)
	return jsonResponse(http.StatusOK, m)
}

func (s *Server) namespaceJSON(ns *namespace) map[string]any {
	var parent any
	if ns.parent != nil {
		parent = ns.parent.id
	}
	_, path, _ := cutLast("/" + ns.fullPath)
	return map[string]any{
		"id": ns.id, "name": ns.name, "path": path, "kind": ns.kind, "full_path": ns.fullPath,
		"parent_id": parent, "avatar_url": nil, "web_url": s.WebURL() + "/" + ns.fullPath,
	}
}

// projectJSON is Entities::Project as the caller sees it: permissions only
// for a signed-in caller.
func (s *Server) projectJSON(p *project, u *user) map[string]any {
	web := s.WebURL() + "/" + p.PathWithNamespace
	m := map[string]any{
		"id":                                    p.id,
		"name":                                  p.Name,
		"path":                                  p.path,
		"path_with_namespace":                   p.PathWithNamespace,
		"name_with_namespace":                   strings.ReplaceAll(p.ns.fullPath, "/", " / ") + " / " + p.Name,
		"description":                           p.Description,
		"default_branch":                        p.DefaultBranch,
		"visibility":                            p.Visibility,
		"web_url":                               web,
		"http_url_to_repo":                      s.cloneURL(p),
		"ssh_url_to_repo":                       "git@" + strings.TrimPrefix(strings.TrimPrefix(s.WebURL(), "http://"), "https://") + ":" + p.PathWithNamespace + ".git",
		"namespace":                             s.namespaceJSON(p.ns),
		"created_at":                            formatTime(p.createdAt),
		"archived":                              false,
		"empty_repo":                            false,
		"merge_requests_enabled":                true,
		"only_allow_merge_if_pipeline_succeeds": p.OnlyAllowMergeIfPipelineSucceeds,
		"remove_source_branch_after_merge":      p.RemoveSourceBranchAfterMerge,
		"_links":                                map[string]any{"self": s.URL() + "projects/" + idString(p.id)},
	}
	if u != nil {
		level := func(l int) any {
			if l == NoAccess {
				return nil
			}
			return map[string]any{"access_level": l, "notification_level": 3}
		}
		m["permissions"] = map[string]any{"project_access": level(projectAccess(u, p)), "group_access": level(groupAccess(u, p.ns))}
	}
	return m
}

// cloneURL is a project's http_url_to_repo, from Options.CloneURL once.
func (s *Server) cloneURL(p *project) string {
	if p.cloneURL == "" {
		p.cloneURL = s.WebURL() + "/" + p.PathWithNamespace + ".git"
		if s.opts.CloneURL != nil {
			p.cloneURL = s.opts.CloneURL(p.PathWithNamespace)
		}
	}
	return p.cloneURL
}
