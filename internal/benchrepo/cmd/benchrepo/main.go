// Command benchrepo writes a synthetic shared configuration repository of N
// runtimes (5 users and 2 managed clusters each, every token sealed with the
// demo certificate) for benchmarks:
//
//	go run ./internal/benchrepo/cmd/benchrepo -runtimes 1000 DIR
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rtconf/rtconf/internal/benchrepo"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fl := flag.NewFlagSet("benchrepo", flag.ContinueOnError)
	fl.SetOutput(stderr)
	o := benchrepo.DefaultOptions(0)
	fl.IntVar(&o.Runtimes, "runtimes", 10, "number of runtimes")
	fl.IntVar(&o.Users, "users", o.Users, "users per runtime")
	fl.IntVar(&o.Clusters, "clusters", o.Clusters, "managed clusters per runtime")
	configOnly := fl.Bool("config-only", false, "write only rtconf.yaml and the certificate")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: benchrepo [-runtimes N] [-users N] [-clusters N] [-config-only] DIR")
		return 2
	}
	start := time.Now()
	if err := benchrepo.Write(fl.Arg(0), o, *configOnly); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fmt.Fprintf(stderr, "benchrepo: %d runtimes in %s (%s)\n", o.Runtimes, fl.Arg(0), time.Since(start).Round(time.Millisecond))
	return 0
}
