package main

import (
	"cmp"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/workspace"
)

const prHelp = "Without --pr the change is left in the working tree for you to review and commit.\n" +
	"With --pr rtconf creates the branch rtconf/<change>, commits the change there, pushes it over\n" +
	"HTTPS with the token and opens a pull request listing every file and who is affected (never a\n" +
	"token); it then returns to your branch. The working tree must be clean. If the push fails, the\n" +
	"commit stays on the local branch. The token comes from standard input, --token-file or\n" +
	"--token-env (else " + envTokensHelp + " when standard input is a terminal or empty),\n" +
	"never from a flag's value."

// prFlags are the flags of every change command; withToken adds the
// token flags (token rotate has its own).
func prFlags(withToken bool) []cli.Flag {
	flags := append(repoFlags(), lockWaitFlag(),
		&cli.BoolFlag{Name: "pr", Usage: "commit on a new branch, push it and open a pull request"},
		&cli.StringFlag{Name: "remote", Usage: "Git `URL` to push to, your own choice (default: the remote origin, else repository.url, on repository.url's host)"},
	)
	flags = append(flags, dryRunFlags()...)
	if withToken {
		flags = append(flags,
			&cli.StringFlag{Name: "api-url", Usage: "GitHub API `URL` to send the token to, your own choice (default: the API of repository.url's host)"},
			&cli.StringFlag{Name: "token-file", Usage: "with --pr: read the token from `FILE` (default: standard input, else " + envTokensHelp + ")"},
			&cli.StringFlag{Name: "token-env", Usage: "with --pr: read the token from the environment variable `VAR`"},
			&cli.StringFlag{Name: "app-id", Usage: "with --pr: push and open the pull request as the GitHub App of this `ID` (an installation token for the repository), not with a token"},
			&cli.StringFlag{Name: "installation-id", Usage: "with --app-id: the App's installation `ID` (default: looked up on the repository)"},
			&cli.StringFlag{Name: "private-key-file", Usage: "with --app-id: read the App's private key from `FILE` (default: standard input)"},
			&cli.StringFlag{Name: "private-key-env", Usage: "with --app-id: read the App's private key from the environment variable `VAR`"},
		)
	}
	return flags
}

// args returns exactly n positional arguments, or a usage error that does
// not repeat them (one may be a pasted token).
func args(c *cli.Context, name string, n int, usage string) ([]string, error) {
	if c.NArg() != n {
		return nil, &usageError{fmt.Sprintf("%s takes %s (got %d arguments); run 'rtconf %s --help'", name, usage, c.NArg(), name)}
	}
	for _, a := range c.Args().Slice() {
		if _, err := providers.ParseToken(a); err == nil {
			return nil, &usageError{fmt.Sprintf("%s: %s", name, quoteArg(a))}
		}
	}
	return c.Args().Slice(), nil
}

