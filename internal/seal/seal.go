package seal

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/yaml"

	"github.com/rtconf/rtconf/internal/argocd"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/labels"
	"github.com/rtconf/rtconf/internal/token"
)

// Annotations rtconf puts on a SealedSecret. None holds anything secret.
const (
	// AnnotationSealedFor is "namespace/name" the secret was sealed for;
	// the validator compares it with the rendered object.
	AnnotationSealedFor = labels.Prefix + "sealed-for"
	// AnnotationTokenKind is classic, fine-grained or other.
	AnnotationTokenKind = labels.Prefix + "token-kind"
	// AnnotationTokenFingerprint is token.Token.Fingerprint.
	AnnotationTokenFingerprint = labels.Prefix + "token-fingerprint"
	// AnnotationSealedAt is when the token was sealed (RFC 3339, UTC).
	AnnotationSealedAt = labels.Prefix + "sealed-at"
	// AnnotationCertificate is the fingerprint of the certificate used.
	AnnotationCertificate = labels.Prefix + "certificate"
	// AnnotationScopes and AnnotationExpiresAt are filled in by live token
	// checks: the verified scopes or permissions, and the expiry.
	AnnotationScopes    = labels.Prefix + "token-scopes"
	AnnotationExpiresAt = labels.Prefix + "token-expires-at"
	// AnnotationCheckedAt is when the live check ran.
	AnnotationCheckedAt = labels.Prefix + "token-checked-at"
	// AnnotationVerification is VerificationVerified, VerificationPartial
	// or VerificationUnverified.
	AnnotationVerification = labels.Prefix + "token-verification"
)

// Values of AnnotationVerification.
const (
	// VerificationVerified: every requirement was granted.
	VerificationVerified = "verified"
	// VerificationPartial: nothing missing, but some requirements could
	// not be observed (a fine-grained token's writes, not probed).
	VerificationPartial = "partial"
	// VerificationUnverified: sealed with --skip-live-check.
	VerificationUnverified = "unverified"
)

// Request is what to seal and how.
type Request struct {
	Name, Namespace string
	Scope           config.Scope
	Type            corev1.SecretType
	Labels          map[string]string
	Annotations     map[string]string
	// Keep annotations go on the SealedSecret and on the Secret the
	// controller makes from it.
	Keep map[string]string
	// Secret values are encrypted.
	Secret map[string]string
	// Plain values stay readable in the template.
	Plain map[string]string
}

// Seal encrypts r's secret values with key into a SealedSecret.
func Seal(key *Certificate, r Request) (*ssv1alpha1.SealedSecret, error) {
	// The controller runs plain template values as Go templates over the
	// decrypted ones: "{{" could copy a secret into a plain field.
	for k, v := range r.Plain {
		if strings.Contains(v, "{{") {
			return nil, fmt.Errorf("seal %s/%s: the value of %s contains \"{{\", which the controller would run as a template", r.Namespace, r.Name, k)
		}
	}
	if r.Type == "" {
		r.Type = corev1.SecretTypeOpaque
	}
	annotations := map[string]string{}
	switch r.Scope {
	case config.ScopeNamespaceWide:
		annotations[ssv1alpha1.SealedSecretNamespaceWideAnnotation] = "true"
	case config.ScopeClusterWide:
		annotations[ssv1alpha1.SealedSecretClusterWideAnnotation] = "true"
	}
	for k, v := range r.Keep {
		annotations[k] = v
	}
	secret := &corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        r.Name,
			Namespace:   r.Namespace,
			Labels:      r.Labels,
			Annotations: annotations,
		},
		Type:       r.Type,
		StringData: r.Secret,
	}
	ss, err := ssv1alpha1.NewSealedSecret(codecs(), key.Key, secret)
	if err != nil {
		return nil, fmt.Errorf("seal %s/%s: %w", r.Namespace, r.Name, err)
	}
	ss.TypeMeta = metav1.TypeMeta{APIVersion: ssv1alpha1.SchemeGroupVersion.String(), Kind: "SealedSecret"}
	ss.Labels = copyMap(r.Labels)
	// rtconf manages the SealedSecret, not the Secret the controller makes
	// from it: the label is on the SealedSecret only.
	ss.Labels[labels.ManagedBy] = labels.ManagedByValue
	for k, v := range r.Annotations {
		ss.Annotations[k] = v
	}
	for k, v := range r.Keep {
		ss.Annotations[k] = v
	}
	ss.Annotations[AnnotationSealedFor] = r.Namespace + "/" + r.Name
	ss.Annotations[AnnotationCertificate] = key.Fingerprint
	if len(r.Plain) > 0 {
		ss.Spec.Template.Data = r.Plain
	}
	if len(ss.Spec.Template.Annotations) == 0 {
		ss.Spec.Template.Annotations = nil
	}
	return ss, nil
}

