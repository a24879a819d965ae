package validator_test

import (
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/validator"
)

// TestGatherRedacts: a shard report is a file; a token in any of its text
// fields does not reach the merged report.
func TestGatherRedacts(t *testing.T) {
	tok := testcreds.Classic("gatherGATHER")
	rep := validator.Report{
		Shard:    "1/1",
		Runtimes: []string{tok},
		Findings: []validator.Finding{{Path: "resources/" + tok + ".yaml", Rule: validator.RuleSchema, Severity: validator.Error,
			Message: "ConfigMap " + tok + ": unknown field", Hint: "remove " + tok, Runtime: tok}},
	}
	merged, err := validator.Gather([]validator.ShardReport{{Source: "shard.json", Report: rep}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	f := merged.Findings[0]
	for _, s := range append([]string{f.Path, f.Message, f.Hint, f.Runtime}, merged.Runtimes...) {
		if strings.Contains(s, tok[4:]) || !strings.Contains(s, token.Redacted) {
			t.Errorf("%q: not redacted", s)
		}
	}
}
