package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/workspace"
)

// manyRuntimesHelp says how runtime-token and token rotate seal into
// several runtimes.
const manyRuntimesHelp = "--runtime may be repeated, or --all-runtimes given instead, to seal the one token (a\n" +
	"robot account's) into the runtime token of each runtime in one run: the token is checked\n" +
	"live once, for what the runtimes need together, and every file is written, or none.\n" +
	"The files changed are listed (--verbose: every one; --quiet with several runtimes: only\n" +
	"the summary line). User tokens and GitHub App credentials are sealed one runtime at a time."

// runtimesFlags are --runtime, which may be repeated, and --all-runtimes.
// --runtime is a flag of its own kind (repeatedFlag), not a slice flag, so
// that its help reads as it did when it took one runtime.
func runtimesFlags() []cli.Flag {
	return []cli.Flag{
		&cli.GenericFlag{Name: "runtime", Value: &repeatedFlag{}, Usage: "`NAME` of the runtime (required)"},
		&cli.BoolFlag{Name: "all-runtimes", Usage: "every runtime of rtconf.yaml, instead of --runtime (which may also be repeated: --runtime a --runtime b)"},
	}
}

// repeatedFlag is the value of a flag that may be given more than once:
// each value given, in order.
type repeatedFlag struct{ values []string }

func (f *repeatedFlag) Set(v string) error {
	f.values = append(f.values, v)
	return nil
}

func (f *repeatedFlag) String() string {
	if f == nil {
		return ""
	}
	return strings.Join(f.values, ", ")
}

// repeated is every value of the repeatedFlag name.
func repeated(c *cli.Context, name string) []string {
	if f, ok := c.Generic(name).(*repeatedFlag); ok {
		return f.values
	}
	return nil
}

// sealRuntimes reads --runtime (repeatable) and --all-runtimes, before
// anything else is read: one --runtime is SealOptions.Runtime, as before;
// more are SealOptions.Runtimes. cmd is the command, for the usage errors.
func sealRuntimes(c *cli.Context, cmd string) (func(*workspace.SealOptions), error) {
	names, all := repeated(c, "runtime"), c.Bool("all-runtimes")
	switch {
	case len(names) == 0 && !all:
		return nil, &commandUsageError{fmt.Sprintf("rtconf %s: missing --runtime (see rtconf %s --help)", cmd, cmd)}
	case len(names) > 0 && all:
		return nil, &usageError{"--runtime and --all-runtimes: give one"}
	case len(names) != 1 && c.String("user") != "":
		return nil, &usageError{"--user: a user token is sealed into one runtime at a time; give one --runtime"}
	}
	return func(o *workspace.SealOptions) {
		o.Runtime, o.Runtimes, o.AllRuntimes = "", nil, all
		if len(names) == 1 {
			o.Runtime = names[0]
		} else if !all {
			o.Runtimes = names
		}
	}, nil
}

// runtimesShown is how many runtimes the line of a seal into several
// names without --verbose.
const runtimesShown = 10

// printSealedMany reports a seal into several runtimes: the files changed
// (not with --quiet), then one line for the token and the runtimes, then
// the notes of what to revoke.
func printSealedMany(c *cli.Context, tok token.Token, res workspace.SealResult, dry bool) {
	w := c.App.Writer
	if !quiet(c) {
		printChanges(w, res.Changes, dry, verbose(c))
	}
	printDiffs(w, res.Changes, res.Diffs)
	names := res.Runtimes
	more := ""
	if n := len(names) - runtimesShown; !verbose(c) && n > 0 {
		names, more = names[:runtimesShown], fmt.Sprintf(" and %d more (--verbose lists every one)", n)
	}
	verb, tail := "sealed", ""
	if dry {
		verb, tail = "would seal", "; dry run, nothing written"
	}
	fmt.Fprintf(w, "%s %s token (%s) into the runtime token of %d %s: %s%s%s\n", verb, tok.Kind(), tok.Fingerprint(),
		len(res.Runtimes), pluralWord(len(res.Runtimes), "runtime"), strings.Join(names, ", "), more, tail)
	if dry {
		return
	}
	for _, n := range res.Notes {
		fmt.Fprintln(w, "then: "+n)
	}
}
