package seal

import (
	"fmt"
	"maps"
	"strconv"
	"time"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"

	"github.com/rtconf/rtconf/internal/argocd"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/labels"
)

// Annotations of an App's credentials, beside those of a token. None holds
// anything secret.
const (
	// AnnotationAppID is the App's ID.
	AnnotationAppID = labels.Prefix + "github-app-id"
	// AnnotationAppKey is the private key's fingerprint as the App's
	// settings show it (SHA256:…): which key to delete when it is replaced.
	AnnotationAppKey = labels.Prefix + "github-app-key"
	// AnnotationAppSlug is the App's slug, from the live check.
	AnnotationAppSlug = labels.Prefix + "github-app-slug"
)

// App seals an App's credentials as the runtime's Argo CD
// repository-credentials template, in the place of its Git runtime token:
// the same name, namespace, labels and url prefix, with the App's IDs (and,
// for an Enterprise Server, its API) as plain template data and only the
// private key encrypted. apiURL is the API the App belongs to.
func App(cfg *config.Config, rt config.Runtime, app forge.App, apiURL string, key *Certificate, now time.Time) (*ssv1alpha1.SealedSecret, error) {
	apps, ok := cfg.Forge().(forge.Apps)
	if !ok {
		return nil, fmt.Errorf("seal: %s has no Apps", cfg.Forge().Title())
	}
	if app.ID <= 0 || app.InstallationID <= 0 {
		return nil, fmt.Errorf("seal: App %d, installation %d: both IDs are needed", app.ID, app.InstallationID)
	}
	prefix, err := OwnerURL(cfg.Repository.URL)
	if err != nil {
		return nil, err
	}
	plain, secretKey := apps.AppRepoCreds(app, apiURL)
	fields := map[string]string{"type": "git", "url": prefix}
	maps.Copy(fields, plain)
	ann := meta(app.Key, now)
	ann[AnnotationAppID] = strconv.FormatInt(app.ID, 10)
	if fp := apps.AppKeyFingerprint(app.Key); fp != "" {
		ann[AnnotationAppKey] = fp
	}
	return Seal(key, Request{
		Name:      config.RuntimeTokenSecretName(rt),
		Namespace: cfg.ArgoNamespace(rt),
		Scope:     cfg.Sealing.Scope,
		Labels: map[string]string{
			argocd.SecretTypeLabel: argocd.SecretTypeRepoCreds,
			labels.Runtime:         rt.Name,
			labels.Token:           labels.TokenRuntime,
		},
		Annotations: ann,
		Secret:      map[string]string{secretKey: app.Key.Reveal()},
		Plain:       fields,
	})
}
