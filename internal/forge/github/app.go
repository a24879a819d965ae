package github

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	gh "github.com/google/go-github/v60/github"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// AppKind is the token kind recorded for a GitHub App's credentials
// (rtconf.io/token-kind): the private key sealed with the App's IDs.
const AppKind token.Kind = "github-app"

// JWT rules of GitHub
// (https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app):
// RS256, iss the App's ID, an expiry at most 10 minutes ahead; iat
// back-dated 60 seconds against clock drift.
const (
	jwtBackdate = 60 * time.Second
	jwtAhead    = 9 * time.Minute
	// maxKeyPEM bounds a private key's PEM: a 4096-bit key is about 3.3 KB.
	maxKeyPEM = 16 << 10
)

var _ forge.Apps = Forge{}

// ParseAppKey implements forge.Apps: an RSA private key in PEM (PKCS #1,
// as GitHub issues it, or PKCS #8). Errors never repeat the key.
func (Forge) ParseAppKey(pem string) (token.Token, error) {
	if _, err := parseKey(pem); err != nil {
		return token.Token{}, err
	}
	return token.New(pem, AppKind), nil
}

func parseKey(pem string) (*rsa.PrivateKey, error) {
	if strings.TrimSpace(pem) == "" {
		return nil, &token.FormatError{Reason: "(the App's private key) is empty; give the .pem file GitHub made with --private-key-file FILE"}
	}
	if len(pem) > maxKeyPEM {
		return nil, &token.FormatError{Reason: fmt.Sprintf("(the App's private key) is longer than %d KiB, more than any RSA key GitHub issues", maxKeyPEM>>10)}
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(pem))
	if err != nil {
		return nil, &token.FormatError{Reason: "(the App's private key) is not an RSA private key in PEM (-----BEGIN RSA PRIVATE KEY-----), as GitHub issues it: " + keyError(err)}
	}
	return key, nil
}

// keyError names what is wrong with a key without its bytes.
func keyError(err error) string {
	switch err {
	case jwt.ErrKeyMustBePEMEncoded:
		return "no PEM block"
	case jwt.ErrNotRSAPrivateKey:
		return "the key is not an RSA key"
	}
	return "the key does not parse"
}

