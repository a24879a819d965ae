package testcluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
)

// The API server's service proxy (GET .../services/NAME:PORT/proxy/...)
// reaches a Service only through an EndpointSlice whose address is the IP
// of a Pod the endpoint names (pkg/registry/core/service/storage's
// ResourceLocation), and EndpointSlice validation refuses loopback
// addresses. The controller runs on the host's loopback, not in a pod, so
// the cluster declares a Pod with a documentation address (podIP, TEST-NET-1,
// never routed) and the API server reaches "pods" through an egress
// selector (--egress-selector-config-file, the mechanism Konnectivity
// uses): an HTTP CONNECT proxy on a Unix socket, served here, that maps
// podIP:servicePort to the controller's loopback port and refuses
// everything else.
const podIP = "192.0.2.10"

// egressProxy is the API server's "cluster" egress: CONNECT to a known
// address is tunnelled to its loopback target.
type egressProxy struct {
	l      net.Listener
	routes map[string]string // CONNECT host:port → 127.0.0.1:port
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
}

func newEgressProxy(socket string, routes map[string]string) (*egressProxy, error) {
	l, err := net.Listen("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("egress proxy: %w", err)
	}
	e := &egressProxy{l: l, routes: routes, conns: map[net.Conn]bool{}}
	e.wg.Add(1)
	go e.serve()
	return e, nil
}

func (e *egressProxy) serve() {
	defer e.wg.Done()
	for {
		c, err := e.l.Accept()
		if err != nil {
			return
		}
		if !e.track(c, true) {
			c.Close()
			return
		}
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			defer e.track(c, false)
			e.tunnel(c)
		}()
	}
}

// track adds or removes a connection; false when the proxy is closed.
func (e *egressProxy) track(c net.Conn, add bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !add {
		delete(e.conns, c)
		return true
	}
	if e.closed {
		return false
	}
	e.conns[c] = true
	return true
}

func (e *egressProxy) tunnel(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	target, ok := e.routes[req.Host]
	if req.Method != http.MethodConnect || !ok {
		fmt.Fprintf(c, "HTTP/1.1 403 Forbidden\r\n\r\ntestcluster egress: no route to %s\n", req.Host)
		return
	}
	up, err := net.Dial("tcp", target)
	if err != nil {
		fmt.Fprintf(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
		return
	}
	defer up.Close()
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, br); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// Close stops listening, ends the open tunnels and waits for them.
func (e *egressProxy) Close() {
	e.mu.Lock()
	e.closed = true
	for c := range e.conns {
		c.Close()
	}
	e.mu.Unlock()
	e.l.Close()
	e.wg.Wait()
}

// writeEgressConfig writes the EgressSelectorConfiguration (JSON, which
// the API server reads as YAML) that sends its "cluster" traffic (service
// and pod proxy) to socket.
func writeEgressConfig(dir, socket string) (string, error) {
	conf := map[string]any{
		"apiVersion": "apiserver.k8s.io/v1beta1",
		"kind":       "EgressSelectorConfiguration",
		"egressSelections": []any{map[string]any{
			"name": "cluster",
			"connection": map[string]any{
				"proxyProtocol": "HTTPConnect",
				"transport":     map[string]any{"uds": map[string]any{"udsName": socket}},
			},
		}},
	}
	b, err := json.Marshal(conf)
	if err != nil {
		return "", fmt.Errorf("egress configuration: %w", err)
	}
	path := filepath.Join(dir, "egress.json")
	return path, os.WriteFile(path, b, 0o600)
}
