package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"
	"sigs.k8s.io/yaml"
)

// decodeYAML turns one YAML document into what the validator hands a schema:
// JSON decoded with UseNumber.
func decodeYAML(t testing.TB, doc string) map[string]any {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatalf("yaml: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("json: %v", err)
	}
	return v
}

// validate checks obj against the schema of its own apiVersion and kind.
func validate(t testing.TB, m *ManifestSet, obj map[string]any) error {
	t.Helper()
	av, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	s, ok, err := m.Schema(av, kind)
	if err != nil {
		t.Fatalf("Schema(%q, %q): %v", av, kind, err)
	}
	if !ok {
		t.Fatalf("Schema(%q, %q): no schema", av, kind)
	}
	return s.Validate(obj)
}

func TestManifestKinds(t *testing.T) {
	want := []string{
		"apps/v1 DaemonSet", "apps/v1 Deployment", "apps/v1 ReplicaSet", "apps/v1 StatefulSet",
		"argoproj.io/v1alpha1 AppProject", "argoproj.io/v1alpha1 Application", "argoproj.io/v1alpha1 ApplicationSet",
		"autoscaling/v2 HorizontalPodAutoscaler",
		"batch/v1 CronJob", "batch/v1 Job",
		"bitnami.com/v1alpha1 SealedSecret",
		"networking.k8s.io/v1 Ingress", "networking.k8s.io/v1 IngressClass", "networking.k8s.io/v1 NetworkPolicy",
		"policy/v1 PodDisruptionBudget",
		"rbac.authorization.k8s.io/v1 ClusterRole", "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
		"rbac.authorization.k8s.io/v1 Role", "rbac.authorization.k8s.io/v1 RoleBinding",
		"scheduling.k8s.io/v1 PriorityClass",
		"storage.k8s.io/v1 StorageClass",
		"v1 ConfigMap", "v1 LimitRange", "v1 Namespace", "v1 PersistentVolumeClaim", "v1 Pod",
		"v1 ResourceQuota", "v1 Secret", "v1 Service", "v1 ServiceAccount",
	}
	m := NewManifestSet()
	if diff := cmp.Diff(want, m.Kinds()); diff != "" {
		t.Errorf("Kinds() mismatch (-want +got):\n%s", diff)
	}
	for _, k := range want {
		av, kind, _ := strings.Cut(k, " ")
		t.Run(k, func(t *testing.T) {
			s, ok, err := m.Schema(av, kind)
			if err != nil || !ok || s == nil {
				t.Fatalf("Schema(%q, %q) = %v, %v, %v; want a compiled schema", av, kind, s, ok, err)
			}
			again, _, _ := m.Schema(av, kind)
			if again != s {
				t.Error("second Schema call compiled again")
			}
		})
	}
	for _, k := range [][2]string{{"extensions/v1beta1", "Deployment"}, {"v1", "Deployment"}, {"kustomize.config.k8s.io/v1beta1", "Kustomization"}} {
		if s, ok, err := m.Schema(k[0], k[1]); ok || s != nil || err != nil {
			t.Errorf("Schema(%q, %q) = %v, %v, %v; want none", k[0], k[1], s, ok, err)
		}
	}
}

const (
	deploymentYAML = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        imagePullPolicy: IfNotPresent
        ports:
        - name: http
          containerPort: 8080
          protocol: TCP
        readinessProbe:
          httpGet: {path: /healthz, port: http}
        livenessProbe:
          tcpSocket: {port: 8080}
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {cpu: 1, memory: 1e9}
`
	applicationYAML = `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: prod
  namespace: argocd
  labels: {codefresh.io/entity: runtime}
spec:
  project: runtimes
  destination: {server: https://kubernetes.default.svc, namespace: codefresh}
  source:
    repoURL: https://github.com/acme/shared-config.git
    path: overlays/prod
    targetRevision: main
  syncPolicy:
    automated: {prune: true, selfHeal: true}
`
)

func TestManifestValid(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{name: "Deployment", doc: deploymentYAML},
		{name: "Application", doc: applicationYAML},
		{name: "AppProject", doc: `
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: runtimes, namespace: argocd}
spec:
  sourceRepos: ['https://github.com/acme/*']
  destinations: [{server: '*', namespace: '*'}]
  clusterResourceWhitelist: [{group: '*', kind: '*'}]
`},
		{name: "ApplicationSet", doc: `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: runtimes, namespace: argocd}
