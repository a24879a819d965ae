package bitbucket

import (
	"slices"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// scope is one permission Codefresh asks of a Bitbucket Cloud Git token
// (runtime and user token alike:
// https://codefresh.io/docs/docs/reference/git-tokens/),
// with the names Bitbucket reports it by in x-oauth-scopes: the scopes of
// access tokens and app passwords (account, team, webhook,
// repository:write, repository:admin;
// https://developer.atlassian.com/cloud/bitbucket/rest/intro/#scopes,
// https://support.atlassian.com/bitbucket-cloud/docs/workspace-access-token-permissions/:
// Repositories Read, Write and Admin are repository, repository:write and
// repository:admin) and
// the scopes of API tokens (read:user:bitbucket, …;
// https://support.atlassian.com/bitbucket-cloud/docs/api-token-permissions/).
// A scope is granted when x-oauth-scopes lists any of its names; a name
// "a+b" needs both. An API token's scopes imply nothing: "write:repository
// does not imply read:repository", and admin implies neither
// (https://support.atlassian.com/bitbucket-cloud/docs/api-token-permissions/),
// while Git needs read to fetch and write to push, so Repositories: write
// asks both of an API token. An access token's repository:write and
// repository:admin include reading.
type scope struct {
	Name  string   // the requirement's name, in Bitbucket's settings' words
	Names []string // what x-oauth-scopes may list for it
}

// requiredScopes are Codefresh's five, in its order, for a token of kind
// tk. Codefresh's Account and Workspace membership are scopes of a user's
// token (API tokens: User data and Workspaces, read:user:bitbucket and
// read:workspace:bitbucket); an access token has neither, nor needs them:
// it is its own user, bound to one repository, project or workspace, and
// Bitbucket offers it only Repositories, Projects, Pull requests,
// Webhooks, Pipelines and Runners scopes
// (https://support.atlassian.com/bitbucket-cloud/docs/repository-access-token-permissions/,
// …/project-access-token-permissions/, …/workspace-access-token-permissions/).
func requiredScopes(tk token.Kind) []scope {
	all := []scope{
		{"Account: read", []string{"account", "account:write", "read:user:bitbucket"}},
		{"Workspace membership: read", []string{"team", "team:write", "read:workspace:bitbucket"}},
		// Access tokens and app passwords have one webhook scope, read and
		// write; API tokens have two, and both are needed.
		{"Webhooks: read and write", []string{"webhook", "read:webhook:bitbucket+write:webhook:bitbucket"}},
		{"Repositories: write", []string{"repository:write", "read:repository:bitbucket+write:repository:bitbucket"}},
		{"Repositories: admin", []string{"repository:admin", "admin:repository:bitbucket"}},
	}
	if tk == AccessToken {
		return all[2:]
	}
	return all
}

// Permissions on the repository: a runtime token manages webhooks and
// branch restrictions, which Bitbucket allows repository admins only; a
// user token pushes branches and opens pull requests, which takes write.
const (
	adminRequirement = "admin permission on the repository"
	writeRequirement = "write permission on the repository"
)

func needsAdmin(need forge.Need) bool {
	return need.Kind == forge.RuntimeToken || slices.Contains(need.Also, forge.RuntimeToken)
}

func roleRequirement(need forge.Need) string {
	if needsAdmin(need) {
		return adminRequirement
	}
	return writeRequirement
}

// RequirementNames lists the names Check gives the requirements of need:
// Codefresh's scopes that a token of kind tk can have, then the permission.
func RequirementNames(tk token.Kind, need forge.Need) []string {
	var out []string
	for _, s := range requiredScopes(tk) {
		out = append(out, s.Name)
	}
	return append(out, roleRequirement(need))
}
