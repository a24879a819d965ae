package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeFig is a figure of one sample: wall and CPU in milliseconds, peak
// memory in MiB.
func fakeFig(key string, wallMS, cpuMS, rssMiB int64) *figure {
	return &figure{key: key, name: key, samples: []sample{{wall: time.Duration(wallMS) * time.Millisecond, cpu: time.Duration(cpuMS) * time.Millisecond, rssKB: rssMiB * 1024}}}
}

// measured is a size whose figures meet every target at 1,000 runtimes:
// validate 1 s wall and CPU, the pipeline 12 s, a shard 30 %, a seal
// 30 ms, generate from scratch as fast as cp -r.
func measured(n int) sizeResult {
	scale := int64(n / 1000)
	if n < 1000 {
		scale = 1
	}
	return sizeResult{runtimes: n, files: 13 * n, figures: []*figure{
		fakeFig(figGenerate, 5000*scale, 2000*scale, 90),
		fakeFig(figRerun, 1000*scale, 1000*scale, 80),
		fakeFig(figValidate, 1000*scale, 1000*scale, 250),
		fakeFig(figShard, 300*scale, 300*scale, 200),
		fakeFig(figPipeline, 12000*scale, 12000*scale, 40),
		fakeFig(figCopy, 5000*scale, 5000*scale, 2),
		fakeFig(figSeal, 30, 30, 60),
	}}
}

func TestTargetRows(t *testing.T) {
	set := func(sizes []sizeResult, n int, key string, f *figure) {
		for i := range sizes {
			if sizes[i].runtimes == n {
				for j, g := range sizes[i].figures {
					if g.key == key {
						sizes[i].figures[j] = f
					}
				}
			}
		}
	}
	for _, tc := range []struct {
		name   string
		change func([]sizeResult)
		live   *liveResult
		row    string // the start of the row's target
		met    bool
		judged bool
	}{
		{name: "speedup met", row: "validate ≥ 10× faster than the pipeline in wall time", met: true, judged: true},
		{name: "speedup missed", row: "validate ≥ 10× faster than the pipeline in wall time", judged: true,
			change: func(s []sizeResult) { set(s, 1000, figPipeline, fakeFig(figPipeline, 9000, 12000, 40)) }},
		{name: "CPU speedup met", row: "validate ≥ 6× faster than the pipeline in CPU time", met: true, judged: true},
		{name: "CPU speedup missed", row: "validate ≥ 6× faster than the pipeline in CPU time", judged: true,
			change: func(s []sizeResult) { set(s, 1000, figPipeline, fakeFig(figPipeline, 12000, 5900, 40)) }},
		{name: "memory met", row: "validate peak memory ≤ 300 MiB", met: true, judged: true},
		{name: "memory missed", row: "validate peak memory ≤ 300 MiB", judged: true,
			change: func(s []sizeResult) { set(s, 1000, figValidate, fakeFig(figValidate, 1000, 1000, 301)) }},
		{name: "shard met", row: "validate --shard 1/4 ≤ 35 %", met: true, judged: true},
		{name: "shard missed in CPU time alone", row: "validate --shard 1/4 ≤ 35 %", judged: true,
			change: func(s []sizeResult) { set(s, 1000, figShard, fakeFig(figShard, 300, 400, 200)) }},
		{name: "linear growth met", row: "linear growth", met: true, judged: true},
		{name: "linear growth missed", row: "linear growth", judged: true,
			change: func(s []sizeResult) { set(s, 5000, figValidate, fakeFig(figValidate, 6100, 5000, 250)) }},
		{name: "seal met", row: "seal of one token", met: true, judged: true},
		{name: "seal missed", row: "seal of one token", judged: true,
			change: func(s []sizeResult) { set(s, 1000, figSeal, fakeFig(figSeal, 61, 61, 60)) }},
		{name: "disk floor met", row: "generate from scratch ≤ 1.2× `cp -r`", met: true, judged: true},
		{name: "disk floor missed", row: "generate from scratch ≤ 1.2× `cp -r`", judged: true,
			change: func(s []sizeResult) { set(s, 1000, figGenerate, fakeFig(figGenerate, 6100, 2000, 90)) }},
		{name: "live checks met", row: "live checks", met: true, judged: true,
			live: &liveResult{sequential: 5 * time.Second, parallel: time.Second, concurrency: 8}},
		{name: "live checks missed", row: "live checks", judged: true,
			live: &liveResult{sequential: 5 * time.Second, parallel: 1100 * time.Millisecond, concurrency: 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sizes := []sizeResult{measured(10), measured(1000), measured(5000)}
			if tc.change != nil {
				tc.change(sizes)
			}
			r := report{sizes: sizes, live: tc.live}
			var found []targetRow
			for _, row := range r.targetRows() {
				if strings.HasPrefix(row.what, tc.row) {
					found = append(found, row)
				}
			}
			if len(found) != 1 {
				t.Fatalf("%d rows start with %q, want 1: %+v", len(found), tc.row, r.targetRows())
			}
			if found[0].met != tc.met || found[0].judged != tc.judged {
				t.Errorf("%s: met %v judged %v, want met %v judged %v", found[0].what, found[0].met, found[0].judged, tc.met, tc.judged)
			}
		})
	}
}