spec:
  generators:
  - list:
      elements: [{runtime: prod}, {runtime: staging}]
  template:
    metadata: {name: '{{runtime}}'}
    spec:
      project: runtimes
      destination: {server: https://kubernetes.default.svc, namespace: codefresh}
      source: {repoURL: https://github.com/acme/shared-config.git, path: 'overlays/{{runtime}}'}
`},
		{name: "SealedSecret", doc: `
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: prod-git-runtime-token, namespace: argocd}
spec:
  encryptedData: {password: AgBy3i4OJSWK+PiTySYZZA==}
  template:
    metadata:
      labels: {argocd.argoproj.io/secret-type: repo-creds}
    type: Opaque
`},
		{name: "ConfigMap", doc: `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, annotations: {rtconf.io/pending: "yes"}}
data: {key: value}
`},
		{name: "RoleBinding", doc: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read, namespace: demo}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: bot, namespace: demo}
`},
	}
	m := NewManifestSet()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := validate(t, m, decodeYAML(t, tt.doc)); err != nil {
				t.Errorf("valid %s refused: %#v", tt.name, err)
			}
		})
	}
}

func TestManifestInvalid(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		// edit changes one field of doc, by a string replacement in YAML.
		from, to string
		wantLoc  string // instance location of a leaf cause
		wantMsg  string // part of that cause's message
	}{
		{name: "Application unknown spec field", doc: applicationYAML,
			from: "  source:", to: "  sourc:", wantLoc: "/spec", wantMsg: "'sourc' not allowed"},
		{name: "Application unknown metadata field", doc: applicationYAML,
			from: "  labels:", to: "  lables:", wantLoc: "/metadata", wantMsg: "'lables' not allowed"},
		{name: "Application wrong apiVersion", doc: applicationYAML,
			from: "argoproj.io/v1alpha1", to: "argoproj.io/v1", wantLoc: "/apiVersion", wantMsg: "argoproj.io/v1alpha1"},
		{name: "Application missing project", doc: applicationYAML,
			from: "  project: runtimes\n", to: "", wantLoc: "/spec", wantMsg: "'project'"},
		{name: "Application wrong type", doc: applicationYAML,
			from: "prune: true", to: "prune: yes please", wantLoc: "/spec/syncPolicy/automated/prune", wantMsg: "expected boolean"},
		{name: "Deployment unknown metadata field", doc: deploymentYAML,
			from: "  labels: {app: web}\nspec:", to: "  lables: {app: web}\nspec:", wantLoc: "/metadata", wantMsg: "'lables' not allowed"},
		{name: "Deployment unknown container field", doc: deploymentYAML,
			from: "imagePullPolicy:", to: "imagePullPolicyy:", wantLoc: "/spec/template/spec/containers/0", wantMsg: "'imagePullPolicyy' not allowed"},
		{name: "Deployment wrong apiVersion", doc: deploymentYAML,
			from: "apiVersion: apps/v1", to: "apiVersion: extensions/v1beta1", wantLoc: "/apiVersion", wantMsg: "apps/v1"},
		{name: "Deployment port as string", doc: deploymentYAML,
			from: "containerPort: 8080", to: `containerPort: "8080"`, wantLoc: "/spec/template/spec/containers/0/ports/0/containerPort", wantMsg: "expected integer"},
		{name: "Deployment int-or-string is not bool", doc: deploymentYAML,
			from: "port: http}", to: "port: true}", wantLoc: "/spec/template/spec/containers/0/readinessProbe/httpGet/port", wantMsg: "expected integer or string"},
		{name: "Deployment required container name", doc: deploymentYAML,
			from: "      - name: web\n        image", to: "      - image", wantLoc: "/spec/template/spec/containers/0", wantMsg: "'name'"},
		{name: "Deployment null list item", doc: deploymentYAML,
			from: "        - name: http\n          containerPort: 8080\n          protocol: TCP", to: "        - null", wantLoc: "/spec/template/spec/containers/0/ports/0", wantMsg: "expected object"},
		{name: "SealedSecret missing encryptedData", doc: "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: x}\nspec: {}\n",
			wantLoc: "/spec", wantMsg: "'encryptedData'"},
		{name: "RoleBinding null required ref", doc: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: x}\nroleRef: null\n",
			wantLoc: "/roleRef", wantMsg: "expected object"},
	}
	m := NewManifestSet()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc
			if tt.from != "" {
				if !strings.Contains(doc, tt.from) {
					t.Fatalf("test doc lacks %q", tt.from)
				}
				doc = strings.Replace(doc, tt.from, tt.to, 1)
			}
			obj := decodeYAML(t, doc)
			if tt.name == "Deployment wrong apiVersion" || tt.name == "Application wrong apiVersion" {
				// The validator looks kinds up by the document's apiVersion;
				// here we check the schema itself pins it.
				kind := obj["kind"].(string)
				want := map[string]string{"Deployment": "apps/v1", "Application": "argoproj.io/v1alpha1"}[kind]
				s, _, err := m.Schema(want, kind)
				if err != nil {
					t.Fatal(err)
				}
				assertLeaf(t, s.Validate(obj), tt.wantLoc, tt.wantMsg)
				return
			}
			assertLeaf(t, validate(t, m, obj), tt.wantLoc, tt.wantMsg)
		})
	}
}

