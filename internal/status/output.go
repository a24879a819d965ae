package status

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/rtconf/rtconf/internal/safetext"
)

// WriteText writes the report as a table per runtime. The annotations it
// shows come from files a pull request can change: every value is made
// safe to print on one line (safetext.Line), and the whole goes through a
// safetext.Writer.
func WriteText(w io.Writer, rep Report) error {
	sw := safetext.NewWriter(w, safetext.Options{})
	tw := tabwriter.NewWriter(sw, 0, 8, 2, ' ', 0)
	line := safetext.Line
	for i, r := range rep.Runtimes {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		verdict := "complete"
		if !r.Complete {
			verdict = "INCOMPLETE"
		}
		fmt.Fprintf(tw, "runtime %s: %s\n", line(r.Name), verdict)
		fmt.Fprintf(tw, "  application\t%s\n", yesNo(r.Application, "present", "MISSING: run rtconf generate"))
		fmt.Fprintf(tw, "  runtime token\t%s\n", line(describe(r.RuntimeToken, "rtconf seal runtime-token --runtime "+r.Name)))
		for _, u := range r.Users {
			fmt.Fprintf(tw, "  user %s\t%s\n", line(u.User), line(describe(u, "rtconf seal user-token --runtime "+r.Name+" --user "+u.User)))
		}
		for _, c := range r.Clusters {
			fmt.Fprintf(tw, "  cluster %s\t%s\n", line(c.Name), yesNo(c.Application, "application present", "application MISSING: run rtconf generate"))
		}
	}
	complete := 0
	for _, r := range rep.Runtimes {
		if r.Complete {
			complete++
		}
	}
	fmt.Fprintf(tw, "\n%d of %d runtimes complete\n", complete, len(rep.Runtimes))
	if err := tw.Flush(); err != nil {
		return err
	}
	return sw.Flush()
}

func describe(t Token, fix string) string {
	switch t.State {
	case Sealed:
		s := "sealed"
		if t.Kind != "" {
			s += " (" + t.Kind
			if t.ExpiresAt != "" {
				s += ", expires " + t.ExpiresAt
			}
			if t.Verification != "" {
				s += ", " + t.Verification
			}
			s += ")"
		}
		return s
	case Pending:
		return "PENDING: " + fix
	case Missing:
		return "MISSING: run rtconf generate, then " + fix
	case Unknown:
		return "UNRECOGNISED file " + t.Path + ": " + fix
	case Unusable:
		return "UNUSABLE: " + t.Problem + ": " + fix
	}
	return string(t.State)
}

func yesNo(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

// WriteJSON writes the report as indented JSON, through a
// safetext.Writer: still JSON, with the same values, but for tokens and
// URLs' userinfo.
func WriteJSON(w io.Writer, rep Report) error {
	return writeJSON(w, rep)
}

func writeJSON(w io.Writer, v any) error {
	sw := safetext.NewWriter(w, safetext.Options{})
	enc := json.NewEncoder(sw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return sw.Flush()
}
