package fakehost

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"time"
)

// What a fake does to the connection itself: the delays of Latency and
// Stall, and the drops of ResetConnection and CutBody.

// connKey is the context key of a connection's request count.
type connKey struct{}

// countRequestsPerConn makes ts count the requests of each connection, in
// the connection's context: see retriedByClient.
func countRequestsPerConn(ts *httptest.Server) {
	ts.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, new(atomic.Int32))
	}
}

// wait sleeps for d unless the client gives up or the test ends first; it
// reports whether the handler should go on.
func (s *Server[H]) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

// retriedByClient reports whether Go's Transport would resend this request
// by itself if the connection dropped before any response byte: it does so
// for replayable requests on a reused keep-alive connection.
func retriedByClient(r *http.Request) bool {
	n, _ := r.Context().Value(connKey{}).(*atomic.Int32)
	reused := n != nil && n.Add(1) > 1
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return reused
	}
	return reused && (r.Header.Get("Idempotency-Key") != "" || r.Header.Get("X-Idempotency-Key") != "")
}

// drop closes the connection without a response, with a TCP reset where it can.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// cut sends the headers and half the body, then drops the connection.
func cut(w http.ResponseWriter, status int, answer []byte) {
	body := answer
	if len(body) < 2 {
		body = bytes.Repeat([]byte(" "), 64) // whitespace is valid JSON padding
		body = append(body, answer...)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body[:len(body)/2])
	http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}
