package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// sample is one timed run of a command.
type sample struct {
	wall time.Duration
	// rssKB is the peak resident set of the largest process of the run, as
	// GNU time reports it (for a pipeline: its largest stage).
	rssKB int64
	load  float64 // 1-minute load average when the run started
	out   []byte  // standard output
}

// timed runs name with args in dir under /usr/bin/time -v.
func timed(dir, scratch string, name string, args ...string) (sample, error) {
	report := filepath.Join(scratch, "time.txt")
	cmd := exec.Command("/usr/bin/time", append([]string{"-v", "-o", report, name}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	s := sample{load: loadAverage()}
	start := time.Now()
	err := cmd.Run()
	s.wall = time.Since(start)
	s.out = stdout.Bytes()
	if err != nil {
		return s, fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, tail(stdout.Bytes()), tail(stderr.Bytes()))
	}
	rss, err := maxRSS(report)
	if err != nil {
		return s, err
	}
	s.rssKB = rss
	return s, nil
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// maxRSS reads "Maximum resident set size (kbytes)" from GNU time's report.
func maxRSS(report string) (int64, error) {
	f, err := os.Open(report)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Maximum resident set size (kbytes):"); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, fmt.Errorf("%s: no maximum resident set size", report)
}

// loadAverage is the 1-minute load average, or -1 when unknown.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// figure is one measured row: several samples of one command.
type figure struct {
	size    int
	name    string
	samples []sample
}

func (f figure) walls() []time.Duration {
	var out []time.Duration
	for _, s := range f.samples {
		out = append(out, s.wall)
	}
	slices.Sort(out)
	return out
}

func (f figure) median() time.Duration {
	w := f.walls()
	if len(w) == 0 {
		return 0
	}
	if len(w)%2 == 1 {
		return w[len(w)/2]
	}
	return (w[len(w)/2-1] + w[len(w)/2]) / 2
}

func (f figure) spread() (time.Duration, time.Duration) {
	w := f.walls()
	if len(w) == 0 {
		return 0, 0
	}
	return w[0], w[len(w)-1]
}

// peakRSS is the largest peak of all samples, in KiB.
func (f figure) peakRSS() int64 {
	var m int64
	for _, s := range f.samples {
		m = max(m, s.rssKB)
	}
	return m
}

func (f figure) loads() (float64, float64) {
	lo, hi := -1.0, -1.0
	for i, s := range f.samples {
		if i == 0 || s.load < lo {
			lo = s.load
		}
		if i == 0 || s.load > hi {
			hi = s.load
		}
	}
	return lo, hi
}
