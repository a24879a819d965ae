package fakegitlab

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// GitLab.com's API limits: 2000 requests a minute for an authenticated user,
// 500 a minute per IP address without one (and for refused credentials).
// https://docs.gitlab.com/user/gitlab_com/#rate-limits-on-gitlabcom
const (
	authenticatedLimit   = 2000
	unauthenticatedLimit = 500
	window               = time.Minute
)

// rate is the state of one rate-limit bucket after a request.
type rate struct {
	name                       string // RateLimit-Name: the Rack::Attack throttle
	limit, observed, remaining int
	reset                      time.Time
}

// count charges a request to its bucket in the current one-minute window
// (windows start at the fake's start). remaining goes negative once the
// limit is spent.
func (s *Server) count(a actor, r *http.Request) rate {
	now := s.opts.Now()
	n := int64(0)
	if d := now.Sub(s.start); d > 0 {
		n = int64(d / window)
	}
	reset := s.start.Add(time.Duration(n+1) * window)
	rt := rate{name: "throttle_authenticated_api", limit: authenticatedLimit, reset: reset}
	key := "user:" + a.username
	if a.user == nil {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		rt.name, rt.limit, key = "throttle_unauthenticated_api", unauthenticatedLimit, "ip:"+host
	}
	key += "@" + strconv.FormatInt(n, 10)
	s.mu.Lock()
	s.used[key]++
	used := s.used[key]
	s.mu.Unlock()
	rt.observed, rt.remaining = min(used, rt.limit), rt.limit-used
	return rt
}

// set writes GitLab's rate-limit headers: RateLimit-Reset in Unix seconds,
// RateLimit-ResetTime as an HTTP date (RFC 2616).
// https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers
func (rt rate) set(h http.Header) {
	h.Set("RateLimit-Name", rt.name)
	h.Set("RateLimit-Limit", strconv.Itoa(rt.limit))
	h.Set("RateLimit-Observed", strconv.Itoa(rt.observed))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(rt.remaining, 0)))
	h.Set("RateLimit-Reset", strconv.FormatInt(rt.reset.Unix(), 10))
	h.Set("RateLimit-ResetTime", rt.reset.UTC().Format(http.TimeFormat))
}