func assertLeaf(t *testing.T, err error, loc, msg string) {
	t.Helper()
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *jsonschema.ValidationError", err)
	}
	var got []string
	for _, l := range Leaves(ve) {
		if l.InstanceLocation == loc && strings.Contains(l.Message, msg) {
			return
		}
		got = append(got, l.InstanceLocation+": "+l.Message)
	}
	t.Errorf("no leaf cause at %q containing %q; leaves:\n  %s", loc, msg, strings.Join(got, "\n  "))
}

func TestManifestNull(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{name: "optional core fields, as typed structs marshal them", doc: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, creationTimestamp: null, labels: null}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {}
  template:
    metadata: {creationTimestamp: null}
    spec:
      containers:
      - {name: web, image: nginx, resources: {}, ports: null, readinessProbe: null}
status: {}
`},
		{name: "SealedSecret nullable template fields", doc: `
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: x, creationTimestamp: null}
spec:
  encryptedData: {a: b}
  template: {data: null, metadata: null}
`},
		{name: "Application optional fields", doc: `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: x}
spec:
  project: default
  destination: {server: null, namespace: x}
  source: {repoURL: https://example.com/r.git, helm: null}
  syncPolicy: null
`},
	}
	m := NewManifestSet()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := validate(t, m, decodeYAML(t, tt.doc)); err != nil {
				t.Errorf("null refused: %#v", err)
			}
		})
	}
}

func TestManifestPreserveUnknownFields(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{name: "Application helm valuesObject", doc: `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: x}
spec:
  project: default
  destination: {name: in-cluster}
  source:
    repoURL: https://charts.example.com
    chart: web
    helm:
      valuesObject:
        anything: {goes: [1, two, {three: 3}]}
        replicas: 3
`},
		{name: "SealedSecret template metadata", doc: `
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: x}
spec:
  encryptedData: {a: b}
  template:
    metadata:
      name: x
      creationTimestamp: null
      annotations: {sealedsecrets.bitnami.com/managed: "true"}
      ownerReferences: [{anything: here}]
`},
	}
	m := NewManifestSet()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := validate(t, m, decodeYAML(t, tt.doc)); err != nil {
				t.Errorf("unknown fields refused where the definition preserves them: %#v", err)
			}
		})
	}
}
