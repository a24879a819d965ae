package gitea

import (
	"slices"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// The scope both kinds of token need. Gitea's scopes are per group of API
// routes, read:X for GET and write:X for writes as well
// (https://docs.gitea.com/development/oauth2-provider#scopes,
// https://forgejo.org/docs/latest/user/token-scope/): pushing over Git,
// opening pull requests, and managing webhooks and branch protections are
// all under /repos/…, so write:repository. Creating the repository (rtconf
// init --create) asks more: write:organization for POST /orgs/{org}/repos,
// write:user for POST /user/repos; Gitea answers which when it is missing.
const repoScope = "write:repository"

// Permissions on the repository: GET /repos/{owner}/{repo} reports the
// token's user's {admin, push, pull}. The runtime token manages webhooks
// and branch protections, which Gitea's API allows repository admins only
// (reqAdmin() on /repos/{owner}/{repo}/hooks and /branch_protections in
// https://github.com/go-gitea/gitea/blob/main/routers/api/v1/api.go); a
// user token pushes branches and opens pull requests, which takes push.
const (
	adminRequirement = "admin permission on the repository"
	pushRequirement  = "push permission on the repository"
)

func needsAdmin(need forge.Need) bool {
	return need.Kind == forge.RuntimeToken || slices.Contains(need.Also, forge.RuntimeToken)
}

func roleRequirement(need forge.Need) string {
	if needsAdmin(need) {
		return adminRequirement
	}
	return pushRequirement
}

// RequirementNames lists the names Check gives the requirements of need.
func RequirementNames(_ token.Kind, need forge.Need) []string {
	return []string{repoScope, roleRequirement(need)}
}
