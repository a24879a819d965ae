package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/rtconf/rtconf/internal/safetext"
	"github.com/rtconf/rtconf/internal/validator"
)

// markdownMaxRows caps the findings table: a job summary holds 1 MiB.
const markdownMaxRows = 200

// markdownWriter writes a summary for $GITHUB_STEP_SUMMARY: a heading, a
// table of counts and a table of findings.
type markdownWriter struct{}

func (markdownWriter) Write(w io.Writer, r validator.Report) error {
	c := countFindings(r.Findings)
	var b strings.Builder
	mark, what := "✅", c.phrase()
	if c.Errors > 0 {
		mark = "❌"
	}
	if what == "" {
		what = "no findings"
	}
	fmt.Fprintf(&b, "## %s rtconf validate: %s", mark, what)
	if r.Shard != "" {
		fmt.Fprintf(&b, " (shard %s)", markdownCell(r.Shard))
	}
	b.WriteString("\n\n")
	b.WriteString("| errors | warnings | notes | runtimes | objects |\n")
	b.WriteString("| ---: | ---: | ---: | ---: | ---: |\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d |\n\n", c.Errors, c.Warnings, c.Notes, len(r.Runtimes), r.Objects)
	if len(r.Findings) == 0 {
		b.WriteString("No findings.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString("| file | severity | rule | message | hint |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for i, f := range r.Findings {
		if i == markdownMaxRows {
			fmt.Fprintf(&b, "\n…and %s not shown here: see the job's log.\n", plural(len(r.Findings)-i, "more finding"))
			break
		}
		file := "—"
		if f.Path != "" {
			file = f.Path
			if f.Line > 0 {
				file += fmt.Sprintf(":%d", f.Line)
			}
			file = markdownCell(file)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", file, markdownCell(string(f.Severity)),
			markdownCell(f.Rule), markdownCell(message(f)), markdownCell(f.Hint))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// message is a finding's message and, for a drift, its diff below it.
func message(f validator.Finding) string {
	if f.Diff == "" {
		return f.Message
	}
	return f.Message + "\n" + f.Diff
}

// markdownCell makes text safe in a GitHub-flavoured Markdown table cell
// (safetext.Markdown): no markup, HTML or link, line ends as <br>.
func markdownCell(s string) string { return safetext.Markdown(s) }
