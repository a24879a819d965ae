// Package testcluster runs a real, small Kubernetes control plane for
// tests: etcd, kube-apiserver, kube-controller-manager (its garbage
// collector only) and the sealed-secrets controller, all on loopback with
// random ports, stopped at t.Cleanup.
//
// The binaries come from the repository's ./bin (make e2e-tools) and etcd
// from the system (Debian: etcd-server). When one is missing, Start skips
// the test with one line saying what to run, and fails it instead when
// RTCONF_E2E=1 (make e2e and .ci/run set it).
//
// Argo CD's own controllers are not run (they cannot be built here): an
// Application's status is written by SetApplicationStatus, the one place
// that plays Argo CD's application-controller.
package testcluster

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Names of what Start sets up.
const (
	// ContextName is the kubeconfig context (and cluster and user) name.
	ContextName = "rtconf-testcluster"
	// ControllerNamespace and ControllerName are where the sealed-secrets
	// controller and its Service are, kubeseal's defaults.
	ControllerNamespace = "kube-system"
	ControllerName      = "sealed-secrets-controller"
	// ArgoCDNamespace exists, with no Argo CD in it: only the Application
	// and AppProject CRDs are installed.
	ArgoCDNamespace = "argocd"
)

// StartTimeout bounds each wait of Start (etcd, API server, CRDs,
// controller), generous for a loaded 2-core machine.
const StartTimeout = 3 * time.Minute

// EnvE2E set to 1 turns a missing binary into a failure instead of a skip.
const EnvE2E = "RTCONF_E2E"

// Cluster is a running control plane.
type Cluster struct {
	// Kubeconfig is the path of a kubeconfig file whose current context
	// is Context, with admin (system:masters) credentials.
	Kubeconfig string
	Context    string
	// REST is the admin client configuration of the same cluster.
	REST *rest.Config
	// ControllerNamespace and ControllerName name the sealed-secrets
	// controller's Service (kube-system, sealed-secrets-controller).
	ControllerNamespace, ControllerName string

	dir     string
	procs   []*process
	kube    kubernetes.Interface
	dyn     dynamic.Interface
	egress  *egressProxy
	apiPort int
}

// binaries are the programs Start runs.
type binaries struct {
	etcd, apiserver, controllerManager, sealedSecrets, unshare string
}

// Start starts a cluster for t and stops it at t.Cleanup, also when the
// test fails or panics. It takes some seconds (the README's Cluster tests
// section says how many).
func Start(t testing.TB) *Cluster {
	t.Helper()
	bins := findBinaries(t)
	c := &Cluster{Context: ContextName, ControllerNamespace: ControllerNamespace, ControllerName: ControllerName, dir: t.TempDir()}
	t.Cleanup(func() { c.stop(t) })
	if err := c.start(t, bins); err != nil {
		t.Fatalf("testcluster: %v", err)
	}
	return c
}

// missing skips or fails t with one line.
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv(EnvE2E) == "1" {
		t.Fatalf("testcluster: %s (%s=1)", msg, EnvE2E)
		return
	}
	t.Skipf("testcluster: %s", msg)
}

// findBinaries looks in the repository's ./bin and, for etcd and unshare,
// in PATH.
func findBinaries(t testing.TB) binaries {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	bin := filepath.Join(filepath.Dir(self), "..", "..", "bin")
	b := binaries{
		apiserver:         filepath.Join(bin, "kube-apiserver"),
		controllerManager: filepath.Join(bin, "kube-controller-manager"),
		sealedSecrets:     filepath.Join(bin, "sealed-secrets-controller"),
	}
	for _, p := range []string{b.apiserver, b.controllerManager, b.sealedSecrets} {
		if _, err := os.Stat(p); err != nil {
			missing(t, fmt.Sprintf("%s is missing: run make e2e-tools", p))
		}
	}
	var err error
	if b.etcd, err = exec.LookPath("etcd"); err != nil {
		missing(t, "etcd is not installed: run apt-get install etcd-server, then make e2e-tools")
	}
	if b.unshare, err = exec.LookPath("unshare"); err != nil {
		missing(t, "unshare is not installed (util-linux): the sealed-secrets controller runs in its own mount namespace")
	}
	if os.Geteuid() != 0 {
		missing(t, "not root: the sealed-secrets controller's in-cluster configuration is mounted with unshare -m, which needs root")
	}
	return b
}

