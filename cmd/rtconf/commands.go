package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/workspace"
	"github.com/rtconf/rtconf/schemas"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "create a shared configuration repository: rtconf.yaml and the generated tree",
		ArgsUsage: "[DIR]",
		Description: "Writes rtconf.yaml from the flags (or a complete example with --demo) into DIR, then\n" +
			"generates the overlays. DIR is made if missing; it may also be given as --dir.\n" +
			"Run again with the same flags, init changes nothing. Flags may come before or after DIR.\n\n" +
			exitCodesHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Usage: "repository `DIR` to create (or give it as the argument)"},
			&cli.BoolFlag{Name: "demo", Usage: "write a complete demo repository with a DEMO-ONLY sealing certificate"},
			&cli.StringFlag{Name: "repo", Usage: "https `URL` of the shared configuration repository"},
			&cli.StringFlag{Name: "revision", Value: workspace.DefaultInitOptions().Revision, Usage: "`BRANCH` (or tag) Argo CD tracks"},
			&cli.StringFlag{Name: "provider", Value: providers.Default, Usage: "Git `PROVIDER` of the repository: " + strings.Join(providers.Names(), " or ")},
			&cli.StringFlag{Name: "runtime", Usage: "`NAME` of the first runtime (a DNS-1123 label)"},
			&cli.StringFlag{Name: "namespace", Usage: "`NAMESPACE` the runtime is installed in (default: the runtime's name)"},
			&cli.StringFlag{Name: "argocd-namespace", Usage: "`NAMESPACE` of Argo CD (default: the runtime's namespace)"},
			&cli.StringSliceFlag{Name: "user", Usage: "`LOGIN` on the Git host of a user who gets a Git user token (repeat for more)"},
			&cli.StringFlag{Name: "certificate", Usage: "`PATH` in the repository of the sealed-secrets controller's certificate"},
			&cli.BoolFlag{Name: "create", Usage: "create the repository (a GitLab project, in its group) on the Git host when it does not exist (private unless --public)"},
			&cli.BoolFlag{Name: "public", Usage: "with --create: make the repository public"},
			&cli.BoolFlag{Name: "push", Usage: "push the branch to the Git host over HTTPS with the token"},
			&cli.BoolFlag{Name: "protect", Usage: "protect the branch: require pull (merge) requests and the \"" + checkName + "\" check (on GitLab: pipelines must succeed)"},
			&cli.StringFlag{Name: "remote", Usage: "Git `URL` to push to, your own choice (default: the created repository, the remote origin, or --repo, on its host)"},
			&cli.StringFlag{Name: "api-url", Usage: "API `URL` of the Git host to send the token to, your own choice (default: the API of repository.url's host)"},
			&cli.StringFlag{Name: "token-file", Usage: "with --create/--push/--protect: read the token from `FILE` (default: standard input, else " + envTokensHelp + ")"},
			&cli.StringFlag{Name: "token-env", Usage: "with --create/--push/--protect: read the token from the environment variable `VAR`"},
			lockWaitFlag(),
			&cli.StringFlag{Name: "app-id", Usage: "with --push/--protect: authenticate as the GitHub App of this `ID` (an installation token for the repository), not with a token"},
			&cli.StringFlag{Name: "installation-id", Usage: "with --app-id: the App's installation `ID` (default: looked up on the repository)"},
			&cli.StringFlag{Name: "private-key-file", Usage: "with --app-id: read the App's private key from `FILE` (default: standard input)"},
			&cli.StringFlag{Name: "private-key-env", Usage: "with --app-id: read the App's private key from the environment variable `VAR`"},
		},
		Action: func(c *cli.Context) error {
			dir, err := dirArg(c)
			if err != nil {
				return err
			}
			opts := workspace.DefaultInitOptions()
			opts.Dir = dir
			opts.Demo = c.Bool("demo")
			opts.RepoURL = c.String("repo")
			opts.Provider = c.String("provider")
			opts.Revision = c.String("revision")
			opts.Runtime = c.String("runtime")
			opts.Namespace = c.String("namespace")
			opts.ArgoNamespace = c.String("argocd-namespace")
			opts.Users = c.StringSlice("user")
			opts.Certificate = c.String("certificate")
			opts.Now = now(c)
			if opts.Run, err = runOptions(c); err != nil {
				return err
			}
			b := workspace.BootstrapOptions{
				Create: c.Bool("create"), Public: c.Bool("public"), Push: c.Bool("push"), Protect: c.Bool("protect"),
				CheckName: checkName, Remote: c.String("remote"), Trust: trust(c), Now: opts.Now,
			}
			if b.Public && !b.Create {
				return &usageError{"--public only applies with --create"}
			}
			if b.Token, err = initToken(c, opts, b); err != nil {
				return err
			}
			res, err := workspace.Bootstrap(c.Context, opts, b)
			printBootstrap(c.App.Writer, dir, res, verbose(c))
			if err != nil {
				return asUsage(err)
			}
			return nil
		},
	}
}

