package output

import (
	"io"
	"strings"

	"github.com/rtconf/rtconf/internal/validator"
)

// ANSI SGR codes.
const (
	ansiBold   = "1"
	ansiRed    = "31"
	ansiYellow = "33"
	ansiCyan   = "36"
	ansiGreen  = "32"
)

// textWriter writes one line per finding, "path:line:col: severity:
// message [rule]", a message's further lines and its hint indented below
// it, then a summary line.
type textWriter struct {
	color bool
}

func (t textWriter) Write(w io.Writer, r validator.Report) error {
	var b strings.Builder
	for _, f := range r.Findings {
		t.finding(&b, f)
	}
	b.WriteString(summary(r))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// finding writes one finding. Every line it writes starts with the
// location, the severity or four spaces.
func (t textWriter) finding(b *strings.Builder, f validator.Finding) {
	if loc := location(f); loc != "" {
		b.WriteString(t.paint(ansiBold, loc))
		b.WriteString(": ")
	}
	b.WriteString(t.paint(severityColor(f.Severity), oneLine(string(f.Severity))))
	b.WriteString(": ")
	msg := lines(f.Message)
	b.WriteString(msg[0])
	b.WriteString(" [")
	b.WriteString(oneLine(f.Rule))
	b.WriteString("]\n")
	for _, l := range msg[1:] {
		b.WriteString("    " + l + "\n")
	}
	if f.Diff != "" {
		for _, l := range lines(f.Diff) {
			b.WriteString("    " + t.paint(diffColor(l), l) + "\n")
		}
	}
	if f.Hint == "" {
		return
	}
	for i, l := range lines(f.Hint) {
		if i == 0 {
			b.WriteString("    hint: " + l + "\n")
		} else {
			b.WriteString("          " + l + "\n")
		}
	}
}

// diffColor colours a diff's removed lines red and added lines green.
func diffColor(l string) string {
	switch {
	case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
		return ansiBold
	case strings.HasPrefix(l, "-"):
		return ansiRed
	case strings.HasPrefix(l, "+"):
		return ansiGreen
	case strings.HasPrefix(l, "@@"):
		return ansiCyan
	}
	return ""
}

func severityColor(s validator.Severity) string {
	switch level(s) {
	case validator.Error:
		return ansiRed
	case validator.Warning:
		return ansiYellow
	}
	return ansiCyan
}

// paint wraps s in an ANSI colour when colours are on.
func (t textWriter) paint(code, s string) string {
	if !t.color || s == "" || code == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
