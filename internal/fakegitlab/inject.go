package fakegitlab

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

type kind int

const (
	kindFault kind = iota
	kindRateLimit
	kindStall
	kindReset
	kindCut
)

// rule is one pending injection; n counts the requests it still applies to
// (negative: forever).
type rule struct {
	kind   kind
	prefix string
	n      int

	status     int         // kindFault
	header     http.Header // kindFault
	body       string      // kindFault
	retryAfter int         // kindRateLimit: seconds; < 0 omits Retry-After
	delay      time.Duration
}

// Fault makes the next n requests whose path (after /api/v4, still
// URL-encoded as sent) has the prefix answer with status, extra headers and
// body; n < 0 means forever.
func (s *Server) Fault(prefix string, n int, status int, header http.Header, body string) {
	s.add(&rule{kind: kindFault, prefix: prefix, n: n, status: status, header: header.Clone(), body: body})
}

// RateLimit makes the next n requests answer as a spent GitLab.com rate
// limit: 429 with the body "Retry later", RateLimit-Remaining: 0,
// RateLimit-Observed equal to RateLimit-Limit, RateLimit-Reset and
// RateLimit-ResetTime retryAfter seconds after the fake's clock, and
// Retry-After: retryAfter (omitted when retryAfter < 0).
// https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers
func (s *Server) RateLimit(n int, retryAfter int) {
	s.add(&rule{kind: kindRateLimit, n: n, retryAfter: retryAfter})
}

// Stall makes the next n requests wait d before answering (or until the
// client gives up).
func (s *Server) Stall(n int, d time.Duration) {
	s.add(&rule{kind: kindStall, n: n, delay: d})
}

// ResetConnection makes the next n requests drop the connection without a
// response. A drop that Go's Transport retries by itself (a GET on a reused
// keep-alive connection) does not count, so n requests always reach the
// client as errors.
func (s *Server) ResetConnection(n int) {
	s.add(&rule{kind: kindReset, n: n})
}

// CutBody makes the next n requests send headers and half a body, then drop.
func (s *Server) CutBody(n int) {
	s.add(&rule{kind: kindCut, n: n})
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
// counts the request against it.
func (s *Server) take(path string, retried bool) *rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, rl := range s.rules {
		if !strings.HasPrefix(path, rl.prefix) {
			continue
		}
		if rl.kind == kindReset && retried {
			return rl // the client will resend it: apply, but do not count
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

// throttled is Rack::Attack's answer over a limit, as GitLab configures it:
// 429, text/plain, "Retry later\n" (Gitlab::Throttle's default
// rate_limiting_response_text), Retry-After in seconds.
func throttled(retryAfter int) response {
	h := http.Header{}
	h.Set("Content-Type", "text/plain")
	if retryAfter >= 0 {
		h.Set("Retry-After", strconv.Itoa(retryAfter))
	}
	return response{status: http.StatusTooManyRequests, header: h, body: []byte("Retry later\n")}
}
