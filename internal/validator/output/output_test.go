package output

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rtconf/rtconf/internal/validator"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// findingsReport has findings of every severity, with and without lines,
// one without a path, and text that every format must escape.
func findingsReport() validator.Report {
	return validator.Report{
		Findings: []validator.Finding{
			{Rule: validator.RuleTokenPending, Severity: validator.Warning, Runtime: "staging",
				Message: "runtime staging has no sealed Git runtime token",
				Hint:    "run: rtconf seal --runtime staging"},
			{Path: "resources/runtimes/prod/git-token.yaml", Line: 4, Column: 3, Rule: validator.RulePlainSecret,
				Severity: validator.Error, Runtime: "prod",
				Message: "Secret \"git-token\" carries data: 100% plain, <token> & key:value, a|b ]]> c\nsecond line, %0A stays literal",
				Hint:    "seal it: rtconf seal --runtime prod"},
			{Path: "resources/runtimes/prod/git-token.yaml", Line: 12, Rule: validator.RuleTokenInFile,
				Severity: validator.Error, Runtime: "prod",
				Message: "a GitHub token (ghp_…) is written in plain text"},
			{Path: "rtconf.yaml", Rule: validator.RuleDrift, Severity: validator.Warning,
				Message: "generated files differ from `rtconf generate`: 2 changed"},
			{Path: "rtconf.yaml", Line: 7, Column: 5, Rule: validator.RuleConfig, Severity: validator.Error,
				Message: "runtimes[1].name: \"Prod_2\" does not match ^[a-z0-9-]+$",
				Hint:    "use lowercase letters, digits and hyphens\nas Kubernetes names do"},
			{Path: "runtimes/prod/in-cluster.yaml", Line: 3, Column: 1, Rule: validator.RuleRuntimeApp,
				Severity: validator.Note, Runtime: "prod",
				Message: "selfHeal is off: drift is reported but not corrected"},
			{Path: "runtimes/staging/in-cluster.yaml", Rule: validator.RuleClusterApps, Severity: validator.Note,
				Runtime: "staging", Message: "no managed clusters: only in-cluster.yaml is applied"},
			{Path: "weird dir/a:b,c.yaml", Line: 2, Rule: validator.RuleUnknownKind, Severity: validator.Warning,
				Message: "kind \x1b[31mWidget\x1b[0m has no schema \u202eevil\r\nCRLF line \xff end"},
		},
		Runtimes: []string{"prod", "staging"},
		Files:    9,
		Objects:  42,
	}
}

// driftReport has a drift finding with its diff, whose lines (from the
// repository) every format must escape.
func driftReport() validator.Report {
	return validator.Report{
		Findings: []validator.Finding{
			{Path: "overlays/prod/kustomization.yaml", Rule: validator.RuleDrift, Severity: validator.Error, Runtime: "prod",
				Message: "out of date: differs from what rtconf generate writes for rtconf.yaml",
				Hint:    "run rtconf generate and commit the result",
				Diff: "--- a/overlays/prod/kustomization.yaml\n+++ b/overlays/prod/kustomization.yaml\n@@ -3,3 +3,2 @@\n kind: Kustomization\n" +
					"-namePrefix: <b>team</b> | ``` [x](y)\n-::error::injected\n+namespace: prod\n resources:"},
		},
		Runtimes: []string{"prod"},
		Files:    3,
		Objects:  4,
	}
}

// cases are the reports every format is checked on.
var cases = []struct {
	name   string
	report func() validator.Report
}{
	{"findings", findingsReport},
	{"drift", driftReport},
	{"empty", func() validator.Report { return validator.Report{} }},
	{"clean", func() validator.Report {
		return validator.Report{Runtimes: []string{"dev"}, Shard: "1/2", Files: 1, Objects: 1}
	}},
}

