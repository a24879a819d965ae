package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/workspace"
)

func repoFlags() []cli.Flag {
	def := workspace.DefaultGenerateOptions()
	return []cli.Flag{
		&cli.StringFlag{Name: "dir", Usage: dirUsage},
		&cli.StringFlag{Name: "config", Value: def.ConfigFile, Usage: "configuration `FILE`, relative to --dir"},
	}
}

// lockWaitFlag is the flag of every writing command: they take the
// repository's lock for their whole run.
func lockWaitFlag() cli.Flag {
	return &cli.DurationFlag{Name: "lock-wait", Value: workspace.DefaultRunOptions().LockWait,
		Usage: "wait at most `DURATION` for another rtconf run on the repository to finish (0: do not wait)"}
}

// runOptions are the options every writing command shares.
func runOptions(c *cli.Context) (workspace.RunOptions, error) {
	wait := c.Duration("lock-wait")
	if wait < 0 {
		return workspace.RunOptions{}, &usageError{fmt.Sprintf("--lock-wait %s: give a duration of 0 or more, e.g. 30s", wait)}
	}
	return workspace.RunOptions{LockWait: wait, Stderr: c.App.ErrWriter}, nil
}

func tokenFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "token-file", Usage: "read the token from `FILE` (default: standard input, else " + envTokensHelp + ")"},
		&cli.StringFlag{Name: "token-env", Usage: "read the token from the environment variable `VAR`"},
	}
}

func certFlags() []cli.Flag {
	return append(liveFlags(),
		&cli.BoolFlag{Name: "skip-live-check", Usage: "seal without checking the token against GitHub (recorded as unverified)"},
		&cli.StringFlag{Name: "cert", Usage: "controller certificate `FILE` or https URL, instead of sealing.certificate"},
		&cli.BoolFlag{Name: "accept-new-cert", Usage: "accept a certificate other than the pinned one (key rotation) and pin it"},
		&cli.BoolFlag{Name: "demo", Usage: "allow sealing a real-looking token with the published demo certificate, whose private key anyone can read (demos only)"},
	)
}

const tokenHelp = "The token is read from standard input, from --token-file FILE or from --token-env VAR;\n" +
	"never from a flag's value. When standard input is a terminal or empty, rtconf reads\n" +
	"the first of " + envTokensHelp + " that is set, as gh and flux do; with none set,\n" +
	"a terminal prompts without echo. The token is never written in plain text, printed,\n" +
	"or included in an error."

func sealCommand() *cli.Command {
	return &cli.Command{
		Name:  "seal",
		Usage: "encrypt a Git token into a SealedSecret in a runtime's overlay",
		Subcommands: []*cli.Command{
			{
				Name:  "runtime-token",
				Usage: "seal a runtime's Git runtime token (an Argo CD repo-creds Secret)",
				Description: "Seals the token with the sealed-secrets controller's certificate into\n" +
					"overlays/RUNTIME/runtime-token.yaml: a repository-credentials Secret for every\n" +
					"repository of the owner of the shared configuration repository.\n\n" + manyRuntimesHelp + "\n\n" + tokenHelp + "\n\n" + exitCodesHelp,
				Flags: append(append(append(append(append(repoFlags(), lockWaitFlag()), runtimesFlags()...),
					&cli.BoolFlag{Name: "replace", Usage: "replace sealed GitHub App credentials with the token (in every runtime named)"}),
					append(tokenFlags(), certFlags()...)...), dryRunFlags()...),
				Action: sealAction,
			},
			{
				Name:  "user-token",
				Usage: "seal a user's Git user token for a runtime",
				Description: "Seals the token into overlays/RUNTIME/user-tokens/LOGIN.yaml, a Secret in the\n" +
					"runtime's namespace, replacing the pending placeholder. One runtime at a time: a user's\n" +
					"token is the user's own, for each runtime.\n\n" + tokenHelp + "\n\n" + exitCodesHelp,
				Flags: append(append(append(append(repoFlags(), lockWaitFlag(),
					&cli.StringFlag{Name: "runtime", Usage: "`NAME` of the runtime", Required: true},
					&cli.StringFlag{Name: "user", Usage: "GitHub `LOGIN` of the user", Required: true}),
					tokenFlags()...), certFlags()...), dryRunFlags()...),
				Action: sealAction,
			},
			sealAppCommand(),
		},
	}
}

