package testcluster

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// recordTB records what missing does instead of ending the test.
type recordTB struct {
	testing.TB
	skipped, failed string
}

func (r *recordTB) Helper()                           {}
func (r *recordTB) Skipf(format string, args ...any)  { r.skipped = fmt.Sprintf(format, args...) }
func (r *recordTB) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func TestMissingSkipsOrFails(t *testing.T) {
	for _, tc := range []struct {
		name, env             string
		wantSkip, wantFailure string
	}{
		{name: "skip", env: "", wantSkip: "testcluster: bin/kube-apiserver is missing: run make e2e-tools"},
		{name: "RTCONF_E2E=0 skips", env: "0", wantSkip: "testcluster: bin/kube-apiserver is missing: run make e2e-tools"},
		{name: "RTCONF_E2E=1 fails", env: "1", wantFailure: "testcluster: bin/kube-apiserver is missing: run make e2e-tools (RTCONF_E2E=1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvE2E, tc.env)
			r := &recordTB{TB: t}
			missing(r, "bin/kube-apiserver is missing: run make e2e-tools")
			if r.skipped != tc.wantSkip || r.failed != tc.wantFailure {
				t.Errorf("skipped %q, failed %q; want skipped %q, failed %q", r.skipped, r.failed, tc.wantSkip, tc.wantFailure)
			}
		})
	}
}

// connect sends CONNECT host through the proxy at socket and returns the
// status line and the connection.
func connect(t *testing.T, socket, host string) (string, net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", host, host)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Status, c, br
}

func TestEgressProxyRoutesOnlyThePod(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "cert for "+r.URL.Path)
	}))
	defer backend.Close()
	socket := filepath.Join(t.TempDir(), "e.sock")
	e, err := newEgressProxy(socket, map[string]string{podIP + ":8080": strings.TrimPrefix(backend.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	for _, host := range []string{"127.0.0.1:22", podIP + ":8081", "192.0.2.11:8080"} {
		if status, _, _ := connect(t, socket, host); status != "403 Forbidden" {
			t.Errorf("CONNECT %s: %s, want 403 Forbidden", host, status)
		}
	}

	status, c, br := connect(t, socket, podIP+":8080")
	if status != "200 Connection established" {
		t.Fatalf("CONNECT the pod: %s", status)
	}
	fmt.Fprintf(c, "GET /v1/cert.pem HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", podIP)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "cert for /v1/cert.pem" {
		t.Errorf("through the tunnel: %q", body)
	}
}
