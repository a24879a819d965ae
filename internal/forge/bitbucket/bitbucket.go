// Package bitbucket is the Bitbucket Cloud provider of rtconf (forge.Forge):
// bitbucket.org and its REST API 2.0, over net/http through forge.HTTPClient
// and forge.Policy (see caller for why not a client library). It holds
// everything rtconf knows of Bitbucket Cloud: its token shapes (Atlassian
// API tokens, given as EMAIL:TOKEN, and repository, project and workspace
// access tokens; app passwords, which Atlassian retired, are refused); the
// live check of a token (its scopes, observed in x-oauth-scopes, its kind
// in x-credential-type, its user from GET /2.0/user, its permission on the
// repository); the rule that binds a token to api.bitbucket.org; the
// repository changes (create in a workspace, branch restrictions, pull
// requests); and the Bitbucket Pipelines file.
package bitbucket

import (
	"context"
	"fmt"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/templates"
)

// Name is the value of repository.provider that selects Bitbucket Cloud.
const Name = "bitbucket"

// Git usernames by kind of token. An access token authenticates Git with
// the username x-token-auth
// (https://support.atlassian.com/bitbucket-cloud/docs/using-access-tokens/);
// an API token with the user's Bitbucket username or the static username
// x-bitbucket-api-token-auth
// (https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens/):
// rtconf writes the static one, which needs no look-up and does not change
// when the user renames their account.
const (
	AccessTokenGitUsername = "x-token-auth"
	APITokenGitUsername    = "x-bitbucket-api-token-auth"
)

// CIFile is where Bitbucket Pipelines reads its configuration: the file
// bitbucket-pipelines.yml at the repository's root
// (https://support.atlassian.com/bitbucket-cloud/docs/configure-bitbucket-pipelinesyml/).
const CIFile = "bitbucket-pipelines.yml"

// Forge is Bitbucket Cloud. The zero value is ready to use.
type Forge struct{}

var _ forge.Forge = Forge{}

// Name implements forge.Forge.
func (Forge) Name() string { return Name }

// Title implements forge.Forge.
func (Forge) Title() string { return "Bitbucket Cloud" }

// ParseToken implements forge.Forge.
func (Forge) ParseToken(value string) (token.Token, error) { return ParseToken(value) }

// GitUsername implements forge.Forge: by kind of token.
func (Forge) GitUsername(tok token.Token) string { return GitUsername(tok) }

// GitUsername is the username tok authenticates Git over HTTPS with.
func GitUsername(tok token.Token) string {
	if tok.Kind() == APIToken {
		return APITokenGitUsername
	}
	return AccessTokenGitUsername
}

// RepoCreds implements forge.Forge: Argo CD sends username and password as
// HTTPS basic auth, the token as the password and the username Bitbucket
// takes for its kind.
func (Forge) RepoCreds(tok token.Token) (map[string]string, string) {
	return map[string]string{"username": GitUsername(tok)}, "password"
}

// PublicHost implements forge.Forge.
func (Forge) PublicHost() string { return PublicHost }

// SelfManaged implements forge.Forge: Bitbucket Cloud has none (a
// self-hosted Bitbucket is Data Center).
func (Forge) SelfManaged() string { return "Bitbucket Cloud" }

// APIURLForm implements forge.Forge.
func (Forge) APIURLForm() string { return PublicAPIURL }

// AllowedAPIURL implements forge.Forge.
func (Forge) AllowedAPIURL(repoURL, configured string) (string, error) {
	return AllowedAPIURL(repoURL, configured)
}

// ArgoRepoURL implements forge.Forge: Bitbucket serves a repository with
// and without .git; the Applications use repository.url as written.
func (Forge) ArgoRepoURL(repoURL string) string { return repoURL }

// GitHost implements forge.Forge.
func (Forge) GitHost(apiURL string) string { return GitHost(apiURL) }

// RepoPath implements forge.Forge: WORKSPACE/REPOSITORY.
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
	return fmt.Sprintf("no direct or force pushes, no deletion, an approval and a passing build (the %q step) before merge", check)
}

// Doc implements forge.Forge.
func (Forge) Doc() templates.RepoDoc {
	return templates.RepoDoc{Host: "Bitbucket Cloud", CIFile: CIFile, ChangeRequest: "pull request",
		Protect:  "add branch restrictions that require an approval and a passing build (`rtconf init --protect` does it)",
		CISecret: "the secured repository variable",
		Expiry:   "Schedule the custom pipeline\n`rtconf-token-expiry` daily: it fails while a sealed token is about to expire."}
}

// CIFile implements forge.Forge.
func (Forge) CIFile() string { return CIFile }

// RenderCI implements forge.Forge.
func (Forge) RenderCI(w templates.Workflow) ([]byte, error) {
	return templates.RenderBitbucketPipelines(w)
}

// CIFormats implements forge.Forge: a JUnit report, which Pipelines shows
// in the step's Tests tab, and the text report in the step's log.
func (Forge) CIFormats() []string { return []string{"junit", "text"} }

// CommitAuthor implements forge.Forge.
func (Forge) CommitAuthor() (string, string) { return "rtconf", "rtconf@noreply.bitbucket.org" }

// RevokeHint implements forge.Forge.
func (Forge) RevokeHint(string) string {
	return "in your Atlassian account's API tokens (https://id.atlassian.com/manage-profile/security/api-tokens), or for an access token under the repository's, project's or workspace's settings > Access tokens"
}
