package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/internal/validator/output"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		ArgsUsage: "[DIR]",
		Usage:     "check the repository before merge: config, drift, Kustomize builds, schemas, policies",
		Description: "Reads the repository in DIR or --dir (never writes, never reaches the network) and reports\n" +
			"every finding with its file, line, rule and a hint. Rules: " + ruleList() + ".\n\n" +
			"Formats: " + strings.Join(output.Formats(), ", ") + ". --format picks the one on standard\n" +
			"output; --output FORMAT=FILE writes more (repeatable; FILE - is standard output, in place\n" +
			"of --format), e.g.\n" +
			"   rtconf validate --format github --output sarif=rtconf.sarif --output markdown=$GITHUB_STEP_SUMMARY\n\n" +
			"--shard I/N validates the I-th of N deterministic parts of the runtimes (findings that\n" +
			"belong to no runtime go to shard 1), for a CI matrix over a large repository; `rtconf\n" +
			"gather` merges the shards' json reports into the report of the whole.\n\n" +
			"EXIT CODES:\n   0  no errors (warnings allowed)\n   1  errors found\n   2  usage error, or rtconf could not run",
		Flags: append(append(repoFlags(),
			&cli.StringFlag{Name: "format", Value: "text", Usage: "`FORMAT` on standard output: " + strings.Join(output.Formats(), ", ")},
			&cli.StringSliceFlag{Name: "output", Usage: "also write `FORMAT=FILE` (repeatable; FILE - for standard output)"},
			&cli.BoolFlag{Name: "strict", Usage: "unknown kinds and pending tokens are errors, not warnings"},
			&cli.StringFlag{Name: "shard", Usage: "validate only shard `I/N` of the runtimes"},
			&cli.BoolFlag{Name: "live", Usage: "also check the runtime tokens CI holds (RTCONF_RUNTIME_TOKEN, RTCONF_RUNTIME_TOKEN_<RUNTIME>) and GitHub Apps' keys (RTCONF_RUNTIME_APP_KEY, RTCONF_RUNTIME_APP_KEY_<RUNTIME>) against GitHub"},
		), liveFlags()...),
		Action: validateAction,
	}
}

func ruleList() string {
	var ids []string
	for _, r := range validator.Rules() {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, ", ")
}

type outputTarget struct {
	format string
	file   string
}

func validateAction(c *cli.Context) error {
	dir, err := repoDir(c, true)
	if err != nil {
		return err
	}
	targets, writers, err := reportWriters(c)
	if err != nil {
		return err
	}

	opts := validator.DefaultOptions()
	opts.ConfigFile = filepath.ToSlash(c.String("config"))
	opts.Strict = c.Bool("strict")
	opts.Now = now(c)
	if s := c.String("shard"); s != "" {
		sh, err := validator.ParseShard(s)
		if err != nil {
			return &usageError{err.Error()}
		}
		opts.Shard = sh
	}
	if showProgress(c) {
		// The bar holds numbers only, and carriage returns that a
		// safetext.Writer would escape.
		opts.Progress = progress(underlying(c.App.ErrWriter))
	}
	if c.Bool("live") {
		live, err := liveTokens(os.Environ())
		if err != nil {
			return err
		}
		live.Check.ProbeWrites = c.Bool("probe-writes")
		live.Check.MaxWait = c.Duration("max-wait")
		live.Check.ExpiryWarning = c.Duration("expiry-warning")
		live.Check.Now = opts.Now
		live.Check.Waiting = waitNotes(c)
		if showProgress(c) {
			live.Progress = liveProgress(underlying(c.App.ErrWriter))
		}
		live.Trust = trust(c)
		opts.Live = live
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("open repository: %w", err)
	}
	defer root.Close()
	rep, err := validator.Validate(c.Context, repofs.FS(root), opts)
	if err != nil {
		return err
	}
	for i, t := range targets {
		if err := writeReport(c.App.Writer, t, writers[i], rep); err != nil {
			return err
		}
	}
	if n := rep.Count(validator.Error); n > 0 {
		return &findingsError{fmt.Sprintf("%d %s found", n, pluralWord(n, "error"))}
	}
	return nil
}

