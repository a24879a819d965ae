package output

import (
	"fmt"
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
	// all lists every finding; otherwise floods are grouped (GroupAfter).
	all bool
}

func (t textWriter) Write(w io.Writer, r validator.Report) error {
	var b strings.Builder
	type group struct{ rule, severity string }
	count := map[group]int{}
	for _, f := range r.Findings {
		count[group{f.Rule, string(level(f.Severity))}]++
	}
	shown := map[group]int{}
	rest := map[group][]validator.Finding{}
	var order []group
	for _, f := range r.Findings {
		g := group{f.Rule, string(level(f.Severity))}
		if !t.all && count[g] > GroupAfter && shown[g] >= GroupShown {
			if len(rest[g]) == 0 {
				order = append(order, g)
			}
			rest[g] = append(rest[g], f)
			continue
		}
		shown[g]++
		t.finding(&b, f)
	}
	for _, g := range order {
		t.grouped(&b, g.rule, validator.Severity(g.severity), rest[g])
	}
	b.WriteString(summary(r))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// grouped writes the one line that stands for the findings of a flood
// not shown: how many, of which rule and severity, in how many runtimes.
func (t textWriter) grouped(b *strings.Builder, rule string, sev validator.Severity, fs []validator.Finding) {
	runtimes := map[string]bool{}
	for _, f := range fs {
		if f.Runtime != "" {
			runtimes[f.Runtime] = true
		}
	}
	where := ""
	if len(runtimes) > 0 {
		where = " in " + plural(len(runtimes), "runtime")
	}
	b.WriteString(t.paint(severityColor(sev), oneLine(string(sev))))
	fmt.Fprintf(b, ": … and %d more %s like these%s [%s]\n", len(fs), plural2(len(fs), string(sev)), where, oneLine(rule))
	b.WriteString("    hint: --verbose lists every one; the json, sarif, junit and gitlab formats always do\n")
}

// plural2 is word, or word+"s" when n is not 1.
func plural2(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
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
