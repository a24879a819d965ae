package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/workspace"
)

func liveFlags() []cli.Flag {
	def := providers.DefaultOptions()
	return []cli.Flag{
		&cli.StringFlag{Name: "api-url", Usage: "GitHub API `URL` to send the token to, your own choice (default: the API of repository.url's host)"},
		&cli.BoolFlag{Name: "probe-writes", Usage: "fine-grained tokens: test write permissions with requests GitHub must refuse as invalid (nothing changes)"},
		&cli.DurationFlag{Name: "max-wait", Value: def.MaxWait, Usage: "longest `DURATION` to wait out a rate limit"},
		&cli.DurationFlag{Name: "expiry-warning", Value: def.ExpiryWarning, Usage: "warn when the token expires within `DURATION`"},
	}
}

func tokenCommand() *cli.Command {
	return &cli.Command{
		Name:  "token",
		Usage: "work with Git tokens",
		Subcommands: []*cli.Command{{
			Name:  "check",
			Usage: "check a token's scopes or permissions and expiry live against the GitHub API",
			Description: "Classic tokens: one request; the scopes come from X-OAuth-Scopes, with GitHub's scope\n" +
				"hierarchy. Fine-grained tokens have no scopes header: rtconf probes the shared configuration\n" +
				"repository (read requests; write requests only with --probe-writes, with deliberately invalid\n" +
				"bodies so that nothing can change). Each verdict says whether it was observed or inferred.\n" +
				"Requests it may send:\n   " + strings.Join(providers.CheckRequests(), "\n   ") + "\n\n" +
				"--github-app checks a GitHub App instead: its JWT (RS256, iss the App ID, 10 minutes), the\n" +
				"installation on the repository and an installation token for it alone, whose permissions\n" +
				"are compared with the runtime token's fine-grained ones. Requests it sends:\n   " +
				strings.Join(github.AppRequests(), "\n   ") + "\n" + appKeyHelp + "\n\n" + tokenHelp + "\n\n" +
				"EXIT CODES:\n   0  every requirement granted\n   1  something missing, or the token expired or is invalid\n   2  usage error, or the token could not be verified",
			Flags: append(append(append(repoFlags(),
				&cli.StringFlag{Name: "kind", Value: "runtime", Usage: "`KIND` of token: runtime or user"},
				&cli.StringFlag{Name: "runtime", Usage: "runtime `NAME` (adds the user requirements when its runtime token serves users)"},
				&cli.StringFlag{Name: "repo", Usage: "`OWNER/NAME` to check on (GitLab: GROUP[/SUBGROUP…]/PROJECT; default: repository.url of rtconf.yaml)"},
				&cli.StringFlag{Name: "provider", Usage: "Git `PROVIDER` of --repo: " + strings.Join(providers.Names(), " or ") + " (default: rtconf.yaml's, else github)"},
				&cli.StringFlag{Name: "format", Value: "text", Usage: "`FORMAT`: text or json"},
				&cli.BoolFlag{Name: "github-app", Usage: "check a GitHub App (--app-id, its private key) instead of a token"},
			), liveFlags()...), append(tokenFlags(), appFlags(false)...)...),
			Action: tokenCheckAction,
		}, rotateCommand(), tokenExpiryCommand()},
	}
}

func tokenCheckAction(c *cli.Context) error {
	if err := noArgs(c, "token check"); err != nil {
		return err
	}
	kind := forge.Kind(c.String("kind"))
	if kind != forge.RuntimeToken && kind != forge.UserToken {
		return &usageError{fmt.Sprintf("--kind %q: use runtime or user", kind)}
	}
	format := c.String("format")
	if format != "text" && format != "json" {
		return &usageError{fmt.Sprintf("--format %q: use text or json", format)}
	}
	var tok token.Token
	var err error
	if !c.Bool("github-app") {
		if tok, err = readToken(c); err != nil {
			return err
		}
	}
	dir := "."
	if c.String("repo") == "" || c.String("runtime") != "" || c.IsSet("dir") {
		if dir, err = repoDir(c, false); err != nil {
			return &usageError{err.Error() + "; or pass --repo OWNER/NAME"}
		}
	}
	target, err := workspace.ResolveTokenTarget(dir, c.String("config"), c.String("runtime"), c.String("repo"), c.String("provider"), trust(c), kind)
	if err != nil {
		return asUsage(err)
	}
	if c.Bool("github-app") {
		return appCheckAction(c, target, kind, format)
	}
	if tok, err = target.Forge.ParseToken(tok.Credential()); err != nil {
		return &usageError{fmt.Sprintf("the token is not a %s token: %v", target.Forge.Title(), err)}
	}
	opts := liveOptions(c, target)
	res, err := target.Forge.Check(c.Context, tok, forge.Need{Kind: kind, Also: target.Also}, opts)
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
		writeCheck(c.App.Writer, tok, res, opts.Now, target.Forge.Title())
	}
	switch res.Outcome() {
	case forge.NotMet:
		return &findingsError{"the token does not meet the requirements"}
	case forge.Inconclusive:
		return errors.New("the token could not be fully verified")
	}
	return nil
}

