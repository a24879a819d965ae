package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/cluster"
	"github.com/rtconf/rtconf/internal/workspace"
)

// clusterFlags choose the cluster as kubectl does.
func clusterFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "kubeconfig", Usage: "kubeconfig `FILE` (default: as kubectl: $KUBECONFIG, else ~/.kube/config)"},
		&cli.StringFlag{Name: "context", Usage: "kubeconfig `CONTEXT` (default: the current context)"},
	}
}

// connect makes a client for the cluster the flags choose; it sends
// nothing yet.
func connect(c *cli.Context) (*cluster.Client, error) {
	cl, err := cluster.Connect(cluster.Options{Kubeconfig: c.String("kubeconfig"), Context: c.String("context")})
	if err != nil {
		return nil, fmt.Errorf("%w; choose the cluster with --context or --kubeconfig, as for kubectl", err)
	}
	return cl, nil
}

// clusterHint says what to check when the cluster did not answer.
func clusterError(cl *cluster.Client, err error) error {
	var ue *cluster.UnreachableError
	if errors.As(err, &ue) {
		ctx := cl.Context
		if ctx == "" {
			ctx = "(none)"
		}
		return fmt.Errorf("%w; check the kubeconfig context %s (kubectl --context %s get ns)", err, ctx, ctx)
	}
	return err
}

