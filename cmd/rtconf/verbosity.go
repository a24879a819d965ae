package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/forge"
)

// --quiet and --verbose, on rtconf itself and on every command (so that
// they work before or after the command's name). What they change:
//   - progress (validate's bar over many overlays) and what a network wait
//     is for: on a terminal only, never with --quiet; --verbose says the
//     waits off a terminal too (a CI log);
//   - validate's and gather's text output: --verbose lists every finding
//     of a flood that is otherwise summarised (output.GroupAfter);
//   - the file lists of generate and the change commands: --verbose lists
//     every file past listLimit.
func verbosityFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "quiet", Usage: "no progress and no notes of what rtconf waits for"},
		&cli.BoolFlag{Name: "verbose", Usage: "every finding and every file changed, and the network waits even off a terminal"},
	}
}

// addVerbosity gives every command that runs the flags of verbosityFlags.
func addVerbosity(cmds []*cli.Command) {
	for _, c := range cmds {
		if len(c.Subcommands) == 0 {
			c.Flags = append(c.Flags, verbosityFlags()...)
		}
		addVerbosity(c.Subcommands)
	}
}

// quiet and verbose read the flags wherever they were given (the
// command's own, or rtconf's before the command).
func quiet(c *cli.Context) bool   { return c.Bool("quiet") }
func verbose(c *cli.Context) bool { return c.Bool("verbose") }

// checkVerbosity refuses --quiet with --verbose.
func checkVerbosity(c *cli.Context) error {
	if quiet(c) && verbose(c) {
		return &usageError{"--quiet and --verbose: give one"}
	}
	return nil
}

// showProgress says whether progress may be drawn on standard error: a
// terminal, and no --quiet.
func showProgress(c *cli.Context) bool { return !quiet(c) && isTerminal(c.App.ErrWriter) }

// waitNotes returns what tells the user, on standard error, what a
// network request waits for (a rate limit, a retry), or nil where that
// must stay silent: with --quiet, and off a terminal unless --verbose.
func waitNotes(c *cli.Context) func(forge.Wait) {
	if quiet(c) || (!verbose(c) && !isTerminal(c.App.ErrWriter)) {
		return nil
	}
	w := c.App.ErrWriter
	return func(wt forge.Wait) {
		fmt.Fprintf(w, "rtconf: waiting %s, until %s, for %s\n", wt.Delay.Round(time.Second), wt.Until.UTC().Format("15:04:05 UTC"), wt.For)
	}
}
