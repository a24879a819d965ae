package main

import (
	"os"
	"path/filepath"
	"testing"
)

// clusterPassword is a kubeconfig password: not token-shaped, so only the
// leak test's hidden list can find it.
const clusterPassword = "kube-password-never-printed"

// clusterLeakCases are the runs of TestTokensNeverLeak for the commands
// that talk to a cluster, with a kubeconfig (outside the scanned tree)
// whose user holds the canary as its bearer token and a password, for a
// cluster that does not answer. The real-cluster runs are in
// TestClusterApply, which checks its outputs for the sealed tokens.
func clusterLeakCases() []leakCase {
	kc := []string{"--kubeconfig", "{secrets}/kubeconfig"}
	with := func(base []string, more ...string) []string {
		return append(append(append([]string(nil), base...), kc...), more...)
	}
	apply := []string{"apply", "--dir", "{repo}", "--runtime", "production"}
	return []leakCase{
		{name: "apply: not pushed", args: with(apply), setup: kubeconfigWithToken, hidden: []string{clusterPassword}, code: 1},
		{name: "apply: unknown context", args: with(apply, "--context", "nope"), setup: kubeconfigWithToken, hidden: []string{clusterPassword}, code: 2},
		{name: "apply --dry-run --all-runtimes: not pushed, json", args: with([]string{"apply", "--dir", "{repo}", "--all-runtimes", "--dry-run", "--format", "json"}),
			setup: kubeconfigWithToken, hidden: []string{clusterPassword}, code: 1},
		{name: "status --cluster: unreachable", args: with([]string{"status", "--cluster", "--dir", "{repo}"}), setup: kubeconfigWithToken, hidden: []string{clusterPassword}, code: 2},
		{name: "status --cluster: unreachable, json", args: with([]string{"status", "--cluster", "--format", "json", "--dir", "{repo}"}), setup: kubeconfigWithToken, hidden: []string{clusterPassword}, code: 2},
		{name: "cert pin --from-cluster: unreachable", args: with([]string{"cert", "pin", "--from-cluster", "--dir", "{repo}", "--yes"}), setup: kubeconfigWithToken, hidden: []string{clusterPassword}, code: 2},
		{name: "cert pin --from-cluster: the password user", args: with([]string{"cert", "pin", "--from-cluster", "--dir", "{repo}", "--context", "password"}), setup: kubeconfigWithToken, hidden: []string{clusterPassword}, code: 2},
	}
}

// kubeconfigWithToken writes {secrets}/kubeconfig: a cluster where
// nothing listens, reached with the canary as bearer token (context
// "token", the current one) or with a password (context "password").
func kubeconfigWithToken(t *testing.T, e *leakEnv) {
	t.Helper()
	cfg := `apiVersion: v1
kind: Config
current-context: token
clusters:
- name: offline
  cluster: {server: "https://127.0.0.1:1"}
contexts:
- name: token
  context: {cluster: offline, user: token}
- name: password
  context: {cluster: offline, user: password}
users:
- name: token
  user: {token: "` + canaryClassic + `"}
- name: password
  user: {username: admin, password: "` + clusterPassword + `"}
`
	if err := os.WriteFile(filepath.Join(e.secrets, "kubeconfig"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}