// variants are the writers with the options each golden file is made with.
var variants = []struct {
	file, format string
	opts         Options
}{
	{"text.golden", FormatText, Options{}},
	{"text-color.golden", FormatText, Options{Color: true}},
	{"json.golden", FormatJSON, Options{}},
	{"github.golden", FormatGitHub, Options{}},
	{"github-max2.golden", FormatGitHub, Options{MaxAnnotations: 2}},
	{"sarif.golden", FormatSARIF, Options{ToolVersion: "1.2.3"}},
	{"junit.golden", FormatJUnit, Options{ToolVersion: "1.2.3"}},
	{"markdown.golden", FormatMarkdown, Options{}},
	{"gitlab.golden", FormatGitLab, Options{}},
}

func render(t *testing.T, format string, o Options, r validator.Report) string {
	t.Helper()
	w, err := New(format, o)
	if err != nil {
		t.Fatalf("New(%q): %v", format, err)
	}
	var b bytes.Buffer
	if err := w.Write(&b, r); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	for _, c := range cases {
		for _, v := range variants {
			t.Run(c.name+"/"+v.file, func(t *testing.T) {
				got := render(t, v.format, v.opts, c.report())
				if again := render(t, v.format, v.opts, c.report()); again != got {
					t.Fatalf("a second run gave other bytes:\n%s", cmp.Diff(got, again))
				}
				golden := filepath.Join("testdata", c.name, v.file)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to write it)", err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
				}
			})
		}
	}
}

func TestNew(t *testing.T) {
	for _, f := range Formats() {
		if _, err := New(f, DefaultOptions()); err != nil {
			t.Errorf("New(%q): %v", f, err)
		}
	}
	if _, err := New("yaml", Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("New(yaml) = %v, want ErrUnknownFormat", err)
	}
	if _, err := New(FormatGitHub, Options{MaxAnnotations: -1}); err == nil {
		t.Error("New with MaxAnnotations -1: no error")
	}
}

func TestGitHubCap(t *testing.T) {
	tests := []struct {
		name                    string
		errors, notes           int
		wantErrors, wantNotices int // commands, the closing notice included
		wantPlain               int
	}{
		{name: "25 errors", errors: 25, wantErrors: 10, wantNotices: 1, wantPlain: 15},
		{name: "10 errors", errors: 10, wantErrors: 10, wantNotices: 0, wantPlain: 0},
		// A notice slot is kept for the closing notice.
		{name: "11 errors 10 notes", errors: 11, notes: 10, wantErrors: 10, wantNotices: 10, wantPlain: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r validator.Report
			for i := range tt.errors + tt.notes {
				sev := validator.Error
				if i >= tt.errors {
					sev = validator.Note
				}
				r.Findings = append(r.Findings, validator.Finding{
					Path: fmt.Sprintf("f%02d.yaml", i), Line: 1, Rule: validator.RuleSchema,
					Severity: sev, Message: "bad"})
			}
			out := render(t, FormatGitHub, DefaultOptions(), r)
			var errs, notices, plain int
			stopped := false
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				switch {
				case l == "":
				case strings.HasPrefix(l, "::stop-commands::"):
					stopped = true
				case stopped:
					if strings.HasPrefix(l, "::") {
						stopped = false
					} else {
						plain++
					}
				case strings.HasPrefix(l, "::error "):
					errs++
				case strings.HasPrefix(l, "::notice"):
					notices++
				default:
					t.Errorf("unexpected line %q", l)
				}
			}
			if errs != tt.wantErrors || notices != tt.wantNotices || plain != tt.wantPlain {
				t.Errorf("got %d ::error, %d ::notice, %d plain lines; want %d, %d, %d\n%s",
					errs, notices, plain, tt.wantErrors, tt.wantNotices, tt.wantPlain, out)
			}
			if tt.wantPlain > 0 && !strings.Contains(out, fmt.Sprintf("::notice::%d of %d findings were not annotated", tt.wantPlain, tt.errors+tt.notes)) {
				t.Errorf("no closing notice:\n%s", out)
			}
		})
	}
}

