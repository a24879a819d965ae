package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/cluster"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/safetext"
	"github.com/rtconf/rtconf/internal/workspace"
)

// Exit codes, the same for every command.
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const exitCodesHelp = `EXIT CODES:
   0  success
   1  findings: the configuration or the repository has problems to fix
   2  usage error, or rtconf could not run`

// run is the whole program: it returns the exit code instead of exiting, so
// tests can run it. clock is the time every command takes as "now": main
// gives it the wall clock, tests a fixed one.
//
// Everything rtconf prints goes through a safetext.Writer, here and only
// here: whatever a message quotes (the repository, which a pull request
// controls, or the command line, where a user may have pasted a token), no
// token-shaped value, no URL's userinfo, no terminal control sequence and
// no workflow command reaches standard output or standard error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, clock func() time.Time) int {
	out := safetext.NewWriter(stdout, safetext.Options{Color: isTerminal(stdout)})
	errOut := safetext.NewWriter(stderr, safetext.Options{})
	code := runApp(ctx, args, stdin, out, errOut, clock)
	if err := out.Flush(); err != nil && code == exitOK {
		code = exitError
	}
	_ = errOut.Flush()
	return code
}

func runApp(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, clock func() time.Time) int {
	var usageErr error
	app := newApp(stdin, stdout, stderr, clock, func(err error) { usageErr = err })
	err := app.RunContext(ctx, reorderArgs(app, args))
	if err == nil {
		err = usageErr
	}
	if err == nil {
		return exitOK
	}
	var ce *commandUsageError
	if errors.As(err, &ce) {
		fmt.Fprintln(stderr, err.Error())
	} else {
		fmt.Fprintln(stderr, "rtconf: "+err.Error())
	}
	return exitCode(err)
}

// exitCode maps an error to the exit code it stands for.
func exitCode(err error) int {
	var cfgErr *config.Error
	var conflict *generator.ConflictError
	var findings *findingsError
	var refused *workspace.RefusedError   // a token the live check found lacking
	var notReady *workspace.NotReadyError // apply: not valid, committed and pushed
	var refusedObj *cluster.ObjectError   // apply: an object the API server refused
	if errors.As(err, &cfgErr) || errors.As(err, &conflict) || errors.As(err, &findings) || errors.As(err, &refused) ||
		errors.As(err, &notReady) || errors.As(err, &refusedObj) {
		return exitFindings
	}
	return exitError
}

// usageError is a command line that rtconf cannot act on.
type usageError struct{ msg string }

// commandUsageError is a usageError whose message names the command
// itself ("rtconf seal runtime-token: ..."): printed as it is.
type commandUsageError struct{ msg string }

func (e *commandUsageError) Error() string { return e.msg }

func (e *usageError) Error() string { return e.msg }

// clockKey is where newApp keeps run's clock in the app's Metadata.
const clockKey = "rtconf.clock"

// now reads the clock run was given.
func now(c *cli.Context) time.Time {
	clock, _ := c.App.Metadata[clockKey].(func() time.Time)
	if clock == nil {
		return time.Time{} // the options' Validate refuses a zero time
	}
	return clock()
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, clock func() time.Time, onUsage func(error)) *cli.App {
	app := &cli.App{
		Metadata: map[string]any{clockKey: clock},
		Name:     "rtconf",
		Usage:    "bootstrap, generate and check the shared configuration repository of Argo CD GitOps Runtimes",
		Version:  version,
		Description: "rtconf renders a Kustomize overlay per runtime from one file, rtconf.yaml: a self-managing\n" +
			"Argo CD Application, the runtime's Git token as a SealedSecret, and a Git token per user.\n\n" +
			exitCodesHelp,
		Reader:         stdin,
		Writer:         stdout,
		ErrWriter:      stderr,
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return &usageError{fmt.Sprintf("%v; run 'rtconf --help'", err)}
		},
		CommandNotFound: func(c *cli.Context, name string) {
			cmds, help := c.App.Commands, "rtconf"
			if c.Command != nil && c.Command.Name != "" && len(c.Command.Subcommands) > 0 {
				cmds, help = c.Command.Subcommands, strings.TrimSpace(c.Command.HelpName)
			}
			hint := ""
			if s := suggestCommand(cmds, name); s != "" {
				hint = ": did you mean " + s + "?"
			}
			onUsage(&usageError{fmt.Sprintf("unknown command %s%s; run '%s --help'", quoteArg(name), hint, help)})
		},
		// Completion asks the binary itself (rtconf completion): the last
		// argument --generate-bash-completion lists what may come next.
		EnableBashCompletion: true,
		Commands: append([]*cli.Command{
			initCommand(),
			generateCommand(),
			sealCommand(),
			certCommand(),
			statusCommand(),
			applyCommand(),
			validateCommand(),
			gatherCommand(),
			tokenCommand(),
			schemaCommand(),
		}, append(changeCommands(), versionCommand(), completionCommand())...),
	}
	app.Flags = verbosityFlags()
	addVerbosity(app.Commands)
	setUsageErrors(app.Commands, "")
	addExamples(app)
	ownHelp(app)
	app.Action = func(c *cli.Context) error {
		if c.Bool("version") {
			cli.ShowVersion(c)
			return nil
		}
		if c.Args().Present() { // an unknown command: CommandNotFound says so
			return cli.ShowCommandHelp(c, c.Args().First())
		}
		return cli.ShowAppHelp(c)
	}
	return app
}

