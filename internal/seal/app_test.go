package seal_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// TestApp: an App's credentials unseal into the repo-creds Argo CD reads,
// with only the private key encrypted.
func TestApp(t *testing.T) {
	_, pemKey := testcreds.AppKey(t)
	key, err := github.Forge{}.ParseAppKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	app := forge.App{ID: 42, InstallationID: 7, Key: key}
	for _, tc := range []struct {
		name, url, api string
		enterprise     string
	}{
		{name: "github.com", url: "https://github.com/acme/shared-config", api: "https://api.github.com/"},
		{name: "Enterprise Server", url: "https://ghe.example.com/acme/shared-config", api: "https://ghe.example.com/api/v3/", enterprise: "https://ghe.example.com/api/v3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseConfig(t, "")
			cfg.Repository.URL = tc.url
			rt := cfg.Runtimes[0]
			ss, err := seal.App(cfg, rt, app, tc.api, demoCert(t), sealedAt)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(ss.Spec.EncryptedData); got != 1 || ss.Spec.EncryptedData["githubAppPrivateKey"] == "" {
				t.Errorf("encrypted: %v, want githubAppPrivateKey alone", ss.Spec.EncryptedData)
			}
			for k, v := range ss.Spec.Template.Data {
				if strings.Contains(v, "PRIVATE") {
					t.Errorf("plain %s holds the key", k)
				}
			}
			s, err := unseal(t, ss)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"type": "git", "url": strings.TrimSuffix(tc.url, "shared-config"),
				"githubAppID": "42", "githubAppInstallationID": "7", "githubAppPrivateKey": pemKey}
			if tc.enterprise != "" {
				want["githubAppEnterpriseBaseUrl"] = tc.enterprise
			}
			if diff := cmp.Diff(want, s.Data); diff != "" {
				t.Errorf("unsealed (-want +got):\n%s", diff)
			}
			if s.Labels["argocd.argoproj.io/secret-type"] != "repo-creds" || s.Name != "prod-git-runtime-token" {
				t.Errorf("name %s, labels %v", s.Name, s.Labels)
			}
			ann := ss.Annotations
			if ann[seal.AnnotationTokenKind] != "github-app" || ann[seal.AnnotationAppID] != "42" || !strings.HasPrefix(ann[seal.AnnotationAppKey], "SHA256:") {
				t.Errorf("annotations %v", ann)
			}
		})
	}
	if _, err := seal.App(parseConfig(t, ""), parseConfig(t, "").Runtimes[0], forge.App{ID: 42, Key: key}, "", demoCert(t), sealedAt); err == nil {
		t.Error("sealed an App without its installation ID")
	}
}
