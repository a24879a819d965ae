package cluster

import (
	"context"
	"fmt"
	"io"
)

// maxCert bounds the certificate read from the controller.
const maxCert = 64 << 10

// FetchCert reads the sealed-secrets controller's certificate as `kubeseal
// --fetch-cert` does: GET /v1/cert.pem on the controller's Service, through
// the API server's service proxy, on the Service's first port.
func (c *Client) FetchCert(ctx context.Context, namespace, name string) ([]byte, error) {
	svc, err := c.core.CoreV1().Services(namespace).Get(ctx, name, getOpts)
	if err != nil {
		if err := c.classify(err); isUnreachable(err) {
			return nil, fmt.Errorf("find the sealed-secrets controller's Service %s/%s: %w", namespace, name, err)
		}
		return nil, fmt.Errorf("find the sealed-secrets controller's Service %s/%s: %w (set --controller-namespace and --controller-name)", namespace, name, err)
	}
	port := ""
	if len(svc.Spec.Ports) > 0 {
		port = svc.Spec.Ports[0].Name
	}
	rc, err := c.core.CoreV1().Services(namespace).ProxyGet("http", name, port, "/v1/cert.pem", nil).Stream(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetch the certificate from %s/%s: %w", namespace, name, c.classify(err))
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxCert+1))
	if err != nil {
		return nil, fmt.Errorf("read the certificate from %s/%s: %w", namespace, name, c.classify(err))
	}
	if len(data) > maxCert {
		return nil, fmt.Errorf("the certificate from %s/%s is over %d bytes: not a certificate", namespace, name, maxCert)
	}
	return data, nil
}
