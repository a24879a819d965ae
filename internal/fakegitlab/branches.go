package fakegitlab

import (
	"net/http"
	"slices"
	"strings"
)

// Protected branches, as lib/api/protected_branches.rb answers them
// (https://docs.gitlab.com/api/protected_branches/): every endpoint needs a
// Maintainer (ProtectedBranchPolicy: admin_project), others get 403
// Forbidden. A name need not be an existing branch: GitLab protects names
// and wildcards before the branch exists. Levels are 0 (No one), 30
// (Developers + Maintainers), 40 (Maintainers, the default) and 60 (Admins).

type protection struct {
	id                                int64
	name                              string
	push, merge, unprotect            int64
	allowForcePush, codeOwnerApproval bool
}

// protect answers POST /projects/:id/protected_branches: 201, or 409
// "Protected branch 'NAME' already exists".
// https://docs.gitlab.com/api/protected_branches/#protect-repository-branches
func protect(s *Server, c *call) response {
	p, res := s.authorize(c, Maintainer)
	if res != nil {
		return *res
	}
	v := validator{p: c.body}
	v.require("name")
	for _, k := range []string{"push_access_level", "merge_access_level", "unprotect_access_level"} {
		v.oneOf(k, levelValues()...)
	}
	v.boolean("allow_force_push", "code_owner_approval_required")
	if res := v.result(); res != nil {
		return *res
	}
	name := c.body.str("name")
	if findProtection(p, name) != nil {
		return apiError(http.StatusConflict, "message", "Protected branch '"+name+"' already exists")
	}
	level := func(k string) int64 {
		if n, ok := c.body.integer(k); ok {
			return n
		}
		return Maintainer
	}
	s.db.nextProtection++
	pb := &protection{id: s.db.nextProtection, name: name,
		push: level("push_access_level"), merge: level("merge_access_level"), unprotect: level("unprotect_access_level")}
	pb.allowForcePush, _ = c.body.boolean("allow_force_push")
	pb.codeOwnerApproval, _ = c.body.boolean("code_owner_approval_required")
	p.protected = append(p.protected, pb)
	return jsonResponse(http.StatusCreated, pb.json())
}

// listProtections answers GET /projects/:id/protected_branches, paginated,
// filtered by search (part of the name).
// https://docs.gitlab.com/api/protected_branches/#list-protected-branches
func listProtections(s *Server, c *call) response {
	p, res := s.authorize(c, Maintainer)
	if res != nil {
		return *res
	}
	items := []any{}
	for _, pb := range p.protected {
		if strings.Contains(pb.name, c.body.str("search")) {
			items = append(items, pb.json())
		}
	}
	return s.paginate(c, "projects/"+idString(p.id)+"/protected_branches", items)
}

// getProtection answers GET /projects/:id/protected_branches/:name: 404
// "404 Not found" when the name is not protected.
func getProtection(s *Server, c *call) response {
	p, res := s.authorize(c, Maintainer)
	if res != nil {
		return *res
	}
	pb := findProtection(p, c.vars["name"])
	if pb == nil {
		return errNotFound
	}
	return jsonResponse(http.StatusOK, pb.json())
}

// patchProtection answers PATCH /projects/:id/protected_branches/:name
// (GitLab 15.6 and later): allow_force_push and
// code_owner_approval_required.
// https://docs.gitlab.com/api/protected_branches/#update-a-protected-branch
func patchProtection(s *Server, c *call) response {
	p, res := s.authorize(c, Maintainer)
	if res != nil {
		return *res
	}
	v := validator{p: c.body}
	v.boolean("allow_force_push", "code_owner_approval_required")
	if res := v.result(); res != nil {
		return *res
	}
	pb := findProtection(p, c.vars["name"])
	if pb == nil {
		return errNotFound
	}
	if b, ok := c.body.boolean("allow_force_push"); ok {
		pb.allowForcePush = b
	}
	if b, ok := c.body.boolean("code_owner_approval_required"); ok {
		pb.codeOwnerApproval = b
	}
	return jsonResponse(http.StatusOK, pb.json())
}

// unprotect answers DELETE /projects/:id/protected_branches/:name: 204, or
// 404 "404 Not found".
// https://docs.gitlab.com/api/protected_branches/#unprotect-repository-branches
func unprotect(s *Server, c *call) response {
	p, res := s.authorize(c, Maintainer)
	if res != nil {
		return *res
	}
	pb := findProtection(p, c.vars["name"])
	if pb == nil {
		return errNotFound
	}
	p.protected = slices.DeleteFunc(p.protected, func(x *protection) bool { return x == pb })
	return response{status: http.StatusNoContent}
}

// findProtection finds a protected name (branch names are case-sensitive).
func findProtection(p *project, name string) *protection {
	for _, pb := range p.protected {
		if pb.name == name {
			return pb
		}
	}
	return nil
}

// json is Entities::ProtectedBranch.
func (pb *protection) json() map[string]any {
	levels := func(l int64, n int64) []map[string]any {
		return []map[string]any{{"id": pb.id*10 + n, "access_level": l, "access_level_description": accessLevels[l],
			"deploy_key_id": nil, "user_id": nil, "group_id": nil}}
	}
	return map[string]any{
		"id":                           pb.id,
		"name":                         pb.name,
		"push_access_levels":           levels(pb.push, 1),
		"merge_access_levels":          levels(pb.merge, 2),
		"unprotect_access_levels":      levels(pb.unprotect, 3),
		"allow_force_push":             pb.allowForcePush,
		"code_owner_approval_required": pb.codeOwnerApproval,
		"inherited":                    false,
	}
}
