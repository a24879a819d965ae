// Package gitea is the Gitea provider of rtconf (forge.Forge): self-managed
// Gitea and Forgejo (its fork, codeberg.org among its hosts), over Gitea's
// own Go SDK (code.gitea.io/sdk/gitea). It holds everything rtconf knows of
// Gitea: its token shape (40 hexadecimal characters, which GitHub's legacy
// tokens share); the live check of a token (who it is, its user's
// permission on the repository; its scopes, which Gitea does not list,
// inferred from the 403 answers that name a missing scope); the rule that
// binds a token to its host's API; and the repository changes (create in an
// organisation or for the user, protect, pull requests). All requests go
// through forge.Policy; the SDK's version probe is off.
package gitea

import (
	"context"
	"fmt"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/templates"
)

// Name is the value of repository.provider that selects Gitea.
const Name = "gitea"

// GitUsername is the username rtconf sends with a token over HTTPS. Gitea
// takes an access token as the password of HTTP basic auth and finds the
// user from the token itself ("Assume password is token" in
// https://github.com/go-gitea/gitea/blob/main/services/auth/basic.go),
// so any non-empty name does; rtconf sends oauth2, as for GitLab.
const GitUsername = "oauth2"

// CIFile: Gitea Actions reads .gitea/workflows/ (falling back to
// .github/workflows/), in GitHub Actions' syntax
// (https://docs.gitea.com/usage/actions/comparison; ListWorkflows in
// https://github.com/go-gitea/gitea/blob/main/modules/actions/workflows.go).
// Forgejo documents .forgejo/workflows with a .github/workflows fallback
// (https://forgejo.org/docs/latest/user/actions/overview) and, as its own
// integration tests show, still runs workflows from .gitea/workflows: one
// file serves both.
const CIFile = ".gitea/workflows/rtconf.yml"

// Forge is Gitea. The zero value is ready to use.
type Forge struct{}

var _ forge.Forge = Forge{}

// Name implements forge.Forge.
func (Forge) Name() string { return Name }

// Title implements forge.Forge.
func (Forge) Title() string { return "Gitea" }

// ParseToken implements forge.Forge.
func (Forge) ParseToken(value string) (token.Token, error) { return ParseToken(value) }

// GitUsername implements forge.Forge.
func (Forge) GitUsername(token.Token) string { return GitUsername }

// RepoCreds implements forge.Forge: Argo CD sends username and password as
// HTTPS basic auth, the token as the password.
func (Forge) RepoCreds(token.Token) (map[string]string, string) {
	return map[string]string{"username": GitUsername}, "password"
}

// PublicHost implements forge.Forge: none. Every Gitea is self-managed,
// codeberg.org (Forgejo's best-known host) included: it is one host among
// many, not the provider's own service, so it is confirmed like any other
// (forge.Trust's KnownHosts) before a token goes there.
func (Forge) PublicHost() string { return "" }

// SelfManaged implements forge.Forge.
func (Forge) SelfManaged() string { return "Gitea or Forgejo" }

// APIURLForm implements forge.Forge.
func (Forge) APIURLForm() string { return "https://HOST/api/v1" }

// AllowedAPIURL implements forge.Forge.
func (Forge) AllowedAPIURL(repoURL, configured string) (string, error) {
	return AllowedAPIURL(repoURL, configured)
}

// ArgoRepoURL implements forge.Forge: Gitea serves a repository with and
// without .git; the Applications use repository.url as written.
func (Forge) ArgoRepoURL(repoURL string) string { return repoURL }

// GitHost implements forge.Forge.
func (Forge) GitHost(apiURL string) string { return GitHost(apiURL) }

// RepoPath implements forge.Forge: OWNER/REPO.
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

// Protection implements forge.Forge: the status check is the context Gitea
// Actions reports for the workflow's job named check.
func (Forge) Protection(check string) string {
	return fmt.Sprintf("no direct pushes, an approval, and the %q status check are required", templates.GiteaStatusContext(check))
}

// Doc implements forge.Forge.
func (Forge) Doc() templates.RepoDoc {
	return templates.RepoDoc{Host: "Gitea", CIFile: CIFile, ChangeRequest: "pull request",
		Protect:  "protect the branch with a required approval and status check (`rtconf init --protect` does it)",
		CISecret: "the Actions secret"}
}

// CIFile implements forge.Forge.
func (Forge) CIFile() string { return CIFile }

// CIFormats implements forge.Forge: text, in the job's log (Gitea shows
// neither GitHub's annotations nor code scanning).
func (Forge) CIFormats() []string { return []string{"text"} }

// RenderCI implements forge.Forge: the Gitea Actions workflow.
func (Forge) RenderCI(w templates.Workflow) ([]byte, error) { return templates.RenderGiteaWorkflow(w) }

// CommitAuthor implements forge.Forge.
func (Forge) CommitAuthor() (string, string) { return "rtconf", "rtconf@noreply.localhost" }

// RevokeHint implements forge.Forge.
func (Forge) RevokeHint(host string) string {
	if host == "" {
		return "in the Gitea host's Settings > Applications > Access tokens"
	}
	return "in Gitea's access token settings (https://" + strings.ToLower(host) + "/user/settings/applications)"
}
