// Package fifotest guards tests that must not block on a FIFO.
package fifotest

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// Within runs f and fails the test when f has not returned after limit. A
// read blocked on the FIFO at fifo is then released: opening its writing
// end and closing it again gives the reader end of file.
func Within(t testing.TB, limit time.Duration, fifo string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatalf("still running after %v: blocked on %s?", limit, fifo)
	}
}
