package testcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/testcreds"
)

var sealedSecretGVR = schema.GroupVersionResource{Group: "bitnami.com", Version: "v1alpha1", Resource: "sealedsecrets"}

// eventually polls f every 200ms until it returns nil or a minute passes.
func eventually(t *testing.T, what string, f func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		err := f(ctx)
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: %v", what, err)
		case <-tick.C:
		}
	}
}

// TestCluster starts one cluster, checks what the harness promises, and
// then that its Cleanup left none of its processes running.
func TestCluster(t *testing.T) {
	var pids []int
	t.Run("running", func(t *testing.T) {
		c := Start(t)
		pids = c.pids()
		if len(pids) != 4 {
			t.Fatalf("%d processes, want 4 (etcd, kube-apiserver, kube-controller-manager, sealed-secrets-controller)", len(pids))
		}
		t.Run("api server answers", func(t *testing.T) { testAPIServer(t, c) })
		t.Run("unseal and garbage-collect", func(t *testing.T) { testUnseal(t, c) })
		t.Run("application status", func(t *testing.T) { testApplicationStatus(t, c) })
		t.Run("script", func(t *testing.T) { testScript(t, c) })
	})
	if t.Failed() || len(pids) == 0 {
		return // skipped, or already failed
	}
	for _, pid := range pids {
		// Cleanup waits for each of them: not even a zombie is left.
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still there after Cleanup (kill -0: %v)", pid, err)
		}
	}
}

func testAPIServer(t *testing.T, c *Cluster) {
	v, err := c.Kube().Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != "v1.37.2" {
		t.Errorf("server version %q, want v1.37.2", v.GitVersion)
	}
	ctx := t.Context()
	if _, err := c.Kube().CoreV1().Namespaces().Get(ctx, ArgoCDNamespace, metav1.GetOptions{}); err != nil {
		t.Errorf("namespace %s: %v", ArgoCDNamespace, err)
	}
}

