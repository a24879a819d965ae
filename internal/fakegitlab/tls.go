package fakegitlab

import "crypto/x509"

// serve serves plain HTTP, or HTTPS as GitLab.com does when Options.TLS is set,
// with httptest's certificate (which Client trusts).
func (s *Server) serve() {
	if s.opts.TLS {
		s.ts.StartTLS()
		return
	}
	s.ts.Start()
}

// Certificate is the TLS certificate (Options.TLS), for a process that
// trusts it through SSL_CERT_FILE.
func (s *Server) Certificate() *x509.Certificate { return s.ts.Certificate() }
