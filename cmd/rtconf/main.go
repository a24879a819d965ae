// Command rtconf manages the shared configuration repository of Argo CD
// based GitOps Runtimes: run `rtconf --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	// The one place rtconf reads the wall clock: every command takes its
	// time from run's clock.
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, time.Now)
	stop()
	os.Exit(code)
}
