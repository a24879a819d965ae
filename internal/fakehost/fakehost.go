// Package fakehost is what the fakes of the hosts' APIs (internal/fakegithub,
// internal/fakegitlab) share: the httptest server, served plain or over TLS;
// the log of requests; the ordered list of injected faults and its matching;
// and what the fakes do to the connection itself (latency, stalls, drops,
// cut bodies). What a host answers is each fake's own.
//
// A fake's ServeHTTP logs the request (Log.Add), calls Server.Begin, builds
// its answer (a KindFault rule's Status, Header and Body, or its own answer
// for a KindHost rule) and writes it with Write.
package fakehost

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Options configures a Server.
type Options struct {
	TLS     bool          // serve HTTPS with httptest's certificate (Client trusts it)
	Latency time.Duration // added to every response, in Begin
}

// Server is a running httptest server with the fault injections of a fake;
// H is the fake's own kind of rule (see KindHost).
type Server[H any] struct {
	ts      *httptest.Server
	latency time.Duration
	done    chan struct{} // closed when the test ends, to release stalled handlers

	mu    sync.Mutex
	rules []*Rule[H]
}

// Start starts a server for h; it is closed with t.Cleanup, which first
// releases the handlers still stalled.
func Start[H any](t testing.TB, h http.Handler, o Options) *Server[H] {
	t.Helper()
	s := &Server[H]{latency: o.Latency, done: make(chan struct{})}
	s.ts = httptest.NewUnstartedServer(h)
	countRequestsPerConn(s.ts)
	if o.TLS {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	t.Cleanup(func() {
		close(s.done)
		s.ts.Close()
	})
	return s
}

// URL is the server's root, http(s)://127.0.0.1:PORT, without a trailing slash.
func (s *Server[H]) URL() string { return s.ts.URL }

// Client is an *http.Client for the server.
func (s *Server[H]) Client() *http.Client { return s.ts.Client() }

// Certificate is the TLS certificate (Options.TLS), for a process that
// trusts it through SSL_CERT_FILE.
func (s *Server[H]) Certificate() *x509.Certificate { return s.ts.Certificate() }

// Begin does to a request what comes before the fake answers it: it takes
// the first pending rule that matches path, waits Options.Latency, then
// waits a KindStall rule's Delay or drops the connection for a KindReset
// rule. It returns the rule (nil: none) and whether the handler should go
// on and answer; when it should not, the client has given up, the test has
// ended or the connection is gone.
func (s *Server[H]) Begin(w http.ResponseWriter, r *http.Request, path string) (*Rule[H], bool) {
	rl := s.take(path, retriedByClient(r))
	if !s.wait(r, s.latency) {
		return rl, false
	}
	switch {
	case rl == nil:
	case rl.Kind == KindStall:
		if !s.wait(r, rl.Delay) {
			return rl, false
		}
	case rl.Kind == KindReset:
		drop(w)
		return rl, false
	}
	return rl, true
}

// Write writes an answer: header over the headers already set, then status
// and body with their Content-Length, or for a KindCut rule the headers and
// half the body before it drops the connection.
func Write[H any](w http.ResponseWriter, rl *Rule[H], status int, header http.Header, body []byte) {
	h := w.Header()
	for k, v := range header {
		h[k] = v
	}
	if rl != nil && rl.Kind == KindCut {
		cut(w, status, body)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// Log is the log of the requests a fake received, R being the fake's record
// of one. The zero Log is empty and ready.
type Log[R any] struct {
	mu  sync.Mutex
	all []R
}

// Add appends r.
func (l *Log[R]) Add(r R) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, r)
}

// All returns every record so far, in order, each passed through clone (to
// copy what the caller must not share, such as headers).
func (l *Log[R]) All(clone func(R) R) []R {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]R, len(l.all))
	for i, r := range l.all {
		out[i] = clone(r)
	}
	return out
}