func (c *Cluster) start(t testing.TB, b binaries) error {
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	pki, err := newPKI(c.dir)
	if err != nil {
		return err
	}
	ports := freePorts(t, 5)
	etcdURL, err := c.startEtcd(ctx, b, ports[0], ports[1])
	if err != nil {
		return err
	}
	apiserver, err := c.startAPIServer(ctx, t, b, pki, etcdURL, ports[2], ports[3])
	if err != nil {
		return err
	}
	// CRDs and objects, before the garbage collector discovers resources
	if err := c.installCRDs(ctx, apiserver); err != nil {
		return err
	}
	if err := c.createObjects(ctx); err != nil {
		return err
	}
	kcm, err := start(c.dir, "kube-controller-manager", exec.Command(b.controllerManager,
		"--kubeconfig="+c.Kubeconfig, "--controllers=garbagecollector", "--leader-elect=false",
		"--secure-port=0"))
	if err != nil {
		return err
	}
	c.procs = append(c.procs, kcm)

	// the sealed-secrets controller, with an in-cluster configuration
	token, err := c.controllerToken(ctx)
	if err != nil {
		return err
	}
	ctrl, err := startController(c.dir, b, pki.CAFile, token, c.apiPort, ports[3], ports[4])
	if err != nil {
		return err
	}
	c.procs = append(c.procs, ctrl)
	if err := waitFor(ctx, ctrl, "the sealed-secrets controller's certificate through the service proxy", func(ctx context.Context) error {
		_, err := c.ControllerCert(ctx)
		return err
	}); err != nil {
		return err
	}
	if exited, err := kcm.exited(); exited {
		return fmt.Errorf("kube-controller-manager %v:\n%s", err, kcm.tail())
	}
	return nil
}

func (c *Cluster) startEtcd(ctx context.Context, b binaries, port, peerPort int) (string, error) {
	url, peer := "http://"+addr(port), "http://"+addr(peerPort)
	etcd, err := start(c.dir, "etcd", exec.Command(b.etcd,
		"--name=testcluster", "--data-dir="+filepath.Join(c.dir, "etcd"),
		"--listen-client-urls="+url, "--advertise-client-urls="+url,
		"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer,
		"--initial-cluster=testcluster="+peer, "--logger=zap", "--log-outputs=stderr"))
	if err != nil {
		return "", err
	}
	c.procs = append(c.procs, etcd)
	return url, waitFor(ctx, etcd, "etcd health", func(ctx context.Context) error {
		return httpOK(ctx, http.DefaultClient, url+"/health")
	})
}