// TestTargetRowsNeedTheirSizes: the linear-growth row only when 5,000
// runtimes ran; the seal's unjudged without 10; none without 1,000 (but
// the live checks' all the same).
func TestTargetRowsNeedTheirSizes(t *testing.T) {
	has := func(rows []targetRow, prefix string) *targetRow {
		for i := range rows {
			if strings.HasPrefix(rows[i].what, prefix) {
				return &rows[i]
			}
		}
		return nil
	}
	rows := report{sizes: []sizeResult{measured(1000)}}.targetRows()
	if has(rows, "linear growth") != nil {
		t.Error("a linear-growth row without 5,000 runtimes")
	}
	if seal := has(rows, "seal of one token"); seal == nil || seal.judged || !strings.Contains(seal.measured, "10 runtimes not measured") {
		t.Errorf("seal row without 10 runtimes: %+v", seal)
	}
	live := &liveResult{sequential: 5 * time.Second, parallel: time.Second, concurrency: 8}
	rows = report{sizes: []sizeResult{measured(10)}, live: live}.targetRows()
	if len(rows) != 1 || has(rows, "live checks") == nil {
		t.Errorf("without 1,000 runtimes: rows %+v, want the live checks' alone", rows)
	}
}

// TestWriteKeepsNotes: the report replaces what is above the notes
// marker and keeps what is below, with the targets' table in it.
func TestWriteKeepsNotes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := os.WriteFile(path, []byte("old table\n"+notesMarker+"\nhand-written notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := report{opts: &options{runs: 5, bigRuns: 3, pipelineRuns: 3, reproduce: "make bench"}, sizes: []sizeResult{measured(10), measured(1000)},
		live: &liveResult{sequential: 5 * time.Second, parallel: 700 * time.Millisecond, concurrency: 8}}
	if err := r.write(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"| validate ≥ 10× faster than the pipeline in wall time | 12.0× (12.00 s / 1.00 s) | yes |",
		"| validate peak memory ≤ 300 MiB | 250 MiB | yes |",
		"| live checks, 100 distinct classic tokens, 50 ms per response: 8 at a time ≤ 1/5 of one after another | 0.70 s / 5.00 s = 1/7.1 | yes |",
		"| 1000 | 1.00 s | 1.00 ms | 12.00 s |",
		notesMarker + "\nhand-written notes\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "old table") {
		t.Error("the old table above the marker was kept")
	}
}

func TestParseLive(t *testing.T) {
	out := []byte("goos: linux\nBenchmarkLiveChecks100/concurrency=1-2         \t       3\t5106305571 ns/op\n" +
		"BenchmarkLiveChecks100/concurrency=8-2         \t       3\t 673763486 ns/op\nPASS\n")
	got, err := parseLive(out)
	if err != nil {
		t.Fatal(err)
	}
	if got.sequential != 5106305571 || got.parallel != 673763486 || got.concurrency != 8 {
		t.Errorf("parseLive = %+v", got)
	}
	if _, err := parseLive([]byte("BenchmarkLiveChecks100/concurrency=8-2 3 673763486 ns/op\n")); err == nil {
		t.Error("parseLive took output without the sequential run")
	}
}

func TestRunsAt(t *testing.T) {
	o := &options{runs: 5, bigRuns: 2, pipelineRuns: 3}
	for _, tc := range []struct{ n, runs, pipeline int }{{10, 5, 5}, {1000, 5, 3}, {5000, 2, 2}} {
		if runs, pipeline := o.runsAt(tc.n); runs != tc.runs || pipeline != tc.pipeline {
			t.Errorf("runsAt(%d) = %d, %d; want %d, %d", tc.n, runs, pipeline, tc.runs, tc.pipeline)
		}
	}
}

func TestWantNoFindings(t *testing.T) {
	demo := "rtconf.yaml:9:16: warning: sealing.fingerprint pins the demo certificate [demo-certificate]\n    hint: …\n"
	for _, tc := range []struct {
		out string
		ok  bool
	}{
		{"no findings in 137 files\n", true},
		{demo + "1 warning in 137 files (10 runtimes, 100 objects)\n", true},
		{demo + "x: error: drift [drift]\n1 error, 1 warning in 137 files\n", false},
		{"x: warning: pending [token-pending]\n1 warning in 137 files\n", false},
	} {
		if err := wantNoFindings([]byte(tc.out)); (err == nil) != tc.ok {
			t.Errorf("wantNoFindings(%q) = %v, want ok %v", tc.out, err, tc.ok)
		}
	}
}
