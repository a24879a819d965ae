package safetext

import (
	"io"
	"strings"
	"sync"
)

// Options relax a Writer's rules for text that rtconf writes itself.
type Options struct {
	// Commands lets lines start with "::": the github format's own
	// workflow commands, whose texts are escaped so that they hold no
	// line end.
	Commands bool
	// Color lets rtconf's own ANSI colour sequences through (reset, bold,
	// red, green, yellow, cyan); any other escape sequence is escaped as ever.
	Color bool
}

// maxHeld bounds how much of an unfinished word a Writer holds back.
const maxHeld = 64 << 10

// Writer applies the package's rules to everything written through it.
// A token or a URL never spans white space, so a Writer holds back only
// the last, unfinished word of a write until white space or Flush ends it;
// a prompt that ends in a space is shown at once. Flush before the end.
// A Writer is safe for use by several goroutines, and its views (With)
// share its state.
type Writer struct {
	st   *writerState
	opts Options
}

type writerState struct {
	mu      sync.Mutex
	w       io.Writer
	line    lineState
	held    []byte
	heldBy  Options
	err     error
	scratch strings.Builder
}

// NewWriter returns a Writer that writes to w under the rules, relaxed by o.
func NewWriter(w io.Writer, o Options) *Writer {
	return &Writer{st: &writerState{w: w, line: lineState{atStart: true}}, opts: o}
}

// With returns a view of the Writer with other options: writes through
// either go to the same place, in order.
func (w *Writer) With(o Options) *Writer { return &Writer{st: w.st, opts: o} }

// Options returns the Writer's options.
func (w *Writer) Options() Options { return w.opts }

// Unwrap returns the writer underneath, for checks such as "is it a
// terminal"; writing to it bypasses every rule.
func (w *Writer) Unwrap() io.Writer { return w.st.w }

// Write applies the rules to p. It reports len(p) unless the writer
// underneath failed.
func (w *Writer) Write(p []byte) (int, error) {
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.err != nil {
		return 0, st.err
	}
	if len(st.held) > 0 && st.heldBy != w.opts {
		st.release(len(st.held))
	}
	st.held = append(st.held, p...)
	st.heldBy = w.opts
	st.release(cut(st.held))
	if st.err != nil {
		return 0, st.err
	}
	return len(p), nil
}

// Flush writes what is held back.
func (w *Writer) Flush() error {
	st := w.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.err == nil {
		st.release(len(st.held))
	}
	return st.err
}

// release writes held[:n] under the rules of whoever wrote it.
func (st *writerState) release(n int) {
	if n == 0 || st.err != nil {
		return
	}
	st.scratch.Reset()
	st.line.write(&st.scratch, redact(string(st.held[:n])), st.heldBy, false)
	st.held = append(st.held[:0], st.held[n:]...)
	_, st.err = io.WriteString(st.w, st.scratch.String())
}

// cut is how much of b can be released: up to its last white space, or,
// when the last word is longer than maxHeld, up to the last byte that
// cannot be part of a token.
func cut(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		switch b[i] {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			if len(b)-i-1 <= maxHeld {
				return i + 1
			}
			return longCut(b, i+1)
		}
	}
	if len(b) <= maxHeld {
		return 0
	}
	return longCut(b, 0)
}

// longCut releases a long word up to its last ASCII byte that is no token
// character, or whole.
func longCut(b []byte, from int) int {
	for i := len(b) - 1; i >= from; i-- {
		c := b[i]
		if c < 0x80 && !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return i + 1
		}
	}
	return len(b)
}
