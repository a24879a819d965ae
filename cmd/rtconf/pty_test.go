package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// terminal is a pseudo-terminal for a test: Tty is the terminal side, an
// *os.File that isTerminal accepts, and Output is what was written to it,
// read through the other side (with the line discipline's "\r\n" made
// "\n" again).
type terminal struct {
	Tty  *os.File
	ptmx *os.File
	done chan struct{}
	out  bytes.Buffer
}

// newTerminal opens a pseudo-terminal (Linux's /dev/ptmx), skipping the
// test where there is none; it is closed when the test ends.
func newTerminal(t *testing.T) *terminal {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var n, unlock uint32
	if err := ioctl(ptmx, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		ptmx.Close()
		t.Fatalf("unlock the pseudo-terminal: %v", err)
	}
	if err := ioctl(ptmx, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		ptmx.Close()
		t.Fatalf("number of the pseudo-terminal: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		ptmx.Close()
		t.Fatalf("open the pseudo-terminal: %v", err)
	}
	term := &terminal{Tty: tty, ptmx: ptmx, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		// Reading ends with EIO once the terminal side is closed.
		_, _ = io.Copy(&term.out, ptmx)
	}()
	t.Cleanup(func() {
		tty.Close()
		ptmx.Close()
	})
	return term
}

// Output closes the terminal side and returns everything written to it.
func (term *terminal) Output() string {
	term.Tty.Close()
	<-term.done
	return strings.ReplaceAll(term.out.String(), "\r\n", "\n")
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}
