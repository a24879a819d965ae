// Package bitbucketdc is the Bitbucket Data Center provider of rtconf
// (forge.Forge): Atlassian's self-managed Bitbucket (formerly Bitbucket
// Server), over its REST API with net/http, since no maintained Go client
// of that API is served here. It holds everything rtconf knows of
// Bitbucket Data Center: the shape of its HTTP access tokens (personal,
// project and repository tokens share one); the live check of a token (who
// it is from X-AUSERNAME, PROJECT_ADMIN or REPO_WRITE probed, its kind,
// permissions and expiry from its record); the rule that binds a token to
// its host's API; and the repository changes (create in a project, branch
// permissions and merge checks, pull requests). All requests go through
// forge.Policy.
package bitbucketdc

import (
	"context"
	"fmt"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/templates"
)

// Name is the value of repository.provider that selects Bitbucket Data
// Center.
const Name = "bitbucket-datacenter"

// ErrNoCI is RenderCI's error. Bitbucket Data Center has no CI of its own:
// teams run Bamboo (Bamboo Specs), Jenkins (a Jenkinsfile, through the
// Bitbucket Server integration plugin) or another server, each reporting
// back through Bitbucket's build status API
// (https://developer.atlassian.com/server/bitbucket/how-tos/updating-build-status-for-commits/).
// None is a standard rtconf could write for every team: each needs the CI
// server's own setup (agents, credentials, the build key Bitbucket's
// required build check waits for), so rtconf writes no CI file and the
// team's CI runs `rtconf validate` and reports the build key
// "rtconf validate".
var ErrNoCI = fmt.Errorf("%w: Bitbucket Data Center has no CI of its own; run `rtconf validate` in your Bamboo or Jenkins build and report it under the build key %q", forge.ErrNoCI, "rtconf validate")

// Forge is Bitbucket Data Center. The zero value is ready to use.
type Forge struct{}

var _ forge.Forge = Forge{}

// Name implements forge.Forge.
func (Forge) Name() string { return Name }

// Title implements forge.Forge.
func (Forge) Title() string { return "Bitbucket Data Center" }

// ParseToken implements forge.Forge.
func (Forge) ParseToken(value string) (token.Token, error) { return ParseToken(value) }

// GitUsername implements forge.Forge: none. Project and repository tokens
// authenticate only as Bearer, for Git as for the API ("Don't use this
// token with a username in Basic authentication",
// https://confluence.atlassian.com/bitbucketserver/http-access-tokens-939515499.html),
// and a token's value does not say which kind it is: every push sends
// Authorization: Bearer, which personal tokens accept too.
func (Forge) GitUsername(token.Token) string { return "" }

// RepoCreds implements forge.Forge: Argo CD's bearerToken field, which its
// repo server sends as Authorization: Bearer to Bitbucket Data Center
// (repo-creds key bearerToken, "the bearer token used for Git BitBucket
// Data Center auth",
// https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#repositories).
// It fits all three kinds, while username and password would need a
// personal token's owner, whom only a live check names.
func (Forge) RepoCreds(token.Token) (map[string]string, string) {
	return map[string]string{}, "bearerToken"
}

// PublicHost implements forge.Forge: none; every Bitbucket Data Center is
// self-managed and confirmed once (forge.Trust's KnownHosts) before a
// token goes there.
func (Forge) PublicHost() string { return "" }

// SelfManaged implements forge.Forge.
func (Forge) SelfManaged() string { return "Bitbucket Data Center" }

// APIURLForm implements forge.Forge.
func (Forge) APIURLForm() string { return "https://HOST/rest/api/1.0" }

// AllowedAPIURL implements forge.Forge.
func (Forge) AllowedAPIURL(repoURL, configured string) (string, error) {
	return AllowedAPIURL(repoURL, configured)
}

// ArgoRepoURL implements forge.Forge: the clone URL as written.
func (Forge) ArgoRepoURL(repoURL string) string { return repoURL }

// GitHost implements forge.Forge.
func (Forge) GitHost(apiURL string) string { return GitHost(apiURL) }

// RepoPath implements forge.Forge: /scm/PROJECT/REPO.git.
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
	return fmt.Sprintf("changes only through pull requests (no deletes, no force pushes), one approval, and a successful %q build are required", check)
}

// Doc implements forge.Forge.
func (Forge) Doc() templates.RepoDoc {
	// No CIFile: Bitbucket Data Center has no CI of its own (ErrNoCI).
	return templates.RepoDoc{Host: "Bitbucket Data Center", ChangeRequest: "pull request",
		Protect:  "protect the branch with branch permissions, a required approval and the required build `rtconf validate` (`rtconf init --protect` does it)",
		CISecret: "your CI server's secret store"}
}

// CIFile implements forge.Forge: none (ErrNoCI).
func (Forge) CIFile() string { return "" }

// CIFormats implements forge.Forge: none, as there is no CI file.
func (Forge) CIFormats() []string { return nil }

// RenderCI implements forge.Forge: ErrNoCI.
func (Forge) RenderCI(templates.Workflow) ([]byte, error) { return nil, ErrNoCI }

// CommitAuthor implements forge.Forge.
func (Forge) CommitAuthor() (string, string) { return "rtconf", "rtconf@noreply.localhost" }

// RevokeHint implements forge.Forge.
func (Forge) RevokeHint(host string) string {
	if host == "" {
		return "in Bitbucket's Manage account > HTTP access tokens (project and repository tokens: the project's or repository's settings)"
	}
	return "in Bitbucket's HTTP access tokens (https://" + strings.ToLower(host) + "/plugins/servlet/access-tokens/manage; project and repository tokens: the project's or repository's settings)"
}
