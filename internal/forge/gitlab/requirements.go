package gitlab

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// scopes each kind of token needs (Codefresh's published requirements):
// the runtime token api; a user token read_api and write_repository.
func scopes(k forge.Kind) []string {
	if k == forge.RuntimeToken {
		return []string{"api"}
	}
	return []string{"read_api", "write_repository"}
}

// Roles on the configuration project each kind needs. The runtime token
// manages webhooks and protected branches, which take the Maintainer role;
// a user token pushes branches and opens merge requests, which take
// Developer (https://docs.gitlab.com/user/permissions/).
func role(k forge.Kind) gl.AccessLevelValue {
	if k == forge.RuntimeToken {
		return gl.MaintainerPermissions
	}
	return gl.DeveloperPermissions
}

var roleNames = map[gl.AccessLevelValue]string{
	gl.GuestPermissions: "Guest", gl.ReporterPermissions: "Reporter", gl.DeveloperPermissions: "Developer",
	gl.MaintainerPermissions: "Maintainer", gl.OwnerPermissions: "Owner",
}

func roleName(l gl.AccessLevelValue) string {
	if n, ok := roleNames[l]; ok {
		return n
	}
	return fmt.Sprintf("access level %d", l)
}

// scopeRequirements are the scopes need asks for, each once.
func scopeRequirements(need forge.Need) []string {
	var out []string
	for _, k := range append([]forge.Kind{need.Kind}, need.Also...) {
		for _, s := range scopes(k) {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// roleRequirement is the highest role need asks for, as its requirement
// name.
func roleRequirement(need forge.Need) (gl.AccessLevelValue, string) {
	level := role(need.Kind)
	for _, k := range need.Also {
		level = max(level, role(k))
	}
	return level, roleName(level) + " role on the project"
}

// impliedScopes is GitLab's scope hierarchy, as its documentation states
// it (https://docs.gitlab.com/user/profile/personal_access_tokens/#personal-access-token-scopes):
// api grants complete read and write access to the API and to
// repositories over Git; write_repository includes reading.
func impliedScopes(s string) []string {
	switch s {
	case "api":
		return []string{"read_api", "read_repository", "write_repository", "read_user"}
	case "write_repository":
		return []string{"read_repository"}
	case "write_registry":
		return []string{"read_registry"}
	}
	return nil
}

// grants reports whether the granted scopes include want, directly or
// through the hierarchy.
func grants(granted []string, want string) bool {
	for _, g := range granted {
		if g == want || slices.Contains(impliedScopes(g), want) {
			return true
		}
	}
	return false
}

// RequirementNames lists the names Check gives the requirements of need.
func RequirementNames(_ token.Kind, need forge.Need) []string {
	_, r := roleRequirement(need)
	return append(scopeRequirements(need), r)
}

// checkRole reads who the token is and its role on the project.
func checkRole(ctx context.Context, c *caller, need forge.Need, res *forge.Result) error {
	var user *gl.User
	a, err := c.call(ctx, http.MethodGet, func(opts ...gl.RequestOptionFunc) (resp *gl.Response, err error) {
		user, resp, err = c.gl.Users.CurrentUser(opts...)
		return resp, err
	})
	if err != nil {
		return err
	}
	if a.Status == http.StatusOK && user != nil {
		who := "a personal access token of " + user.Username
		if user.Bot {
			who = "a project or group access token (bot user " + user.Username + ")"
		}
		res.Notes = append(res.Notes, "the token is "+who)
	}
	path := c.opts.Owner + "/" + c.opts.Repo
	var p *gl.Project
	a, err = c.call(ctx, http.MethodGet, func(opts ...gl.RequestOptionFunc) (resp *gl.Response, err error) {
		p, resp, err = c.gl.Projects.GetProject(path, nil, opts...)
		return resp, err
	})
	if err != nil {
		return err
	}
	level, name := roleRequirement(need)
	r := forge.Requirement{Name: name, Verdict: forge.Missing, Certainty: forge.Observed}
	switch {
	case a.Status == http.StatusNotFound:
		r.Detail = "GitLab answers 404: the project " + path + " does not exist or the token's user cannot see it"
	case a.Status == http.StatusForbidden:
		r.Verdict, r.Certainty, r.Detail = forge.Unknown, "", "GitLab refused GET /projects/"+path+": "+c.tok.Scrub(message(a.Body))
	case a.Status != http.StatusOK || p == nil || !samePath(p.PathWithNamespace, path):
		return &forge.UnverifiedError{Reason: fmt.Sprintf("GitLab's answer to GET /projects/%s does not name that project", path)}
	default:
		have := access(p)
		r.Detail = "the token's user is " + roleName(have)
		if have >= level {
			r.Verdict = forge.Granted
		}
	}
	res.Requirements = append(res.Requirements, r)
	return nil
}

// access is the user's role on p: the higher of the project's and the
// group's membership.
func access(p *gl.Project) gl.AccessLevelValue {
	var l gl.AccessLevelValue
	if p.Permissions != nil {
		if pa := p.Permissions.ProjectAccess; pa != nil {
			l = max(l, pa.AccessLevel)
		}
		if ga := p.Permissions.GroupAccess; ga != nil {
			l = max(l, ga.AccessLevel)
		}
	}
	return l
}