func testUnseal(t *testing.T, c *Cluster) {
	ctx := t.Context()
	pem, err := c.ControllerCert(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := seal.ParseCertificate("service proxy", pem)
	if err != nil {
		t.Fatal(err)
	}
	value := testcreds.Classic("testcluster-unseal")
	ss, err := seal.Seal(cert, seal.Request{
		Name: "repo-creds", Namespace: ArgoCDNamespace, Scope: config.ScopeStrict,
		Labels: map[string]string{"app": "testcluster"},
		Secret: map[string]string{"password": value},
	})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ss)
	if err != nil {
		t.Fatal(err)
	}
	sealed := c.Dynamic().Resource(sealedSecretGVR).Namespace(ArgoCDNamespace)
	created, err := sealed.Create(ctx, &unstructured.Unstructured{Object: obj}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	secrets := c.Kube().CoreV1().Secrets(ArgoCDNamespace)
	eventually(t, "the controller unseals repo-creds", func(ctx context.Context) error {
		s, err := secrets.Get(ctx, "repo-creds", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got := string(s.Data["password"]); got != value {
			t.Fatalf("unsealed password differs from the sealed one (%d bytes, want %d)", len(got), len(value))
		}
		want := []metav1.OwnerReference{{APIVersion: "bitnami.com/v1alpha1", Kind: "SealedSecret", Name: "repo-creds", UID: created.GetUID()}}
		if diff := cmp.Diff(want, s.OwnerReferences, cmpOwner()); diff != "" {
			t.Fatalf("owner references (-want +got):\n%s", diff)
		}
		return nil
	})
	if err := sealed.Delete(ctx, "repo-creds", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the garbage collector deletes the owned Secret", func(ctx context.Context) error {
		_, err := secrets.Get(ctx, "repo-creds", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err == nil {
			return errors.New("Secret repo-creds is still there")
		}
		return err
	})
}

// cmpOwner compares owner references by what the controller sets.
func cmpOwner() cmp.Option {
	return cmp.Transformer("owner", func(o metav1.OwnerReference) [4]string {
		return [4]string{o.APIVersion, o.Kind, o.Name, string(o.UID)}
	})
}

func testApplicationStatus(t *testing.T, c *Cluster) {
	ctx := t.Context()
	app := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
		"metadata": map[string]any{"name": "runtime-a", "namespace": ArgoCDNamespace},
		"spec": map[string]any{
			"project":     "default",
			"source":      map[string]any{"repoURL": "https://git.example.com/acme/config.git", "path": "runtimes/a", "targetRevision": "HEAD"},
			"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": "runtime-a"},
		},
	}}
	apps := c.Dynamic().Resource(ApplicationGVR).Namespace(ArgoCDNamespace)
	if _, err := apps.Create(ctx, app, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []AppStatus{
		{Sync: "OutOfSync", Health: "Missing", Revision: "1111111111111111111111111111111111111111",
			Message: `namespaces "runtime-a" not found`, Phase: "Failed"},
		{Sync: "Synced", Health: "Healthy", Revision: "2222222222222222222222222222222222222222", Phase: "Succeeded"},
	} {
		c.SetApplicationStatus(t, ArgoCDNamespace, "runtime-a", st)
		got, err := apps.Get(ctx, "runtime-a", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		read := func(path ...string) string {
			s, _, _ := unstructured.NestedString(got.Object, path...)
			return s
		}
		var message string
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		if len(conds) == 1 {
			message, _ = conds[0].(map[string]any)["message"].(string)
		}
		back := AppStatus{
			Sync: read("status", "sync", "status"), Health: read("status", "health", "status"),
			Revision: read("status", "sync", "revision"), Message: message, Phase: read("status", "operationState", "phase"),
		}
		if diff := cmp.Diff(st, back); diff != "" {
			t.Errorf("status read back (-set +got):\n%s", diff)
		}
		if got := read("spec", "source", "path"); got != "runtimes/a" {
			t.Errorf("spec.source.path = %q after setting the status, want runtimes/a", got)
		}
	}
}

// envExitChild makes TestChildrenDieWithTheTestBinary's child start a
// cluster, write its process ids to the file it names and exit at once,
// without its cleanups.
const envExitChild = "TESTCLUSTER_EXIT_CHILD_PIDS"

// TestChildrenDieWithTheTestBinary: a test binary that dies without its
// cleanups (os.Exit, a timeout, a kill) leaves no cluster process running.
func TestChildrenDieWithTheTestBinary(t *testing.T) {
	if path := os.Getenv(envExitChild); path != "" {
		c := Start(t)
		if err := os.WriteFile(path, []byte(fmt.Sprint(c.pids())), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Exit(3)
	}
	findBinaries(t)
	pidFile := filepath.Join(t.TempDir(), "pids")
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildrenDieWithTheTestBinary$", "-test.count=1")
	cmd.Env = append(os.Environ(), envExitChild+"="+pidFile, "TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("child: %v, want exit status 3; output:\n%s", err, out)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range strings.Fields(strings.Trim(string(b), "[]")) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("pids %q: %v", b, err)
		}
		pids = append(pids, pid)
	}
	if len(pids) != 4 {
		t.Fatalf("child wrote pids %q, want 4", b)
	}
	eventually(t, "the cluster's processes die with the test binary", func(context.Context) error {
		for _, pid := range pids {
			if alive(pid) {
				return fmt.Errorf("process %d is still running", pid)
			}
		}
		return nil
	})
}

// alive reports whether pid runs (a zombie, dead but not yet reaped by
// whoever inherited it, does not count).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) STATE ...: comm may hold spaces and parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || !strings.HasPrefix(s[i+1:], " Z")
}

// testScript runs testdata/script with the cluster's script setup and
// commands; runtime-a is testApplicationStatus's Application.
func testScript(t *testing.T, c *Cluster) {
	// The scripts run in parallel: t.Run returns when they are done.
	t.Run("scripts", func(t *testing.T) {
		testscript.Run(t, testscript.Params{Dir: "testdata/script", Setup: c.SetupScript, Cmds: c.ScriptCmds()})
	})
	app, err := c.Dynamic().Resource(ApplicationGVR).Namespace(ArgoCDNamespace).Get(t.Context(), "runtime-a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rev, _, _ := unstructured.NestedString(app.Object, "status", "sync", "revision"); rev != "3333333333333333333333333333333333333333" {
		t.Errorf("after the script's appstatus, status.sync.revision = %q", rev)
	}
}
