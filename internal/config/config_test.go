package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// validConfig leaves out every field that has a default.
var validConfig = text(`
# rtconf.yaml
repository:
  url: https://github.com/acme/shared-config
runtimes:
  - name: production
    namespace: codefresh
    managedClusters:
      - name: edge-eu
        server: https://edge-eu.example.com
    users: [alice, Bob]
  - name: staging
    namespace: codefresh-staging
    server: https://staging.example.com
    runtimeTokenAsUserToken: true
`)

func TestParseValid(t *testing.T) {
	cfg, err := Parse(testFile, []byte(validConfig))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		File: testFile,
		Repository: Repository{
			URL:      "https://github.com/acme/shared-config",
			Revision: "main",
			Provider: "github",
		},
		ArgoCD:  ArgoCD{Project: "default"},
		Sealing: Sealing{Scope: ScopeStrict},
		Runtimes: []Runtime{{
			Name:            "production",
			Namespace:       "codefresh",
			Server:          "https://kubernetes.default.svc",
			ManagedClusters: []Cluster{{Name: "edge-eu", Server: "https://edge-eu.example.com"}},
			Users:           []string{"alice", "Bob"},
		}, {
			Name:                    "staging",
			Namespace:               "codefresh-staging",
			Server:                  "https://staging.example.com",
			RuntimeTokenAsUserToken: true,
		}},
	}
	if diff := cmp.Diff(want, cfg, cmpopts.IgnoreUnexported(Config{})); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}

	for _, rt := range cfg.Runtimes {
		if got := cfg.ArgoNamespace(rt); got != rt.Namespace {
			t.Errorf("ArgoNamespace(%s) = %q, want the runtime's namespace %q", rt.Name, got, rt.Namespace)
		}
	}
	if rt, ok := cfg.Runtime("staging"); !ok || rt.Namespace != "codefresh-staging" {
		t.Errorf(`Runtime("staging") = %+v, %v`, rt, ok)
	}
	if _, ok := cfg.Runtime("nope"); ok {
		t.Error(`Runtime("nope") found a runtime`)
	}

	for _, tc := range []struct {
		pointer string
		want    Position
	}{
		{"", Position{Line: 2, Column: 1}},
		{"/repository/url", Position{Line: 3, Column: 8}},
		{"/runtimes/0/name", Position{Line: 5, Column: 11}},
		{"/runtimes/0/managedClusters/0/server", Position{Line: 9, Column: 17}},
		{"/runtimes/0/users/1", Position{Line: 10, Column: 20}},
		{"/runtimes/1", Position{Line: 11, Column: 5}},
		{"/runtimes/1/runtimeTokenAsUserToken", Position{Line: 14, Column: 30}},
		// Defaults were not written: they have no position.
		{"/runtimes/0/server", Position{}},
		{"/repository/revision", Position{}},
		{"/nope", Position{}},
	} {
		if got := cfg.Position(tc.pointer); got != tc.want {
			t.Errorf("Position(%q) = %+v, want %+v", tc.pointer, got, tc.want)
		}
	}
}

func TestParseArgoNamespace(t *testing.T) {
	cfg, err := Parse(testFile, []byte(text(`
repository:
  url: https://github.example.com/acme/shared.git
  revision: release
  apiURL: https://github.example.com/api/v3/
argocd:
  namespace: argocd
  project: runtimes
sealing:
  certificate: certs/sealed-secrets.pem
  scope: cluster-wide
runtimes:
  - name: a
    namespace: one
`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.ArgoNamespace(cfg.Runtimes[0]); got != "argocd" {
		t.Errorf("ArgoNamespace = %q, want argocd", got)
	}
	want := Config{
		Repository: Repository{URL: "https://github.example.com/acme/shared.git", Revision: "release", Provider: "github", APIURL: "https://github.example.com/api/v3/"},
		ArgoCD:     ArgoCD{Namespace: "argocd", Project: "runtimes"},
		Sealing:    Sealing{Certificate: "certs/sealed-secrets.pem", Scope: ScopeClusterWide},
		Runtimes:   []Runtime{{Name: "a", Namespace: "one", Server: DefaultServer}},
	}
	if diff := cmp.Diff(want, *cfg, cmpopts.IgnoreUnexported(Config{}), cmpopts.IgnoreFields(Config{}, "File")); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

// TestParseAccepts lists configurations that look suspicious but are right.
func TestParseAccepts(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
	}{{
		name: "byte order mark, CRLF line ends and flow style",
		in:   "\ufeffrepository: {url: https://github.com/acme/shared}\r\nruntimes: [{name: a, namespace: a}]\r\n",
	}, {
		name: "explicit document start and end",
		in:   "---\nrepository: {url: https://github.com/acme/shared}\nruntimes: [{name: a, namespace: a}]\n...\n",
	}, {
		name: "same Application names under different Argo CD namespaces",
		in: text(`
repository: {url: https://github.com/acme/shared}
runtimes:
  - {name: a-b, namespace: one}
  - name: a
    namespace: two
    managedClusters: [{name: b, server: https://b.example.com}]
`),
	}, {
		name: "same namespace on different servers, same user in two runtimes",
		in: text(`
repository: {url: https://github.com/acme/shared}
runtimes:
  - {name: a, namespace: codefresh, users: [alice]}
  - {name: b, namespace: codefresh, server: https://b.example.com, users: [Alice]}
`),
	}, {
		name: "longest names",
		in: "repository: {url: https://github.com/acme/shared}\nruntimes:\n  - name: " + name64[:52] +
			"\n    namespace: " + name64[:63] + "\n    users: [" + name64[:39] + "]\n",
	}, {
		name: "anchors and aliases that stay small",
		in: text(`
repository: {url: https://github.com/acme/shared}
runtimes:
  - {name: a, namespace: a, users: &team [alice, bob]}
  - {name: b, namespace: b, users: *team}
`),
	}, {
		name: "quoted values that would otherwise be other types",
		in:   "repository: {url: 'https://github.com/acme/shared', revision: \"yes\"}\nruntimes: [{name: a, namespace: a, runtimeTokenAsUserToken: false}]\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(testFile, []byte(tc.in)); err != nil {
				t.Errorf("Parse failed:\n%v", err)
			}
		})
	}
}
