// Package github is the GitHub provider of rtconf (forge.Forge):
// github.com and GitHub Enterprise Server. It holds everything rtconf
// knows of GitHub: its token shapes; the live check of a token (the scopes
// of a classic token, the permissions of a fine-grained one, which GitHub
// does not list, so they are probed, and its expiry), where every verdict
// says whether it was observed or inferred and nothing passes unobserved;
// the rule that binds a token to its host's API; and the repository
// changes (create, protect, pull requests). All its requests go through
// one caller: one HTTP client, one retry and rate-limit policy.
package github

import (
	"context"
	"fmt"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/templates"
)

// Name is the value of repository.provider that selects GitHub.
const Name = "github"

// GitUsername is the username a GitHub token authenticates Git over HTTPS
// with; GitHub ignores it, but it must not be empty.
const GitUsername = "x-access-token"

// Forge is GitHub. The zero value is ready to use.
type Forge struct{}

var _ forge.Forge = Forge{}

// Name implements forge.Forge.
func (Forge) Name() string { return Name }

// Title implements forge.Forge.
func (Forge) Title() string { return "GitHub" }

// ParseToken implements forge.Forge: the ghp_, github_pat_ (and other gh*_)
// shapes.
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
func (Forge) SelfManaged() string { return "GitHub Enterprise Server" }

// APIURLForm implements forge.Forge.
func (Forge) APIURLForm() string { return "https://api.github.com or https://HOST/api/v3" }

// AllowedAPIURL implements forge.Forge.
func (Forge) AllowedAPIURL(repoURL, configured string) (string, error) {
	return AllowedAPIURL(repoURL, configured)
}

// ArgoRepoURL implements forge.Forge: GitHub serves a repository with and
// without .git alike, so repository.url is used as written.
func (Forge) ArgoRepoURL(repoURL string) string { return repoURL }

// GitHost implements forge.Forge.
func (Forge) GitHost(apiURL string) string { return GitHost(apiURL) }

// RepoPath implements forge.Forge: GitHub has OWNER/REPOSITORY (an
// optional .git dropped), no deeper namespaces.
func (Forge) RepoPath(path string) (owner, name, hint string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 2 || parts[0] == "" || strings.TrimSuffix(parts[1], ".git") == "" {
		return "", "", "write https://HOST/OWNER/REPOSITORY"
	}
	return parts[0], strings.TrimSuffix(parts[1], ".git"), ""
}

// Check implements forge.Forge.
func (Forge) Check(ctx context.Context, tok token.Token, need forge.Need, o forge.Options) (forge.Result, error) {
	o.Also = need.Also
	return Check(ctx, tok, need.Kind, o)
}

// RequirementNames implements forge.Forge.
func (Forge) RequirementNames(tk token.Kind, need forge.Need) []string {
	return RequirementNames(tk, need.Kind, need.Also)
}

// DefaultOptions implements forge.Forge.
func (Forge) DefaultOptions() forge.Options { return DefaultOptions() }

// Changes implements forge.Forge.
func (Forge) Changes(tok token.Token, o forge.Options) (forge.Changes, error) {
	return NewClient(tok, o)
}

// Protection implements forge.Forge.
func (Forge) Protection(check string) string {
	return fmt.Sprintf("pull requests and the %q check are required", check)
}

// Doc implements forge.Forge.
func (f Forge) Doc() templates.RepoDoc {
	return templates.RepoDoc{Host: "GitHub", CIFile: f.CIFile(), ChangeRequest: "pull request",
		Protect: "require the status check `rtconf validate`", CISecret: "the Actions secret"}
}

// CIFile implements forge.Forge: the GitHub Actions workflow.
func (Forge) CIFile() string { return ".github/workflows/rtconf.yml" }

// RenderCI implements forge.Forge. The branch becomes a literal GitHub
// Actions filter pattern.
func (Forge) RenderCI(w templates.Workflow) ([]byte, error) {
	w.Branch = branchFilter(w.Branch)
	return templates.RenderWorkflow(w)
}

// branchFilter is a branch name as a literal GitHub Actions filter pattern:
// the characters that patterns give a meaning are escaped.
func branchFilter(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`*?+[]!\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CIFormats implements forge.Forge: workflow-command annotations (and,
// with ci.codeScanning, SARIF for code scanning).
func (Forge) CIFormats() []string { return []string{"github"} }

// CommitAuthor implements forge.Forge: an address GitHub keeps for no
// account (users.noreply.github.com is GitHub's own domain for commit
// addresses), so that rtconf's commits are linked to no one.
func (Forge) CommitAuthor() (string, string) { return "rtconf", "rtconf@users.noreply.github.com" }

// RevokeHint implements forge.Forge.
func (Forge) RevokeHint(host string) string {
	if host == "" || host == PublicHost {
		host = PublicHost
	}
	return "in GitHub's token settings (https://" + host + "/settings/tokens)"
}
