package cluster_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rtconf/rtconf/internal/cluster"
)

const kubeconfig = `apiVersion: v1
kind: Config
current-context: one
clusters:
- name: one
  cluster: {server: "https://127.0.0.1:1"}
- name: two
  cluster: {server: "https://127.0.0.2:2"}
contexts:
- name: one
  context: {cluster: one, user: u}
- name: two
  context: {cluster: two, user: u}
users:
- name: u
  user: {}
`

// TestConnect: the kubeconfig and context are chosen as kubectl chooses
// them: an explicit file, else KUBECONFIG; the current context unless one
// is named; an unknown context is a *ConfigError.
func TestConnect(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
	t.Setenv("HOME", dir)
	for _, tc := range []struct {
		name       string
		opts       cluster.Options
		server     string
		context    string
		configFail bool
	}{
		{name: "KUBECONFIG, current context", server: "https://127.0.0.1:1", context: "one"},
		{name: "KUBECONFIG, --context", opts: cluster.Options{Context: "two"}, server: "https://127.0.0.2:2", context: "two"},
		{name: "explicit file", opts: cluster.Options{Kubeconfig: path, Context: "two"}, server: "https://127.0.0.2:2", context: "two"},
		{name: "unknown context", opts: cluster.Options{Context: "three"}, configFail: true},
		{name: "missing file", opts: cluster.Options{Kubeconfig: filepath.Join(dir, "nope")}, configFail: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := cluster.Connect(tc.opts)
			var ce *cluster.ConfigError
			if tc.configFail {
				if !errors.As(err, &ce) {
					t.Fatalf("Connect: %v, want a *ConfigError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Server != tc.server || c.Context != tc.context {
				t.Errorf("server %s, context %s; want %s, %s", c.Server, c.Context, tc.server, tc.context)
			}
		})
	}
}

// TestUnreachable: a cluster that does not answer is an
// *UnreachableError, whatever is asked.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	cfg := "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster: {server: \"https://" + addr + "\", insecure-skip-tls-verify: true}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {}\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := cluster.Connect(cluster.Options{Kubeconfig: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "x", "namespace": "y"}}}
	calls := map[string]func() error{
		"FetchCert":        func() error { _, err := c.FetchCert(ctx, "kube-system", "sealed-secrets-controller"); return err },
		"EnsureNamespaces": func() error { _, err := c.EnsureNamespaces(ctx, []string{"y"}, false); return err },
		"Apply":            func() error { _, err := c.Apply(ctx, []*unstructured.Unstructured{obj}, false); return err },
		"SealedSecret":     func() error { _, err := c.SealedSecret(ctx, "y", "x"); return err },
		"Application":      func() error { _, err := c.Application(ctx, "y", "x"); return err },
	}
	for name, call := range calls {
		var ue *cluster.UnreachableError
		if err := call(); !errors.As(err, &ue) {
			t.Errorf("%s: %v, want an *UnreachableError", name, err)
		}
	}
}

func obj(kind, ns, name string, labels map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"kind": kind}}
	u.SetNamespace(ns)
	u.SetName(name)
	u.SetLabels(labels)
	return u
}