func applyCommand() *cli.Command {
	return &cli.Command{
		Name:  "apply",
		Usage: "apply a runtime's overlay to its cluster once, then wait until Argo CD has it",
		Description: "The first apply of a runtime, after which Git is the source of truth. Refuses unless\n" +
			"`rtconf validate` finds no error for the runtime and HEAD is committed and is what the\n" +
			"remote branch Argo CD syncs holds (origin/<repository.revision>, as last fetched or pushed).\n" +
			"Renders the overlay as validate does, creates the namespaces it needs (never deletes one),\n" +
			"applies it with server-side apply (field manager rtconf), credentials first, and waits\n" +
			"until every SealedSecret is unsealed and the runtime's Application is Synced and Healthy\n" +
			"at that commit. Re-running it changes nothing. --dry-run asks the API server what it\n" +
			"would do (server-side dry-run) and waits for nothing.\n\n" +
			"EXIT CODES:\n" +
			"   0  the runtime is live\n" +
			"   1  not applied or not live: the object that failed and the controller's or Argo CD's message\n" +
			"   2  usage error, or the cluster cannot be reached",
		Flags: append(append(repoFlags(), clusterFlags()...),
			&cli.StringSliceFlag{Name: "runtime", Usage: "`NAME` of the runtime to apply (repeat for more)"},
			&cli.BoolFlag{Name: "all-runtimes", Usage: "apply every runtime of rtconf.yaml, one after the other; the first that fails ends the run"},
			&cli.DurationFlag{Name: "timeout", Value: workspace.DefaultApplyTimeout, Usage: "wait at most `DURATION` for each runtime"},
			&cli.BoolFlag{Name: "dry-run", Usage: "server-side dry-run: say what would change, change nothing"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`: text or json"},
		),
		Action: func(c *cli.Context) error {
			if err := noArgs(c, "apply"); err != nil {
				return err
			}
			format := c.String("format")
			if format != "text" && format != "json" {
				return &usageError{fmt.Sprintf("--format %q: use text or json", format)}
			}
			if !c.IsSet("runtime") && !c.Bool("all-runtimes") {
				return &commandUsageError{"rtconf apply: missing --runtime NAME or --all-runtimes (see rtconf apply --help)"}
			}
			if c.Duration("timeout") <= 0 {
				return &usageError{fmt.Sprintf("--timeout %s: give a duration over 0, e.g. 5m", c.Duration("timeout"))}
			}
			dir, err := repoDir(c, false)
			if err != nil {
				return err
			}
			cl, err := connect(c)
			if err != nil {
				return err
			}
			opts := workspace.ApplyOptions{
				Dir: dir, ConfigFile: c.String("config"), Runtimes: c.StringSlice("runtime"), All: c.Bool("all-runtimes"),
				Client: cl, DryRun: c.Bool("dry-run"), Timeout: c.Duration("timeout"), Now: now(c),
			}
			if isTerminal(c.App.ErrWriter) {
				opts.Progress = func(rt string, v cluster.Verdict) {
					for _, p := range v.Waiting {
						fmt.Fprintf(c.App.ErrWriter, "waiting for %s: %s\n", p.Ref, p.Message)
					}
				}
			}
			res, err := workspace.Apply(c.Context, opts)
			if err != nil {
				err = clusterError(cl, asUsage(err))
			}
			if perr := printApply(c.App.Writer, format, opts, res, err); perr != nil {
				return perr
			}
			if err != nil {
				return err
			}
			return applyVerdict(res, opts)
		},
	}
}

// applyVerdict is the error that ends a run whose runtime failed or did
// not get there in time (exit 1), naming the object and the message.
func applyVerdict(res workspace.ApplyResult, opts workspace.ApplyOptions) error {
	for _, ra := range res.Runtimes {
		if f := ra.Verdict.Failed; f != nil {
			return &findingsError{fmt.Sprintf("runtime %s is not live: %s: %s", ra.Runtime, f.Ref, f.Message)}
		}
		if ra.TimedOut {
			var lines []string
			for _, p := range ra.Verdict.Waiting {
				lines = append(lines, fmt.Sprintf("  %s: %s", p.Ref, p.Message))
			}
			return &findingsError{fmt.Sprintf("runtime %s is not live after %s:\n%s", ra.Runtime, opts.Timeout, strings.Join(lines, "\n"))}
		}
	}
	return nil
}

type applyJSON struct {
	Commit   string        `json:"commit"`
	Branch   string        `json:"branch"`
	DryRun   bool          `json:"dryRun"`
	Live     bool          `json:"live"`
	Error    string        `json:"error,omitempty"`
	Runtimes []runtimeJSON `json:"runtimes"`
}

type runtimeJSON struct {
	workspace.RuntimeApplied
	Live    bool              `json:"live"`
	Failed  *cluster.Problem  `json:"failed,omitempty"`
	Waiting []cluster.Problem `json:"waiting,omitempty"`
}

func printApply(w io.Writer, format string, opts workspace.ApplyOptions, res workspace.ApplyResult, runErr error) error {
	if format == "json" {
		out := applyJSON{Commit: abbrev(res.Commit), Branch: res.Branch, DryRun: opts.DryRun, Live: runErr == nil && !opts.DryRun, Runtimes: []runtimeJSON{}}
		if runErr != nil {
			out.Error = runErr.Error()
		}
		for _, ra := range res.Runtimes {
			live := ra.Verdict.Done
			out.Live = out.Live && live
			out.Runtimes = append(out.Runtimes, runtimeJSON{RuntimeApplied: ra, Live: live, Failed: ra.Verdict.Failed, Waiting: ra.Verdict.Waiting})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	verb := ""
	if opts.DryRun {
		verb = " (server dry run)"
	}
	for _, ra := range res.Runtimes {
		if runErr != nil && len(ra.Applied) == 0 && len(ra.Namespaces) == 0 {
			continue
		}
		fmt.Fprintf(w, "runtime %s at commit %s (%s, as on %s)%s\n", ra.Runtime, res.Commit[:7], res.Branch, workspace.Remote, verb)
		for _, ns := range ra.Namespaces {
			fmt.Fprintf(w, "  %-10s Namespace %s\n", "created", ns)
		}
		counts := map[cluster.Action]int{}
		for _, a := range ra.Applied {
			counts[a.Action]++
			fmt.Fprintf(w, "  %-10s %s\n", a.Action, a.Ref)
		}
		fmt.Fprintf(w, "  %d objects: %d created, %d configured, %d unchanged\n", len(ra.Applied), counts[cluster.Created], counts[cluster.Configured], counts[cluster.Unchanged])
		if ra.Verdict.Done {
			fmt.Fprintf(w, "runtime %s is live: %d SealedSecrets unsealed, its Application Synced and Healthy at %s\n", ra.Runtime, countSecrets(ra), res.Commit[:7])
		}
	}
	return nil
}

func countSecrets(ra workspace.RuntimeApplied) int {
	n := 0
	for _, a := range ra.Applied {
		if a.Ref.Kind == cluster.KindSealedSecret {
			n++
		}
	}
	return n
}

// pinFromCluster fetches the controller's certificate for cert pin.
func pinFromCluster(c *cli.Context) (func(context.Context) ([]byte, error), string, error) {
	cl, err := connect(c)
	if err != nil {
		return nil, "", err
	}
	ns, name := c.String("controller-namespace"), c.String("controller-name")
	fetch := func(ctx context.Context) ([]byte, error) {
		data, err := cl.FetchCert(ctx, ns, name)
		if err != nil {
			return nil, clusterError(cl, err)
		}
		return data, nil
	}
	return fetch, fmt.Sprintf("the controller %s/%s on %s", ns, name, cl.Server), nil
}

// certClusterFlags are cert pin's flags for --from-cluster.
func certClusterFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.BoolFlag{Name: "from-cluster", Usage: "fetch the certificate from the controller through the API server, as kubeseal --fetch-cert"},
		&cli.StringFlag{Name: "controller-namespace", Value: cluster.DefaultControllerNamespace, Usage: "with --from-cluster: `NAMESPACE` of the controller's Service"},
		&cli.StringFlag{Name: "controller-name", Value: cluster.DefaultControllerName, Usage: "with --from-cluster: `NAME` of the controller's Service"},
	}, clusterFlags()...)
}
