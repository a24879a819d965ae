package fakebitbucketdc

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// paged answers a list as Bitbucket pages it: start (from 0) and limit
// (default 25, at most 1000); the page's size, limit, start, isLastPage,
// values and, unless it is the last, nextPageStart
// (https://developer.atlassian.com/server/bitbucket/rest/v906/intro/#paged-apis).
func paged(q url.Values, items []any) response {
	start, _ := strconv.Atoi(q.Get("start"))
	limit, err := strconv.Atoi(q.Get("limit"))
	switch {
	case err != nil || limit < 1:
		limit = 25
	case limit > 1000:
		limit = 1000
	}
	start = max(start, 0)
	from, to := min(start, len(items)), min(start+limit, len(items))
	values := items[from:to]
	if values == nil {
		values = []any{}
	}
	pg := map[string]any{"size": len(values), "limit": limit, "start": start, "isLastPage": to >= len(items), "values": values}
	if to < len(items) {
		pg["nextPageStart"] = to
	}
	return jsonBody(http.StatusOK, pg)
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// bucket is one user's token bucket
// (https://confluence.atlassian.com/bitbucketserver/improving-instance-stability-with-rate-limiting-976171954.html).
type bucket struct {
	left float64
	at   time.Time
}

// take charges a request to its user's bucket; limited says the bucket is
// empty and wait how many seconds until it holds one again.
func (s *Server) take(a actor) (wait int, limited bool) {
	b := s.opts.Bucket
	if b.Size <= 0 || a.token == nil {
		return 0, false
	}
	now := s.opts.Now()
	bk, ok := s.buckets[a.token.User]
	if !ok {
		bk = &bucket{left: float64(b.Size), at: now}
		s.buckets[a.token.User] = bk
	}
	bk.left = min(float64(b.Size), bk.left+now.Sub(bk.at).Seconds()*float64(b.Refill))
	bk.at = now
	if bk.left < 1 {
		if b.Refill <= 0 {
			return -1, true
		}
		return int(math.Ceil((1 - bk.left) / float64(b.Refill))), true
	}
	bk.left--
	return 0, false
}

// throttled is the answer of an empty bucket: 429 with Retry-After.
func throttled(retryAfter int) response {
	res := errorBody(http.StatusTooManyRequests, "com.atlassian.bitbucket.throttle.ThrottledException", "You have been rate limited. Please wait and try again.")
	if retryAfter >= 0 {
		res.header = http.Header{"Retry-After": {strconv.Itoa(retryAfter)}}
	}
	return res
}
