package forge

import (
	"context"

	"github.com/rtconf/rtconf/internal/token"
)

// App is an App's credential on a Git host that has them (a GitHub App):
// the App's ID, its installation on the configuration repository's owner,
// and the App's private key, which never prints (it is a token.Token).
type App struct {
	ID int64
	// InstallationID is 0 when the check is to look it up on the
	// configuration repository.
	InstallationID int64
	Key            token.Token
}

// AppCheck is the outcome of an App's live check: the requirements as for
// a token (the installation's permissions on the repository), and what the
// host said of the App and its installation.
type AppCheck struct {
	Result
	Slug           string `json:"appSlug,omitempty"`
	Name           string `json:"appName,omitempty"`
	InstallationID int64  `json:"installationID,omitempty"`
	// Account is the user or organisation the App is installed on.
	Account string `json:"account,omitempty"`
	// Token is the installation token the check made, narrowed to the
	// repository: an hour's credential for Git over HTTPS. It never prints.
	Token token.Token `json:"-"`
}

// Apps is what a provider whose host has Apps implements beside Forge
// (GitHub): a provider that does not, has no App credentials. Callers find
// it with a type assertion on Forge.
type Apps interface {
	// ParseAppKey checks that pem is an App's private key (an RSA key in
	// PEM) and returns it as a secret that never prints.
	ParseAppKey(pem string) (token.Token, error)
	// AppKeyFingerprint is the key's fingerprint as the host shows it in
	// the App's settings, to tell which key to delete.
	AppKeyFingerprint(key token.Token) string
	// CheckApp checks the App live against need on o's repository, as
	// Check does for a token, under the same policy.
	CheckApp(ctx context.Context, app App, need Need, o Options) (AppCheck, error)
	// AppRepoCreds are the fields of an Argo CD repo-creds Secret for the
	// App beside type and url: the plain ones (IDs, the Enterprise API)
	// and the key that holds the private key, sealed. apiURL is the API
	// the App was checked against.
	AppRepoCreds(app App, apiURL string) (plain map[string]string, secretKey string)
	// AppRevokeHint says where to delete an App's private key on host.
	AppRevokeHint(host, slug string) string
	// InstallationToken authenticates as the App's installation on the
	// repository namespace/name (looked up when app.InstallationID is 0)
	// and returns an installation token narrowed to that repository: an
	// hour's token for the API and Git over HTTPS, which never prints.
	InstallationToken(ctx context.Context, app App, namespace, name string, o Options) (token.Token, error)
}
