package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
)

// faultCase is one way GitHub can misbehave. want is "" when the check must
// end in a pass (the fault is transient), or a part of the UnverifiedError
// it must end in: never a pass.
type faultCase struct {
	name   string
	inject func(*fakegithub.Server)
	want   string
}

// faultCases: every 5xx, 429 and the secondary-rate-limit 403 with and
// without Retry-After, a reset connection, a body cut half-way and a 30 s
// stall, once (a retry succeeds) and for ever (the check gives up).
func faultCases() []faultCase {
	var cases []faultCase
	for _, status := range []int{500, 502, 503, 504} {
		cases = append(cases,
			faultCase{fmt.Sprintf("%d once", status), func(s *fakegithub.Server) { s.Fault("/", 1, status, nil, "") }, ""},
			faultCase{fmt.Sprintf("%d for ever", status), func(s *fakegithub.Server) { s.Fault("/", -1, status, nil, "") },
				fmt.Sprintf("GitHub answered %d %s (after 4 attempts)", status, http.StatusText(status))},
		)
	}
	for _, status429 := range []bool{false, true} {
		code := "403"
		if status429 {
			code = "429"
		}
		cases = append(cases,
			faultCase{code + " secondary limit, Retry-After within max-wait", func(s *fakegithub.Server) { s.SecondaryRateLimit(1, 10, status429) }, ""},
			faultCase{code + " secondary limit, Retry-After beyond max-wait", func(s *fakegithub.Server) { s.SecondaryRateLimit(1, 45, status429) },
				"secondary rate limit asks to wait 45s, more than --max-wait 30s"},
			// Without Retry-After GitHub advises a minute, more than the
			// 30 s the test allows.
			faultCase{code + " secondary limit without Retry-After", func(s *fakegithub.Server) { s.SecondaryRateLimit(1, -1, status429) },
				"secondary rate limit asks to wait 1m0s, more than --max-wait 30s"},
			faultCase{code + " secondary limit, Retry-After for ever", func(s *fakegithub.Server) { s.SecondaryRateLimit(-1, 10, status429) },
				"secondary rate limit asks to wait 10s, more than --max-wait 30s"},
		)
	}
	return append(cases,
		faultCase{"primary limit beyond max-wait", func(s *fakegithub.Server) { s.PrimaryRateLimit(1, s.Now().Add(time.Hour)) },
			"primary rate limit asks to wait 1h0m1s"},
		faultCase{"connection reset once", func(s *fakegithub.Server) { s.ResetConnection(1) }, ""},
		faultCase{"connection reset for ever", func(s *fakegithub.Server) { s.ResetConnection(100) }, "(after 4 attempts)"},
		faultCase{"body cut half-way once", func(s *fakegithub.Server) { s.CutBody(1) }, ""},
		faultCase{"body cut half-way for ever", func(s *fakegithub.Server) { s.CutBody(100) }, "(after 4 attempts)"},
		faultCase{"30 s stall once", func(s *fakegithub.Server) { s.Stall(1, 30*time.Second) }, ""},
		faultCase{"30 s stall for ever", func(s *fakegithub.Server) { s.Stall(100, 30*time.Second) }, "(after 4 attempts)"},
	)
}

// TestCheckFaultTable runs every fault against a classic and a fine-grained
// token that hold every requirement, with small bounds (200 ms a request,
// 3 retries, 30 s max-wait on a clock that does not really sleep), and
// checks the outcome and that it came within the bounds: no more attempts
// than retries allow, the waits asked for under max-wait plus the backoff.
// cleanRequests is how many requests a fault-free check of tok makes.
func cleanRequests(t *testing.T, tok string) int {
	t.Helper()
	s := fake(t, fakegithub.Options{})
	o := opts(s)
	o.ProbeWrites = true
	if _, err := github.Check(context.Background(), parse(t, tok), forge.RuntimeToken, o); err != nil {
		t.Fatal(err)
	}
	return len(s.Requests())
}

func TestCheckFaultTable(t *testing.T) {
	for _, tok := range []string{classicFull, fineFull} {
		for _, tc := range faultCases() {
			t.Run(tok[:8]+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := fake(t, fakegithub.Options{})
				tc.inject(s)
				o := opts(s)
				o.Timeout = 200 * time.Millisecond
				o.MaxWait = 30 * time.Second
				o.Retries, o.Backoff = 3, 100*time.Millisecond
				o.ProbeWrites = true // so that a fine-grained token can pass
				var mu sync.Mutex
				var slept time.Duration
				o.Sleep = func(ctx context.Context, d time.Duration) error {
					mu.Lock()
					defer mu.Unlock()
					slept += d
					return ctx.Err()
				}
				res, err := github.Check(context.Background(), parse(t, tok), forge.RuntimeToken, o)

				// Each request is bounded by Timeout (the client's), so the
				// work is bounded by the attempts: every request of a
				// fault-free check at most Retries+1 times, plus the
				// re-requests after waiting out a rate limit.
				if got, bound := len(s.Requests()), cleanRequests(t, tok)*(o.Retries+1)+3; got > bound {
					t.Errorf("%d requests, more than %d", got, bound)
				}
				if bound := o.MaxWait + 15*o.Backoff; slept > bound {
					t.Errorf("waited %s in all, more than %s", slept, bound)
				}
				if tc.want == "" {
					if err != nil || res.Outcome() != forge.Met {
						t.Fatalf("Check = %+v, %v; want a pass after the transient fault", res, err)
					}
					return
				}
				var uv *forge.UnverifiedError
				if !errors.As(err, &uv) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Check = %+v, %v; want an UnverifiedError containing %q", res, err, tc.want)
				}
				if strings.Contains(err.Error(), tok) {
					t.Fatal("the error shows the token")
				}
			})
		}
	}
}
