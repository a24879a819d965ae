package validator_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/internal/validator/output"
	"github.com/rtconf/rtconf/schemas"
)

func shardReport(source, shard string, runtimes []string, findings ...validator.Finding) validator.ShardReport {
	if findings == nil {
		findings = []validator.Finding{}
	}
	return validator.ShardReport{Source: source, Report: validator.Report{
		Shard: shard, Runtimes: runtimes, Findings: findings, Files: 10, Objects: 3,
	}}
}

func TestGather(t *testing.T) {
	bad := validator.Finding{Path: "overlays/b/kustomization.yaml", Line: 3, Rule: validator.RuleBuild, Severity: validator.Error, Message: "broken", Runtime: "b"}
	warn := validator.Finding{Path: "rtconf.yaml", Line: 1, Rule: validator.RuleConfig, Severity: validator.Warning, Message: "odd"}
	for _, tc := range []struct {
		name       string
		reports    []validator.ShardReport
		total      int
		wantErrors int
		missing    []string
		problems   int
	}{
		{name: "all shards clean", total: 3, reports: []validator.ShardReport{
			shardReport("s1", "1/3", []string{"a"}, warn), shardReport("s3", "3/3", []string{"c"}), shardReport("s2", "2/3", []string{"b"}),
		}},
		{name: "one shard found an error", total: 3, wantErrors: 1, reports: []validator.ShardReport{
			shardReport("s1", "1/3", []string{"a"}), shardReport("s2", "2/3", []string{"b"}, bad), shardReport("s3", "3/3", []string{"c"}),
		}},
		{name: "a shard is missing", total: 3, missing: []string{"2/3"}, reports: []validator.ShardReport{
			shardReport("s1", "1/3", []string{"a"}), shardReport("s3", "3/3", []string{"c"}),
		}},
		{name: "total taken from the reports", total: 0, missing: []string{"1/2"}, reports: []validator.ShardReport{
			shardReport("s2", "2/2", []string{"b"}),
		}},
		{name: "no report at all", total: 4, missing: []string{"1/4", "2/4", "3/4", "4/4"}},
		{name: "a shard twice", total: 2, problems: 1, reports: []validator.ShardReport{
			shardReport("s1", "1/2", []string{"a"}), shardReport("again", "1/2", []string{"a"}), shardReport("s2", "2/2", []string{"b"}),
		}},
		{name: "a shard of another split", total: 2, problems: 1, missing: []string{"2/2"}, reports: []validator.ShardReport{
			shardReport("s1", "1/2", []string{"a"}), shardReport("s2", "2/3", []string{"b"}),
		}},
		{name: "not a shard report", total: 1, problems: 1, missing: []string{"1/1"}, reports: []validator.ShardReport{
			shardReport("odd", "x", nil),
		}},
		{name: "a whole validation is shard 1/1", total: 1, wantErrors: 1, reports: []validator.ShardReport{
			shardReport("whole", "", []string{"a", "b"}, bad),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := validator.Gather(tc.reports, tc.total)
			var inc *validator.IncompleteError
			if tc.missing == nil && tc.problems == 0 {
				if err != nil {
					t.Fatalf("Gather: %v", err)
				}
			} else {
				if !errors.As(err, &inc) {
					t.Fatalf("Gather error = %v, want an *IncompleteError", err)
				}
				if diff := cmp.Diff(tc.missing, inc.Missing); diff != "" {
					t.Errorf("missing shards (-want +got):\n%s", diff)
				}
				if len(inc.Problems) != tc.problems {
					t.Errorf("problems = %q, want %d", inc.Problems, tc.problems)
				}
			}
			if got := rep.Count(validator.Error); got != tc.wantErrors {
				t.Errorf("merged report has %d errors, want %d", got, tc.wantErrors)
			}
			if rep.HasErrors() != (tc.wantErrors > 0) {
				t.Errorf("HasErrors = %v", rep.HasErrors())
			}
		})
	}
}

func TestIncompleteErrorMessage(t *testing.T) {
	_, err := validator.Gather([]validator.ShardReport{shardReport("s1", "1/3", nil)}, 3)
	want := "shards incomplete: no report from shards 2/3, 3/3: the job did not run to the end or its report was not kept"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// TestGatherShardsIsTheWhole: the json reports of shards 1..N, written and
// read back as CI does, gather into the report of a whole validation.
func TestGatherShardsIsTheWhole(t *testing.T) {
	dir, opts := caseRepo(t, "build-broken")
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	opts.Schemas = schemas.NewManifestSet()
	whole, err := validator.Validate(context.Background(), root.FS(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !whole.HasErrors() {
		t.Fatal("case build-broken has no errors; the test needs some")
	}
	w, err := output.New(output.FormatJSON, output.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 4; n++ {
		var reports []validator.ShardReport
		for i := 1; i <= n; i++ {
			o := opts
			o.Shard = validator.Shard{Index: i, Total: n}
			rep, err := validator.Validate(context.Background(), root.FS(), o)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w.Write(&buf, rep); err != nil {
				t.Fatal(err)
			}
			back, err := output.ReadJSON(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if back.Shard != o.Shard.String() {
				t.Fatalf("N=%d: json report says shard %q, want %q", n, back.Shard, o.Shard)
			}
			reports = append(reports, validator.ShardReport{Source: o.Shard.String(), Report: back})
		}
		got, err := validator.Gather(reports, n)
		if err != nil {
			t.Fatalf("N=%d: %v", n, err)
		}
		if diff := cmp.Diff(whole.Findings, got.Findings); diff != "" {
			t.Errorf("N=%d: gathered findings differ from the whole's (-whole +gathered):\n%s", n, diff)
		}
		if diff := cmp.Diff(whole.Runtimes, got.Runtimes); diff != "" {
			t.Errorf("N=%d: gathered runtimes differ (-whole +gathered):\n%s", n, diff)
		}
		if got.Files != whole.Files {
			t.Errorf("N=%d: %d files, want %d", n, got.Files, whole.Files)
		}
	}
}
