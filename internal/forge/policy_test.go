package forge_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/testclock"
)

// TestPolicyTellsWhatItWaitsFor: every wait, a rate limit's or a retry's
// backoff, is told to Options.Waiting before it starts, with its reason
// and when it ends.
func TestPolicyTellsWhatItWaitsFor(t *testing.T) {
	now := testclock.Default()
	answers := []forge.Answer{{Status: http.StatusForbidden}, {Status: http.StatusBadGateway}, {Status: http.StatusOK}}
	var waits []forge.Wait
	var slept []time.Duration
	p := forge.Policy{
		Options: forge.Options{
			MaxWait: time.Minute, Retries: 2, Backoff: time.Second, Timeout: time.Second, Now: now,
			Sleep:   func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
			Waiting: func(w forge.Wait) { waits = append(waits, w) },
		},
		Title: "GitHub",
		Limited: func(a forge.Answer, _ time.Time) (forge.RateLimit, bool) {
			return forge.RateLimit{Wait: 41 * time.Second, What: "GitHub's primary rate limit"}, a.Status == http.StatusForbidden
		},
		Redact: func(s string) string { return s },
	}
	a, err := p.Do(context.Background(), http.MethodGet, func(context.Context) (forge.Answer, error) {
		a := answers[0]
		answers = answers[1:]
		return a, nil
	})
	if err != nil || a.Status != http.StatusOK {
		t.Fatalf("Do = %d, %v", a.Status, err)
	}
	want := []forge.Wait{
		{For: "GitHub's primary rate limit", Until: now.Add(41 * time.Second), Delay: 41 * time.Second},
		{For: "a retry (GitHub answered 502 Bad Gateway)", Until: now.Add(42 * time.Second), Delay: time.Second},
	}
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{41 * time.Second, time.Second}, slept); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

// TestPolicyTransportErrorsAreFinal: a redirect HTTPClient refused and an
// answer over its limit are tried once, with no Final of the provider's,
// while another network error is retried.
func TestPolicyTransportErrorsAreFinal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		tries int
	}{
		{"redirect refused", &forge.RedirectError{From: "https://api.example.com", To: "https://elsewhere.example"}, 1},
		{"answer too large", fmt.Errorf("read body: %w", forge.ErrResponseTooLarge), 1},
		{"connection reset", errors.New("connection reset by peer"), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := forge.Policy{
				Options: forge.Options{
					MaxWait: time.Minute, Retries: 2, Backoff: time.Second, Timeout: time.Second, Now: testclock.Default(),
					Sleep: func(context.Context, time.Duration) error { return nil },
				},
				Title:   "GitHub",
				Limited: func(forge.Answer, time.Time) (forge.RateLimit, bool) { return forge.RateLimit{}, false },
				Redact:  func(s string) string { return s },
			}
			tries := 0
			_, err := p.Do(context.Background(), http.MethodGet, func(context.Context) (forge.Answer, error) {
				tries++
				return forge.Answer{}, tc.err
			})
			if !errors.Is(err, tc.err) {
				t.Errorf("Do error %v does not unwrap to %v", err, tc.err)
			}
			if tries != tc.tries {
				t.Errorf("%d tries, want %d", tries, tc.tries)
			}
		})
	}
}
