package workspace

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/token"
)

// appKind is the token kind sealed App credentials record
// (rtconf.io/token-kind).
const appKind = "github-app"

// AppAsUserTokenError is the message for an App on a runtime whose runtime
// token serves as its users' tokens: an App acts as itself, not as a user.
func AppAsUserTokenError(cfg *config.Config, rt config.Runtime) string {
	return fmt.Sprintf("runtime %q has runtimeTokenAsUserToken: true in %s, which a GitHub App cannot serve: "+
		"an App acts as itself, never as a user, so users need Git user tokens of their own; "+
		"set runtimeTokenAsUserToken to false (then seal each user's token with rtconf seal user-token), "+
		"or seal a runtime token instead", rt.Name, cfg.File)
}

// appAllowed checks that rt may have App credentials.
func appAllowed(cfg *config.Config, rt config.Runtime) error {
	if _, ok := cfg.Forge().(forge.Apps); !ok {
		return &UsageError{fmt.Sprintf("repository.provider %s in %s has no Apps: seal a runtime token with rtconf seal runtime-token", cfg.Forge().Name(), cfg.File)}
	}
	if rt.RuntimeTokenAsUserToken {
		return &UsageError{AppAsUserTokenError(cfg, rt)}
	}
	return nil
}

// replacing checks what the runtime token's place holds: sealed App
// credentials are replaced by a token, and a sealed token by App
// credentials, only with --replace; then the old credential is to be
// revoked, which the notes say.
func replacing(root *os.Root, cfg *config.Config, rt config.Runtime, slot generator.Slot, opts SealOptions) ([]string, error) {
	if slot.User != "" {
		return nil, nil
	}
	previous := sealedRecord(root, slot.Path())
	if previous == nil {
		return nil, nil
	}
	wasApp := previous[seal.AnnotationTokenKind] == appKind
	if wasApp == (opts.App != nil) {
		return nil, nil
	}
	was, now := "a sealed runtime token", "the GitHub App's credentials"
	if wasApp {
		was, now = "sealed GitHub App credentials", "a runtime token"
	}
	if !opts.Replace {
		return nil, &UsageError{fmt.Sprintf("%s holds %s of runtime %s: pass --replace to seal %s in their place (then revoke the old credential)", slot.Path(), was, rt.Name, now)}
	}
	what := "Git runtime token of runtime " + rt.Name
	if wasApp {
		what = "GitHub App credentials of runtime " + rt.Name
	}
	return []string{revokeNote(cfg, what, previous)}, nil
}

// liveCheckApp checks the App against the runtime's requirements unless
// told not to, fills in its installation ID from the check, and returns
// the annotations that record the result.
func liveCheckApp(ctx context.Context, cfg *config.Config, rt config.Runtime, app *forge.App, opts SealOptions) (map[string]string, []string, error) {
	if opts.SkipLiveCheck {
		return map[string]string{seal.AnnotationVerification: seal.VerificationUnverified},
			[]string{"sealed without a live check: the App's installation and permissions are unverified"}, nil
	}
	apps := cfg.Forge().(forge.Apps) // appAllowed checked it
	live := opts.Live
	if live.Owner == "" {
		live.Owner, live.Repo, _ = cfg.OwnerRepo()
	}
	dest, err := opts.Trust.Resolve(cfg.Forge(), cfg.Repository.URL, cfg.Repository.APIURL)
	if err != nil {
		return nil, nil, fmt.Errorf("%w; nothing was sent (pass --skip-live-check with --installation-id to seal the App unverified)", err)
	}
	live.APIURL, live.Now = dest.APIURL, opts.Now
	res, err := apps.CheckApp(ctx, *app, forge.NeedFor(forge.RuntimeToken, rt.RuntimeTokenAsUserToken), live)
	if err != nil {
		return nil, nil, fmt.Errorf("%w; pass --skip-live-check with --installation-id to seal it unverified", err)
	}
	reasons, warnings := refusals(res.Result)
	if reasons != nil {
		return nil, nil, &RefusedError{Reasons: reasons, What: "the GitHub App"}
	}
	app.InstallationID = res.InstallationID
	record := map[string]string{
		seal.AnnotationVerification: seal.VerificationVerified,
		seal.AnnotationCheckedAt:    opts.Now.UTC().Format(time.RFC3339),
		seal.AnnotationScopes:       strings.Join(res.Granted(), ", "),
	}
	if res.Slug != "" {
		record[seal.AnnotationAppSlug] = res.Slug
	}
	if res.Outcome() == forge.Inconclusive {
		record[seal.AnnotationVerification] = seal.VerificationPartial
	}
	return record, warnings, nil
}