// setUsageErrors makes every command report a bad flag as a usage error
// naming its own help, and every command that runs (a parent's Before
// would see its subcommand's arguments) refuse a flag value or an
// argument that looks like a token or holds a password (refuseSecrets).
func setUsageErrors(cmds []*cli.Command, parent string) {
	for _, c := range cmds {
		name := strings.TrimSpace(parent + " " + c.Name)
		c.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
			return &usageError{fmt.Sprintf("%s: %s%s; run 'rtconf %s --help'", name, unknownFlag(err), suggestFlag(c.Flags, err), name)}
		}
		if len(c.Subcommands) == 0 {
			required := requireFlags(c)
			c.Before = func(ctx *cli.Context) error {
				if err := refuseSecrets(ctx); err != nil {
					return err
				}
				if err := checkVerbosity(ctx); err != nil {
					return err
				}
				return checkRequired(ctx, name, required)
			}
		}
		setUsageErrors(c.Subcommands, name)
	}
}

// dirArg returns the repository folder from --dir or a single positional
// argument, which may not disagree.
func dirArg(c *cli.Context) (string, error) {
	dir := c.String("dir")
	switch c.NArg() {
	case 0:
	case 1:
		if c.IsSet("dir") && dir != c.Args().First() {
			return "", &usageError{fmt.Sprintf("two folders given, --dir %s and %s; give one", dir, c.Args().First())}
		}
		dir = c.Args().First()
		if _, err := providers.ParseToken(dir); err == nil {
			return "", &usageError{"the folder argument " + quoteArg(dir)}
		}
	default:
		return "", &usageError{fmt.Sprintf("%d arguments given; give one folder", c.NArg())}
	}
	return dir, nil
}

// listLimit is how many files a run lists before it summarises the rest
// (all of them with --verbose): 1,000 runtimes are 13,000 files.
const listLimit = 50

// printChanges lists what a run changed and a summary line; past
// listLimit files, unless all, one line counts the rest.
func printChanges(w io.Writer, changes []generator.Change, dryRun, all bool) {
	counts := map[generator.Op]int{}
	for i, c := range changes {
		counts[c.Op]++
		if all || i < listLimit {
			fmt.Fprintf(w, "%-8s %s\n", c.Op, c.Path)
		}
	}
	if n := len(changes) - listLimit; !all && n > 0 {
		fmt.Fprintf(w, "… and %d more %s (--verbose lists every one)\n", n, pluralWord(n, "file"))
	}
	verb := "changed"
	if dryRun {
		verb = "would change"
	}
	files := "files"
	if len(changes) == 1 {
		files = "file"
	}
	fmt.Fprintf(w, "%d %s %s (%d added, %d updated, %d removed)\n", len(changes), files, verb,
		counts[generator.Add], counts[generator.Update], counts[generator.Remove])
}

// asUsage turns the workspace's usage errors into the CLI's.
func asUsage(err error) error {
	var ue *workspace.UsageError
	if errors.As(err, &ue) {
		return &usageError{ue.Msg}
	}
	return err
}

// unknownFlag is a flag error without the flag when it cannot be one: a
// value over lines or long (a private key's PEM starts with dashes, so
// urfave/cli takes it for a flag) is never repeated.
func unknownFlag(err error) string {
	msg := err.Error()
	what, given, ok := strings.Cut(msg, ": ")
	if ok && (len(given) > 64 || strings.ContainsAny(given, " \t\r\n")) {
		if what != "flag provided but not defined" && what != "bad flag syntax" {
			what = "a bad flag"
		}
		return what + ": an argument that starts with - (not repeated: it may be a secret, such as a private key; give a key with --private-key-file)"
	}
	return msg
}

// quoteArg quotes a command-line argument for a message, unless it looks
// like a token: those are never repeated.
func quoteArg(arg string) string {
	if _, err := providers.ParseToken(arg); err == nil {
		return "(an argument that looks like a token: never pass a token as an argument, pipe it to standard input)"
	}
	return fmt.Sprintf("%q", arg)
}

// noArgs refuses positional arguments without repeating them: a user may
// have pasted a token there.
func noArgs(c *cli.Context, name string) error {
	if c.NArg() == 0 {
		return nil
	}
	return &usageError{fmt.Sprintf("%s takes no arguments (got %d); a token is read from standard input, --token-file or --token-env, never from an argument", name, c.NArg())}
}

// checkName is the CI check branch protection requires: the job of the
// generated workflow.
const checkName = generator.CheckName