func liveOptions(c *cli.Context, t workspace.TokenTarget) forge.Options {
	o := t.Forge.DefaultOptions()
	o.APIURL, o.Owner, o.Repo = t.APIURL, t.Owner, t.Repo
	o.ProbeWrites = c.Bool("probe-writes")
	o.MaxWait = c.Duration("max-wait")
	o.ExpiryWarning = c.Duration("expiry-warning")
	o.Now = now(c)
	o.Waiting = waitNotes(c)
	return o
}

// notProbed marks the detail of a write permission that only
// --probe-writes can verify.
const notProbed = "--probe-writes"

// writeCheck writes a check's result as text. Write permissions left
// unknown for want of --probe-writes are said once, at the top, with what
// --probe-writes would add; the last line says what the exit code is and
// why.
func writeCheck(w io.Writer, tok token.Token, res forge.Result, now time.Time, host string) {
	fmt.Fprintf(w, "token: %s (%s)\n", tok.Kind(), tok.Fingerprint())
	if res.Problem != "" {
		fmt.Fprintf(w, "INVALID: %s\n", res.Problem)
		fmt.Fprintf(w, "result: the token is invalid (exit %d)\n", exitFindings)
		return
	}
	var unprobed []string
	for _, r := range res.Requirements {
		if r.Verdict == forge.Unknown && strings.Contains(r.Detail, notProbed) {
			name, _, _ := strings.Cut(r.Name, ":")
			unprobed = append(unprobed, name)
		}
	}
	if len(unprobed) > 0 {
		fmt.Fprintf(w, "write permissions not probed (%s): --probe-writes would test each with a write request %s must refuse as invalid, so nothing changes\n",
			strings.Join(unprobed, ", "), host)
	}
	switch {
	case res.ExpiresAt.IsZero():
	case res.Expired:
		fmt.Fprintf(w, "EXPIRED on %s\n", res.ExpiresAt.Format(time.RFC3339))
	case res.Expiring:
		fmt.Fprintf(w, "expires %s, in %d days: rotate it soon\n", res.ExpiresAt.Format(time.RFC3339), int(res.ExpiresAt.Sub(now).Hours()/24))
	default:
		fmt.Fprintf(w, "expires %s\n", res.ExpiresAt.Format(time.RFC3339))
	}
	if len(res.Scopes) > 0 {
		fmt.Fprintf(w, "scopes: %s\n", strings.Join(res.Scopes, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, r := range res.Requirements {
		detail := r.Detail
		if r.Verdict == forge.Unknown && strings.Contains(detail, notProbed) {
			detail = "read allowed; write not probed"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.Verdict, r.Name, r.Certainty, detail)
	}
	tw.Flush()
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "%d %s to %s\n", res.Requests, pluralWord(res.Requests, "request"), host)
	fmt.Fprintln(w, "result: "+checkSummary(res, len(unprobed)))
}

// checkSummary says what a check's exit code is and why.
func checkSummary(res forge.Result, unprobed int) string {
	var missing, unknown int
	for _, is := range res.Issues() {
		switch is.Kind {
		case forge.IssueMissing:
			missing++
		case forge.IssueUnverified:
			unknown++
		}
	}
	switch res.Outcome() {
	case forge.NotMet:
		var why []string
		if res.Expired {
			why = append(why, "the token expired")
		}
		if missing > 0 {
			why = append(why, fmt.Sprintf("%d %s missing", missing, pluralWord(missing, "requirement")))
		}
		if why == nil {
			why = []string{"the token does not meet the requirements"}
		}
		return fmt.Sprintf("%s (exit %d: fix the token)", strings.Join(why, ", "), exitFindings)
	case forge.Inconclusive:
		msg := fmt.Sprintf("%d %s could not be verified, nothing found missing (exit %d: not verified is not a pass)",
			unknown, pluralWord(unknown, "requirement"), exitError)
		if unprobed > 0 {
			msg += fmt.Sprintf("; run again with --probe-writes to verify %s", pluralWord(unprobed, "the write permission"))
		}
		return msg
	}
	return fmt.Sprintf("every requirement granted (exit %d)", exitOK)
}
