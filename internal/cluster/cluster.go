// Package cluster is rtconf's seam to a Kubernetes cluster, over client-go:
// it finds the cluster as kubectl does (kubeconfig loading rules, KUBECONFIG,
// --context), fetches the sealed-secrets controller's certificate through
// the API server's service proxy as `kubeseal --fetch-cert` does, applies
// objects with server-side apply (field manager "rtconf"), and reads what
// the controller and Argo CD say about them. What it finds is data; the
// command line phrases it.
package cluster

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// FieldManager is the name server-side apply records for rtconf's fields.
const FieldManager = "rtconf"

// Defaults of the sealed-secrets controller's Service, as kubeseal's.
const (
	DefaultControllerNamespace = "kube-system"
	DefaultControllerName      = "sealed-secrets-controller"
)

// Options say which cluster to talk to.
type Options struct {
	// Kubeconfig is a kubeconfig file; empty means kubectl's rules: the
	// files KUBECONFIG lists, else ~/.kube/config.
	Kubeconfig string
	// Context is the kubeconfig context; empty means the current one.
	Context string
	// Timeout bounds each request; 0 means 30 seconds.
	Timeout time.Duration
}

// Client talks to one cluster.
type Client struct {
	// Server is the API server's URL and Context the kubeconfig context,
	// for messages.
	Server, Context string
	core            kubernetes.Interface
	dyn             dynamic.Interface
	mapper          meta.RESTMapper
}

// ConfigError is a kubeconfig that cannot be read or names no usable
// context.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string {
	return fmt.Sprintf("kubeconfig: %v", e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// UnreachableError is a cluster that did not answer: no connection, a
// TLS failure, a timeout.
type UnreachableError struct {
	Server string
	Err    error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the cluster at %s: %v", e.Server, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Connect reads the kubeconfig as kubectl does and makes a client for the
// chosen context. It sends nothing.
func Connect(opts Options) (*Client, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = opts.Kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: opts.Context})
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, &ConfigError{err}
	}
	name := opts.Context
	if name == "" {
		name = raw.CurrentContext
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, &ConfigError{err}
	}
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	cfg.Timeout = opts.Timeout
	c, err := NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	c.Context = name
	return c, nil
}

// NewForConfig makes a client for a REST configuration.
func NewForConfig(cfg *rest.Config) (*Client, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "rtconf"
	core, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, &ConfigError{err}
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, &ConfigError{err}
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, &ConfigError{err}
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	return &Client{Server: cfg.Host, core: core, dyn: dyn, mapper: mapper}, nil
}

// classify makes err an *UnreachableError when the cluster did not answer;
// an answer (any API status) is left as it is.
func (c *Client) classify(err error) error {
	if err == nil {
		return nil
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return err
	}
	var ue *url.Error
	var ne net.Error
	var de *discovery.ErrGroupDiscoveryFailed
	if errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &de) {
		return &UnreachableError{Server: c.Server, Err: err}
	}
	return err
}