// printBootstrap reports what init did, step by step.
func printBootstrap(w io.Writer, dir string, res workspace.BootstrapResult, all bool) {
	if res.Changes != nil || res.Owned != nil {
		printChanges(w, res.Changes, false, all)
	}
	if res.GitInit {
		fmt.Fprintf(w, "initialised a Git repository on branch %s\n", res.Branch)
	}
	if res.Commit != "" {
		fmt.Fprintf(w, "committed %s on %s\n", res.Commit[:7], res.Branch)
	}
	if res.Repository != nil {
		verb := "found"
		if res.RepoCreated {
			verb = "created"
		}
		vis := "public"
		if res.Repository.Private {
			vis = "private"
		}
		fmt.Fprintf(w, "%s %s repository %s\n", verb, vis, res.Repository.HTMLURL)
	}
	if res.Pushed {
		fmt.Fprintf(w, "pushed %s to %s\n", res.Branch, res.Remote)
	}
	if res.Protected {
		fmt.Fprintf(w, "protected %s: %s\n", res.Branch, res.Required)
	}
	switch {
	case res.Owned == nil:
	case len(res.Changes) == 0 && res.Commit == "":
		fmt.Fprintf(w, "%s is already initialised\n", dir)
	case !res.Pushed:
		fmt.Fprintf(w, "next: edit %s/rtconf.yaml, run `rtconf generate --dir %s`, and seal the Git tokens\n", dir, dir)
	}
}

func generateCommand() *cli.Command {
	def := workspace.DefaultGenerateOptions()
	return &cli.Command{
		Name:      "generate",
		Usage:     "render the Kustomize overlays and Argo CD Applications from rtconf.yaml",
		ArgsUsage: "[DIR]",
		Description: "Brings the generated files of the repository in DIR (default: the nearest folder holding\n" +
			"rtconf.yaml, from the current one up) in line with its rtconf.yaml, writing all changes\n" +
			"or none. Files under resources/ are yours and never touched; sealed tokens are never\n" +
			"replaced; files of removed runtimes and users are removed. With nothing to do it writes nothing and reports 0 files changed.\n\n" +
			exitCodesHelp,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "dir", Usage: dirUsage},
			&cli.StringFlag{Name: "config", Value: def.ConfigFile, Usage: "configuration `FILE`, relative to --dir"},
		}, append(dryRunFlags(), lockWaitFlag())...),
		Action: func(c *cli.Context) error {
			dry, diff, err := dryRun(c)
			if err != nil {
				return err
			}
			dir, err := repoDir(c, true)
			if err != nil {
				return err
			}
			opts := workspace.DefaultGenerateOptions()
			opts.Dir = dir
			opts.ConfigFile = c.String("config")
			opts.DryRun, opts.Diff = dry, diff
			if opts.Run, err = runOptions(c); err != nil {
				return err
			}
			res, err := workspace.Generate(c.Context, opts)
			if err != nil {
				return asUsage(err)
			}
			printChanges(c.App.Writer, res.Changes, opts.DryRun, verbose(c))
			printDiffs(c.App.Writer, res.Changes, res.Diffs)
			return nil
		},
	}
}

func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema (draft 2020-12) of rtconf.yaml, for editors and other tools",
		Description: "Editors that read yaml-language-server mode lines find it through the first line\n" +
			"of rtconf.yaml, which points at .rtconf/rtconf.schema.json in the repository.",
		Action: func(c *cli.Context) error {
			if err := noArgs(c, "schema"); err != nil {
				return err
			}
			_, err := c.App.Writer.Write(schemas.Config())
			return err
		},
	}
}

// dryRunFlags are --dry-run and --diff, the flags of every command that
// writes to the repository and can show what it would change instead.
func dryRunFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "dry-run", Usage: "list the changes without writing them"},
		&cli.BoolFlag{Name: "diff", Usage: "with --dry-run: show what differs in each file it would update"},
	}
}

// dryRun reads --dry-run and --diff; --diff alone is a usage error.
func dryRun(c *cli.Context) (dry, diff bool, err error) {
	dry, diff = c.Bool("dry-run"), c.Bool("diff")
	if diff && !dry {
		return false, false, &usageError{"--diff only applies with --dry-run"}
	}
	return dry, diff, nil
}

// printDiffs writes what differs in each updated file, in the order of
// the changes; the diffs are of rtconf's own output and the repository's
// files, so they go through the app's safe writer like all output.
func printDiffs(w io.Writer, changes []generator.Change, diffs map[string]string) {
	for _, ch := range changes {
		if d, ok := diffs[ch.Path]; ok && d != "" {
			fmt.Fprint(w, d)
			if !strings.HasSuffix(d, "\n") {
				fmt.Fprintln(w)
			}
		}
	}
}

// initToken is the token of init's --create, --push and --protect: read
// like seal's, or an installation token of the GitHub App of --app-id.
func initToken(c *cli.Context, opts workspace.InitOptions, b workspace.BootstrapOptions) (token.Token, error) {
	remote := b.Create || b.Push || b.Protect
	switch {
	case remote && c.String("app-id") != "":
		f, err := providers.For(opts.Provider)
		if err != nil {
			return token.Token{}, &usageError{"--provider: " + err.Error()}
		}
		return appGitToken(c, f, opts.RepoURL, "")
	case remote:
		return readToken(c)
	case c.String("app-id") != "":
		return token.Token{}, &usageError{"--app-id only applies with --create, --push or --protect"}
	}
	return token.Token{}, nil
}