func codecs() serializer.CodecFactory {
	return serializer.NewCodecFactory(runtime.NewScheme())
}

// Codecs is the codec factory to pass to (*SealedSecret).Unseal.
func Codecs() serializer.CodecFactory { return codecs() }

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Meta describes a sealing for the annotations.
func meta(t token.Token, now time.Time) map[string]string {
	return map[string]string{
		AnnotationTokenKind:        string(t.Kind()),
		AnnotationTokenFingerprint: t.Fingerprint(),
		AnnotationSealedAt:         now.UTC().Format(time.RFC3339),
	}
}

// RuntimeToken seals a runtime's Git runtime token as an Argo CD
// repository-credentials Secret for every repository of the owner of the
// shared configuration repository.
func RuntimeToken(cfg *config.Config, rt config.Runtime, t token.Token, key *Certificate, now time.Time) (*ssv1alpha1.SealedSecret, error) {
	prefix, err := OwnerURL(cfg.Repository.URL)
	if err != nil {
		return nil, err
	}
	// The fields beside type and url are the provider's: GitHub's are a
	// username and the token as password.
	plain, secretKey := cfg.Forge().RepoCreds(t)
	fields := map[string]string{"type": "git", "url": prefix}
	for k, v := range plain {
		fields[k] = v
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
		Annotations: meta(t, now),
		// Argo CD must never prune the credentials it fetches with: a
		// commit that dropped them would lock it out of the repository
		// that could bring them back (argo-cd #2438).
		Keep:   map[string]string{argocd.SyncOptionsAnnotation: argocd.SyncOptionNoPrune},
		Secret: map[string]string{secretKey: t.Reveal()},
		Plain:  fields,
	})
}

// UserToken seals a user's Git user token in the runtime's namespace.
func UserToken(cfg *config.Config, rt config.Runtime, login string, t token.Token, key *Certificate, now time.Time) (*ssv1alpha1.SealedSecret, error) {
	login = strings.ToLower(login)
	return Seal(key, Request{
		Name:      config.UserTokenSecretName(rt, login),
		Namespace: rt.Namespace,
		Scope:     cfg.Sealing.Scope,
		Labels: map[string]string{
			labels.Runtime: rt.Name,
			labels.Token:   labels.TokenUser,
			labels.User:    login,
		},
		Annotations: meta(t, now),
		Secret:      map[string]string{"token": t.Reveal()},
		Plain:       map[string]string{"username": login},
	})
}

// OwnerURL is the URL prefix of every repository of the owner of repoURL:
// https://github.com/acme/shared-config becomes https://github.com/acme/.
func OwnerURL(repoURL string) (string, error) {
	u, err := url.Parse(repoURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("repository URL %q: not an absolute URL", repoURL)
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) < 2 || segs[0] == "" {
		return "", fmt.Errorf("repository URL %q: no owner in its path", repoURL)
	}
	return u.Scheme + "://" + u.Host + "/" + strings.Join(segs[:len(segs)-1], "/") + "/", nil
}

// Marshal renders a SealedSecret as a generated file with a comment.
func Marshal(ss *ssv1alpha1.SealedSecret, header, comment string) ([]byte, error) {
	body, err := yaml.Marshal(ss)
	if err != nil {
		return nil, fmt.Errorf("render SealedSecret %s: %w", ss.Name, err)
	}
	var b strings.Builder
	b.WriteString(header)
	for _, line := range strings.Split(strings.TrimSpace(comment), "\n") {
		if line != "" {
			b.WriteString("# " + line + "\n")
		}
	}
	b.Write(body)
	return []byte(b.String()), nil
}

// CheckCiphertext lints one sealed value offline, for keyBytes, the size in
// bytes of the pinned certificate's RSA key (0: unknown), and says what is
// wrong with it ("" when nothing is). It is the one definition of a usable
// sealed value: rtconf validate reports what it finds as ciphertext errors,
// and rtconf status counts a token with such a value as not sealed.
// Sealed-secrets writes a two-byte length, the RSA-OAEP encrypted session
// key (as long as the RSA key), then the AES-GCM sealed data with its
// 16-byte tag.
func CheckCiphertext(v string, keyBytes int) string {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "is not valid base64"
	}
	if len(b) < 2 {
		return "is too short to be ciphertext"
	}
	n := int(b[0])<<8 | int(b[1])
	if keyBytes > 0 && n != keyBytes {
		return fmt.Sprintf("was encrypted for a %d-bit key, but the pinned certificate's key has %d bits", n*8, keyBytes*8)
	}
	if len(b) < 2+n+16 {
		return "is truncated"
	}
	return ""
}
