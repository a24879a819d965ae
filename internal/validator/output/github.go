package output

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/rtconf/rtconf/internal/safetext"
	"github.com/rtconf/rtconf/internal/validator"
)

// githubWriter writes GitHub Actions workflow commands, one annotation per
// finding: "::error file=P,line=L,col=C,title=rtconf RULE::MESSAGE".
//
// GitHub keeps only the first few annotations of each severity in a step
// and drops the rest without a word, so at most max commands are written
// per severity; the findings beyond the cap are written as plain text and a
// last notice says how many were not annotated. When anything overflows, one
// notice slot is kept free for that last notice.
//
// The plain text quotes files a pull request's author controls, and the
// runner takes any log line that starts with "::" as a command, so it is
// written between ::stop-commands:: and its end token. The token is a hash
// of the text: deterministic, and no text can contain its own hash.
type githubWriter struct {
	max int
}

func (g githubWriter) Write(w io.Writer, r validator.Report) error {
	c := countFindings(r.Findings)
	limit := map[validator.Severity]int{
		validator.Error:   g.max,
		validator.Warning: g.max,
		validator.Note:    g.max,
	}
	if c.Errors > g.max || c.Warnings > g.max || c.Notes > g.max {
		limit[validator.Note] = g.max - 1
	}

	var b, rest strings.Builder
	used := map[validator.Severity]int{}
	skipped := 0
	for _, f := range r.Findings {
		lv := level(f.Severity)
		if used[lv] < limit[lv] {
			used[lv]++
			githubCommand(&b, f)
			continue
		}
		skipped++
		textWriter{}.finding(&rest, f)
	}
	if skipped > 0 {
		// The text is safe already; once more as a whole, since nothing
		// below neutralises its lines.
		plain := safetext.Text(rest.String())
		sum := sha256.Sum256([]byte(plain))
		token := "rtconf-" + hex.EncodeToString(sum[:16])
		b.WriteString("::stop-commands::" + token + "\n")
		b.WriteString(plain)
		b.WriteString("::" + token + "::\n")
		b.WriteString("::notice::" + escapeData(fmt.Sprintf(
			"%d of %d findings were not annotated (GitHub shows at most %d per severity in a step): they are listed above",
			skipped, len(r.Findings), g.max)) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// githubCommand writes one finding as a workflow command.
func githubCommand(b *strings.Builder, f validator.Finding) {
	cmd := "notice"
	switch level(f.Severity) {
	case validator.Error:
		cmd = "error"
	case validator.Warning:
		cmd = "warning"
	}
	var props []string
	if f.Path != "" {
		props = append(props, "file="+escapeProperty(safetext.Text(f.Path)))
		if f.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", f.Line))
			if f.Column > 0 {
				props = append(props, fmt.Sprintf("col=%d", f.Column))
			}
		}
	}
	title := "rtconf"
	if f.Rule != "" {
		title += " " + f.Rule
	}
	props = append(props, "title="+escapeProperty(safetext.Text(title)))
	msg := f.Message
	if f.Hint != "" {
		msg += "\nhint: " + f.Hint
	}
	b.WriteString("::" + cmd + " " + strings.Join(props, ",") + "::" + escapeData(strings.Join(lines(msg), "\n")) + "\n")
}

// escapeData escapes a command's message as @actions/core does.
func escapeData(s string) string { return dataEscaper.Replace(s) }

// escapeProperty escapes a command's property value as @actions/core does.
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)
