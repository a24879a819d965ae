package fakegithub

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type kind int

const (
	kindFault kind = iota
	kindPrimary
	kindSecondary
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

	status int         // kindFault, kindSecondary
	header http.Header // kindFault, kindSecondary
	body   string      // kindFault
	reset  time.Time   // kindPrimary
	delay  time.Duration
}

// Fault makes the next n requests whose path (after the /api/v3 prefix if any) has the prefix answer with status, extra headers and body; n < 0 means forever.
func (s *Server) Fault(prefix string, n int, status int, header http.Header, body string) {
	s.add(&rule{kind: kindFault, prefix: prefix, n: n, status: status, header: header.Clone(), body: body})
}

// PrimaryRateLimit makes the next n requests answer as an exhausted primary rate limit: 403 with X-RateLimit-Remaining: 0, X-RateLimit-Reset = reset (unix seconds), message "API rate limit exceeded for user ID 1."; resource "core".
func (s *Server) PrimaryRateLimit(n int, reset time.Time) {
	s.add(&rule{kind: kindPrimary, n: n, reset: reset})
}

// SecondaryRateLimit makes the next n requests answer 403 (or 429 when status429) with Retry-After: retryAfter seconds (omitted when < 0) and message "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
func (s *Server) SecondaryRateLimit(n int, retryAfter int, status429 bool) {
	rl := &rule{kind: kindSecondary, n: n, status: http.StatusForbidden, header: http.Header{}}
	if status429 {
		rl.status = http.StatusTooManyRequests
	}
	if retryAfter >= 0 {
		rl.header.Set("Retry-After", strconv.Itoa(retryAfter))
	}
	s.add(rl)
}

// Stall makes the next n requests wait d before answering (or until the client gives up).
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

// secondaryLimited is GitHub's answer to a request over a secondary rate limit.
func secondaryLimited(rl *rule) response {
	res := apiError(rl.status,
		"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
	res.header = rl.header.Clone()
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
