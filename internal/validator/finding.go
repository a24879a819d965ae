// Package validator is rtconf's CI gate: it reads a shared configuration
// repository through an fs.FS and returns findings as data. It never writes
// and, unless asked for live checks, never reaches the network.
package validator

import (
	"cmp"
	"slices"

	"github.com/rtconf/rtconf/internal/token"
)

// Severity of a finding.
type Severity string

// The severities, from most to least severe.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Note    Severity = "note"
)

// Rule IDs. Each finding names the rule that raised it; the rules are
// described by Rules.
const (
	RuleConfig       = "config"
	RuleDrift        = "drift"
	RuleBuild        = "kustomize-build"
	RuleRemoteBase   = "remote-base"
	RuleSchema       = "schema"
	RuleUnknownKind  = "unknown-kind"
	RulePlainSecret  = "plain-secret"
	RuleTokenInFile  = "token-in-file"
	RuleSealedRename = "sealed-secret-renamed"
	RuleCiphertext   = "ciphertext"
	RuleCertificate  = "certificate"
	RuleRuntimeApp   = "runtime-application"
	RuleTokenPending = "token-pending"
	RuleClusterApps  = "cluster-applications"
	RuleUnreadable   = "unreadable"
	RuleTokenRecord  = "token-record"
	RuleJournal      = "rtconf-journal"
)

// Rule describes one rule for humans and for SARIF.
type Rule struct {
	ID          string
	Description string
}

// Rules lists every rule, in a stable order.
func Rules() []Rule {
	return []Rule{
		{RuleConfig, "rtconf.yaml must match its schema and rtconf's rules"},
		{RuleDrift, "generated files must match what `rtconf generate` writes"},
		{RuleBuild, "every Kustomize root must build"},
		{RuleRemoteBase, "kustomizations must not reference remote bases (validation is offline)"},
		{RuleSchema, "every manifest must match its kind's schema, with no unknown fields"},
		{RuleUnknownKind, "every manifest's kind must have a known schema"},
		{RulePlainSecret, "Secrets must not carry data or stringData: tokens live only in SealedSecrets"},
		{RuleTokenInFile, "no file may contain a token in plain text"},
		{RuleSealedRename, "a SealedSecret must keep the name and namespace it was sealed for"},
		{RuleCiphertext, "sealed values must be ciphertext made with the pinned certificate's key"},
		{RuleCertificate, "the pinned certificate must exist, match its fingerprint and be valid"},
		{RuleDemoCertificate, "nothing may be sealed for the published demo certificate, whose private key anyone can read"},
		{RuleRuntimeApp, "each runtime must have its self-managing Application, as configured"},
		{RuleTokenPending, "every Git token must be sealed (complete installation)"},
		{RuleClusterApps, "the runtime's Applications must apply folders that exist, one per managed cluster"},
		{RuleUnreadable, "every file must be readable"},
		{RuleTokenLive, "with --live: the runtime tokens CI holds are valid, unexpired, with every requirement, and the sealed ones"},
		{RuleTokenRecord, "sealed tokens must have been checked live, meet their requirements and not expire soon"},
		{RuleJournal, "no rtconf journal in the repository: rtconf never commits one, and one left by a killed run means a part-written tree"},
	}
}

// Finding is one problem, at a place in a file.
type Finding struct {
	// Path is slash-separated, relative to the repository root.
	Path     string   `json:"path"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
	// Runtime is the runtime the finding belongs to, if any.
	Runtime string `json:"runtime,omitempty"`
	// Diff shows what differs, for a drift finding on a file out of date:
	// a unified diff from the file to what rtconf generate writes, at most
	// generator.DiffLines lines.
	Diff string `json:"diff,omitempty"`
}

// Report is the result of a validation.
type Report struct {
	Findings []Finding `json:"findings"`
	// Runtimes lists the runtimes validated (all of them, or a shard's).
	Runtimes []string `json:"runtimes"`
	// Shard is "I/N" when only a shard was validated.
	Shard string `json:"shard,omitempty"`
	// Files counts the files whose findings the report holds (for a shard,
	// those of its runtimes, and of none for the first: the shards add up to
	// the whole); Objects, the objects rendered.
	Files   int `json:"files"`
	Objects int `json:"objects"`
}

// Count returns the number of findings of a severity.
func (r Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// HasErrors reports whether any finding is an error.
func (r Report) HasErrors() bool { return r.Count(Error) > 0 }

// sortFindings orders findings by file, line, column, rule and message.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// redacted is the report with every token-shaped value in its text replaced
// by token.Redacted. Findings quote names, keys and values that a pull
// request chose, and any of them may be a token pasted in the wrong place:
// Validate and Gather return only redacted reports, so no output format
// can repeat one.
func (r Report) redacted() Report {
	for i, f := range r.Findings {
		r.Findings[i] = Finding{
			Path: token.RedactDeep(f.Path), Line: f.Line, Column: f.Column,
			Rule: token.RedactDeep(f.Rule), Severity: Severity(token.RedactDeep(string(f.Severity))),
			Message: token.RedactDeep(f.Message), Hint: token.RedactDeep(f.Hint),
			Runtime: token.RedactDeep(f.Runtime), Diff: token.RedactDeep(f.Diff),
		}
	}
	for i, rt := range r.Runtimes {
		r.Runtimes[i] = token.RedactDeep(rt)
	}
	r.Shard = token.RedactDeep(r.Shard)
	return r
}
