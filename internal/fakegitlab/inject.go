package fakegitlab

import (
	"net/http"
	"strconv"
	"time"
)

// rateLimit is a RateLimit injection, GitLab's own rule kind
// (fakehost.KindHost).
type rateLimit struct {
	retryAfter int // seconds; < 0 omits Retry-After
}

// Fault makes the next n requests whose path (after /api/v4, still
// URL-encoded as sent) has the prefix answer with status, extra headers and
// body; n < 0 means forever.
func (s *Server) Fault(prefix string, n int, status int, header http.Header, body string) {
	s.host.Fault(prefix, n, status, header, body)
}

// RateLimit makes the next n requests answer as a spent GitLab.com rate
// limit: 429 with the body "Retry later", RateLimit-Remaining: 0,
// RateLimit-Observed equal to RateLimit-Limit, RateLimit-Reset and
// RateLimit-ResetTime retryAfter seconds after the fake's clock, and
// Retry-After: retryAfter (omitted when retryAfter < 0).
// https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers
func (s *Server) RateLimit(n int, retryAfter int) {
	s.host.Answer(n, rateLimit{retryAfter: retryAfter})
}

// Stall makes the next n requests wait d before answering (or until the
// client gives up).
func (s *Server) Stall(n int, d time.Duration) { s.host.Stall(n, d) }

// ResetConnection makes the next n requests drop the connection without a
// response. A drop that Go's Transport retries by itself (a GET on a reused
// keep-alive connection) does not count, so n requests always reach the
// client as errors.
func (s *Server) ResetConnection(n int) { s.host.ResetConnection(n) }

// CutBody makes the next n requests send headers and half a body, then drop.
func (s *Server) CutBody(n int) { s.host.CutBody(n) }

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
