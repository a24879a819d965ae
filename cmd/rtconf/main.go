// Command rtconf manages the shared configuration repository of Argo CD
// based GitOps Runtimes: run `rtconf --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"time"
)

func main() {
	tuneGC(os.Getenv("GOGC"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	// The one place rtconf reads the wall clock: every command takes its
	// time from run's clock.
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, time.Now)
	stop()
	os.Exit(code)
}

// tuneGC trades memory for time, for validate above all, which allocates
// a lot of short-lived YAML: collecting at 200 % instead of 100 % saves about a
// tenth of its CPU time and keeps a 1,000-runtime repository near 300 MiB
// (BENCHMARKS.md); a soft limit of 480 MiB makes the collector work harder
// before the process grows past that. A GOGC the user set wins. It is
// process-wide state, so main sets it once, never run.
func tuneGC(gogc string) {
	if gogc != "" {
		return
	}
	debug.SetGCPercent(200)
	debug.SetMemoryLimit(480 << 20)
}
