// Package gitlab is the GitLab provider of rtconf (forge.Forge): gitlab.com
// and self-managed GitLab, over GitLab's own Go client
// (gitlab.com/gitlab-org/api/client-go). It holds everything rtconf knows
// of GitLab: its token shapes (glpat-, legacy and routable); the live check
// of a token (its own record: scopes with GitLab's hierarchy, expiry,
// active, revoked; its user, a bot for project and group access tokens;
// the user's role on the configuration project), every verdict observed or
// inferred and none passing unobserved; the rule that binds a token to its
// host's API; and the project changes (create in a group or subgroup,
// protect, merge requests). All requests go through forge.Policy with
// client-go's own retries and rate limiter off.
package gitlab

import (
	"context"
	"fmt"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/templates"
)

// Name is the value of repository.provider that selects GitLab.
const Name = "gitlab"

// GitUsername is the username rtconf sends with a token over HTTPS: GitLab
// takes any non-empty one with an access token as password, and documents
// oauth2 (https://docs.gitlab.com/user/profile/personal_access_tokens/).
const GitUsername = "oauth2"

// Forge is GitLab. The zero value is ready to use.
type Forge struct{}

var _ forge.Forge = Forge{}

// Name implements forge.Forge.
func (Forge) Name() string { return Name }

// Title implements forge.Forge.
func (Forge) Title() string { return "GitLab" }

// ParseToken implements forge.Forge.
func (Forge) ParseToken(value string) (token.Token, error) { return ParseToken(value) }

// GitUsername implements forge.Forge.
func (Forge) GitUsername(token.Token) string { return GitUsername }

// RepoCreds implements forge.Forge: Argo CD sends username and password
// as HTTPS basic auth.
func (Forge) RepoCreds(token.Token) (map[string]string, string) {
	return map[string]string{"username": GitUsername}, "password"
}

// PublicHost implements forge.Forge.
func (Forge) PublicHost() string { return PublicHost }

// SelfManaged implements forge.Forge.
func (Forge) SelfManaged() string { return "GitLab self-managed" }

// APIURLForm implements forge.Forge.
func (Forge) APIURLForm() string { return "https://gitlab.com/api/v4 or https://HOST/api/v4" }

// AllowedAPIURL implements forge.Forge.
func (Forge) AllowedAPIURL(repoURL, configured string) (string, error) {
	return AllowedAPIURL(repoURL, configured)
}

// ArgoRepoURL implements forge.Forge: GitLab redirects a URL without .git,
// and Argo CD does not follow that redirect, so the Applications name the
// project with .git (the repo-creds prefix matches both forms).
func (Forge) ArgoRepoURL(repoURL string) string {
	if u := strings.TrimSuffix(repoURL, "/"); !strings.HasSuffix(u, ".git") {
		return u + ".git"
	}
	return repoURL
}

// GitHost implements forge.Forge.
func (Forge) GitHost(apiURL string) string { return GitHost(apiURL) }

// RepoPath implements forge.Forge: GROUP[/SUBGROUP…]/PROJECT.
func (Forge) RepoPath(path string) (string, string, string) { return RepoPath(path) }

// Check implements forge.Forge.
func (Forge) Check(ctx context.Context, tok token.Token, need forge.Need, o forge.Options) (forge.Result, error) {
	return Check(ctx, tok, need, o)
}

// RequirementNames implements forge.Forge.
func (Forge) RequirementNames(tk token.Kind, need forge.Need) []string {
	return RequirementNames(tk, need)
}

// DefaultOptions implements forge.Forge.
func (Forge) DefaultOptions() forge.Options { return DefaultOptions() }

// Changes implements forge.Forge.
func (Forge) Changes(tok token.Token, o forge.Options) (forge.Changes, error) {
	return NewClient(tok, o)
}

// Protection implements forge.Forge.
func (Forge) Protection(check string) string {
	return fmt.Sprintf("no direct pushes, merges by Maintainers, and pipelines (with %q) must succeed", check)
}

// Doc implements forge.Forge.
func (f Forge) Doc() templates.RepoDoc {
	return templates.RepoDoc{Host: "GitLab", CIFile: f.CIFile(), ChangeRequest: "merge request",
		Protect:  "turn on \"Pipelines must succeed\" (`rtconf init --protect` does both)",
		CISecret: "the masked, protected CI/CD variable"}
}

// CIFile implements forge.Forge: GitLab CI's file.
func (Forge) CIFile() string { return ".gitlab-ci.yml" }

// RenderCI implements forge.Forge.
func (Forge) RenderCI(w templates.Workflow) ([]byte, error) { return templates.RenderGitLabCI(w) }

// CIFormats implements forge.Forge: Code Quality and JUnit reports, which
// GitLab shows in the merge request.
func (Forge) CIFormats() []string { return []string{"gitlab", "junit"} }

// CommitAuthor implements forge.Forge.
func (Forge) CommitAuthor() (string, string) { return "rtconf", "rtconf@users.noreply.gitlab.com" }

// RevokeHint implements forge.Forge.
func (Forge) RevokeHint(host string) string {
	if host == "" {
		host = PublicHost
	}
	return "in GitLab's access token settings (https://" + strings.ToLower(host) + "/-/user_settings/personal_access_tokens; a project or group access token under the project's or group's Settings > Access tokens)"
}
