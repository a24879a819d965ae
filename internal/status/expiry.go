package status

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/rtconf/rtconf/internal/safetext"
)

// Expiring is a sealed Git token that expires within a warning window, or
// has expired.
type Expiring struct {
	Runtime string `json:"runtime"`
	// User is the user whose token it is; empty for the runtime token.
	User      string    `json:"user,omitempty"`
	Path      string    `json:"path"`
	ExpiresAt time.Time `json:"expiresAt"`
	// Reseal is the command that replaces the token.
	Reseal string `json:"reseal"`
}

// Expiries lists the sealed tokens of rep that expire before now+within,
// soonest first. Tokens without a recorded expiry (sealed without a live
// check, or classic tokens without an expiration) are not listed. A
// recorded expiry that is not a time is an error naming the file.
func Expiries(rep Report, now time.Time, within time.Duration) ([]Expiring, error) {
	var out []Expiring
	add := func(rt string, t Token, reseal string) error {
		if t.State != Sealed || t.ExpiresAt == "" {
			return nil
		}
		at, err := time.Parse(time.RFC3339, t.ExpiresAt)
		if err != nil {
			return fmt.Errorf("%s: recorded expiry %q is not an RFC 3339 time; seal the token again", t.Path, t.ExpiresAt)
		}
		if at.Before(now.Add(within)) {
			out = append(out, Expiring{Runtime: rt, User: t.User, Path: t.Path, ExpiresAt: at, Reseal: reseal})
		}
		return nil
	}
	for _, r := range rep.Runtimes {
		if err := add(r.Name, r.RuntimeToken, "rtconf seal runtime-token --runtime "+r.Name); err != nil {
			return nil, err
		}
		for _, u := range r.Users {
			if err := add(r.Name, u, "rtconf seal user-token --runtime "+r.Name+" --user "+u.User); err != nil {
				return nil, err
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Expiring) int {
		return cmp.Or(a.ExpiresAt.Compare(b.ExpiresAt), cmp.Compare(a.Path, b.Path))
	})
	return out, nil
}

// whose says whose token it is.
func (e Expiring) whose() string {
	if e.User == "" {
		return "runtime token of " + e.Runtime
	}
	return "user token of " + e.User + " on " + e.Runtime
}

// when says when it expires, relative to now.
func (e Expiring) when(now time.Time) string {
	day := e.ExpiresAt.UTC().Format("2006-01-02")
	if !e.ExpiresAt.After(now) {
		return "expired on " + day
	}
	days := int(e.ExpiresAt.Sub(now).Hours() / 24)
	switch days {
	case 0:
		return "expires on " + day + ", within a day"
	case 1:
		return "expires on " + day + ", in 1 day"
	}
	return fmt.Sprintf("expires on %s, in %d days", day, days)
}

// WriteExpiryText writes one line per expiring token. Names and paths
// come from the repository: they are made safe to print (safetext).
func WriteExpiryText(w io.Writer, list []Expiring, now time.Time, within time.Duration) error {
	var b strings.Builder
	for _, e := range list {
		fmt.Fprintf(&b, "%s: %s %s; replace it: %s\n", safetext.Line(e.Path), safetext.Line(e.whose()), e.when(now), safetext.Line(e.Reseal))
	}
	fmt.Fprintf(&b, "%s within %s\n", countTokens(len(list)), windowText(within))
	_, err := io.WriteString(w, safetext.Text(b.String()))
	return err
}

// WriteExpiryMarkdown writes a table of the expiring tokens: the body of
// the issue the scheduled workflow keeps open while tokens expire soon.
// Names and paths come from the repository: they are written as Markdown
// that renders no link or HTML (safetext.Markdown, safetext.MarkdownCode).
func WriteExpiryMarkdown(w io.Writer, list []Expiring, now time.Time, within time.Duration) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## rtconf: Git tokens that expire within %s\n\n", windowText(within))
	if len(list) == 0 {
		b.WriteString("No sealed Git token expires within the window. ✅\n")
	} else {
		b.WriteString("Argo CD and the runtime stop syncing when a runtime token expires (Codefresh shows the runtime as not active). " +
			"Create a new token with the same scopes and seal it with the command shown, then merge the change.\n\n")
		b.WriteString("| token | expiry | file | replace it with |\n|---|---|---|---|\n")
		for _, e := range list {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", safetext.Markdown(e.whose()), e.when(now),
				safetext.MarkdownCode(e.Path), safetext.MarkdownCode(e.Reseal))
		}
	}
	fmt.Fprintf(&b, "\n_Checked %s by `rtconf token expiry`._\n", now.UTC().Format("2006-01-02 15:04 MST"))
	_, err := io.WriteString(w, safetext.Text(b.String()))
	return err
}

// WriteExpiryJSON writes the list as indented JSON; [] when empty. It goes
// through a safetext.Writer, as WriteJSON.
func WriteExpiryJSON(w io.Writer, list []Expiring) error {
	if list == nil {
		list = []Expiring{}
	}
	return writeJSON(w, list)
}

func countTokens(n int) string {
	switch n {
	case 0:
		return "no sealed Git token expires"
	case 1:
		return "1 sealed Git token expires"
	}
	return fmt.Sprintf("%d sealed Git tokens expire", n)
}

// windowText is "14 days" for a whole number of days, the duration otherwise.
func windowText(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		if days := int(d / (24 * time.Hour)); days != 1 {
			return fmt.Sprintf("%d days", days)
		}
		return "1 day"
	}
	return d.String()
}
