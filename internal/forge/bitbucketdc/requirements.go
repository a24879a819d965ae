package bitbucketdc

import (
	"slices"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// The permissions the tokens need
// (https://confluence.atlassian.com/bitbucketserver/using-project-permissions-776639801.html,
// https://confluence.atlassian.com/bitbucketserver/using-repository-permissions-776639771.html):
// the runtime token manages the project's repositories (creates the
// repository, sets branch permissions and merge checks, webhooks), which
// takes PROJECT_ADMIN; a user token pushes branches and opens pull
// requests, which takes REPO_WRITE. A token's own permissions bound its
// user's: both must allow it.
const (
	adminRequirement = "PROJECT_ADMIN on the project"
	writeRequirement = "REPO_WRITE on the repository"
)

func needsAdmin(need forge.Need) bool {
	return need.Kind == forge.RuntimeToken || slices.Contains(need.Also, forge.RuntimeToken)
}

func needsWrite(need forge.Need) bool {
	return need.Kind == forge.UserToken || slices.Contains(need.Also, forge.UserToken)
}

// RequirementNames lists the names Check gives the requirements of need.
func RequirementNames(_ token.Kind, need forge.Need) []string {
	var out []string
	if needsAdmin(need) {
		out = append(out, adminRequirement)
	}
	if needsWrite(need) {
		out = append(out, writeRequirement)
	}
	return out
}