// liveTokens reads the runtime tokens CI holds from the environment:
// RTCONF_RUNTIME_TOKEN for every runtime, RTCONF_RUNTIME_TOKEN_<RUNTIME>
// (upper case, '-' as '_') for one, and a GitHub App's private key under
// RTCONF_RUNTIME_APP_KEY[_<RUNTIME>]. An empty variable counts as unset, as
// CI writes a secret that is not defined (the generated workflow passes
// both). Errors name the variable, never the value.
func liveTokens(environ []string) (*validator.Live, error) {
	live := &validator.Live{Tokens: map[string]token.Token{}, AppKeys: map[string]token.Token{}, Check: providers.DefaultOptions()}
	const prefix = "RTCONF_RUNTIME_TOKEN"
	const appPrefix = "RTCONF_RUNTIME_APP_KEY"
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if value == "" {
			continue
		}
		if name == appPrefix || strings.HasPrefix(name, appPrefix+"_") {
			key, err := github.Forge{}.ParseAppKey(value)
			if err != nil {
				return nil, &usageError{fmt.Sprintf("environment variable %s: %v", name, err)}
			}
			rt := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(name, appPrefix), "_"), "_", "-"))
			live.AppKeys[rt] = key
			continue
		}
		if name != prefix && !strings.HasPrefix(name, prefix+"_") {
			continue
		}
		tok, err := providers.ParseToken(value)
		if err != nil {
			return nil, &usageError{fmt.Sprintf("environment variable %s: %v", name, err)}
		}
		rt := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(name, prefix), "_"), "_", "-"))
		live.Tokens[rt] = tok
	}
	if len(live.Tokens) == 0 && len(live.AppKeys) == 0 {
		return nil, &usageError{"--live needs a token: set RTCONF_RUNTIME_TOKEN (every runtime) or RTCONF_RUNTIME_TOKEN_<RUNTIME>, or a GitHub App's private key: RTCONF_RUNTIME_APP_KEY or RTCONF_RUNTIME_APP_KEY_<RUNTIME>"}
	}
	return live, nil
}

func writeReport(stdout io.Writer, t outputTarget, w output.Writer, rep validator.Report) error {
	if t.file == "" {
		if t.format == output.FormatGitHub {
			stdout = commandsAllowed(stdout)
		}
		return w.Write(stdout, rep)
	}
	f, err := os.Create(t.file)
	if err != nil {
		return fmt.Errorf("write %s report: %w", t.format, err)
	}
	if err := w.Write(f, rep); err != nil {
		f.Close()
		return fmt.Errorf("write %s report: %w", t.format, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s report: %w", t.format, err)
	}
	return nil
}

func pluralWord(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// colorful: colours only on a terminal, and never with NO_COLOR.
func colorful(w io.Writer) bool {
	return os.Getenv("NO_COLOR") == "" && isTerminal(w)
}

func isTerminal(w io.Writer) bool {
	f, ok := underlying(w).(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress draws a one-line progress bar when there are many overlays.
func progress(w io.Writer) func(done, total int) {
	return func(done, total int) {
		if total < 20 {
			return
		}
		const width = 30
		filled := done * width / total
		fmt.Fprintf(w, "\rbuilding overlays [%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), done, total)
		if done == total {
			fmt.Fprint(w, "\r\033[K")
		}
	}
}

// liveProgress draws one updating line while validate --live checks the
// runtimes' tokens against the Git host, one request after another.
// Runtime names are DNS labels (rtconf.yaml's rules), safe to print raw.
func liveProgress(w io.Writer) func(runtime string, done, total int) {
	return func(runtime string, done, total int) {
		if done == total {
			fmt.Fprint(w, "\r\033[K")
			return
		}
		fmt.Fprintf(w, "\r\033[Kchecking the runtime tokens live against the Git host: %d/%d, runtime %s", done+1, total, runtime)
	}
}
