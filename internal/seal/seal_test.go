package seal_test

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

// The fake tokens sealed in these tests.
var (
	runtimeValue = testcreds.Classic("RUNTIME0runtime0")
	userValue    = testcreds.FineGrained("11USER0user0_U")
)

const (
	// demoFingerprint is the fingerprint of templates/demo/cert.pem, as
	// templates/demo/rtconf.yaml pins it.
	demoFingerprint = "sha256:6ed28b1191f6a9666420a81a3af9b5fbd7a3ec324f5c5ff073544f5e3c7733d3"
	namespaceWide   = ssv1alpha1.SealedSecretNamespaceWideAnnotation
	clusterWide     = ssv1alpha1.SealedSecretClusterWideAnnotation
)

// sealedAt is not in UTC, to see that the annotation is.
var sealedAt = time.Date(2027, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))

const sealedAtUTC = "2027-03-01T08:30:00Z"

func demoCert(tb testing.TB) *seal.Certificate {
	tb.Helper()
	data, err := os.ReadFile("../../templates/demo/cert.pem")
	if err != nil {
		tb.Fatal(err)
	}
	c, err := seal.ParseCertificate("demo", data)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func mustToken(tb testing.TB, v string) token.Token {
	tb.Helper()
	tok, err := github.ParseToken(v)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// parseConfig builds a configuration through config.Parse, so that its
// defaults apply. extra is YAML added at the top level.
func parseConfig(tb testing.TB, extra string) *config.Config {
	tb.Helper()
	src := `repository:
  url: https://github.com/acme/shared-config
runtimes:
  - name: prod
    namespace: codefresh
    users: [Alice, bob]
` + extra
	cfg, err := config.Parse("rtconf.yaml", []byte(src))
	if err != nil {
		tb.Fatalf("config.Parse:\n%s\n%v", src, err)
	}
	return cfg
}

// secret is what is compared of an unsealed Secret.
type secret struct {
	Name, Namespace string
	Type            corev1.SecretType
	Labels          map[string]string
	Annotations     map[string]string
	Data            map[string]string
}

func unseal(t *testing.T, ss *ssv1alpha1.SealedSecret) (secret, error) {
	t.Helper()
	s, err := ss.Unseal(seal.Codecs(), testcreds.DemoKeys(t))
	if err != nil {
		return secret{}, err
	}
	data := map[string]string{}
	for k, v := range s.Data {
		data[k] = string(v)
	}
	return secret{s.Name, s.Namespace, s.Type, s.Labels, s.Annotations, data}, nil
}

var scopeCases = []struct {
	name    string
	yaml    string // added to the configuration
	scope   config.Scope
	argoNS  string // where the runtime token goes
	scopeAn map[string]string
}{
	{name: "strict by default", scope: config.ScopeStrict, argoNS: "codefresh"},
	{name: "strict with an Argo CD namespace", yaml: "argocd:\n  namespace: argocd\nsealing:\n  scope: strict\n", scope: config.ScopeStrict, argoNS: "argocd"},
	{name: "namespace-wide", yaml: "sealing:\n  scope: namespace-wide\n", scope: config.ScopeNamespaceWide, argoNS: "codefresh", scopeAn: map[string]string{namespaceWide: "true"}},
	{name: "cluster-wide", yaml: "sealing:\n  scope: cluster-wide\n", scope: config.ScopeClusterWide, argoNS: "codefresh", scopeAn: map[string]string{clusterWide: "true"}},
}

func TestRuntimeToken(t *testing.T) {
	cert := demoCert(t)
	tok := mustToken(t, runtimeValue)
	for _, tc := range scopeCases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseConfig(t, tc.yaml)
			if cfg.Sealing.Scope != tc.scope {
				t.Fatalf("configuration scope %q, want %q", cfg.Sealing.Scope, tc.scope)
			}
			ss, err := seal.RuntimeToken(cfg, cfg.Runtimes[0], tok, cert, sealedAt)
			if err != nil {
				t.Fatal(err)
			}
			labels := map[string]string{
				"argocd.argoproj.io/secret-type": "repo-creds",
				"rtconf.io/runtime":              "prod",
				"rtconf.io/token":                "runtime",
			}
			annotations := map[string]string{
				"rtconf.io/sealed-for":        tc.argoNS + "/prod-git-runtime-token",
				"rtconf.io/token-kind":        "classic",
				"rtconf.io/token-fingerprint": tok.Fingerprint(),
				"rtconf.io/sealed-at":         sealedAtUTC,
				"rtconf.io/certificate":       demoFingerprint,
				// Argo CD never prunes its own credentials.
				"argocd.argoproj.io/sync-options": "Prune=false",
			}
			maps.Copy(annotations, tc.scopeAn)
			// The Secret the controller makes carries it too.
			secretAn := map[string]string{"argocd.argoproj.io/sync-options": "Prune=false"}
			maps.Copy(secretAn, tc.scopeAn)
			checkSealed(t, ss, sealed{
				name: "prod-git-runtime-token", namespace: tc.argoNS,
				labels: labels, annotations: annotations,
				encrypted: []string{"password"},
			})
			got, err := unseal(t, ss)
			if err != nil {
				t.Fatalf("Unseal: %v", err)
			}
			want := secret{
				Name: "prod-git-runtime-token", Namespace: tc.argoNS, Type: corev1.SecretTypeOpaque,
				Labels:      labels,
				Annotations: secretAn,
				Data: map[string]string{
					"password": runtimeValue,
					"type":     "git",
					"url":      "https://github.com/acme/",
					"username": "x-access-token",
				},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("unsealed Secret (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUserToken(t *testing.T) {
	cert := demoCert(t)
	tok := mustToken(t, userValue)
	for _, tc := range scopeCases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseConfig(t, tc.yaml)
			// The login as written in rtconf.yaml, mixed case.
			ss, err := seal.UserToken(cfg, cfg.Runtimes[0], "Alice", tok, cert, sealedAt)
			if err != nil {
				t.Fatal(err)
			}
			labels := map[string]string{
				"rtconf.io/runtime": "prod",
				"rtconf.io/token":   "user",
				"rtconf.io/user":    "alice",
			}
			annotations := map[string]string{
				// The runtime's namespace, whatever Argo CD's is.
				"rtconf.io/sealed-for":        "codefresh/prod-git-user-token-alice",
				"rtconf.io/token-kind":        "fine-grained",
				"rtconf.io/token-fingerprint": tok.Fingerprint(),
				"rtconf.io/sealed-at":         sealedAtUTC,
				"rtconf.io/certificate":       demoFingerprint,
			}
			maps.Copy(annotations, tc.scopeAn)
			checkSealed(t, ss, sealed{
				name: "prod-git-user-token-alice", namespace: "codefresh",
				labels: labels, annotations: annotations,
				encrypted: []string{"token"},
			})
			got, err := unseal(t, ss)
			if err != nil {
				t.Fatalf("Unseal: %v", err)
			}
			want := secret{
				Name: "prod-git-user-token-alice", Namespace: "codefresh", Type: corev1.SecretTypeOpaque,
				Labels:      labels,
				Annotations: tc.scopeAn,
				Data:        map[string]string{"token": userValue, "username": "alice"},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("unsealed Secret (-want +got):\n%s", diff)
			}
		})
	}
}

type sealed struct {
	name, namespace     string
	labels, annotations map[string]string
	encrypted           []string
}

func checkSealed(t *testing.T, ss *ssv1alpha1.SealedSecret, want sealed) {
	t.Helper()
	if ss.APIVersion != "bitnami.com/v1alpha1" || ss.Kind != "SealedSecret" {
		t.Errorf("apiVersion/kind = %s/%s, want bitnami.com/v1alpha1/SealedSecret", ss.APIVersion, ss.Kind)
	}
	if ss.Name != want.name || ss.Namespace != want.namespace {
		t.Errorf("SealedSecret is %s/%s, want %s/%s", ss.Namespace, ss.Name, want.namespace, want.name)
	}
	// The SealedSecret carries rtconf's managed-by label; the Secret made
	// from it does not.
	wantLabels := maps.Clone(want.labels)
	wantLabels["app.kubernetes.io/managed-by"] = "rtconf"
	if diff := cmp.Diff(wantLabels, ss.Labels); diff != "" {
		t.Errorf("SealedSecret labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.annotations, ss.Annotations); diff != "" {
		t.Errorf("SealedSecret annotations (-want +got):\n%s", diff)
	}
	if got := slices.Sorted(maps.Keys(ss.Spec.EncryptedData)); !slices.Equal(got, want.encrypted) {
		t.Errorf("encryptedData keys %q, want %q", got, want.encrypted)
	}
	if ss.Spec.Template.Name != want.name || ss.Spec.Template.Namespace != want.namespace {
		t.Errorf("template is %s/%s, want %s/%s", ss.Spec.Template.Namespace, ss.Spec.Template.Name, want.namespace, want.name)
	}
	if ss.Spec.Data != nil {
		t.Errorf("the deprecated spec.data is set")
	}
}

// TestScopeBindsNameAndNamespace renames SealedSecrets as a Kustomize
// namePrefix, nameSuffix or namespace would, and checks which scopes still
// open.
func TestScopeBindsNameAndNamespace(t *testing.T) {
	cert := demoCert(t)
	tok := mustToken(t, runtimeValue)
	renames := []struct {
		name   string
		rename func(ss *ssv1alpha1.SealedSecret)
		// Whether it still opens, by scope.
		strict, nsWide, cluster bool
	}{
		{name: "unchanged", rename: func(*ssv1alpha1.SealedSecret) {}, strict: true, nsWide: true, cluster: true},
		{name: "namePrefix", rename: func(ss *ssv1alpha1.SealedSecret) { ss.Name = "staging-" + ss.Name }, nsWide: true, cluster: true},
		{name: "nameSuffix", rename: func(ss *ssv1alpha1.SealedSecret) { ss.Name += "-v2" }, nsWide: true, cluster: true},
		{name: "namespace", rename: func(ss *ssv1alpha1.SealedSecret) { ss.Namespace = "other" }, cluster: true},
		{name: "namePrefix and namespace", rename: func(ss *ssv1alpha1.SealedSecret) {
			ss.Name = "staging-" + ss.Name
			ss.Namespace = "other"
		}, cluster: true},
	}
	for _, tc := range scopeCases {
		cfg := parseConfig(t, tc.yaml)
		ss, err := seal.RuntimeToken(cfg, cfg.Runtimes[0], tok, cert, sealedAt)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range renames {
			t.Run(tc.name+"/"+r.name, func(t *testing.T) {
				want := map[config.Scope]bool{
					config.ScopeStrict:        r.strict,
					config.ScopeNamespaceWide: r.nsWide,
					config.ScopeClusterWide:   r.cluster,
				}[tc.scope]
				moved := ss.DeepCopy()
				r.rename(moved)
				got, err := unseal(t, moved)
				switch {
				case want && err != nil:
					t.Fatalf("%s-scoped SealedSecret moved to %s/%s does not open: %v", tc.scope, moved.Namespace, moved.Name, err)
				case !want && err == nil:
					t.Fatalf("%s-scoped SealedSecret moved to %s/%s opens", tc.scope, moved.Namespace, moved.Name)
				case want:
					if got.Data["password"] != runtimeValue || got.Name != moved.Name || got.Namespace != moved.Namespace {
						t.Errorf("opened as %s/%s with password %q", got.Namespace, got.Name, got.Data["password"])
					}
				default:
					if strings.Contains(err.Error(), runtimeValue) {
						t.Errorf("Unseal error contains the token: %v", err)
					}
				}
			})
		}
	}
}

func TestSealErrors(t *testing.T) {
	cert := demoCert(t)
	tok := mustToken(t, runtimeValue)

	// A configuration config.Parse would refuse, to reach OwnerURL's error.
	cfg := &config.Config{Repository: config.Repository{URL: "https://github.com/acme"}, Sealing: config.Sealing{Scope: config.ScopeStrict}}
	rt := config.Runtime{Name: "prod", Namespace: "codefresh"}
	_, err := seal.RuntimeToken(cfg, rt, tok, cert, sealedAt)
	if want := `repository URL "https://github.com/acme": no owner in its path`; err == nil || err.Error() != want {
		t.Errorf("RuntimeToken error = %v, want %q", err, want)
	}

	_, err = seal.Seal(cert, seal.Request{Name: "x", Scope: config.ScopeStrict, Secret: map[string]string{"token": runtimeValue}})
	if want := "seal /x: secret must declare a namespace"; err == nil || err.Error() != want {
		t.Errorf("Seal without a namespace: error = %v, want %q", err, want)
	}

	// Cluster-wide needs no namespace.
	if _, err := seal.Seal(cert, seal.Request{Name: "x", Scope: config.ScopeClusterWide, Secret: map[string]string{"token": runtimeValue}}); err != nil {
		t.Errorf("cluster-wide Seal without a namespace: %v", err)
	}
}

func TestOwnerURL(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "https://github.com/acme/shared-config", want: "https://github.com/acme/"},
		{in: "https://github.com/acme/shared-config.git", want: "https://github.com/acme/"},
		{in: "https://github.com/acme/shared-config/", want: "https://github.com/acme/"},
		{in: "https://github.com/acme/shared-config.git/", want: "https://github.com/acme/"},
		{in: "https://ghe.example.com/acme/shared-config", want: "https://ghe.example.com/acme/"},
		{in: "https://ghe.example.com:8443/acme/shared-config", want: "https://ghe.example.com:8443/acme/"},
		{in: "https://git.example.com/github/acme/shared-config", want: "https://git.example.com/github/acme/"},
		{in: "https://git.example.com/github/acme/shared-config.git/", want: "https://git.example.com/github/acme/"},
		{in: "https://user:secret@github.com/acme/shared-config", want: "https://github.com/acme/"},
		{in: "https://github.com/acme/shared-config?ref=main#top", want: "https://github.com/acme/"},
		{in: "", err: `repository URL "": not an absolute URL`},
		{in: "github.com/acme/shared-config", err: `repository URL "github.com/acme/shared-config": not an absolute URL`},
		{in: "/acme/shared-config", err: `repository URL "/acme/shared-config": not an absolute URL`},
		{in: "https://github.com%zz/acme/repo", err: `repository URL "https://github.com%zz/acme/repo": not an absolute URL`},
		{in: "https://github.com", err: `repository URL "https://github.com": no owner in its path`},
		{in: "https://github.com/", err: `repository URL "https://github.com/": no owner in its path`},
		{in: "https://github.com/acme", err: `repository URL "https://github.com/acme": no owner in its path`},
		{in: "https://github.com/acme/", err: `repository URL "https://github.com/acme/": no owner in its path`},
		{in: "https://github.com//shared-config", err: `repository URL "https://github.com//shared-config": no owner in its path`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := seal.OwnerURL(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("OwnerURL(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("OwnerURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if !strings.HasPrefix(strings.TrimSuffix(tt.in, "/"), strings.TrimSuffix(got, "/")) && !strings.Contains(tt.in, "@") {
				t.Errorf("OwnerURL(%q) = %q is not a prefix of it", tt.in, got)
			}
		})
	}
}

func BenchmarkSealRuntimeToken(b *testing.B) {
	cert := demoCert(b)
	cfg := parseConfig(b, "")
	rt := cfg.Runtimes[0]
	tok := mustToken(b, runtimeValue)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := seal.RuntimeToken(cfg, rt, tok, cert, sealedAt); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleOwnerURL() {
	u, _ := seal.OwnerURL("https://github.com/acme/shared-config.git")
	fmt.Println(u)
	// Output: https://github.com/acme/
}

// TestGitLabRepoCreds: a GitLab runtime token unseals into repo-creds Argo
// CD uses for the project the Applications name: the url is a prefix of
// Argo CD's normalised form (lower case, .git dropped) of the repoURL rtconf
// writes (with .git) and of the project's URL without it; the username is
// not empty; the token is the password.
func TestGitLabRepoCreds(t *testing.T) {
	for _, url := range []string{
		"https://gitlab.com/acme/platform/shared-config",
		"https://gitlab.com/acme/platform/shared-config.git",
		"https://git.example.com/Acme/deep/er/nested/shared-config",
	} {
		cfg, err := config.Parse("rtconf.yaml", []byte("repository:\n  url: "+url+"\n  provider: gitlab\nruntimes:\n  - name: prod\n    namespace: codefresh\n"))
		if err != nil {
			t.Fatal(err)
		}
		value := "glpat-" + strings.Repeat("k", 20)
		tok, err := cfg.Forge().ParseToken(value)
		if err != nil {
			t.Fatal(err)
		}
		ss, err := seal.RuntimeToken(cfg, cfg.Runtimes[0], tok, demoCert(t), sealedAt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := unseal(t, ss)
		if err != nil {
			t.Fatal(err)
		}
		normalise := func(u string) string { return strings.TrimSuffix(strings.ToLower(u), ".git") }
		prefix := strings.ToLower(got.Data["url"])
		for _, repoURL := range []string{cfg.ArgoRepoURL(), strings.TrimSuffix(url, ".git"), strings.TrimSuffix(url, ".git") + ".git"} {
			if !strings.HasPrefix(normalise(repoURL), prefix) {
				t.Errorf("%s: repo-creds url %q is not a prefix of %q (Argo CD's form of %s)", url, got.Data["url"], normalise(repoURL), repoURL)
			}
		}
		if !strings.HasSuffix(cfg.ArgoRepoURL(), ".git") || got.Data["username"] == "" || got.Data["password"] != value || got.Data["type"] != "git" {
			t.Errorf("%s: repoURL %q, repo-creds %v", url, cfg.ArgoRepoURL(), got.Data)
		}
	}
}
