package output_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/internal/validator/output"
)

// TestTextGroupsFloods: past GroupAfter findings of one rule and severity,
// text shows the first GroupShown and one line counting the rest by
// runtime; All lists every one. Another rule's few findings stay whole.
func TestTextGroupsFloods(t *testing.T) {
	var rep validator.Report
	for i := range 12 {
		rt := fmt.Sprintf("rt-%02d", i/2)
		rep.Findings = append(rep.Findings, validator.Finding{Path: "overlays/" + rt + "/runtime-token.yaml", Line: 1, Rule: validator.RuleTokenPending,
			Severity: validator.Warning, Message: "pending", Runtime: rt})
	}
	rep.Findings = append(rep.Findings, validator.Finding{Path: "rtconf.yaml", Line: 2, Rule: validator.RuleConfig, Severity: validator.Error, Message: "bad"})
	for _, tt := range []struct {
		all        bool
		pending    int
		groupLines int
	}{{all: false, pending: output.GroupShown, groupLines: 1}, {all: true, pending: 12}} {
		opts := output.DefaultOptions()
		opts.All = tt.all
		w, err := output.New(output.FormatText, opts)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := w.Write(&b, rep); err != nil {
			t.Fatal(err)
		}
		text := b.String()
		if n := strings.Count(text, ": warning: pending [token-pending]"); n != tt.pending {
			t.Errorf("all=%v: %d pending findings shown, want %d:\n%s", tt.all, n, tt.pending, text)
		}
		group := "warning: … and 7 more warnings like these in 4 runtimes [token-pending]\n    hint: --verbose lists every one"
		if n := strings.Count(text, group); n != tt.groupLines {
			t.Errorf("all=%v: %d group lines, want %d:\n%s", tt.all, n, tt.groupLines, text)
		}
		if !strings.Contains(text, "rtconf.yaml:2: error: bad [config]") || !strings.HasSuffix(text, "1 error, 12 warnings in 0 files (0 runtimes, 0 objects)\n") {
			t.Errorf("all=%v: the other finding or the summary is missing:\n%s", tt.all, text)
		}
	}
}