// startAPIServer runs kube-apiserver, its "cluster" egress (service and
// pod proxy) through the CONNECT proxy to the controller's port, and
// writes the kubeconfig.
func (c *Cluster) startAPIServer(ctx context.Context, t testing.TB, b binaries, pki *pki, etcdURL string, port, ctrlPort int) (*process, error) {
	c.apiPort = port
	sockDir, err := os.MkdirTemp("", "testcluster")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	socket := filepath.Join(sockDir, "egress.sock")
	if c.egress, err = newEgressProxy(socket, map[string]string{podIP + ":" + strconv.Itoa(controllerPort): addr(ctrlPort)}); err != nil {
		return nil, err
	}
	egressConf, err := writeEgressConfig(c.dir, socket)
	if err != nil {
		return nil, err
	}
	apiserver, err := start(c.dir, "kube-apiserver", exec.Command(b.apiserver,
		"--etcd-servers="+etcdURL, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(port), "--cert-dir="+filepath.Join(c.dir, "apiserver-certs"),
		"--tls-cert-file="+pki.ServingCert, "--tls-private-key-file="+pki.ServingKey,
		"--client-ca-file="+pki.CAFile, "--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pki.SAPub, "--service-account-signing-key-file="+pki.SAKey,
		"--service-cluster-ip-range=10.0.0.0/24", "--endpoint-reconciler-type=none",
		"--egress-selector-config-file="+egressConf, "--profiling=false"))
	if err != nil {
		return nil, err
	}
	c.procs = append(c.procs, apiserver)
	if err := c.writeKubeconfig(pki); err != nil {
		return nil, err
	}
	if c.kube, err = kubernetes.NewForConfig(c.REST); err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if c.dyn, err = dynamic.NewForConfig(c.REST); err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return apiserver, waitFor(ctx, apiserver, "kube-apiserver /readyz", func(ctx context.Context) error {
		_, err := c.kube.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		return err
	})
}

// ControllerCert fetches the sealed-secrets controller's certificate (PEM)
// through the API server's service proxy, as kubeseal --fetch-cert does.
func (c *Cluster) ControllerCert(ctx context.Context) ([]byte, error) {
	b, err := c.kube.CoreV1().Services(c.ControllerNamespace).
		ProxyGet("http", c.ControllerName, strconv.Itoa(controllerPort), "/v1/cert.pem", nil).DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetch the controller's certificate: %w", err)
	}
	return b, nil
}

// Kube is an admin clientset of the cluster.
func (c *Cluster) Kube() kubernetes.Interface { return c.kube }

// Dynamic is an admin dynamic client of the cluster (SealedSecrets,
// Applications).
func (c *Cluster) Dynamic() dynamic.Interface { return c.dyn }

func (c *Cluster) writeKubeconfig(p *pki) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[ContextName] = &clientcmdapi.Cluster{Server: "https://" + addr(c.apiPort), CertificateAuthorityData: p.CAPEM}
	cfg.AuthInfos[ContextName] = &clientcmdapi.AuthInfo{ClientCertificateData: p.ClientCertPEM, ClientKeyData: p.ClientKeyPEM}
	cfg.Contexts[ContextName] = &clientcmdapi.Context{Cluster: ContextName, AuthInfo: ContextName}
	cfg.CurrentContext = ContextName
	c.Kubeconfig = filepath.Join(c.dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, c.Kubeconfig); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	rc, err := clientcmd.NewNonInteractiveClientConfig(*cfg, ContextName, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	rc.QPS, rc.Burst = 100, 200
	c.REST = rc
	return nil
}

// waitFor polls ready until it succeeds, p exits or ctx ends.
func waitFor(ctx context.Context, p *process, what string, ready func(context.Context) error) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := ready(rctx)
		cancel()
		if err == nil {
			return nil
		}
		if exited, perr := p.exited(); exited {
			return fmt.Errorf("waiting for %s: %s %v:\n%s", what, p.name, perr, p.tail())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last error: %v); %s's log ends:\n%s", what, ctx.Err(), err, p.name, p.tail())
		case <-tick.C:
		}
	}
}

func httpOK(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// stop ends the processes in reverse order and the egress proxy; on a
// failed test it logs the end of each process's log.
func (c *Cluster) stop(t testing.TB) {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		if t.Failed() {
			t.Logf("testcluster: %s's log (%s) ends:\n%s", p.name, p.log, p.tail())
		}
		p.stop()
	}
	if c.egress != nil {
		c.egress.Close()
	}
}

// pids are the process ids of the cluster's programs, for the test that
// Cleanup leaves none running.
func (c *Cluster) pids() []int {
	var ids []int
	for _, p := range c.procs {
		ids = append(ids, p.cmd.Process.Pid)
	}
	return ids
}
