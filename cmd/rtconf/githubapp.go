package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/workspace"
)

// maxKeyRead bounds what is read of a private key: more than any RSA key
// GitHub issues, so that a longer value is refused by the key's parser.
const maxKeyRead = 32 << 10

func appFlags(required bool) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "app-id", Usage: "the GitHub App's numeric `ID` (its settings page shows it)", Required: required},
		&cli.StringFlag{Name: "installation-id", Usage: "the App's installation `ID` on the repository's owner (default: looked up live)"},
		&cli.StringFlag{Name: "private-key-file", Usage: "read the App's private key (.pem) from `FILE` (default: standard input)"},
		&cli.StringFlag{Name: "private-key-env", Usage: "read the App's private key from the environment variable `VAR`"},
	}
}

const appKeyHelp = "The App's private key (the .pem file GitHub made) is read from --private-key-file FILE,\n" +
	"--private-key-env VAR or standard input; never from a flag's value. It is never written\n" +
	"in plain text, printed, or included in an error; neither is the installation token the\n" +
	"live check makes."

func sealAppCommand() *cli.Command {
	return &cli.Command{
		Name:  "github-app",
		Usage: "seal a GitHub App as a runtime's Git credential (an Argo CD repo-creds Secret)",
		Description: "Checks the App live (its JWT, its installation on the shared configuration repository,\n" +
			"the permissions of an installation token for that repository), then seals it into\n" +
			"overlays/RUNTIME/runtime-token.yaml: githubAppID and githubAppInstallationID as plain\n" +
			"template data (and githubAppEnterpriseBaseUrl for GitHub Enterprise Server), the private\n" +
			"key encrypted, for every repository of the owner. It takes the place of the runtime\n" +
			"token: replacing a sealed token needs --replace, and the old token is listed to revoke.\n" +
			"It seals into one runtime at a time (each runtime's App credentials are checked and\n" +
			"sealed on their own); seal runtime-token takes several runtimes.\n\n" +
			appKeyHelp + "\n\n" + exitCodesHelp,
		Flags: append(append(append(repoFlags(), lockWaitFlag(),
			&cli.StringFlag{Name: "runtime", Usage: "`NAME` of the runtime", Required: true},
			&cli.BoolFlag{Name: "replace", Usage: "replace a sealed runtime token with the App"},
		), appFlags(true)...), appCertFlags()...),
		Action: sealAppAction,
	}
}

// appCertFlags are certFlags without the flags of a token's check alone
// (write probes, expiry: an App's key does not expire).
func appCertFlags() []cli.Flag {
	var out []cli.Flag
	for _, f := range certFlags() {
		if n := f.Names()[0]; n != "probe-writes" && n != "expiry-warning" {
			out = append(out, f)
		}
	}
	return out
}

// readApp reads the App's flags and its private key.
func readApp(c *cli.Context, apps forge.Apps) (forge.App, error) {
	var app forge.App
	var err error
	if app.ID, err = workspace.AppID("--app-id", c.String("app-id")); err != nil {
		return app, asUsage(err)
	}
	if v := c.String("installation-id"); v != "" {
		if app.InstallationID, err = workspace.AppID("--installation-id", v); err != nil {
			return app, asUsage(err)
		}
	}
	app.Key, err = readAppKey(c, apps)
	return app, err
}

// readAppKey reads the private key from --private-key-file,
// --private-key-env or standard input (never a terminal: a key is a file).
// Errors name the source, never the key.
func readAppKey(c *cli.Context, apps forge.Apps) (token.Token, error) {
	file, env := c.String("private-key-file"), c.String("private-key-env")
	var raw []byte
	var where string
	switch {
	case file != "" && env != "":
		return token.Token{}, &usageError{"give either --private-key-file or --private-key-env, not both"}
	case file != "":
		where = "private key file " + file
		f, err := os.Open(file)
		if err != nil {
			return token.Token{}, &usageError{fmt.Sprintf("read %s: %v", where, errors.Unwrap(err))}
		}
		defer f.Close()
		if raw, err = io.ReadAll(io.LimitReader(f, maxKeyRead)); err != nil {
			return token.Token{}, &usageError{fmt.Sprintf("read %s: %v", where, errors.Unwrap(err))}
		}
	case env != "":
		where = "environment variable " + env
		raw = []byte(os.Getenv(env))
	default:
		where = "standard input"
		if f, ok := c.App.Reader.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return token.Token{}, &usageError{"no private key: pass --private-key-file FILE (the .pem file GitHub made), --private-key-env VAR, or pipe it to standard input"}
		}
		var err error
		if raw, err = io.ReadAll(io.LimitReader(c.App.Reader, maxKeyRead)); err != nil {
			return token.Token{}, &usageError{fmt.Sprintf("read %s: %v", where, err)}
		}
	}
	key, err := apps.ParseAppKey(string(raw))
	if err != nil {
		return token.Token{}, &usageError{fmt.Sprintf("%s: %v", where, err)}
	}
	return key, nil
}

