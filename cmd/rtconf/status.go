package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/status"
	"github.com/rtconf/rtconf/internal/workspace"
)

// findingsError ends a command with exit code 1.
type findingsError struct{ msg string }

func (e *findingsError) Error() string { return e.msg }

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		ArgsUsage: "[DIR]",
		Usage:     "show per runtime what is still pending: tokens, Applications, clusters",
		Description: "Like Codefresh's \"Complete installation\" badge: for each runtime, whether its Git\n" +
			"runtime token and each user's token are sealed (or pending, or covered by the runtime\n" +
			"token), whether its self-managing Application and its managed clusters' Applications\n" +
			"are there. Exits 0 when every runtime is complete, 1 otherwise.\n\n" +
			"With --cluster it also asks the cluster (kubeconfig and --context as kubectl reads them):\n" +
			"each SealedSecret unsealed or not (and the controller's reason), the runtime's Application's\n" +
			"sync, health and revision against the repository's, and its child Applications; a\n" +
			"runtime is complete only when both agree. Exit 2 when the cluster cannot be reached.\n\n" + exitCodesHelp,
		Flags: append(append(repoFlags(),
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`: text or json"},
			&cli.BoolFlag{Name: "cluster", Usage: "also say what the cluster says of each runtime"},
		), clusterFlags()...),
		Action: func(c *cli.Context) error {
			format := c.String("format")
			if format != "text" && format != "json" {
				return &usageError{fmt.Sprintf("--format %q: use text or json", format)}
			}
			dir, err := repoDir(c, true)
			if err != nil {
				return err
			}
			if c.Bool("cluster") {
				return clusterStatus(c, dir, format)
			}
			if c.IsSet("context") || c.IsSet("kubeconfig") {
				return &usageError{"--context and --kubeconfig only apply with --cluster"}
			}
			rep, err := workspace.Status(dir, c.String("config"))
			if err != nil {
				return asUsage(err)
			}
			if format == "json" {
				err = status.WriteJSON(c.App.Writer, rep)
			} else {
				err = status.WriteText(c.App.Writer, rep)
			}
			if err != nil {
				return err
			}
			if !rep.Complete {
				return &findingsError{"some runtimes are incomplete"}
			}
			return nil
		},
	}
}
