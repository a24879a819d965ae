package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rtconf/rtconf/internal/testclock"
)

// TestRunConcurrent calls run from many goroutines at once: under -race it
// fails if a run shares state with another (the CLI library's help and
// version flags, GC tuning), and each run must print what it prints alone.
func TestRunConcurrent(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	if code := run(context.Background(), []string{"rtconf", "init", "--demo", repo}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatalf("init --demo: exit %d", code)
	}
	cmds := [][]string{
		{"--help"},
		{"-h"},
		{"help"},
		{"help", "validate"},
		{"token", "help"},
		{"-v"},
		{"--version"},
		{"validate", "--help"},
		{"seal", "-h"},
		{"validate", "--dir", repo},
		{"generate", "--dry-run", "--dir", repo},
		{"no-such-command"},
	}
	type result struct {
		code           int
		stdout, stderr string
	}
	runOnce := func(args []string) result {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"rtconf"}, args...), strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default()))
		return result{code, stdout.String(), stderr.String()}
	}
	want := make([]result, len(cmds))
	for i, args := range cmds {
		want[i] = runOnce(args)
	}
	const goroutines = 8
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*len(cmds))
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := range cmds {
				i := (g + k) % len(cmds)
				if got := runOnce(cmds[i]); got != want[i] {
					errs <- fmt.Errorf("rtconf %s concurrently: got %+v, alone %+v", strings.Join(cmds[i], " "), got, want[i])
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
