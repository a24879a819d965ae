package main

import (
	_ "embed"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// The conventions users expect of a CLI: a version command, shell
// completion, one-line errors for a missing flag, suggestions for a
// mistyped command.

//go:embed completion/rtconf.bash
var bashCompletion string

//go:embed completion/rtconf.zsh
var zshCompletion string

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version (like --version)",
		Description: "Prints the same line as rtconf --version: the version rtconf was built as\n" +
			"(\"dev\" unless the build set it).",
		Action: func(c *cli.Context) error {
			if err := noArgs(c, "version"); err != nil {
				return err
			}
			cli.ShowVersion(c)
			return nil
		},
	}
}

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "Prints the script that completes rtconf's commands and flags in the shell. Load it\n" +
			"in the current shell, or install it where the shell looks for completions.",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return &usageError{"completion takes one shell: bash, zsh or fish; run 'rtconf completion --help'"}
			}
			var script string
			switch shell := c.Args().First(); shell {
			case "bash":
				script = bashCompletion
			case "zsh":
				script = zshCompletion
			case "fish":
				s, err := c.App.ToFishCompletion()
				if err != nil {
					return err
				}
				script = s
			default:
				return &usageError{fmt.Sprintf("completion: unknown shell %s; use bash, zsh or fish", quoteArg(shell))}
			}
			_, err := fmt.Fprint(c.App.Writer, script)
			return err
		},
	}
}

// requireFlags takes over the library's check of required flags, which
// prints the command's whole help: a missing flag is one line naming it
// and the command's help. The flags stay marked as required in help.
func requireFlags(cmd *cli.Command) []string {
	var required []string
	for _, f := range cmd.Flags {
		if rf, ok := f.(cli.RequiredFlag); ok && rf.IsRequired() {
			required = append(required, f.Names()[0])
			if sf, ok := f.(*cli.StringFlag); ok {
				sf.Required = false
				sf.Usage += " (required)"
			}
		}
	}
	return required
}

// checkRequired is the usage error for the first required flag not set.
func checkRequired(c *cli.Context, name string, required []string) error {
	for _, r := range required {
		if !c.IsSet(r) {
			return &commandUsageError{fmt.Sprintf("rtconf %s: missing --%s (see rtconf %s --help)", name, r, name)}
		}
	}
	return nil
}

// suggestCommand is the nearest of cmds' names to the mistyped name, or ""
// when none is near.
func suggestCommand(cmds []*cli.Command, name string) string {
	best, score := "", 0.0
	for _, c := range cmds {
		if c.Hidden || c.Name == "help" {
			continue
		}
		for _, n := range c.Names() {
			if s := similarity(name, n); s > score {
				best, score = n, s
			}
		}
	}
	if score < 0.5 {
		return ""
	}
	return best
}

// similarity is 1 minus the edit distance of a and b over the longer's
// length: 1 for equal names, 0 for names with nothing in common.
func similarity(a, b string) float64 {
	a, b = strings.ToLower(a), strings.ToLower(b)
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	longer := max(len(ra), len(rb))
	if longer == 0 {
		return 1
	}
	return 1 - float64(prev[len(rb)])/float64(longer)
}

// yesFlag is the flag of the commands that delete what cannot be
// recovered: sealed tokens, a pinned certificate.
func yesFlag() cli.Flag {
	return &cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask for confirmation (required when standard input is not a terminal)"}
}

// confirm asks question on a terminal (y/N), unless --yes (or --dry-run,
// which changes nothing) was given; off a terminal it requires --yes. A no is a usage error that changes nothing.
func confirm(c *cli.Context, name, question string) error {
	if c.Bool("yes") || c.Bool("dry-run") { // a dry run deletes nothing
		return nil
	}
	f, ok := c.App.Reader.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || !isTerminal(c.App.ErrWriter) {
		return &commandUsageError{fmt.Sprintf("rtconf %s: %s; confirm with --yes (standard input is not a terminal to ask on)", name, question)}
	}
	yes, err := askYesNo(f, c.App.ErrWriter, question)
	if err != nil {
		return fmt.Errorf("read the answer from the terminal: %w", err)
	}
	if !yes {
		return &commandUsageError{fmt.Sprintf("rtconf %s: not confirmed; nothing changed", name)}
	}
	return nil
}

// askYesNo writes "question? [y/N] " and reads one line: y or yes is a
// yes, anything else (an empty line too) a no. It reads a byte at a time,
// so that nothing after the line is taken from in.
func askYesNo(in io.Reader, out io.Writer, question string) (bool, error) {
	fmt.Fprintf(out, "%s? [y/N] ", question)
	var line []byte
	b := make([]byte, 1)
	for len(line) < 64 {
		n, err := in.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, err
		}
	}
	answer := strings.ToLower(strings.TrimSpace(string(line)))
	return answer == "y" || answer == "yes", nil
}

// suggestFlag is ": did you mean --NAME?" for an unknown flag near one of
// flags, else "".
func suggestFlag(flags []cli.Flag, err error) string {
	given, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return ""
	}
	given = strings.TrimLeft(given, "-")
	best, score := "", 0.0
	for _, f := range flags {
		for _, n := range f.Names() {
			if s := similarity(given, n); len(n) > 1 && s > score {
				best, score = n, s
			}
		}
	}
	if score < 0.5 {
		return ""
	}
	return ": did you mean --" + best + "?"
}
