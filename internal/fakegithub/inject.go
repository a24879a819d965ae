package fakegithub

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// limit is a rate-limit injection, GitHub's own rule kind (fakehost.KindHost).
type limit struct {
	primary bool
	reset   time.Time   // primary: X-RateLimit-Reset
	status  int         // secondary: 403 or 429
	header  http.Header // secondary: Retry-After
}

// Fault makes the next n requests whose path (after the /api/v3 prefix if any) has the prefix answer with status, extra headers and body; n < 0 means forever.
func (s *Server) Fault(prefix string, n int, status int, header http.Header, body string) {
	s.host.Fault(prefix, n, status, header, body)
}

// PrimaryRateLimit makes the next n requests answer as an exhausted primary rate limit: 403 with X-RateLimit-Remaining: 0, X-RateLimit-Reset = reset (unix seconds), message "API rate limit exceeded for user ID 1."; resource "core".
func (s *Server) PrimaryRateLimit(n int, reset time.Time) {
	s.host.Answer(n, limit{primary: true, reset: reset})
}

// SecondaryRateLimit makes the next n requests answer 403 (or 429 when status429) with Retry-After: retryAfter seconds (omitted when < 0) and message "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
func (s *Server) SecondaryRateLimit(n int, retryAfter int, status429 bool) {
	l := limit{status: http.StatusForbidden, header: http.Header{}}
	if status429 {
		l.status = http.StatusTooManyRequests
	}
	if retryAfter >= 0 {
		l.header.Set("Retry-After", strconv.Itoa(retryAfter))
	}
	s.host.Answer(n, l)
}

// Stall makes the next n requests wait d before answering (or until the client gives up).
func (s *Server) Stall(n int, d time.Duration) { s.host.Stall(n, d) }

// ResetConnection makes the next n requests drop the connection without a
// response. A drop that Go's Transport retries by itself (a GET on a reused
// keep-alive connection) does not count, so n requests always reach the
// client as errors.
func (s *Server) ResetConnection(n int) { s.host.ResetConnection(n) }

// CutBody makes the next n requests send headers and half a body, then drop.
func (s *Server) CutBody(n int) { s.host.CutBody(n) }

// secondaryLimited is GitHub's answer to a request over a secondary rate limit.
func secondaryLimited(l limit) response {
	res := apiError(l.status,
		"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
	res.header = l.header.Clone()
	return res
}

// primaryLimited is GitHub's answer to a request over the primary rate limit.
func (s *Server) primaryLimited(a actor, r *http.Request) response {
	msg := "API rate limit exceeded for user ID " + strconv.FormatInt(a.id, 10) + "."
	if a.tok == nil {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		msg = "API rate limit exceeded for " + host + ". (But here's the good news: " +
			"Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
	}
	return apiError(http.StatusForbidden, msg,
		"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit")
}
