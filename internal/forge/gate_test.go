package forge

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestGateBacksOffTogether: two checks share a Gate; the first meets a
// rate limit. While its wait lasts, the other sends nothing; a third
// meeting the limit meanwhile joins that wait instead of sleeping its own;
// when the wait is over, all go on.
func TestGateBacksOffTogether(t *testing.T) {
	synctest.Test(t, testGateBacksOffTogether)
}

func testGateBacksOffTogether(t *testing.T) {
	release := make(chan struct{})
	var sleeps atomic.Int32
	gate := &Gate{}
	o := Options{Timeout: time.Minute, MaxWait: time.Hour, Gate: gate,
		Sleep: func(ctx context.Context, d time.Duration) error {
			sleeps.Add(1)
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}}
	var limitedOnce sync.Once
	var sentWhileClosed atomic.Int32
	closed := make(chan struct{})
	p := Policy{Options: o, Title: "Host", Redact: func(s string) string { return s },
		Limited: func(a Answer, _ time.Time) (RateLimit, bool) {
			return RateLimit{Wait: time.Minute, What: "the limit"}, a.Status == http.StatusTooManyRequests
		}}
	limited := func(ctx context.Context) (Answer, error) {
		status := http.StatusOK
		limitedOnce.Do(func() { status = http.StatusTooManyRequests; close(closed) })
		return Answer{Status: status}, nil
	}
	ctx := context.Background()
	first := make(chan error, 1)
	go func() { _, err := p.Do(ctx, http.MethodGet, limited); first <- err }()
	<-closed
	synctest.Wait() // the first check sleeps, the gate closed
	second := make(chan error, 1)
	go func() {
		_, err := p.Do(ctx, http.MethodGet, func(context.Context) (Answer, error) {
			select {
			case <-release:
			default:
				sentWhileClosed.Add(1)
			}
			return Answer{Status: http.StatusOK}, nil
		})
		second <- err
	}()
	// A third meets the limit itself while the gate is closed.
	third := make(chan error, 1)
	go func() {
		err := gate.pause(ctx, time.Minute, o.Sleep)
		third <- err
	}()
	synctest.Wait() // everyone blocked
	select {
	case err := <-second:
		t.Fatalf("the second check finished while the gate was closed: %v", err)
	case err := <-third:
		t.Fatalf("the third wait ended before the first: %v", err)
	default:
	}
	close(release)
	for _, ch := range []chan error{first, second, third} {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	if n := sentWhileClosed.Load(); n != 0 {
		t.Errorf("%d requests sent while the gate was closed", n)
	}
	if n := sleeps.Load(); n != 1 {
		t.Errorf("%d sleeps, want 1: the waits were not shared", n)
	}
}

// TestGateNil: without a Gate, a rate limit is slept alone.
func TestGateNil(t *testing.T) {
	var g *Gate
	slept := time.Duration(0)
	if err := g.pause(context.Background(), time.Second, func(_ context.Context, d time.Duration) error { slept = d; return nil }); err != nil || slept != time.Second {
		t.Fatalf("pause = %v, slept %s", err, slept)
	}
	if err := g.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}