// TestOrder: repository credentials first, then other SealedSecrets, then
// the rest, each in its order.
func TestOrder(t *testing.T) {
	in := []*unstructured.Unstructured{
		obj("Application", "argocd", "prod", nil),
		obj("SealedSecret", "codefresh", "alice", nil),
		obj("ConfigMap", "codefresh", "bob", nil),
		obj("SealedSecret", "argocd", "prod-git-runtime-token", map[string]string{"argocd.argoproj.io/secret-type": "repo-creds"}),
		obj("Application", "argocd", "prod-in-cluster", nil),
	}
	var got []string
	for _, o := range cluster.Order(in) {
		got = append(got, o.GetName())
	}
	want := []string{"prod-git-runtime-token", "alice", "prod", "bob", "prod-in-cluster"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func sealedSecret(generation, observed int64, conds ...map[string]any) *unstructured.Unstructured {
	u := obj("SealedSecret", "argocd", "prod-git-runtime-token", nil)
	u.SetGeneration(generation)
	var cs []any
	for _, c := range conds {
		cs = append(cs, c)
	}
	if observed > 0 || len(cs) > 0 {
		u.Object["status"] = map[string]any{"observedGeneration": observed, "conditions": cs}
	}
	return u
}

func TestSecretStateOf(t *testing.T) {
	synced := map[string]any{"type": "Synced", "status": "True"}
	failed := map[string]any{"type": "Synced", "status": "False", "message": "no key could decrypt secret (password)"}
	for _, tc := range []struct {
		name string
		obj  *unstructured.Unstructured
		want cluster.SecretState
	}{
		{"no status yet", sealedSecret(1, 0), cluster.SecretState{}},
		{"unsealed", sealedSecret(2, 2, synced), cluster.SecretState{Current: true, Unsealed: true}},
		{"unsealed an older generation", sealedSecret(3, 2, synced), cluster.SecretState{}},
		{"cannot unseal", sealedSecret(1, 1, failed), cluster.SecretState{Current: true, Reason: "no key could decrypt secret (password)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Ref = cluster.Ref{Kind: "SealedSecret", Namespace: "argocd", Name: "prod-git-runtime-token"}
			tc.want.Found = true
			if diff := cmp.Diff(tc.want, cluster.SecretStateOf(tc.obj)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func app(status map[string]any) *unstructured.Unstructured {
	u := obj("Application", "argocd", "prod", nil)
	if status != nil {
		u.Object["status"] = status
	}
	return u
}

const rev = "0123456789abcdef0123456789abcdef01234567"

// TestJudge: when apply is done, has failed, or waits, and for what.
func TestJudge(t *testing.T) {
	secret := cluster.Ref{Kind: "SealedSecret", Namespace: "argocd", Name: "prod-git-runtime-token"}
	appRef := cluster.Ref{Kind: "Application", Namespace: "argocd", Name: "prod"}
	target := cluster.Target{Secrets: []cluster.Ref{secret}, App: appRef, Revision: rev}
	unsealed := cluster.SecretState{Ref: secret, Found: true, Current: true, Unsealed: true}
	live := cluster.AppStateOf(app(map[string]any{"sync": map[string]any{"status": "Synced", "revision": rev}, "health": map[string]any{"status": "Healthy"}}))
	for _, tc := range []struct {
		name    string
		obs     cluster.Observed
		done    bool
		failed  string
		waiting []string
	}{
		{name: "live", obs: cluster.Observed{Secrets: []cluster.SecretState{unsealed}, App: live}, done: true},
		{name: "nothing there", obs: cluster.Observed{Secrets: []cluster.SecretState{{Ref: secret}}, App: cluster.AppState{Ref: appRef}},
			waiting: []string{"SealedSecret argocd/prod-git-runtime-token: not on the cluster", "Application argocd/prod: not on the cluster"}},
		{name: "cannot unseal", obs: cluster.Observed{Secrets: []cluster.SecretState{{Ref: secret, Found: true, Current: true, Reason: "no key could decrypt secret (password)"}}, App: live},
			failed:  "SealedSecret argocd/prod-git-runtime-token: the sealed-secrets controller cannot unseal it: no key could decrypt secret (password)",
			waiting: []string{"SealedSecret argocd/prod-git-runtime-token: the sealed-secrets controller cannot unseal it: no key could decrypt secret (password)"}},
		{name: "an older revision", obs: cluster.Observed{Secrets: []cluster.SecretState{unsealed}, App: cluster.AppStateOf(app(map[string]any{
			"sync": map[string]any{"status": "Synced", "revision": "fedcba9876543210"}, "health": map[string]any{"status": "Healthy"}}))},
			waiting: []string{"Application argocd/prod: sync Synced, health Healthy, revision fedcba987654 (want Synced, Healthy, 0123456789ab)"}},
		{name: "sync failed at the revision", obs: cluster.Observed{Secrets: []cluster.SecretState{unsealed}, App: cluster.AppStateOf(app(map[string]any{
			"sync":           map[string]any{"status": "OutOfSync", "revision": rev},
			"operationState": map[string]any{"phase": "Failed", "message": `namespaces "codefresh" not found`, "syncResult": map[string]any{"revision": rev}}}))},
			failed:  `Application argocd/prod: sync Failed: namespaces "codefresh" not found`,
			waiting: []string{`Application argocd/prod: sync Failed: namespaces "codefresh" not found`}},
		{name: "comparison error while waiting", obs: cluster.Observed{Secrets: []cluster.SecretState{unsealed}, App: cluster.AppStateOf(app(map[string]any{
			"sync":       map[string]any{"status": "Unknown"},
			"conditions": []any{map[string]any{"type": "ComparisonError", "message": "authentication required"}}}))},
			waiting: []string{"Application argocd/prod: sync Unknown, health (none), revision (none) (want Synced, Healthy, 0123456789ab); ComparisonError: authentication required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := cluster.Judge(target, tc.obs)
			if v.Done != tc.done {
				t.Errorf("Done = %v, want %v", v.Done, tc.done)
			}
			failed := ""
			if v.Failed != nil {
				failed = v.Failed.Ref.String() + ": " + v.Failed.Message
			}
			if failed != tc.failed {
				t.Errorf("Failed = %q, want %q", failed, tc.failed)
			}
			var waiting []string
			for _, p := range v.Waiting {
				waiting = append(waiting, p.Ref.String()+": "+p.Message)
			}
			if diff := cmp.Diff(tc.waiting, waiting); diff != "" {
				t.Errorf("Waiting (-want +got):\n%s", diff)
			}
		})
	}
}
