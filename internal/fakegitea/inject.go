package fakegitea

import (
	"net"
	"net/http"
	"strings"
)

type kind int

const (
	kindFault kind = iota
	kindRateLimit
	kindReset
)

// rule is one pending injection; n counts the requests it still applies to
// (negative: forever).
type rule struct {
	kind       kind
	prefix     string
	n          int
	status     int
	header     http.Header
	body       string
	retryAfter int
}

// Fault makes the next n requests whose path (after /api/v1) has the prefix
// answer with status, extra headers and body; n < 0 means forever.
func (s *Server) Fault(prefix string, n int, status int, header http.Header, body string) {
	s.add(&rule{kind: kindFault, prefix: prefix, n: n, status: status, header: header.Clone(), body: body})
}

// RateLimit makes the next n requests answer 429 with Retry-After:
// retryAfter seconds (omitted when retryAfter < 0). Gitea itself has no API
// rate limit; a proxy in front of it may, and answers so.
func (s *Server) RateLimit(n int, retryAfter int) {
	s.add(&rule{kind: kindRateLimit, n: n, retryAfter: retryAfter})
}

// ResetConnection makes the next n requests whose path has the prefix drop
// the connection without a response.
func (s *Server) ResetConnection(prefix string, n int) {
	s.add(&rule{kind: kindReset, prefix: prefix, n: n})
}

func (s *Server) add(rl *rule) {
	if rl.n == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, rl)
}

// take returns the first pending rule that applies to path, or nil, and
// counts the request against it. The caller holds s.mu.
func (s *Server) take(path string) *rule {
	for i, rl := range s.rules {
		if !strings.HasPrefix(path, rl.prefix) {
			continue
		}
		if rl.n > 0 {
			rl.n--
			if rl.n == 0 {
				s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
			}
		}
		return rl
	}
	return nil
}

// drop closes the connection without a response, with a TCP reset where it
// can.
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
