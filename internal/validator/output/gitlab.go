package output

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/validator"
)

// gitlabWriter writes a GitLab Code Quality report: the JSON array of issues
// that a job names as artifacts:reports:codequality, which GitLab shows in
// the merge request and the pipeline. Each finding is one issue with the
// fields GitLab documents (a subset of the Code Climate spec), see
// https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format:
//
//   - description: the message, with the hint after it, on one line;
//   - check_name: the rule;
//   - fingerprint: see gitlabFingerprints;
//   - severity: error is major, warning minor, note info (the scale is
//     info, minor, major, critical, blocker; rtconf has no finer grades);
//   - location.path: the finding's file, relative to --dir; a finding of no
//     file (such as a runtime's pending token) is placed at rtconf.yaml,
//     where what it is about is configured;
//   - location.lines.begin: the line, 1 when the finding has none.
type gitlabWriter struct{}

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

func (gitlabWriter) Write(w io.Writer, r validator.Report) error {
	fps := gitlabFingerprints(r.Findings)
	issues := make([]gitlabIssue, 0, len(r.Findings))
	for i, f := range r.Findings {
		issue := gitlabIssue{
			Description: strings.Join(lines(f.Message), " "),
			CheckName:   oneLine(f.Rule),
			Fingerprint: fps[i],
			Severity:    gitlabSeverity(f.Severity),
			Location:    gitlabLocation{Path: oneLine(f.Path), Lines: gitlabLines{Begin: max(f.Line, 1)}},
		}
		if f.Hint != "" {
			issue.Description += " (hint: " + strings.Join(lines(f.Hint), " ") + ")"
		}
		if issue.CheckName == "" {
			issue.CheckName = "rtconf"
		}
		if f.Path == "" {
			issue.Location.Path = config.FileName
		}
		issues = append(issues, issue)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(issues)
}

// gitlabSeverity maps rtconf's severities onto GitLab's scale.
func gitlabSeverity(s validator.Severity) string {
	switch level(s) {
	case validator.Error:
		return "major"
	case validator.Note:
		return "info"
	}
	return "minor"
}

// volatile is what a message may say that changes from run to run while the
// problem stays the same: numbers (days until a token expires, a line
// number in a parser's error, a count).
var volatile = regexp.MustCompile(`[0-9]+`)

// gitlabFingerprints returns one fingerprint per finding: what GitLab
// compares between the merge request's report and its target branch's to
// say which issues are new and which are fixed, so it must stay the same
// from run to run for the same problem, and tell two problems apart.
//
// A fingerprint is the first 128 bits, in hex, of the SHA-256 of the rule,
// the file, the runtime and the message with its numbers blanked out. The
// line is left out, so that editing a file above a problem does not make
// the problem new, and so are the numbers in the message (a token's "in 9
// days" is "in 8 days" tomorrow) and the hint. Findings that are alike in
// all of that (the same rule twice in one file, items[0] and items[1]) are
// told apart by their rank among their like, in the report's order (by
// line): the second of them hashes with "#1" added, and so on, and a hash
// already given is never given again.
func gitlabFingerprints(fs []validator.Finding) []string {
	out := make([]string, len(fs))
	seen := map[string]bool{}
	rank := map[string]int{}
	for i, f := range fs {
		key := strings.Join([]string{"rtconf", f.Rule, f.Path, f.Runtime, volatile.ReplaceAllString(f.Message, "#")}, "\x00")
		for n := rank[key]; ; n++ {
			k := key
			if n > 0 {
				k += "\x00#" + strconv.Itoa(n)
			}
			sum := sha256.Sum256([]byte(k))
			fp := hex.EncodeToString(sum[:16])
			if !seen[fp] {
				seen[fp] = true
				rank[key] = n + 1
				out[i] = fp
				break
			}
		}
	}
	return out
}
