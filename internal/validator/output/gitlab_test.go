package output

import (
	"encoding/json"
	"regexp"
	"slices"
	"testing"

	"github.com/rtconf/rtconf/internal/validator"
)

// readGitLab reads a Code Quality report and checks every issue has the
// fields GitLab requires, with allowed values.
func readGitLab(t *testing.T, r validator.Report) []gitlabIssue {
	t.Helper()
	out := render(t, FormatGitLab, Options{}, r)
	var raw []map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var issues []gitlabIssue
	if err := json.Unmarshal([]byte(out), &issues); err != nil {
		t.Fatal(err)
	}
	if raw == nil || len(issues) != len(r.Findings) {
		t.Fatalf("%d issues for %d findings (want a JSON array, [] when empty):\n%s", len(issues), len(r.Findings), out)
	}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for i, is := range issues {
		for _, k := range []string{"description", "check_name", "fingerprint", "severity", "location"} {
			if _, ok := raw[i][k]; !ok {
				t.Errorf("issue %d has no %s: %v", i, k, raw[i])
			}
		}
		if !slices.Contains([]string{"info", "minor", "major", "critical", "blocker"}, is.Severity) {
			t.Errorf("issue %d: severity %q", i, is.Severity)
		}
		if is.Location.Path == "" || is.Location.Lines.Begin < 1 || is.CheckName == "" || !hex32.MatchString(is.Fingerprint) {
			t.Errorf("issue %d: %+v", i, is)
		}
	}
	return issues
}

func fingerprints(is []gitlabIssue) []string {
	var fps []string
	for _, i := range is {
		fps = append(fps, i.Fingerprint)
	}
	return fps
}

func TestGitLabFields(t *testing.T) {
	for _, c := range cases {
		readGitLab(t, c.report())
	}
	is := readGitLab(t, findingsReport())
	want := map[validator.Severity]string{validator.Error: "major", validator.Warning: "minor", validator.Note: "info", "odd": "minor"}
	for sev, w := range want {
		if got := gitlabSeverity(sev); got != w {
			t.Errorf("severity %q → %q, want %q", sev, got, w)
		}
	}
	if is[0].Location.Path != "rtconf.yaml" || is[0].Location.Lines.Begin != 1 {
		t.Errorf("a finding of no file, no line: location %+v", is[0].Location)
	}
}

// TestGitLabFingerprints: stable from run to run and when the problem only
// moves (its line) or its numbers change (days until expiry), different for
// different problems, and unique in a report even for findings alike in
// everything but their line.
func TestGitLabFingerprints(t *testing.T) {
	r := findingsReport()
	first := fingerprints(readGitLab(t, r))
	if again := fingerprints(readGitLab(t, findingsReport())); !slices.Equal(first, again) {
		t.Errorf("a second run gave other fingerprints:\n%v\n%v", first, again)
	}
	seen := map[string]bool{}
	for _, fp := range first {
		if seen[fp] {
			t.Errorf("fingerprint %s twice in %v", fp, first)
		}
		seen[fp] = true
	}

	base := validator.Finding{Path: "runtimes/prod/git-token.yaml", Line: 4, Rule: validator.RuleTokenRecord,
		Severity: validator.Warning, Runtime: "prod", Message: "git-token holds a token that expires on 2026-12-20, in 9 days",
		Hint: "rotate it"}
	fp := func(f validator.Finding) string { return gitlabFingerprints([]validator.Finding{f})[0] }
	same := map[string]func(*validator.Finding){
		"line moved": func(f *validator.Finding) { f.Line, f.Column = 40, 7 },
		"a day later": func(f *validator.Finding) {
			f.Message = "git-token holds a token that expires on 2026-12-20, in 8 days"
		},
		"hint changed":   func(f *validator.Finding) { f.Hint = "rotate it now" },
		"severity rises": func(f *validator.Finding) { f.Severity = validator.Error },
	}
	for name, change := range same {
		f := base
		change(&f)
		if fp(f) != fp(base) {
			t.Errorf("%s: the fingerprint changed", name)
		}
	}
	other := map[string]func(*validator.Finding){
		"other file":    func(f *validator.Finding) { f.Path = "runtimes/dev/git-token.yaml" },
		"other rule":    func(f *validator.Finding) { f.Rule = validator.RuleTokenLive },
		"other runtime": func(f *validator.Finding) { f.Runtime = "dev" },
		"other message": func(f *validator.Finding) { f.Message = "git-token holds a token that expired on 2026-12-20" },
	}
	for name, change := range other {
		f := base
		change(&f)
		if fp(f) == fp(base) {
			t.Errorf("%s: the same fingerprint", name)
		}
	}

	// Alike but for the line (and the number in the message): all unique,
	// and the first keeps the fingerprint it has alone.
	alike := []validator.Finding{base, base, base}
	alike[1].Line, alike[2].Line = 9, 12
	alike[2].Message = "git-token holds a token that expires on 2026-12-21, in 10 days"
	fps := gitlabFingerprints(alike)
	if fps[0] != fp(base) || fps[0] == fps[1] || fps[1] == fps[2] || fps[0] == fps[2] {
		t.Errorf("alike findings: %v (alone: %s)", fps, fp(base))
	}
	if again := gitlabFingerprints(alike); !slices.Equal(fps, again) {
		t.Errorf("alike findings, second run: %v, then %v", fps, again)
	}
}
