package forge

import (
	"context"
	"sync"
	"time"
)

// Gate is shared by checks that run at the same time against one host, so
// that they back off together: when one of them meets a rate limit, every
// request of every check waits until that wait is over, and a check that
// meets the same limit meanwhile joins the wait instead of adding its own.
// The zero Gate is open; a nil *Gate is a gate of one.
type Gate struct {
	mu     sync.Mutex
	closed chan struct{} // closed when the current wait is over; nil while open
}

// wait blocks while the gate is closed.
func (g *Gate) wait(ctx context.Context) error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	ch := g.closed
	g.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pause closes the gate for d, slept with sleep, or joins the wait already
// under way.
func (g *Gate) pause(ctx context.Context, d time.Duration, sleep func(context.Context, time.Duration) error) error {
	if g == nil {
		return sleep(ctx, d)
	}
	g.mu.Lock()
	if g.closed != nil {
		g.mu.Unlock()
		return g.wait(ctx)
	}
	ch := make(chan struct{})
	g.closed = ch
	g.mu.Unlock()
	err := sleep(ctx, d)
	g.mu.Lock()
	g.closed = nil
	close(ch)
	g.mu.Unlock()
	return err
}