// sealApp seals app into the runtime token's SealedSecret of rt, records
// the annotations of record on it, and renders it as a generated file that
// starts with comment. The Enterprise API it names is the repository's
// host's, whatever --api-url the check used: Argo CD reaches GitHub from
// the cluster.
func sealApp(cfg *config.Config, rt config.Runtime, app forge.App, cert *seal.Certificate, now time.Time, record map[string]string, comment string) ([]byte, error) {
	apiURL, err := cfg.Forge().AllowedAPIURL(cfg.Repository.URL, cfg.Repository.APIURL)
	if err != nil {
		return nil, err
	}
	obj, err := seal.App(cfg, rt, app, apiURL, cert, now)
	if err != nil {
		return nil, err
	}
	maps.Copy(obj.Annotations, record)
	return seal.Marshal(obj, generator.Header, comment)
}

// appRevokeNote says which App key to delete: the one sealed before, by
// the fingerprint the App's settings show.
func appRevokeNote(cfg *config.Config, what string, rec map[string]string) string {
	var facts []string
	if v := rec[seal.AnnotationAppID]; v != "" {
		facts = append(facts, "App "+v)
	}
	if v := rec[seal.AnnotationAppKey]; v != "" {
		facts = append(facts, "private key "+v)
	}
	if v := rec[seal.AnnotationSealedAt]; v != "" {
		facts = append(facts, "sealed "+v)
	}
	note := "once this is merged and Argo CD has synced it, delete the private key of the previous " + what
	if len(facts) > 0 {
		note += " (" + strings.Join(facts, ", ") + ")"
	}
	host := ""
	if u, err := url.Parse(cfg.Repository.URL); err == nil {
		host = forge.Host(u)
	}
	if apps, ok := cfg.Forge().(forge.Apps); ok {
		note += " " + apps.AppRevokeHint(host, rec[seal.AnnotationAppSlug])
	}
	return note
}

// AppID reads --app-id or --installation-id.
func AppID(flag, v string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, &UsageError{fmt.Sprintf("%s %q: give the numeric ID (the App's settings page shows it)", flag, v)}
	}
	return id, nil
}

// RepoForge is the Git provider of the repository in dir (rtconf.yaml's
// repository.provider).
func RepoForge(dir, configFile string) (forge.Forge, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	defer root.Close()
	cfg, err := loadConfig(root, dir, configFile)
	if err != nil {
		return nil, err
	}
	return cfg.Forge(), nil
}

// AppToken is an installation token of app for the repository at repoURL
// (configured: repository.apiURL) on f's host, from the API trust allows:
// what init --push/--protect and --pr authenticate with as a GitHub App.
func AppToken(ctx context.Context, f forge.Forge, repoURL, configured string, trust forge.Trust, app forge.App, live forge.Options) (token.Token, error) {
	apps, ok := f.(forge.Apps)
	if !ok {
		return token.Token{}, &UsageError{f.Title() + " has no Apps: authenticate with a token"}
	}
	u, err := url.Parse(repoURL)
	if err != nil {
		return token.Token{}, &UsageError{fmt.Sprintf("repository URL %q is not a URL", repoURL)}
	}
	owner, name, hint := f.RepoPath(u.Path)
	if hint != "" {
		return token.Token{}, &UsageError{fmt.Sprintf("repository URL %s: %s", forge.RedactURL(u), hint)}
	}
	dest, err := trust.Resolve(f, repoURL, configured)
	if err != nil {
		return token.Token{}, err
	}
	live.APIURL = dest.APIURL
	return apps.InstallationToken(ctx, app, owner, name, live)
}

// RepoConfig is the repository's URL, API and provider from rtconf.yaml in
// dir.
func RepoConfig(dir, configFile string) (repoURL, apiURL string, f forge.Forge, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", "", nil, fmt.Errorf("open repository: %w", err)
	}
	defer root.Close()
	cfg, err := loadConfig(root, dir, configFile)
	if err != nil {
		return "", "", nil, err
	}
	return cfg.Repository.URL, cfg.Repository.APIURL, cfg.Forge(), nil
}
