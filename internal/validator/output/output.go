// Package output renders a validator.Report for people and for CI systems:
// text for terminals, json for scripts, github for workflow annotations,
// sarif for code scanning, junit for test report views, markdown for job
// summaries and gitlab for GitLab's Code Quality report.
//
// Every writer is deterministic (the same report gives the same bytes), keeps
// the report's order of findings, and escapes whatever text a finding holds
// for its format: findings quote files that a pull request's author controls.
// Everything a writer writes goes through safetext (see safeWriter).
package output

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rtconf/rtconf/internal/safetext"
	"github.com/rtconf/rtconf/internal/validator"
)

// Writer renders a validation report in one format.
type Writer interface {
	Write(w io.Writer, r validator.Report) error
}

// Options configure the writers.
type Options struct {
	// Color turns on ANSI colours in text (the CLI sets it only on a
	// terminal without NO_COLOR).
	Color bool
	// ToolVersion is rtconf's version, for SARIF and JUnit.
	ToolVersion string
	// MaxAnnotations caps the github format's workflow commands per
	// severity; 0 means DefaultMaxAnnotations.
	MaxAnnotations int
	// All makes the text format list every finding: without it, past
	// GroupAfter findings of one rule and severity it shows the first
	// GroupShown and one line that counts the rest (--verbose sets it).
	All bool
}

// A flood of one rule's findings (5,000 pending tokens) is summarised in
// text: more than GroupAfter findings of one rule and severity show the
// first GroupShown and a line that counts the rest, by runtime.
const (
	GroupAfter = 10
	GroupShown = 5
)

// DefaultMaxAnnotations is GitHub's cap on annotations of one severity in
// one step: more are dropped silently.
const DefaultMaxAnnotations = 10

// DefaultOptions returns the options the CLI starts from.
func DefaultOptions() Options {
	return Options{MaxAnnotations: DefaultMaxAnnotations}
}

// Validate reports whether the options can be used.
func (o Options) Validate() error {
	if o.MaxAnnotations < 0 {
		return fmt.Errorf("max annotations %d: must not be negative", o.MaxAnnotations)
	}
	return nil
}

// ErrUnknownFormat is returned, wrapped, by New for a format it does not know.
var ErrUnknownFormat = errors.New("unknown output format")

// The format names.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatGitHub   = "github"
	FormatSARIF    = "sarif"
	FormatJUnit    = "junit"
	FormatMarkdown = "markdown"
	FormatGitLab   = "gitlab"
)

// Formats lists the format names.
func Formats() []string {
	return []string{FormatText, FormatJSON, FormatGitHub, FormatSARIF, FormatJUnit, FormatMarkdown, FormatGitLab}
}

// New returns the writer for a format name: text, json, github, sarif,
// junit, markdown, gitlab.
func New(format string, o Options) (Writer, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.MaxAnnotations == 0 {
		o.MaxAnnotations = DefaultMaxAnnotations
	}
	switch format {
	case FormatText:
		return safeWriter{textWriter{color: o.Color, all: o.All}, safetext.Options{Color: o.Color}}, nil
	case FormatJSON:
		return safeWriter{format: jsonWriter{}}, nil
	case FormatGitHub:
		return safeWriter{githubWriter{max: o.MaxAnnotations}, safetext.Options{Commands: true}}, nil
	case FormatSARIF:
		return safeWriter{format: sarifWriter{version: o.ToolVersion}}, nil
	case FormatJUnit:
		return safeWriter{format: junitWriter{version: o.ToolVersion}}, nil
	case FormatMarkdown:
		return safeWriter{format: markdownWriter{}}, nil
	case FormatGitLab:
		return safeWriter{format: gitlabWriter{}}, nil
	}
	return nil, fmt.Errorf("%w %q: use one of %s", ErrUnknownFormat, format, strings.Join(Formats(), ", "))
}

// level maps a severity onto the three known ones. A severity rtconf does
// not know is shown as a warning: visible, but it fails nothing, as
// Report.HasErrors counts only errors.
func level(s validator.Severity) validator.Severity {
	switch s {
	case validator.Error, validator.Warning, validator.Note:
		return s
	}
	return validator.Warning
}

// counts holds the number of findings per severity.
type counts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notes    int `json:"notes"`
}

func countFindings(fs []validator.Finding) counts {
	var c counts
	for _, f := range fs {
		switch level(f.Severity) {
		case validator.Error:
			c.Errors++
		case validator.Warning:
			c.Warnings++
		default:
			c.Notes++
		}
	}
	return c
}

// phrase says the counts that are not zero, such as "2 errors, 1 note",
// or "" when there are none.
func (c counts) phrase() string {
	var parts []string
	for _, p := range []struct {
		n    int
		word string
	}{{c.Errors, "error"}, {c.Warnings, "warning"}, {c.Notes, "note"}} {
		if p.n > 0 {
			parts = append(parts, plural(p.n, p.word))
		}
	}
	return strings.Join(parts, ", ")
}

// plural says "1 file" or "2 files".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// summary is the text format's last line, also used by the markdown one:
// "2 errors, 1 warning in 3 files (12 runtimes, 340 objects)".
func summary(r validator.Report) string {
	what := countFindings(r.Findings).phrase()
	if what == "" {
		what = "no findings"
	}
	detail := plural(len(r.Runtimes), "runtime") + ", " + plural(r.Objects, "object")
	if r.Shard != "" {
		detail += ", shard " + oneLine(r.Shard)
	}
	return fmt.Sprintf("%s in %s (%s)", what, plural(r.Files, "file"), detail)
}

// location is "path:line:col", "path:line" or "path", as much as is known;
// "" without a path.
func location(f validator.Finding) string {
	if f.Path == "" {
		return ""
	}
	loc := oneLine(f.Path)
	if f.Line > 0 {
		loc += fmt.Sprintf(":%d", f.Line)
		if f.Column > 0 {
			loc += fmt.Sprintf(":%d", f.Column)
		}
	}
	return loc
}

// lines splits text from the repository into lines made safe to print
// (safetext.Text), taking CRLF and a lone CR as line ends too.
func lines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(safetext.Text(strings.ReplaceAll(s, "\r", "\n")), "\n")
}

// oneLine is text from the repository made safe to print within one line
// (safetext.Line): paths, rules, severities.
func oneLine(s string) string { return safetext.Line(s) }

// safeWriter passes everything a format writes through a safetext.Writer,
// whatever it quotes: no format writes a line the GitHub runner takes for
// a workflow command (but the github format's own commands), a control
// or bidi character, a token or a URL's userinfo.
type safeWriter struct {
	format Writer
	opts   safetext.Options
}

func (s safeWriter) Write(w io.Writer, r validator.Report) error {
	sw := safetext.NewWriter(w, s.opts)
	if err := s.format.Write(sw, r); err != nil {
		return err
	}
	return sw.Flush()
}
