package output

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/hostile"
	"github.com/rtconf/rtconf/internal/validator"
)

// hostileReport has the attacks in every field a repository (or a shard's
// report that `rtconf gather` reads) can set.
func hostileReport() validator.Report {
	h := hostile.Text()
	f := validator.Finding{Path: h, Line: 3, Column: 2, Rule: h, Severity: validator.Severity(h), Runtime: h, Message: h, Hint: h}
	var r validator.Report
	for _, sev := range []validator.Severity{validator.Error, validator.Warning, validator.Note, validator.Severity(h)} {
		f.Severity = sev
		r.Findings = append(r.Findings, f)
	}
	r.Findings = append(r.Findings, validator.Finding{Message: h, Severity: validator.Error})
	r.Runtimes, r.Shard, r.Files, r.Objects = []string{h, "prod"}, h, 2, 3
	return r
}

// TestHostileText: whatever a finding holds, no format writes a line the
// runner would take for a command (but the github format's own), a
// control or bidi character, a token or a URL's password, and the
// markdown format renders no link, image or HTML. JSON and SARIF stay
// valid JSON, JUnit valid XML.
func TestHostileText(t *testing.T) {
	for _, v := range variants {
		for _, max := range []int{0, 2} {
			opts := v.opts
			opts.MaxAnnotations = max
			t.Run(v.file, func(t *testing.T) {
				out := render(t, v.format, opts, hostileReport())
				if opts.Color {
					// Its own colours are the one escape sequence it writes.
					out = regexp.MustCompile(`\x1b\[(0|1|31|33|36)m`).ReplaceAllString(out, "")
				}
				var isCommand func(string) bool
				if v.format == FormatGitHub {
					isCommand = hostile.IsGitHubCommand
				}
				hostile.CheckLog(t, v.file, []byte(out), isCommand)
				switch v.format {
				case FormatMarkdown:
					hostile.CheckMarkdown(t, v.file, []byte(out))
				case FormatJSON, FormatSARIF, FormatGitLab:
					if !json.Valid([]byte(out)) {
						t.Errorf("not valid JSON:\n%s", out)
					}
				case FormatJUnit:
					if err := xml.Unmarshal([]byte(out), new(struct{})); err != nil {
						t.Errorf("not valid XML: %v\n%s", err, out)
					}
				}
			})
		}
	}
}

// TestHostileJSONKeepsValues: the json format still says what the
// repository holds, escaped, but for the token and the URL's userinfo.
func TestHostileJSONKeepsValues(t *testing.T) {
	out := render(t, FormatJSON, Options{}, hostileReport())
	got, err := ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	msg := got.Findings[0].Message
	for _, want := range []string{"::set-output name=pwned::1\n", "\x1b[31mred", "\u202eevil", "[click](https://evil.example/a)",
		"https://github.com/example-org/shared-config.git", "(redacted token)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lost %q:\n%q", want, msg)
		}
	}
}

// TestHostileGitHubPlainText: findings beyond the cap are written between
// stop-commands and its end token, and neutralised as well.
func TestHostileGitHubPlainText(t *testing.T) {
	out := render(t, FormatGitHub, Options{MaxAnnotations: 1}, hostileReport())
	if !bytes.Contains([]byte(out), []byte("::stop-commands::rtconf-")) {
		t.Fatalf("no stop-commands:\n%s", out)
	}
	stopped := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "::stop-commands::"):
			stopped = true
		case stopped && strings.HasPrefix(l, "::rtconf-"):
			stopped = false
		case stopped && strings.HasPrefix(strings.TrimLeft(l, " \t\u00a0\u3000"), "::"):
			t.Errorf("plain text line starts with ::, %q", l)
		}
	}
}
