package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// liveBench is the benchmark of the live checks alone: 100 runtimes with
// 100 distinct classic tokens against the fake GitHub, 50 ms per response.
const liveBench = "BenchmarkLiveChecks100"

// maxLiveShare is issue 21's target: the checks DefaultLiveConcurrency at
// a time take at most 1/5 of the time of the same one after another.
const maxLiveShare = 0.2

// liveResult is what the benchmark measured per run of the checks.
type liveResult struct {
	sequential, parallel time.Duration
	concurrency          int
}

// benchLive runs the live-check benchmark with go test in the module's
// root (the benchmark itself asserts one request per token).
func benchLive(o *options) (*liveResult, error) {
	cmd := exec.Command(o.goCmd, "test", "./internal/validator", "-run", "^$", "-bench", "^"+liveBench+"$", "-benchtime", "3x", "-count", "1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test -bench %s: %w\n%s%s", liveBench, err, tail(stdout.Bytes()), tail(stderr.Bytes()))
	}
	return parseLive(stdout.Bytes())
}

var liveLine = regexp.MustCompile(`^` + liveBench + `/concurrency=(\d+)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op`)

// parseLive reads the time per run at concurrency 1 and at the other
// concurrency from go test's benchmark output.
func parseLive(out []byte) (*liveResult, error) {
	var r liveResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := liveLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		c, err := strconv.Atoi(m[1])
		if err != nil {
			return nil, fmt.Errorf("%s: concurrency %q: %w", liveBench, m[1], err)
		}
		ns, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q ns/op: %w", liveBench, m[2], err)
		}
		if c == 1 {
			r.sequential = time.Duration(ns)
		} else {
			r.parallel, r.concurrency = time.Duration(ns), c
		}
	}
	if r.sequential == 0 || r.parallel == 0 {
		return nil, fmt.Errorf("%s: no times at concurrency 1 and above in:\n%s", liveBench, tail(out))
	}
	return &r, nil
}

// liveRow: the live checks in parallel against one after another.
func liveRow(l *liveResult) targetRow {
	share := ratio(l.parallel, l.sequential)
	return judged(fmt.Sprintf("live checks, 100 distinct classic tokens, 50 ms per response: %d at a time ≤ 1/5 of one after another", l.concurrency),
		fmt.Sprintf("%s / %s = 1/%.1f", secs(l.parallel), secs(l.sequential), 1/max(share, 1e-9)), share <= maxLiveShare)
}