// changeCommands declares the runtime and user commands.
// long: a declarative table of commands, flags and help texts, not logic.
func changeCommands() []*cli.Command {
	return []*cli.Command{
		{
			Name:  "runtime",
			Usage: "add or remove runtimes in rtconf.yaml, optionally as a pull request",
			Subcommands: []*cli.Command{
				{
					Name: "add", Usage: "add a runtime", ArgsUsage: "NAME",
					Description: "Adds the runtime to rtconf.yaml, keeping its comments and order, and generates its\n" +
						"overlay and Applications.\n\n" + prHelp + "\n\n" + exitCodesHelp,
					Flags: append(prFlags(true),
						&cli.StringFlag{Name: "namespace", Usage: "`NAMESPACE` the runtime is installed in (default: its name)"},
						&cli.StringFlag{Name: "server", Usage: "API server `URL` of the runtime's cluster (default: in-cluster)"},
						&cli.StringSliceFlag{Name: "user", Usage: "GitHub `LOGIN` of a user who gets a Git user token (repeat for more)"},
						&cli.BoolFlag{Name: "runtime-token-as-user-token", Usage: "the runtime token also serves as every user's token"},
					),
					Action: func(c *cli.Context) error {
						a, err := args(c, "runtime add", 1, "one runtime NAME")
						if err != nil {
							return err
						}
						rt := config.Runtime{Name: a[0], Namespace: c.String("namespace"), Server: c.String("server"),
							Users: c.StringSlice("user"), RuntimeTokenAsUserToken: c.Bool("runtime-token-as-user-token")}
						if rt.Namespace == "" {
							rt.Namespace = rt.Name
						}
						return runChange(c, workspace.AddRuntime(c.String("config"), rt), nil)
					},
				},
				{
					Name: "remove", Usage: "remove a runtime, its overlay and its sealed tokens", ArgsUsage: "NAME",
					Description: "Asks first on a terminal, since the runtime's sealed tokens are deleted with it\n" +
						"(seal them again to undo); elsewhere it requires --yes.\n\n" + prHelp + "\n\n" + exitCodesHelp,
					Flags: append(prFlags(true), yesFlag()),
					Action: func(c *cli.Context) error {
						a, err := args(c, "runtime remove", 1, "one runtime NAME")
						if err != nil {
							return err
						}
						if err := confirm(c, "runtime remove", fmt.Sprintf("remove runtime %s, its overlay and its sealed tokens", a[0])); err != nil {
							return err
						}
						return runChange(c, workspace.RemoveRuntime(c.String("config"), a[0]), nil)
					},
				},
			},
		},
		{
			Name:  "cluster",
			Usage: "add or remove a runtime's managed clusters, optionally as a pull request",
			Subcommands: []*cli.Command{
				{
					Name: "add", Usage: "add a managed cluster to a runtime", ArgsUsage: "CLUSTER SERVER",
					Description: "CLUSTER is a name (a DNS-1123 label), SERVER the cluster's API server URL as Argo CD\n" +
						"knows it.\n\n" + prHelp + "\n\n" + exitCodesHelp,
					Flags: append(prFlags(true), &cli.StringFlag{Name: "runtime", Usage: "`NAME` of the runtime", Required: true}),
					Action: func(c *cli.Context) error {
						a, err := args(c, "cluster add", 2, "a CLUSTER name and its SERVER URL")
						if err != nil {
							return err
						}
						return runChange(c, workspace.AddCluster(c.String("config"), c.String("runtime"), config.Cluster{Name: a[0], Server: a[1]}), nil)
					},
				},
				{
					Name: "remove", Usage: "remove a managed cluster from a runtime", ArgsUsage: "CLUSTER",
					Description: prHelp + "\n\n" + exitCodesHelp,
					Flags:       append(prFlags(true), &cli.StringFlag{Name: "runtime", Usage: "`NAME` of the runtime", Required: true}),
					Action: func(c *cli.Context) error {
						a, err := args(c, "cluster remove", 1, "one CLUSTER name")
						if err != nil {
							return err
						}
						return runChange(c, workspace.RemoveCluster(c.String("config"), c.String("runtime"), a[0]), nil)
					},
				},
			},
		},
		{
			Name:  "user",
			Usage: "add or remove a runtime's users, optionally as a pull request",
			Subcommands: []*cli.Command{
				{
					Name: "add", Usage: "give a user a Git user token on a runtime", ArgsUsage: "LOGIN",
					Description: "Adds the GitHub LOGIN to the runtime's users and generates the placeholder of the\n" +
						"user's token; seal it with `rtconf seal user-token`.\n\n" + prHelp + "\n\n" + exitCodesHelp,
					Flags: append(prFlags(true), &cli.StringFlag{Name: "runtime", Usage: "`NAME` of the runtime", Required: true}),
					Action: func(c *cli.Context) error {
						a, err := args(c, "user add", 1, "one GitHub LOGIN")
						if err != nil {
							return err
						}
						return runChange(c, workspace.AddUser(c.String("config"), c.String("runtime"), a[0]), nil)
					},
				},
				{
					Name: "remove", Usage: "remove a user and the user's sealed token from a runtime", ArgsUsage: "LOGIN",
					Description: "Asks first on a terminal, since the user's sealed token is deleted with it (seal\n" +
						"it again to undo); elsewhere it requires --yes.\n\n" + prHelp + "\n\n" + exitCodesHelp,
					Flags: append(prFlags(true), &cli.StringFlag{Name: "runtime", Usage: "`NAME` of the runtime", Required: true}, yesFlag()),
					Action: func(c *cli.Context) error {
						a, err := args(c, "user remove", 1, "one GitHub LOGIN")
						if err != nil {
							return err
						}
						if err := confirm(c, "user remove", fmt.Sprintf("remove user %s and the user's sealed token from runtime %s", a[0], c.String("runtime"))); err != nil {
							return err
						}
						return runChange(c, workspace.RemoveUser(c.String("config"), c.String("runtime"), a[0]), nil)
					},
				},
			},
		},
	}
}

