package testcluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// controllerPort is the port of the controller's Service and "pod"
// (kubeseal's default, http:sealed-secrets-controller:8080).
const controllerPort = 8080

// crdSources are the kept definitions Start installs, read from the Go
// module cache (the same files schemas/manifests is made from).
var crdSources = []struct{ module, file string }{
	{"github.com/bitnami-labs/sealed-secrets@v0.27.1", "helm/sealed-secrets/crds/bitnami.com_sealedsecrets.yaml"},
	{"github.com/argoproj/argo-cd/v3@v3.5.7", "manifests/crds/application-crd.yaml"},
	{"github.com/argoproj/argo-cd/v3@v3.5.7", "manifests/crds/appproject-crd.yaml"},
}

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// moduleDir is where `go mod download` put module@version.
func moduleDir(ctx context.Context, modVersion string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", modVersion)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var info struct{ Dir, Error string }
	_ = json.Unmarshal(stdout.Bytes(), &info)
	switch {
	case info.Error != "":
		return "", fmt.Errorf("go mod download %s: %s (make e2e-tools downloads it)", modVersion, info.Error)
	case err != nil:
		return "", fmt.Errorf("go mod download %s: %w: %s", modVersion, err, strings.TrimSpace(stderr.String()))
	case info.Dir == "":
		return "", fmt.Errorf("go mod download %s: no Dir in its output", modVersion)
	}
	return info.Dir, nil
}

func (c *Cluster) installCRDs(ctx context.Context, apiserver *process) error {
	var names []string
	for _, src := range crdSources {
		dir, err := moduleDir(ctx, src.module)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, filepath.FromSlash(src.file))
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read CRD: %w", err)
		}
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(b, &obj.Object); err != nil {
			return fmt.Errorf("parse CRD %s: %w", path, err)
		}
		if _, err := c.dyn.Resource(crdGVR).Create(ctx, obj, metav1.CreateOptions{FieldManager: "testcluster"}); err != nil {
			return fmt.Errorf("create CRD %s: %w", obj.GetName(), err)
		}
		names = append(names, obj.GetName())
	}
	for _, name := range names {
		err := waitFor(ctx, apiserver, "CRD "+name+" Established", func(ctx context.Context) error {
			obj, err := c.dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
			for _, cond := range conds {
				m, _ := cond.(map[string]any)
				if m["type"] == "Established" && m["status"] == "True" {
					return nil
				}
			}
			return fmt.Errorf("CRD %s is not Established yet", name)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// createObjects makes the argocd namespace and what the sealed-secrets
// controller needs: its ServiceAccount, the ClusterRole of its Helm chart
// (helm/sealed-secrets/templates/cluster-role.yaml at v0.27.1) bound to it,
// and the Service kubeseal reaches it through, with a Pod and an
// EndpointSlice that the egress proxy maps to its loopback port (see
// egress.go).
func (c *Cluster) createObjects(ctx context.Context) error {
	ns, name := c.ControllerNamespace, c.ControllerName
	create := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("create %s: %w", what, err)
		}
		return nil
	}
	core, rbac := c.kube.CoreV1(), c.kube.RbacV1()
	meta := metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"name": name}}
	opts := metav1.CreateOptions{FieldManager: "testcluster"}
	for _, n := range []string{ArgoCDNamespace, ns} {
		if _, err := core.Namespaces().Get(ctx, n, metav1.GetOptions{}); err == nil {
			continue
		}
		if _, err := core.Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n}}, opts); err != nil {
			return create("namespace "+n, err)
		}
	}
	if _, err := core.ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: meta}, opts); err != nil {
		return create("ServiceAccount", err)
	}
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "secrets-unsealer"},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"bitnami.com"}, Resources: []string{"sealedsecrets"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"bitnami.com"}, Resources: []string{"sealedsecrets/status"}, Verbs: []string{"update"}},
			{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list", "create", "update", "delete", "watch"}},
			{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
		},
	}
	if _, err := rbac.ClusterRoles().Create(ctx, role, opts); err != nil {
		return create("ClusterRole", err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: ns}},
	}
	if _, err := rbac.ClusterRoleBindings().Create(ctx, binding, opts); err != nil {
		return create("ClusterRoleBinding", err)
	}

	return c.createControllerService(ctx, meta, opts)
}

