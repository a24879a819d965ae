package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/internal/validator/output"
)

func gatherCommand() *cli.Command {
	return &cli.Command{
		Name:      "gather",
		Usage:     "merge the json reports of validate --shard I/N into one report: the required check of a CI matrix",
		ArgsUsage: "REPORT.json...",
		Description: "Reads the reports that `rtconf validate --shard I/N --output json=FILE` wrote, one per\n" +
			"shard, and writes the report of the whole repository like validate does. It fails unless\n" +
			"every shard 1..N reported exactly once, so a CI job running it passes only when every\n" +
			"shard ran and passed, e.g.\n" +
			"   rtconf gather --shards 3 --format github --output sarif=rtconf.sarif shard-*.json\n\n" +
			"EXIT CODES:\n   0  every shard reported, no errors (warnings allowed)\n   1  a shard found errors\n" +
			"   2  usage error, a report is missing or unreadable, or the shards do not make up the whole",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "shards", Usage: "`N` shards expected (default: the number the reports name)"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "`FORMAT` on standard output: " + strings.Join(output.Formats(), ", ")},
			&cli.StringSliceFlag{Name: "output", Usage: "also write `FORMAT=FILE` (repeatable; FILE - for standard output)"},
		},
		Action: gatherAction,
	}
}

func gatherAction(c *cli.Context) error {
	if c.NArg() == 0 {
		return &usageError{"gather: give the shards' json reports, e.g. rtconf gather --shards 3 shard-*.json"}
	}
	if n := c.Int("shards"); n < 0 || n > config.MaxShards {
		return &usageError{fmt.Sprintf("--shards %d: must be between 1 and %d", n, config.MaxShards)}
	}
	targets, writers, err := reportWriters(c)
	if err != nil {
		return err
	}
	var reports []validator.ShardReport
	var unreadable []string
	for _, name := range c.Args().Slice() {
		rep, err := readReport(name)
		if err != nil {
			unreadable = append(unreadable, err.Error())
			continue
		}
		reports = append(reports, validator.ShardReport{Source: name, Report: rep})
	}
	rep, gatherErr := validator.Gather(reports, c.Int("shards"))
	for i, t := range targets {
		if err := writeReport(c.App.Writer, t, writers[i], rep); err != nil {
			return err
		}
	}
	if unreadable != nil || gatherErr != nil {
		msgs := unreadable
		if gatherErr != nil {
			msgs = append(msgs, gatherErr.Error())
		}
		return errors.New(strings.Join(msgs, "\n"))
	}
	if n := rep.Count(validator.Error); n > 0 {
		return &findingsError{fmt.Sprintf("%d %s found", n, pluralWord(n, "error"))}
	}
	return nil
}

func readReport(name string) (validator.Report, error) {
	f, err := os.Open(name)
	if err != nil {
		return validator.Report{}, fmt.Errorf("read shard report: %w", err)
	}
	defer f.Close()
	rep, err := output.ReadJSON(f)
	if err != nil {
		return validator.Report{}, fmt.Errorf("read shard report %s: %w", name, err)
	}
	return rep, nil
}

// reportWriters reads --format and --output: the report on standard output
// and in each FORMAT=FILE. FORMAT=- is the report on standard output, in
// place of --format's default: one report only goes there.
func reportWriters(c *cli.Context) ([]outputTarget, []output.Writer, error) {
	stdout := outputTarget{format: c.String("format")}
	var targets []outputTarget
	toStdout := ""
	for _, o := range c.StringSlice("output") {
		format, file, ok := strings.Cut(o, "=")
		if !ok || format == "" || file == "" {
			return nil, nil, &usageError{fmt.Sprintf("--output %q: write FORMAT=FILE, e.g. sarif=rtconf.sarif (FILE - for standard output)", o)}
		}
		if file != "-" {
			targets = append(targets, outputTarget{format: format, file: file})
			continue
		}
		switch {
		case toStdout != "":
			return nil, nil, &usageError{fmt.Sprintf("--output %s=- and --output %s=- both write to standard output; give one", toStdout, format)}
		case c.IsSet("format"):
			return nil, nil, &usageError{fmt.Sprintf("--format %s and --output %s=- both write to standard output; give one", stdout.format, format)}
		}
		toStdout, stdout.format = format, format
	}
	targets = append([]outputTarget{stdout}, targets...)
	writers := make([]output.Writer, len(targets))
	for i, t := range targets {
		opts := output.DefaultOptions()
		opts.ToolVersion = version
		opts.Color = t.file == "" && colorful(c.App.Writer)
		opts.All = verbose(c)
		w, err := output.New(t.format, opts)
		if err != nil {
			return nil, nil, &usageError{err.Error()}
		}
		writers[i] = w
	}
	return targets, writers, nil
}
