package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/cluster"
	"github.com/rtconf/rtconf/internal/workspace"
)

// clusterStatus is `rtconf status --cluster`.
func clusterStatus(c *cli.Context, dir, format string) error {
	cl, err := connect(c)
	if err != nil {
		return err
	}
	rep, err := workspace.ClusterStatus(c.Context, workspace.ClusterStatusOptions{Dir: dir, ConfigFile: c.String("config"), Client: cl})
	if err != nil {
		return clusterError(cl, asUsage(err))
	}
	if format == "json" {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		err = enc.Encode(abbreviated(rep))
	} else {
		err = writeClusterStatus(c.App.Writer, rep)
	}
	if err != nil {
		return err
	}
	if !rep.Complete {
		return &findingsError{"some runtimes are incomplete on the cluster"}
	}
	return nil
}

func writeClusterStatus(w io.Writer, rep workspace.ClusterReport) error {
	for _, rt := range rep.Runtimes {
		state := "complete"
		if !rt.Complete {
			state = "incomplete"
		}
		fmt.Fprintf(w, "%s: %s\n", rt.Name, state)
		git := "complete"
		if !rt.Git.Complete {
			git = "incomplete (rtconf status says what)"
		}
		fmt.Fprintf(w, "  git:          %s\n", git)
		for i, s := range rt.Secrets {
			label := "credentials:"
			if i > 0 {
				label = ""
			}
			fmt.Fprintf(w, "  %-13s %s %s\n", label, s.Ref, secretWords(s))
		}
		fmt.Fprintf(w, "  %-13s %s %s\n", "application:", rt.App.Ref, appWords(rt.App, rep.Revision))
		for i, a := range rt.Children {
			label := "children:"
			if i > 0 {
				label = ""
			}
			fmt.Fprintf(w, "  %-13s %s %s\n", label, a.Ref, appWords(a, ""))
		}
		// The lines above say each object's state once; only what is
		// wrong with no line of its own (an overlay that does not render)
		// is said here.
		for _, p := range rt.Problems {
			if !shown(rt, p.Ref) {
				fmt.Fprintf(w, "  incomplete:   %s: %s\n", p.Ref, p.Message)
			}
		}
	}
	_, err := fmt.Fprintf(w, "repository revision %s\n", orDash(short(rep.Revision)))
	return err
}

// shown says whether writeClusterStatus gives ref a line of its own.
func shown(rt workspace.ClusterRuntime, ref cluster.Ref) bool {
	if rt.App.Ref == ref {
		return true
	}
	for _, s := range rt.Secrets {
		if s.Ref == ref {
			return true
		}
	}
	for _, a := range rt.Children {
		if a.Ref == ref {
			return true
		}
	}
	return false
}

func secretWords(s cluster.SecretState) string {
	switch {
	case !s.Found:
		return "not on the cluster"
	case s.Unsealed:
		return "unsealed"
	case s.Reason != "":
		return "not unsealed: " + s.Reason
	}
	return "not unsealed yet (no Synced condition from the sealed-secrets controller: is it running?)"
}

func appWords(a cluster.AppState, revision string) string {
	if !a.Found {
		return "not on the cluster"
	}
	out := fmt.Sprintf("sync %s, health %s", orDash(a.Sync), orDash(a.Health))
	if revision != "" || a.Revision != "" {
		out += fmt.Sprintf(", revision %s", orDash(short(a.Revision)))
		if revision != "" && a.Revision != revision {
			out += fmt.Sprintf(" (the repository is at %s)", short(revision))
		}
	}
	if a.Phase == "Failed" || a.Phase == "Error" {
		out += fmt.Sprintf("; last sync %s: %s", a.Phase, a.Message)
	}
	for _, c := range a.Conditions {
		out += "; " + c
	}
	return out
}

func short(rev string) string {
	if len(rev) > 7 {
		return rev[:7]
	}
	return rev
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// revisionDigits is how much of a commit hash rtconf prints: a whole one
// (40 hex digits) has the shape of a Gitea token, which output never holds.
const revisionDigits = 12

func abbrev(rev string) string {
	if len(rev) > revisionDigits {
		return rev[:revisionDigits]
	}
	return rev
}

// abbreviated is rep with every revision abbreviated.
func abbreviated(rep workspace.ClusterReport) workspace.ClusterReport {
	rep.Revision = abbrev(rep.Revision)
	rts := make([]workspace.ClusterRuntime, len(rep.Runtimes))
	for i, rt := range rep.Runtimes {
		rt.App = abbrevApp(rt.App)
		children := make([]cluster.AppState, len(rt.Children))
		for j, a := range rt.Children {
			children[j] = abbrevApp(a)
		}
		rt.Children = children
		rts[i] = rt
	}
	rep.Runtimes = rts
	return rep
}

func abbrevApp(a cluster.AppState) cluster.AppState {
	a.Revision, a.OperationRevision = abbrev(a.Revision), abbrev(a.OperationRevision)
	return a
}
