// Package testclock gives rtconf's tests their clocks: fixed instants,
// never the wall clock, so that the suite passes on any date.
//
// A test whose outcome depends on the time (token expiry, certificate
// validity, sealing and checking dates) runs under every instant of
// Instants with Run; the others use Default.
package testclock

import (
	"testing"
	"time"
)

// Instants are the clocks time-dependent tests run under: before the
// suite was written, the day it was, and years after it.
func Instants() []time.Time {
	return []time.Time{
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		Default(),
		time.Date(2039, 12, 31, 23, 0, 0, 0, time.UTC),
	}
}

// Default is the instant of the tests that do not run under every clock.
func Default() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }

// Fixed is a clock that always reads now.
func Fixed(now time.Time) func() time.Time { return func() time.Time { return now } }

// Run runs f as a subtest under each instant of Instants, named by its date.
func Run(t *testing.T, f func(t *testing.T, now time.Time)) {
	t.Helper()
	for _, now := range Instants() {
		t.Run("now="+now.Format("2006-01-02"), func(t *testing.T) { f(t, now) })
	}
}