func sealAppAction(c *cli.Context) error {
	if err := noArgs(c, "seal github-app"); err != nil {
		return err
	}
	dir, err := repoDir(c, false)
	if err != nil {
		return err
	}
	f, err := workspace.RepoForge(dir, c.String("config"))
	if err != nil {
		return asUsage(err)
	}
	apps, ok := f.(forge.Apps)
	if !ok {
		return &usageError{f.Title() + " has no Apps: seal a runtime token with rtconf seal runtime-token"}
	}
	app, err := readApp(c, apps)
	if err != nil {
		return err
	}
	opts := sealOptions(c, token.Token{})
	opts.Dir, opts.App = dir, &app
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
	printChanges(c.App.Writer, res.Changes, false, verbose(c))
	fmt.Fprintf(c.App.Writer, "sealed GitHub App %d (installation %d, private key %s) into %s\n",
		res.App.ID, res.App.InstallationID, apps.AppKeyFingerprint(res.App.Key), res.Path)
	for _, n := range res.Notes {
		fmt.Fprintln(c.App.Writer, "then: "+n)
	}
	return nil
}

// appCheckAction is `rtconf token check --github-app`.
func appCheckAction(c *cli.Context, target workspace.TokenTarget, kind forge.Kind, format string) error {
	apps, ok := target.Forge.(forge.Apps)
	if !ok {
		return &usageError{"--github-app: " + target.Forge.Title() + " has no Apps"}
	}
	if kind != forge.RuntimeToken {
		return &usageError{"--github-app with --kind user: a GitHub App acts as itself, never as a user; check it as the runtime's credential"}
	}
	if c.String("app-id") == "" {
		return &usageError{"--github-app needs --app-id ID"}
	}
	if len(target.Also) > 0 {
		return &usageError{"--github-app: runtime " + c.String("runtime") + " has runtimeTokenAsUserToken: true, which a GitHub App cannot serve (users need Git user tokens of their own)"}
	}
	app, err := readApp(c, apps)
	if err != nil {
		return err
	}
	opts := liveOptions(c, target)
	res, err := apps.CheckApp(c.Context, app, forge.Need{Kind: kind}, opts)
	if err != nil {
		return err // could not verify: exit 2
	}
	if format == "json" {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		writeAppCheck(c.App.Writer, app, apps, res, target.Forge.Title())
	}
	switch res.Outcome() {
	case forge.NotMet:
		return &findingsError{"the GitHub App does not meet the requirements"}
	case forge.Inconclusive:
		return errors.New("the GitHub App could not be fully verified")
	}
	return nil
}

// writeAppCheck writes an App's check as text; its last line says what the
// exit code is and why.
func writeAppCheck(w io.Writer, app forge.App, apps forge.Apps, res forge.AppCheck, host string) {
	line := "GitHub App " + strconv.FormatInt(app.ID, 10)
	if res.Slug != "" {
		line += " (" + res.Slug + ")"
	}
	fmt.Fprintf(w, "%s, private key %s\n", line, apps.AppKeyFingerprint(app.Key))
	if res.InstallationID != 0 {
		fmt.Fprintf(w, "installation %d on %s\n", res.InstallationID, res.Account)
	}
	if res.Problem != "" {
		fmt.Fprintf(w, "INVALID: %s\n", res.Problem)
		fmt.Fprintf(w, "%d %s to %s\n", res.Requests, pluralWord(res.Requests, "request"), host)
		fmt.Fprintf(w, "result: the App cannot be used (exit %d)\n", exitFindings)
		return
	}
	if len(res.Scopes) > 0 {
		fmt.Fprintf(w, "installation token permissions: %s\n", strings.Join(res.Scopes, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, r := range res.Requirements {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.Verdict, r.Name, r.Certainty, r.Detail)
	}
	tw.Flush()
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "%d %s to %s\n", res.Requests, pluralWord(res.Requests, "request"), host)
	fmt.Fprintln(w, "result: "+checkSummary(res.Result, 0))
}

// appGitToken is the installation token of the App the flags name, for
// the repository at repoURL: what init and --pr push and call the API
// with when they authenticate as a GitHub App.
func appGitToken(c *cli.Context, f forge.Forge, repoURL, configured string) (token.Token, error) {
	apps, ok := f.(forge.Apps)
	if !ok {
		return token.Token{}, &usageError{"--app-id: " + f.Title() + " has no Apps; authenticate with a token"}
	}
	app, err := readApp(c, apps)
	if err != nil {
		return token.Token{}, err
	}
	live := f.DefaultOptions()
	live.Now = now(c)
	tok, err := workspace.AppToken(c.Context, f, repoURL, configured, trust(c), app, live)
	if err != nil {
		return token.Token{}, asUsage(err)
	}
	return tok, nil
}
