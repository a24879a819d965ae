package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcluster"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// clusterRun is rtconf run in-process against a test cluster, at clock.
type clusterRun struct {
	t     *testing.T
	c     *testcluster.Cluster
	clock func() time.Time
	// all gathers every run's output, for the leak check.
	all *strings.Builder
}

type ran struct {
	code           int
	stdout, stderr string
}

// rtconf runs rtconf with the cluster's kubeconfig and context.
func (r clusterRun) rtconf(stdin string, args ...string) ran {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	full := append([]string{"rtconf"}, args...)
	if needsCluster(args) {
		full = append(full, "--kubeconfig", r.c.Kubeconfig, "--context", r.c.Context)
	}
	code := run(context.Background(), full, strings.NewReader(stdin), &stdout, &stderr, r.clock)
	r.all.WriteString(stdout.String() + stderr.String())
	return ran{code, stdout.String(), stderr.String()}
}

func needsCluster(args []string) bool {
	for _, a := range args {
		if a == "apply" || a == "--cluster" || a == "--from-cluster" {
			return true
		}
	}
	return false
}

// must runs rtconf and wants exit code want.
func (r clusterRun) must(want int, stdin string, args ...string) ran {
	r.t.Helper()
	got := r.rtconf(stdin, args...)
	r.t.Logf("rtconf %s: exit %d\n%s%s", strings.Join(args, " "), got.code, got.stdout, got.stderr)
	if got.code != want {
		r.t.Fatalf("rtconf %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got.code, want, got.stdout, got.stderr)
	}
	return got
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// pushed commits everything in dir and pushes it to a new bare remote
// origin (the first time), returning the commit.
func pushed(t *testing.T, dir string) string {
	t.Helper()
	if _, err := os.Stat(dir + ".remote.git"); err != nil {
		runGit(t, filepath.Dir(dir), "init", "-q", "--bare", dir+".remote.git")
		runGit(t, dir, "remote", "add", "origin", dir+".remote.git")
	}
	runGit(t, dir, "add", "-A")
	if runGit(t, dir, "status", "--porcelain") != "" {
		runGit(t, dir, "commit", "-q", "-m", "change")
	}
	runGit(t, dir, "push", "-q", "origin", "main")
	return runGit(t, dir, "rev-parse", "HEAD")
}

// playArgoCD writes the Application's status as Argo CD's controller would
// once it has synced commit, as soon as apply has created it.
func playArgoCD(t *testing.T, c *testcluster.Cluster, ns, name, commit string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		for ctx.Err() == nil {
			if _, err := c.Dynamic().Resource(testcluster.ApplicationGVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{}); err == nil {
				c.SetApplicationStatus(t, ns, name, testcluster.AppStatus{Sync: "Synced", Health: "Healthy", Revision: commit, Phase: "Succeeded", Message: "successfully synced (all tasks run)"})
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Errorf("Application %s/%s never appeared", ns, name)
	}()
	return done
}

// certClock is a test clock an hour into the controller's certificate's
// validity: the controller made it at its start, on the machine's clock.
func certClock(t *testing.T, c *testcluster.Cluster) func() time.Time {
	t.Helper()
	data, err := c.ControllerCert(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("the controller's certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return testclock.Fixed(cert.NotBefore.Add(time.Hour))
}

// TestClusterApply runs cert pin --from-cluster, seal, apply and status
// --cluster against a real API server and sealed-secrets controller: a
// fresh runtime whose namespace is absent goes live, its credentials
// unseal into the exact tokens, a re-apply changes nothing; a token sealed
// for a key the controller does not have fails clearly.
func TestClusterApply(t *testing.T) {
	c := testcluster.Start(t)
	r := clusterRun{t: t, c: c, clock: certClock(t, c), all: &strings.Builder{}}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "repo")
	r.must(0, "", "init", dir, "--repo", "https://github.com/acme/shared-config", "--runtime", "prod",
		"--namespace", "prod-ns", "--argocd-namespace", testcluster.ArgoCDNamespace, "--user", "alice")
	if _, err := c.Kube().CoreV1().Namespaces().Get(ctx, "prod-ns", metav1.GetOptions{}); err == nil {
		t.Fatal("namespace prod-ns exists before apply: the test proves nothing")
	}

	// Before: status --cluster finds nothing there (exit 1).
	got := r.must(1, "", "status", "--cluster", "--dir", dir)
	for _, want := range []string{
		"prod: incomplete",
		"Application argocd/prod not on the cluster",
	} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("status --cluster before apply: no %q in:\n%s", want, got.stdout)
		}
	}
	if n := strings.Count(got.stdout, "not on the cluster"); n != 2 || strings.Contains(got.stdout, "incomplete: ") {
		t.Errorf("status --cluster before apply: want each missing Application said once (2 lines), got %d:\n%s", n, got.stdout)
	}

	// cert pin from the cluster pins the controller's own certificate.
	pem, err := c.ControllerCert(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got = r.must(0, "", "cert", "pin", "--from-cluster", "--dir", dir,
		"--controller-namespace", c.ControllerNamespace, "--controller-name", c.ControllerName)
	if !regexp.MustCompile(`(?m)^pinned sha256:[0-9a-f]{64}$`).MatchString(got.stdout) {
		t.Errorf("cert pin --from-cluster: %s", got.stdout)
	}
	stored, err := os.ReadFile(filepath.Join(dir, "certs", "sealed-secrets.pem"))
	if err != nil || !bytes.Equal(stored, pem) {
		t.Fatalf("the stored certificate is not the controller's (%v)", err)
	}
	r.must(0, "", "cert", "pin", "--from-cluster", "--dir", dir) // the same again: nothing to confirm

	runtimeToken, aliceToken := testcreds.Classic("clusterruntime"), testcreds.Classic("clusteralice")
	r.must(0, runtimeToken, "seal", "runtime-token", "--runtime", "prod", "--skip-live-check", "--dir", dir)
	r.must(0, aliceToken, "seal", "user-token", "--runtime", "prod", "--user", "alice", "--skip-live-check", "--dir", dir)
	r.must(0, "", "validate", "--dir", dir)
	commit := pushed(t, dir)

	// A server-side dry run creates nothing.
	got = r.must(0, "", "apply", "--runtime", "prod", "--dry-run", "--dir", dir)
	if !strings.Contains(got.stdout, "(server dry run)") || !strings.Contains(got.stdout, "created    Namespace prod-ns") {
		t.Errorf("apply --dry-run:\n%s", got.stdout)
	}
	if _, err := c.Kube().CoreV1().Namespaces().Get(ctx, "prod-ns", metav1.GetOptions{}); err == nil {
		t.Fatal("apply --dry-run created namespace prod-ns")
	}

	// The first apply: namespace created, credentials first, live at the commit.
	argo := playArgoCD(t, c, testcluster.ArgoCDNamespace, "prod", commit)
	got = r.must(0, "", "apply", "--runtime", "prod", "--timeout", "2m", "--dir", dir)
	<-argo
	lines := strings.Split(strings.TrimSpace(got.stdout), "\n")
	want := []string{
		"runtime prod at commit " + commit[:7] + " (main, as on origin)",
		"  created    Namespace prod-ns",
		"  created    SealedSecret argocd/prod-git-runtime-token",
		"  created    SealedSecret prod-ns/prod-git-user-token-alice",
	}
	if len(lines) < len(want) || strings.Join(lines[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Errorf("apply: want the lines\n%s\nfirst, got:\n%s", strings.Join(want, "\n"), got.stdout)
	}
	if !strings.Contains(got.stdout, "runtime prod is live: 2 SealedSecrets unsealed, its Application Synced and Healthy at "+commit[:7]) {
		t.Errorf("apply: not live:\n%s", got.stdout)
	}
	for _, s := range []struct{ ns, name, key, want string }{
		{testcluster.ArgoCDNamespace, "prod-git-runtime-token", "password", runtimeToken},
		{"prod-ns", "prod-git-user-token-alice", "token", aliceToken},
	} {
		sec, err := c.Kube().CoreV1().Secrets(s.ns).Get(ctx, s.name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("Secret %s/%s: %v", s.ns, s.name, err)
		}
		if string(sec.Data[s.key]) != s.want {
			t.Errorf("Secret %s/%s: %s is not the token sealed", s.ns, s.name, s.key)
		}
		if s.key == "password" && sec.Annotations["argocd.argoproj.io/sync-options"] != "Prune=false" {
			t.Errorf("Secret %s/%s: annotations %v, want argocd.argoproj.io/sync-options: Prune=false", s.ns, s.name, sec.Annotations)
		}
	}
	// Tokens and private keys are never printed, by any run of this test.
	t.Cleanup(func() {
		for what, s := range map[string]string{"the runtime token": runtimeToken, "alice's token": aliceToken, "a private key": "PRIVATE KEY"} {
			if strings.Contains(r.all.String(), s) {
				t.Errorf("a run printed %s", what)
			}
		}
	})

	// A re-apply changes nothing: same output counts, same resource versions.
	versions := func() map[string]string {
		out := map[string]string{}
		for _, o := range []struct {
			gvr      schema.GroupVersionResource
			ns, name string
		}{
			{schema.GroupVersionResource{Group: "bitnami.com", Version: "v1alpha1", Resource: "sealedsecrets"}, testcluster.ArgoCDNamespace, "prod-git-runtime-token"},
			{schema.GroupVersionResource{Group: "bitnami.com", Version: "v1alpha1", Resource: "sealedsecrets"}, "prod-ns", "prod-git-user-token-alice"},
			{testcluster.ApplicationGVR, testcluster.ArgoCDNamespace, "prod"},
			{testcluster.ApplicationGVR, testcluster.ArgoCDNamespace, "prod-in-cluster"},
		} {
			u, err := c.Dynamic().Resource(o.gvr).Namespace(o.ns).Get(ctx, o.name, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("%s %s/%s: %v", o.gvr.Resource, o.ns, o.name, err)
			}
			out[o.ns+"/"+o.name] = u.GetResourceVersion()
		}
		return out
	}
	before := versions()
	got = r.must(0, "", "apply", "--runtime", "prod", "--dir", dir)
	if !strings.Contains(got.stdout, "0 created, 0 configured, 4 unchanged") || strings.Contains(got.stdout, "created    Namespace") {
		t.Errorf("re-apply changed something:\n%s", got.stdout)
	}
	if after := versions(); !equalMaps(before, after) {
		t.Errorf("re-apply changed resource versions: %v → %v", before, after)
	}

	// After: status --cluster agrees with Git (exit 0), also as JSON.
	c.SetApplicationStatus(t, testcluster.ArgoCDNamespace, "prod-in-cluster", testcluster.AppStatus{Sync: "Synced", Health: "Healthy", Revision: commit})
	got = r.must(0, "", "status", "--cluster", "--dir", dir)
	for _, want := range []string{
		"prod: complete",
		"SealedSecret argocd/prod-git-runtime-token unsealed",
		"Application argocd/prod sync Synced, health Healthy, revision " + commit[:7],
		"Application argocd/prod-in-cluster sync Synced, health Healthy",
	} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("status --cluster after apply: no %q in:\n%s", want, got.stdout)
		}
	}
	got = r.must(0, "", "status", "--cluster", "--format", "json", "--dir", dir)
	var rep struct {
		Complete bool   `json:"complete"`
		Revision string `json:"revision"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &rep); err != nil || !rep.Complete || rep.Revision != commit[:12] {
		t.Errorf("status --cluster --format json: %v %+v\n%s", err, rep, got.stdout)
	}

	// Argo CD moves on to a commit that is not the repository's: incomplete.
	c.SetApplicationStatus(t, testcluster.ArgoCDNamespace, "prod", testcluster.AppStatus{Sync: "OutOfSync", Health: "Healthy", Revision: strings.Repeat("0", 40)})
	got = r.must(1, "", "status", "--cluster", "--dir", dir)
	if !strings.Contains(got.stdout, "(the repository is at "+commit[:7]+")") || strings.Count(got.stdout, "Application argocd/prod ") != 1 {
		t.Errorf("status --cluster with Argo CD elsewhere:\n%s", got.stdout)
	}

	// apply waits for Argo CD at the commit, and says what it saw when it
	// gives up (exit 1)...
	got = r.must(1, "", "apply", "--runtime", "prod", "--timeout", "2s", "--dir", dir)
	if !strings.Contains(got.stderr, "runtime prod is not live after 2s:\n  Application argocd/prod: sync OutOfSync, health Healthy, revision 000000000000 (want Synced, Healthy, "+commit[:12]+")") {
		t.Errorf("apply while Argo CD is elsewhere: stderr\n%s", got.stderr)
	}
	// ...and stops at once with Argo CD's own message when the sync failed.
	c.SetApplicationStatus(t, testcluster.ArgoCDNamespace, "prod", testcluster.AppStatus{Sync: "OutOfSync", Health: "Missing", Revision: commit,
		Phase: "Failed", Message: `one or more objects failed to apply, reason: namespaces "elsewhere" not found`})
	got = r.must(1, "", "apply", "--runtime", "prod", "--dir", dir)
	if !strings.Contains(got.stderr, `runtime prod is not live: Application argocd/prod: sync Failed: one or more objects failed to apply, reason: namespaces "elsewhere" not found`) {
		t.Errorf("apply after a failed sync: stderr\n%s", got.stderr)
	}

	t.Run("a certificate the controller cannot open", func(t *testing.T) {
		// The demo repository is sealed with the demo certificate, whose
		// key the controller does not hold.
		demo := filepath.Join(t.TempDir(), "demo")
		r := clusterRun{t: t, c: c, clock: r.clock, all: r.all}
		r.must(0, "", "init", "--demo", demo)
		pushed(t, demo)
		got := r.must(1, "", "apply", "--runtime", "staging", "--timeout", "2m", "--dir", demo)
		msg := got.stderr
		if !strings.Contains(msg, "runtime staging is not live: SealedSecret codefresh-staging/staging-git-runtime-token: the sealed-secrets controller cannot unseal it: ") ||
			!strings.Contains(msg, "no key could decrypt secret") {
			t.Errorf("apply with a foreign certificate: stderr\n%s", msg)
		}
		got = r.must(1, "", "status", "--cluster", "--dir", demo)
		if !strings.Contains(got.stdout, "SealedSecret codefresh-staging/staging-git-runtime-token not unsealed: ") {
			t.Errorf("status --cluster with a foreign certificate:\n%s", got.stdout)
		}
	})
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
