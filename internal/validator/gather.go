package validator

import (
	"fmt"
	"slices"
	"strings"
)

// IncompleteError is returned by Gather when the shard reports do not make
// up the whole: a shard is missing, given twice, or of another split. A
// gathered report that is incomplete must not pass CI.
type IncompleteError struct {
	// Missing lists the shards without a report, as "I/N".
	Missing []string
	// Problems are the other reasons, one sentence each.
	Problems []string
}

func (e *IncompleteError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		what := "shard"
		if len(e.Missing) > 1 {
			what = "shards"
		}
		parts = append(parts, fmt.Sprintf("no report from %s %s: the job did not run to the end or its report was not kept",
			what, strings.Join(e.Missing, ", ")))
	}
	parts = append(parts, e.Problems...)
	return "shards incomplete: " + strings.Join(parts, "; ")
}

// ShardReport is a shard's report and where it was read from, for messages.
type ShardReport struct {
	Source string
	Report Report
}

// Gather merges the reports of the shards 1..total of one validation into
// the report of the whole: every finding, every runtime. total 0 takes the
// split the reports name. It returns the merged report of what it was given
// and an *IncompleteError when the reports do not cover every shard exactly
// once.
func Gather(reports []ShardReport, total int) (Report, error) {
	var problems []string
	seen := map[int]string{}
	for _, sr := range reports {
		sh, err := reportShard(sr.Report)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", sr.Source, err))
			continue
		}
		if total == 0 {
			total = sh.Total
		}
		switch {
		case sh.Total != total:
			problems = append(problems, fmt.Sprintf("%s is shard %s, not of %d shards", sr.Source, sh, total))
		case seen[sh.Index] != "":
			problems = append(problems, fmt.Sprintf("%s and %s are both shard %s", seen[sh.Index], sr.Source, sh))
		default:
			seen[sh.Index] = sr.Source
		}
	}
	var missing []string
	for i := 1; i <= max(total, 1); i++ {
		if seen[i] == "" {
			missing = append(missing, Shard{Index: i, Total: max(total, 1)}.String())
		}
	}

	merged := Report{Findings: []Finding{}, Runtimes: []string{}}
	for _, sr := range reports {
		merged.Findings = append(merged.Findings, sr.Report.Findings...)
		merged.Runtimes = append(merged.Runtimes, sr.Report.Runtimes...)
		// A shard counts the files whose findings are its own, and
		// renders its own objects: the shards add up to the whole.
		merged.Files += sr.Report.Files
		merged.Objects += sr.Report.Objects
	}
	sortFindings(merged.Findings)
	merged.Findings = dedupe(merged.Findings)
	slices.Sort(merged.Runtimes)
	merged.Runtimes = slices.Compact(merged.Runtimes)
	// The reports are files a shard job wrote; what they say is redacted
	// again, as Validate does.
	merged = merged.redacted()

	if missing != nil || problems != nil {
		return merged, &IncompleteError{Missing: missing, Problems: problems}
	}
	return merged, nil
}

// reportShard is the shard a report says it is; a report of a whole
// validation is shard 1/1.
func reportShard(r Report) (Shard, error) {
	if r.Shard == "" {
		return Shard{Index: 1, Total: 1}, nil
	}
	sh, err := ParseShard(r.Shard)
	if err != nil {
		return Shard{}, fmt.Errorf("not a shard report: %w", err)
	}
	return sh, nil
}