func TestGitHubEscape(t *testing.T) {
	in := "100%\r\na:b,c"
	if got, want := escapeData(in), "100%25%0D%0Aa:b,c"; got != want {
		t.Errorf("escapeData(%q) = %q, want %q", in, got, want)
	}
	if got, want := escapeProperty(in), "100%25%0D%0Aa%3Ab%2Cc"; got != want {
		t.Errorf("escapeProperty(%q) = %q, want %q", in, got, want)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.report()
			out := render(t, FormatJSON, Options{}, in)
			var got validator.Report
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			// JSON holds UTF-8 only: invalid bytes come back as U+FFFD.
			for i, f := range in.Findings {
				in.Findings[i].Message = strings.ToValidUTF8(f.Message, "\uFFFD")
			}
			if diff := cmp.Diff(in, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip (-in +out):\n%s", diff)
			}
			var s struct{ Summary counts }
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatal(err)
			}
			want := counts{in.Count(validator.Error), in.Count(validator.Warning), in.Count(validator.Note)}
			if s.Summary != want {
				t.Errorf("summary = %+v, want %+v", s.Summary, want)
			}
		})
	}
}

func TestJUnitParses(t *testing.T) {
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Classname string `xml:"classname,attr"`
				Name      string `xml:"name,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Body    string `xml:",chardata"`
				} `xml:"failure"`
				SystemOut *string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	out := render(t, FormatJUnit, Options{}, findingsReport())
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Name != "rtconf validate" {
		t.Fatalf("want one suite %q, got %+v", "rtconf validate", doc.Suites)
	}
	s := doc.Suites[0]
	type result struct{ Case, Failure string }
	var got []result
	failures := 0
	for _, c := range s.Cases {
		r := result{Case: c.Classname + "." + c.Name}
		if c.Failure != nil {
			failures++
			r.Failure = c.Failure.Message
		}
		got = append(got, r)
	}
	want := []result{{"runtime.prod", "2 errors"}, {"runtime.staging", ""}, {"rtconf.repository", "1 error"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("test cases (-want +got):\n%s", diff)
	}
	if s.Tests != len(s.Cases) || doc.Tests != s.Tests || s.Failures != failures || doc.Failures != failures {
		t.Errorf("counts: suites tests=%d failures=%d, suite tests=%d failures=%d; want tests=%d failures=%d",
			doc.Tests, doc.Failures, s.Tests, s.Failures, len(s.Cases), failures)
	}
	if body := s.Cases[0].Failure.Body; !strings.Contains(body, "100% plain, <token> & key:value, a|b ]]> c") {
		t.Errorf("failure body lost the message's text:\n%s", body)
	}
	if s.Cases[1].SystemOut == nil || !strings.Contains(*s.Cases[1].SystemOut, "no sealed Git runtime token") {
		t.Errorf("staging's warnings are not in its system-out")
	}

	if err := xml.Unmarshal([]byte(render(t, FormatJUnit, Options{}, validator.Report{})), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Failures != 0 || doc.Tests != 1 {
		t.Errorf("empty report: tests=%d failures=%d, want 1 and 0", doc.Tests, doc.Failures)
	}
}

func TestMarkdownCap(t *testing.T) {
	var r validator.Report
	for i := range markdownMaxRows + 5 {
		r.Findings = append(r.Findings, validator.Finding{
			Path: fmt.Sprintf("f%03d.yaml", i), Rule: validator.RuleSchema, Severity: validator.Error, Message: "bad"})
	}
	out := render(t, FormatMarkdown, Options{}, r)
	if rows := strings.Count(out, "| error | schema |"); rows != markdownMaxRows {
		t.Errorf("%d rows, want %d", rows, markdownMaxRows)
	}
	if !strings.Contains(out, "\n…and 5 more findings not shown here") {
		t.Errorf("no line for the findings left out:\n%s", out[len(out)-200:])
	}
}
