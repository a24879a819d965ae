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
	// cpu is user plus system time of the run and its children: steadier
	// than wall time on a machine others use too.
	cpu  time.Duration
	load float64 // 1-minute load average when the run started
	out  []byte  // standard output
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
	if err := s.readReport(report); err != nil {
		return s, err
	}
	return s, nil
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// readReport reads the peak resident set and the CPU time from GNU time's
// report.
func (s *sample) readReport(report string) error {
	f, err := os.Open(report)
	if err != nil {
		return err
	}
	defer f.Close()
	found := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ": ")
		if !ok {
			continue
		}
		switch key {
		case "Maximum resident set size (kbytes)":
			s.rssKB, err = strconv.ParseInt(v, 10, 64)
			found++
		case "User time (seconds)", "System time (seconds)":
			var secs float64
			secs, err = strconv.ParseFloat(v, 64)
			s.cpu += time.Duration(secs * float64(time.Second))
			found++
		}
		if err != nil {
			return fmt.Errorf("%s: %s: %w", report, key, err)
		}
	}
	if found != 3 {
		return fmt.Errorf("%s: no peak memory or CPU times", report)
	}
	return sc.Err()
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

// The figures measured at each size, by key.
const (
	figGenerate = "generate"
	figRerun    = "re-run"
	figValidate = "validate"
	figShard    = "shard"
	figPipeline = "pipeline"
	figCopy     = "cp -r"
	figSeal     = "seal"
	figSealAll  = "seal --all-runtimes"
)

// figure is one measured row: several samples of one command.
type figure struct {
	key     string // figGenerate, …
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

func (f figure) median() time.Duration { return median(f.walls()) }

// cpuMedian is the median CPU time (user + system) of the runs.
func (f figure) cpuMedian() time.Duration {
	var c []time.Duration
	for _, s := range f.samples {
		c = append(c, s.cpu)
	}
	slices.Sort(c)
	return median(c)
}

func median(sorted []time.Duration) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	if len(sorted)%2 == 1 {
		return sorted[len(sorted)/2]
	}
	return (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
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