func sealAction(c *cli.Context) error {
	if err := noArgs(c, "seal "+c.Command.Name); err != nil {
		return err
	}
	setRuntimes := func(*workspace.SealOptions) {}
	if c.Command.Name == "runtime-token" {
		var err error
		if setRuntimes, err = sealRuntimes(c, "seal runtime-token"); err != nil {
			return err
		}
	}
	dry, diff, err := dryRun(c)
	if err != nil {
		return err
	}
	dir, err := repoDir(c, false)
	if err != nil {
		return err
	}
	tok, err := readToken(c)
	if err != nil {
		return err
	}
	opts := sealOptions(c, tok)
	opts.Dir, opts.DryRun, opts.Diff = dir, dry, diff
	setRuntimes(&opts)
	if opts.Run, err = runOptions(c); err != nil {
		return err
	}
	res, err := workspace.Seal(c.Context, opts)
	if err != nil {
		return asUsage(err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(c.App.ErrWriter, "warning: "+w)
	}
	if opts.Runtime == "" {
		printSealedMany(c, tok, res, dry)
		return nil
	}
	printChanges(c.App.Writer, res.Changes, dry, verbose(c))
	printDiffs(c.App.Writer, res.Changes, res.Diffs)
	if dry {
		fmt.Fprintf(c.App.Writer, "would seal %s token (%s) into %s; dry run, nothing written\n", tok.Kind(), tok.Fingerprint(), res.Path)
		return nil
	}
	fmt.Fprintf(c.App.Writer, "sealed %s token (%s) into %s\n", tok.Kind(), tok.Fingerprint(), res.Path)
	for _, n := range res.Notes {
		fmt.Fprintln(c.App.Writer, "then: "+n)
	}
	return nil
}

// sealOptions are the options of sealing that the flags of seal and token
// rotate set.
func sealOptions(c *cli.Context, tok token.Token) workspace.SealOptions {
	opts := workspace.DefaultSealOptions()
	opts.Dir = c.String("dir")
	opts.ConfigFile = c.String("config")
	if _, ok := flagOf(c, "runtime").(*cli.StringFlag); ok {
		opts.Runtime = c.String("runtime")
	}
	opts.User = c.String("user")
	opts.Token = tok
	opts.Cert = c.String("cert")
	opts.AcceptNewCert = c.Bool("accept-new-cert")
	opts.Demo = c.Bool("demo")
	opts.Now = now(c)
	opts.SkipLiveCheck = c.Bool("skip-live-check")
	opts.Replace = c.Bool("replace")
	opts.Live.ProbeWrites = c.Bool("probe-writes")
	opts.Live.MaxWait = c.Duration("max-wait")
	opts.Live.ExpiryWarning = c.Duration("expiry-warning")
	opts.Live.Waiting = waitNotes(c)
	opts.Trust = trust(c)
	return opts
}

// flagOf is the command's flag name, or nil.
func flagOf(c *cli.Context, name string) cli.Flag {
	for _, f := range c.Command.Flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// envTokens are the environment variables rtconf reads a token from when
// no flag names its source and standard input is a terminal or empty, as
// gh, glab and flux do: GitHub's first, then GitLab's. The provider is not
// known before rtconf.yaml is read, so the first one set that holds a
// token of a known shape wins.
var envTokens = []string{"GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN"}

const envTokensHelp = "GITHUB_TOKEN, GH_TOKEN or GITLAB_TOKEN"

// envToken is the variable of envTokens to read, or "" when none is set.
func envToken() string {
	first := ""
	for _, name := range envTokens {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if _, err := providers.ParseToken(v); err == nil {
			return name
		}
		if first == "" {
			first = name // the error names it
		}
	}
	return first
}

// readToken reads the token from the source the flags name, else from
// standard input; when that is a terminal or empty, from envTokens, and
// otherwise a terminal prompts and reads without echo.
func readToken(c *cli.Context) (token.Token, error) {
	src := token.Source{File: c.String("token-file"), Env: c.String("token-env"), Stdin: c.App.Reader, Parse: providers.ParseToken}
	if err := src.Validate(); err != nil {
		return token.Token{}, &usageError{err.Error()}
	}
	if src.File == "" && src.Env == "" {
		if f, ok := c.App.Reader.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			if name := envToken(); name != "" {
				src.Env = name
			} else {
				fmt.Fprint(c.App.ErrWriter, "Paste the token, then press Enter (input is hidden): ")
				raw, err := term.ReadPassword(int(f.Fd()))
				fmt.Fprintln(c.App.ErrWriter)
				if err != nil {
					return token.Token{}, fmt.Errorf("read token from the terminal: %w", err)
				}
				src.Stdin = &byteReader{b: raw}
			}
		} else {
			raw, err := io.ReadAll(io.LimitReader(src.Stdin, token.MaxRead))
			if err != nil {
				return token.Token{}, fmt.Errorf("read token from standard input: %w", err)
			}
			if len(bytes.TrimSpace(raw)) == 0 {
				name := envToken()
				if name == "" {
					return token.Token{}, &usageError{"no token: standard input is empty and none of " + envTokensHelp +
						" is set; pipe the token to standard input, or use --token-file FILE or --token-env VAR"}
				}
				src.Env = name
			}
			src.Stdin = &byteReader{b: raw}
		}
	}
	tok, err := token.Read(src)
	if err != nil {
		return token.Token{}, &usageError{err.Error()}
	}
	return tok, nil
}

type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func certCommand() *cli.Command {
	return &cli.Command{
		Name:  "cert",
		Usage: "manage the sealed-secrets controller's certificate",
		Subcommands: []*cli.Command{{
			Name:  "pin",
			Usage: "store the controller's certificate in the repository and pin its fingerprint",
			Description: "Checks the certificate (X.509, RSA, not expired), writes it to sealing.certificate\n" +
				"(default " + workspace.DefaultCertificatePath + ") and records its SHA-256 fingerprint as\n" +
				"sealing.fingerprint in rtconf.yaml, keeping the file's comments. Sealing then refuses\n" +
				"any other certificate unless --accept-new-cert is given. Re-pinning a different\n" +
				"certificate asks first on a terminal; elsewhere it requires --yes. With --from-cluster it\n" +
				"reads the certificate from the controller through the API server's service proxy, as\n" +
				"kubeseal --fetch-cert does (kubeconfig and --context as kubectl reads them).\n\n" + exitCodesHelp,
			Flags: append(append(append(repoFlags(), lockWaitFlag(),
				&cli.StringFlag{Name: "cert", Usage: "certificate `FILE` or https URL (as from kubeseal --fetch-cert)"},
				&cli.StringFlag{Name: "path", Usage: "`PATH` in the repository to store it at"},
				yesFlag(),
			), certClusterFlags()...), dryRunFlags()...),
			Action: func(c *cli.Context) error {
				if err := noArgs(c, "cert pin"); err != nil {
					return err
				}
				if c.IsSet("cert") == c.Bool("from-cluster") {
					return &commandUsageError{"rtconf cert pin: missing --cert FILE|URL or --from-cluster, give one (see rtconf cert pin --help)"}
				}
				dry, diff, err := dryRun(c)
				if err != nil {
					return err
				}
				run, err := runOptions(c)
				if err != nil {
					return err
				}
				dir, err := repoDir(c, false)
				if err != nil {
					return err
				}
				var fetch func(context.Context) ([]byte, error)
				var source string
				if c.Bool("from-cluster") {
					if fetch, source, err = pinFromCluster(c); err != nil {
						return err
					}
				}
				res, err := workspace.Pin(c.Context, workspace.PinOptions{
					Dir: dir, ConfigFile: c.String("config"), Cert: c.String("cert"), Fetch: fetch, Source: source,
					Path: c.String("path"), Now: now(c), Run: run, DryRun: dry, Diff: diff,
					Confirm: func(previous, next string) error {
						return confirm(c, "cert pin", fmt.Sprintf("replace the pinned certificate %s with %s (tokens sealed for the old key must be sealed again)", previous, next))
					},
				})
				if err != nil {
					return asUsage(err)
				}
				for _, w := range res.Warnings {
					fmt.Fprintln(c.App.ErrWriter, "warning: "+w)
				}
				printChanges(c.App.Writer, res.Changes, dry, verbose(c))
				printDiffs(c.App.Writer, res.Changes, res.Diffs)
				switch {
				case dry:
					fmt.Fprintf(c.App.Writer, "would pin %s (pinned now: %s); dry run, nothing written\n", res.Fingerprint, cmp.Or(res.Previous, "none"))
				case res.Previous == "":
					fmt.Fprintf(c.App.Writer, "pinned %s\n", res.Fingerprint)
				case res.Previous != res.Fingerprint:
					fmt.Fprintf(c.App.Writer, "re-pinned %s (was %s); seal the tokens again with the new certificate\n", res.Fingerprint, res.Previous)
				default:
					fmt.Fprintf(c.App.Writer, "already pinned %s\n", res.Fingerprint)
				}
				return nil
			},
		}},
	}
}
