package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/status"
	"github.com/rtconf/rtconf/internal/workspace"
)

func tokenExpiryCommand() *cli.Command {
	return &cli.Command{
		Name:      "expiry",
		ArgsUsage: "[DIR]",
		Usage:     "list the sealed Git tokens that expire soon, from what was recorded when they were sealed",
		Description: "Reads the expiry rtconf recorded on each sealed token (offline: no token is needed)\n" +
			"and lists those that expire within --within, soonest first, with the command that\n" +
			"replaces each. The generated workflow runs it daily and keeps one issue open while\n" +
			"tokens expire soon. Formats: text, markdown (an issue body), json.\n\n" +
			"EXIT CODES:\n   0  no token expires within the window\n   1  a token expires within the window, or has expired\n" +
			"   2  usage error, or rtconf could not run",
		Flags: append(repoFlags(),
			&cli.StringFlag{Name: "within", Value: strconv.Itoa(generator.ExpiryWarningDays) + "d", Usage: "warning window: `DAYS`d (e.g. 14d) or a duration (e.g. 36h)"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "`FORMAT`: text, markdown or json"},
		),
		Action: tokenExpiryAction,
	}
}

func tokenExpiryAction(c *cli.Context) error {
	dir, err := repoDir(c, true)
	if err != nil {
		return err
	}
	within, err := parseWindow(c.String("within"))
	if err != nil {
		return &usageError{err.Error()}
	}
	format := c.String("format")
	if format != "text" && format != "markdown" && format != "json" {
		return &usageError{fmt.Sprintf("--format %q: use text, markdown or json", format)}
	}
	rep, err := workspace.Status(dir, c.String("config"))
	if err != nil {
		return asUsage(err)
	}
	at := now(c)
	list, err := status.Expiries(rep, at, within)
	if err != nil {
		return err
	}
	switch format {
	case "markdown":
		err = status.WriteExpiryMarkdown(c.App.Writer, list, at, within)
	case "json":
		err = status.WriteExpiryJSON(c.App.Writer, list)
	default:
		err = status.WriteExpiryText(c.App.Writer, list, at, within)
	}
	if err != nil {
		return err
	}
	switch len(list) {
	case 0:
		return nil
	case 1:
		return &findingsError{"1 token expires within " + c.String("within")}
	}
	return &findingsError{fmt.Sprintf("%d tokens expire within %s", len(list), c.String("within"))}
}

// parseWindow reads "14d" as 14 days, or a Go duration such as "36h".
func parseWindow(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("--within %q: write a number of days such as 14d, or a duration such as 36h", s)
}