// createControllerService makes the Pod, Service and EndpointSlice the
// service proxy reaches the controller through.
func (c *Cluster) createControllerService(ctx context.Context, meta metav1.ObjectMeta, opts metav1.CreateOptions) error {
	ns, name := meta.Namespace, meta.Name
	core := c.kube.CoreV1()
	create := func(what string, err error) error {
		return fmt.Errorf("create %s: %w", what, err)
	}
	podMeta := meta
	podMeta.Name = name + "-0"
	pod := &corev1.Pod{
		ObjectMeta: podMeta,
		Spec: corev1.PodSpec{
			// No scheduler or kubelet runs: the pod is bound to a node
			// that does not exist and never starts; it only gives the
			// endpoint the address the service proxy requires.
			NodeName:                     "testcluster-node",
			ServiceAccountName:           name,
			AutomountServiceAccountToken: ptr.To(false),
			Containers: []corev1.Container{{
				Name:  "controller",
				Image: "docker.io/bitnami/sealed-secrets-controller:0.27.1",
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: controllerPort}},
			}},
		},
	}
	pod, err := core.Pods(ns).Create(ctx, pod, opts)
	if err != nil {
		return create("Pod", err)
	}
	pod.Status.Phase = corev1.PodRunning
	pod.Status.PodIP = podIP
	pod.Status.PodIPs = []corev1.PodIP{{IP: podIP}}
	pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	if _, err := core.Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{FieldManager: "testcluster"}); err != nil {
		return fmt.Errorf("set the Pod's IP: %w", err)
	}
	svc := &corev1.Service{
		ObjectMeta: meta,
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{
			Name: "http", Port: controllerPort, Protocol: corev1.ProtocolTCP,
		}}},
	}
	if _, err := core.Services(ns).Create(ctx, svc, opts); err != nil {
		return create("Service", err)
	}
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-testcluster", Namespace: ns, Labels: map[string]string{
			discoveryv1.LabelServiceName: name, discoveryv1.LabelManagedBy: "testcluster",
		}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{{
			Addresses:  []string{podIP},
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)},
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod.Name, UID: pod.UID},
		}},
		Ports: []discoveryv1.EndpointPort{{Name: ptr.To("http"), Port: ptr.To(int32(controllerPort)), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
	if _, err := c.kube.DiscoveryV1().EndpointSlices(ns).Create(ctx, slice, opts); err != nil {
		return create("EndpointSlice", err)
	}
	return nil
}

// controllerToken is a bound token of the controller's ServiceAccount, as
// the kubelet would project it (valid for a day).
func (c *Cluster) controllerToken(ctx context.Context) (string, error) {
	req := &authv1.TokenRequest{Spec: authv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(24 * 3600))}}
	tr, err := c.kube.CoreV1().ServiceAccounts(c.ControllerNamespace).CreateToken(ctx, c.ControllerName, req, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("request the controller's service-account token: %w", err)
	}
	return tr.Status.Token, nil
}

// inClusterScript mounts a private tmpfs over /var/run inside the
// controller's own mount namespace (unshare -m), writes the
// service-account files where rest.InClusterConfig reads them (the token
// from stdin, so it is never on disk), and becomes the controller.
const inClusterScript = `set -e
mount -t tmpfs -o size=1m,mode=0755 testcluster /var/run
d=/var/run/secrets/kubernetes.io/serviceaccount
mkdir -p "$d"
cat > "$d/token"
cp "$1" "$d/ca.crt"
printf '%s' "$2" > "$d/namespace"
shift 2
exec "$@"`

func startController(dir string, b binaries, caFile, token string, apiPort, port, metricsPort int) (*process, error) {
	cmd := exec.Command(b.unshare, "--mount", "--propagation", "private", "/bin/sh", "-c", inClusterScript, "sh",
		caFile, ControllerNamespace, b.sealedSecrets,
		"--listen-addr="+addr(port), "--listen-metrics-addr="+addr(metricsPort),
		// 2048 bits: the sealing is the same, and a 4096-bit key takes
		// many seconds on a loaded machine.
		"--key-size=2048")
	cmd.Env = []string{
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		"KUBERNETES_SERVICE_HOST=127.0.0.1",
		"KUBERNETES_SERVICE_PORT=" + strconv.Itoa(apiPort),
	}
	cmd.Stdin = strings.NewReader(token)
	return start(dir, "sealed-secrets-controller", cmd)
}