// rotateCommand is `rtconf token rotate`.
func rotateCommand() *cli.Command {
	return &cli.Command{
		Name:  "rotate",
		Usage: "seal a new token in place of a runtime's (or a user's) token, optionally as a pull request",
		Description: "Checks the new token live, like `rtconf seal`, seals it in place of the old one and lists\n" +
			"which token to revoke once the change is merged and synced. The new token is read from\n" +
			"standard input, --token-file or --token-env; with --pr it also pushes and opens the pull\n" +
			"request, unless --git-token-file or --git-token-env name another token for that.\n\n" +
			manyRuntimesHelp + "\n\n" + prHelp + "\n\n" + exitCodesHelp,
		Flags: append(append(append(append(prFlags(false), runtimesFlags()...),
			&cli.StringFlag{Name: "user", Usage: "GitHub `LOGIN` whose Git user token to rotate (default: the runtime token)"},
			&cli.StringFlag{Name: "git-token-file", Usage: "with --pr: push and open the pull request with the token in `FILE`"},
			&cli.StringFlag{Name: "git-token-env", Usage: "with --pr: push and open the pull request with the token in the environment variable `VAR`"},
			&cli.BoolFlag{Name: "replace", Usage: "replace sealed GitHub App credentials with the token"},
		), tokenFlags()...), certFlags()...),
		Action: func(c *cli.Context) error {
			if err := noArgs(c, "token rotate"); err != nil {
				return err
			}
			setRuntimes, err := sealRuntimes(c, "token rotate")
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
			gitTok := tok
			if f, e := c.String("git-token-file"), c.String("git-token-env"); f != "" || e != "" {
				if gitTok, err = token.Read(token.Source{File: f, Env: e, Parse: providers.ParseToken}); err != nil {
					return &usageError{err.Error()}
				}
			}
			opts := sealOptions(c, tok)
			opts.Dir = dir
			setRuntimes(&opts)
			return runChange(c, workspace.RotateToken(opts), &gitTok)
		},
	}
}

// runChange applies a change, or proposes it with --pr, and reports it.
// prToken is the token to push with when the command has read one already.
func runChange(c *cli.Context, ch workspace.Change, prToken *token.Token) error {
	run, err := runOptions(c)
	if err != nil {
		return err
	}
	dir, err := repoDir(c, false)
	if err != nil {
		return err
	}
	opts := workspace.ChangeOptions{Dir: dir, ConfigFile: c.String("config"), Now: now(c), Run: run}
	if opts.DryRun, opts.Diff, err = dryRun(c); err != nil {
		return err
	}
	if opts.DryRun && c.Bool("pr") {
		return &usageError{"--dry-run shows the change without making it: leave out --pr (or --dry-run)"}
	}
	if c.Bool("pr") {
		pr := &workspace.PROptions{Remote: c.String("remote"), Trust: trust(c)}
		switch {
		case prToken != nil:
			pr.Token = *prToken
		case c.String("app-id") != "":
			repoURL, configured, f, err := workspace.RepoConfig(dir, c.String("config"))
			if err != nil {
				return asUsage(err)
			}
			if pr.Token, err = appGitToken(c, f, repoURL, configured); err != nil {
				return err
			}
		default:
			tok, err := readToken(c)
			if err != nil {
				return err
			}
			pr.Token = tok
		}
		opts.PR = pr
	} else if c.IsSet("remote") {
		return &usageError{"--remote only applies with --pr"}
	} else if c.String("app-id") != "" {
		return &usageError{"--app-id only applies with --pr"}
	}
	res, err := workspace.ApplyChange(c.Context, ch, opts)
	if err != nil {
		return asUsage(err)
	}
	printChangeResult(c.App.Writer, c.App.ErrWriter, ch, res, opts.DryRun, verbose(c))
	return nil
}

func printChangeResult(w, ew io.Writer, ch workspace.Change, res workspace.ChangeResult, dryRun, all bool) {
	for _, warn := range res.Warnings {
		fmt.Fprintln(ew, "warning: "+warn)
	}
	if len(res.Changes) == 0 {
		fmt.Fprintln(w, "nothing to change")
		return
	}
	printChanges(w, res.Changes, dryRun, all)
	printDiffs(w, res.Changes, res.Diffs)
	switch {
	case dryRun:
		fmt.Fprintf(w, "%s: dry run, nothing written; run the same command without --dry-run to make the change\n", ch.Title)
	case res.PRURL != "":
		fmt.Fprintf(w, "committed %s on branch %s and pushed it\n", res.Commit[:7], res.Branch)
		fmt.Fprintf(w, "opened %s: %s\n", cmp.Or(res.PRKind, "pull request"), res.PRURL)
	default:
		fmt.Fprintf(w, "%s: review the change (git diff), then commit and push it; to propose it as a pull request instead, set it aside with `git stash -u` and run the same command again with --pr\n", ch.Title)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(w, "after merge: "+n)
	}
}