// AppKeyFingerprint implements forge.Apps: SHA256: and the base64 SHA-256
// of the public key's DER, as the App's settings page shows it.
func (Forge) AppKeyFingerprint(key token.Token) string {
	k, err := parseKey(key.Reveal())
	if err != nil {
		return ""
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return "SHA256:" + base64.StdEncoding.EncodeToString(sum[:])
}

// AppJWT is the JSON Web Token that authenticates as the App at now.
func AppJWT(key token.Token, appID int64, now time.Time) (token.Token, error) {
	k, err := parseKey(key.Reveal())
	if err != nil {
		return token.Token{}, err
	}
	claims := jwt.RegisteredClaims{
		Issuer:    strconv.FormatInt(appID, 10),
		IssuedAt:  jwt.NewNumericDate(now.Add(-jwtBackdate)),
		ExpiresAt: jwt.NewNumericDate(now.Add(jwtAhead)),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(k)
	if err != nil {
		return token.Token{}, fmt.Errorf("sign the App's JWT: %w", err)
	}
	return token.New(signed, "jwt"), nil
}

// AppRepoCreds implements forge.Apps: Argo CD's GitHub App fields, with
// githubAppEnterpriseBaseUrl (https://HOST/api/v3) for an Enterprise
// Server.
func (Forge) AppRepoCreds(app forge.App, apiURL string) (map[string]string, string) {
	plain := map[string]string{
		"githubAppID":             strconv.FormatInt(app.ID, 10),
		"githubAppInstallationID": strconv.FormatInt(app.InstallationID, 10),
	}
	if apiURL != "" && GitHost(apiURL) != PublicHost {
		plain["githubAppEnterpriseBaseUrl"] = strings.TrimSuffix(apiURL, "/")
	}
	return plain, "githubAppPrivateKey"
}

// AppRevokeHint implements forge.Apps.
func (Forge) AppRevokeHint(host, slug string) string {
	if host == "" {
		host = PublicHost
	}
	if slug == "" {
		return "in the App's settings (https://" + host + "/settings/apps), under Private keys"
	}
	return "in the App's settings (https://" + host + "/settings/apps/" + url.PathEscape(slug) + "), under Private keys"
}

// CheckApp implements forge.Apps.
func (Forge) CheckApp(ctx context.Context, app forge.App, need forge.Need, o forge.Options) (forge.AppCheck, error) {
	o.Also = need.Also
	return CheckApp(ctx, app, need.Kind, o)
}

// CheckApp checks a GitHub App for a kind of use on o's repository: GET
// /app with the App's JWT (which App; a 401 refuses the ID or key), GET
// /repos/{owner}/{repo}/installation (installed there? suspended?), then
// an installation token narrowed to that repository, whose permissions are
// compared with the fine-grained requirements. Every verdict is observed.
// A returned error (*UnverifiedError or bad options) means nothing could be
// concluded.
func CheckApp(ctx context.Context, app forge.App, kind Kind, o Options) (forge.AppCheck, error) {
	if err := o.Validate(); err != nil {
		return forge.AppCheck{}, err
	}
	if app.ID <= 0 {
		return forge.AppCheck{}, fmt.Errorf("github: App ID %d: give the App's numeric ID (its settings page shows it)", app.ID)
	}
	jwtTok, err := AppJWT(app.Key, app.ID, o.Now)
	if err != nil {
		return forge.AppCheck{}, err
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	o.HTTPClient = forge.HTTPClient(o.HTTPClient)
	c := &caller{tok: jwtTok, opts: o, retryWrites: true}
	out := forge.AppCheck{Result: Result{TokenKind: AppKind}}
	err = checkApp(ctx, c, app, kind, o, &out)
	out.Requests = c.n
	if err == nil && out.Problem == "" && len(out.Requirements) > 0 {
		out.Notes = append(out.Notes, "a GitHub App's private key does not expire; Argo CD makes installation tokens (an hour each) from it")
	}
	return out, err
}

// installationToken is GitHub's answer to POST
// /app/installations/{id}/access_tokens, with the permissions as a map
// (go-github's InstallationPermissions names each one as a field).
type installationToken struct {
	Token       string            `json:"token"`
	ExpiresAt   time.Time         `json:"expires_at"`
	Permissions map[string]string `json:"permissions"`
}

func checkApp(ctx context.Context, c *caller, app forge.App, kind Kind, o Options, out *forge.AppCheck) error {
	// Which App: a 401 refuses the ID or the key.
	a, err := c.do(ctx, http.MethodGet, "app", nil)
	if err != nil {
		return err
	}
	if a.Status == http.StatusUnauthorized {
		out.Invalid = true
		out.Problem = fmt.Sprintf("GitHub refuses the App's JWT (401): App ID %d and the private key do not belong together, or the key was deleted", app.ID)
		return nil
	}
	if a.Status != http.StatusOK {
		return &UnverifiedError{Reason: fmt.Sprintf("GitHub answered %d to GET /app, which tells nothing about the App", a.Status)}
	}
	var ghApp gh.App
	if err := json.Unmarshal([]byte(a.Body), &ghApp); err != nil || ghApp.GetID() != app.ID {
		return &UnverifiedError{Reason: fmt.Sprintf("GitHub's answer to GET /app is not App %d", app.ID)}
	}
	out.Slug, out.Name = ghApp.GetSlug(), ghApp.GetName()

	// Installed on the repository, and not suspended?
	a, err = c.do(ctx, http.MethodGet, repoPath(o)+"/installation", nil)
	if err != nil {
		return err
	}
	wants := fineGrainedWants(kind, o.Also)
	switch a.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		for _, p := range wants {
			out.Requirements = append(out.Requirements, Requirement{Name: p.String(), Verdict: Missing, Certainty: Observed,
				Detail: fmt.Sprintf("the App is not installed on %s/%s (404): install it there, for this repository or all of the owner's", o.Owner, o.Repo)})
		}
		return nil
	default:
		return &UnverifiedError{Reason: fmt.Sprintf("GitHub answered %d to GET /%s/installation", a.Status, repoPath(o))}
	}
	var inst gh.Installation
	if err := json.Unmarshal([]byte(a.Body), &inst); err != nil || inst.GetID() <= 0 {
		return &UnverifiedError{Reason: fmt.Sprintf("GitHub's answer to GET /%s/installation is not an installation", repoPath(o))}
	}
	out.InstallationID, out.Account = inst.GetID(), inst.GetAccount().GetLogin()
	if app.InstallationID != 0 && app.InstallationID != inst.GetID() {
		out.Invalid = true
		out.Problem = fmt.Sprintf("installation %d is not the App's installation on %s/%s, which is %d: leave --installation-id out, or give that one", app.InstallationID, o.Owner, o.Repo, inst.GetID())
		return nil
	}
	if inst.SuspendedAt != nil {
		out.Invalid = true
		out.Problem = fmt.Sprintf("the App's installation %d on %s is suspended (since %s): Argo CD cannot use it; unsuspend it in the owner's settings", inst.GetID(), out.Account, inst.GetSuspendedAt().UTC().Format(time.RFC3339))
		return nil
	}

	return checkPermissions(ctx, c, inst.GetID(), wants, o, out)
}

// checkPermissions asks for an installation token for the repository
// alone, which shows what the installation may do there, and compares its
// permissions with wants.
func checkPermissions(ctx context.Context, c *caller, id int64, wants []Permission, o Options, out *forge.AppCheck) error {
	// An installation token for that repository alone shows what it may do.
	a, err := c.do(ctx, http.MethodPost, "app/installations/"+strconv.FormatInt(id, 10)+"/access_tokens",
		&gh.InstallationTokenOptions{Repositories: []string{o.Repo}})
	if err != nil {
		return err
	}
	switch a.Status {
	case http.StatusCreated, http.StatusOK:
	case http.StatusForbidden:
		out.Invalid = true
		out.Problem = fmt.Sprintf("GitHub refuses an installation token for installation %d (403): it may be suspended", id)
		return nil
	case http.StatusUnprocessableEntity, http.StatusNotFound:
		for _, p := range wants {
			out.Requirements = append(out.Requirements, Requirement{Name: p.String(), Verdict: Missing, Certainty: Observed,
				Detail: fmt.Sprintf("GitHub refuses an installation token for %s (%d): add the repository to the installation", o.Repo, a.Status)})
		}
		return nil
	default:
		return &UnverifiedError{Reason: fmt.Sprintf("GitHub answered %d to POST /app/installations/%d/access_tokens", a.Status, id)}
	}
	var it installationToken
	if err := json.Unmarshal([]byte(a.Body), &it); err != nil || it.Token == "" || it.Permissions == nil {
		return &UnverifiedError{Reason: "GitHub's answer to POST /app/installations/…/access_tokens is not an installation token with permissions"}
	}
	out.Token = token.New(it.Token, Other)
	var granted []string
	for name, level := range it.Permissions {
		granted = append(granted, name+"="+level)
	}
	sort.Strings(granted)
	out.Scopes = granted
	for _, want := range wants {
		have := it.Permissions[want.Name]
		r := Requirement{Name: want.String(), Verdict: Missing, Certainty: Observed}
		switch {
		case have == "write" || have == want.Level || (want.Level == "read" && have == "admin"):
			r.Verdict, r.Detail = Granted, "the installation token has "+want.Name+"="+have
		case have == "":
			r.Detail = "the installation has no " + want.Name + " permission: add it in the App's permissions (the owner must accept the change)"
		default:
			r.Detail = fmt.Sprintf("the installation has %s=%s, %s needed", want.Name, have, want.Level)
		}
		out.Requirements = append(out.Requirements, r)
	}
	return nil
}

// AppRequests lists the requests an App's check sends, for the
// documentation.
func AppRequests() []string {
	o := Options{Owner: "OWNER", Repo: "REPO"}
	return []string{
		"GET /app (GitHub App, with its JWT: which App)",
		"GET /" + repoPath(o) + "/installation (GitHub App: installed on the repository? suspended?)",
		`POST /app/installations/ID/access_tokens with body {"repositories":["REPO"]} (GitHub App: an installation token for that repository, whose permissions are read)`,
	}
}

// InstallationToken implements forge.Apps: the App's JWT finds its
// installation on owner/repo (unless app.InstallationID names it), then
// asks for a token narrowed to that repository. Refusals are errors that
// say what to do; the answers' text is never repeated.
func (Forge) InstallationToken(ctx context.Context, app forge.App, owner, repo string, o forge.Options) (token.Token, error) {
	o.Owner, o.Repo = owner, repo
	if err := o.Validate(); err != nil {
		return token.Token{}, err
	}
	jwtTok, err := AppJWT(app.Key, app.ID, o.Now)
	if err != nil {
		return token.Token{}, err
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	o.HTTPClient = forge.HTTPClient(o.HTTPClient)
	c := &caller{tok: jwtTok, opts: o, retryWrites: true}
	id := app.InstallationID
	if id == 0 {
		a, err := c.do(ctx, http.MethodGet, repoPath(o)+"/installation", nil)
		if err != nil {
			return token.Token{}, err
		}
		var inst gh.Installation
		switch {
		case a.Status == http.StatusUnauthorized:
			return token.Token{}, &Error{Op: "authenticate as GitHub App " + strconv.FormatInt(app.ID, 10), Status: a.Status,
				Reason: "GitHub refuses the App's JWT (401)", Hint: "check --app-id and the private key"}
		case a.Status == http.StatusNotFound:
			return token.Token{}, &Error{Op: "find GitHub App " + strconv.FormatInt(app.ID, 10) + " on " + owner + "/" + repo, Status: a.Status,
				Reason: "the App is not installed on the repository (404)", Hint: "install it there; an App cannot create a repository for rtconf, so create it first (or use a token with --create)"}
		case a.Status != http.StatusOK || json.Unmarshal([]byte(a.Body), &inst) != nil || inst.GetID() <= 0:
			return token.Token{}, &UnverifiedError{Reason: fmt.Sprintf("GitHub answered %d to GET /%s/installation", a.Status, repoPath(o))}
		}
		id = inst.GetID()
	}
	a, err := c.do(ctx, http.MethodPost, "app/installations/"+strconv.FormatInt(id, 10)+"/access_tokens",
		&gh.InstallationTokenOptions{Repositories: []string{repo}})
	if err != nil {
		return token.Token{}, err
	}
	var it installationToken
	if (a.Status != http.StatusCreated && a.Status != http.StatusOK) || json.Unmarshal([]byte(a.Body), &it) != nil || it.Token == "" {
		return token.Token{}, &Error{Op: fmt.Sprintf("make an installation token of installation %d for %s/%s", id, owner, repo), Status: a.Status,
			Reason: fmt.Sprintf("GitHub answered %d", a.Status), Hint: "the installation may be suspended, or not given the repository"}
	}
	return ParseToken(it.Token)
}
