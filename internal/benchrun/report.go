package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// notesMarker starts the hand-written part of BENCHMARKS.md, which a new
// run keeps.
const notesMarker = "<!-- notes: written by hand, kept by make bench -->"

type sizeResult struct {
	runtimes int
	files    int
	figures  []*figure // in the table's order
}

// fig is the figure of key measured at this size, or nil.
func (s *sizeResult) fig(key string) *figure {
	for _, f := range s.figures {
		if f.key == key {
			return f
		}
	}
	return nil
}

type report struct {
	started, finished time.Time
	machine           machine
	opts              *options
	sizes             []sizeResult
	live              *liveResult // nil when not run
}

type machine struct {
	cpus      int
	cpuModel  string
	memory    string
	goVersion string
	kernel    string
}

func describeMachine() machine {
	m := machine{cpus: runtime.NumCPU(), goVersion: runtime.Version(), cpuModel: "unknown", memory: "unknown", kernel: "unknown"}
	if v, ok := procField("/proc/cpuinfo", "model name"); ok {
		m.cpuModel = v
	}
	if v, ok := procField("/proc/meminfo", "MemTotal"); ok {
		if kb, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64); err == nil {
			m.memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = "Linux " + strings.TrimSpace(string(data))
	}
	return m
}

// procField reads the first "key: value" line of a /proc file.
func procField(file, key string) (string, bool) {
	f, err := os.Open(file)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

func (r report) write(path string) error {
	var b bytes.Buffer
	r.header(&b)
	r.table(&b)
	r.ratios(&b)
	r.targets(&b)
	r.method(&b)
	b.WriteString("\n" + notesMarker + "\n")
	if old, err := os.ReadFile(path); err == nil {
		if _, notes, ok := bytes.Cut(old, []byte(notesMarker+"\n")); ok {
			b.Write(notes)
		}
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func (r report) header(b *bytes.Buffer) {
	m := r.machine
	fmt.Fprintf(b, "# Benchmarks\n\n")
	fmt.Fprintf(b, "<!-- The part above the notes marker is written by `%s` (internal/benchrun). -->\n\n", r.opts.reproduce)
	fmt.Fprintf(b, "Measured %s – %s UTC with `%s`.\n\n", r.started.UTC().Format("2006-01-02 15:04"), r.finished.UTC().Format("15:04"), r.opts.reproduce)
	fmt.Fprintf(b, "| machine | |\n|---|---|\n")
	fmt.Fprintf(b, "| CPUs (`nproc`) | %d |\n| CPU model | %s |\n| memory | %s |\n| kernel | %s |\n| Go | %s |\n",
		m.cpus, m.cpuModel, m.memory, m.kernel, m.goVersion)
	fmt.Fprintf(b, "| load average (1 min) over the runs | %s |\n\n", r.loadRange())
	fmt.Fprintf(b, "Each figure is the median wall time of its runs, with the spread (fastest–slowest) and the median CPU time\n")
	fmt.Fprintf(b, "(user + system, all processes: steadier than wall time when the machine is shared); peak memory is the largest\n")
	fmt.Fprintf(b, "maximum resident set size of the runs (`/usr/bin/time -v`; for the pipeline, its largest process).\n")
	fmt.Fprintf(b, "Repositories: N runtimes, each with 5 users (sealed tokens) and 2 managed clusters.\n\n")
}

func (r report) loadRange() string {
	lo, hi := -1.0, -1.0
	for _, s := range r.sizes {
		for _, f := range s.figures {
			l, h := f.loads()
			if l >= 0 && (lo < 0 || l < lo) {
				lo = l
			}
			hi = max(hi, h)
		}
	}
	return fmt.Sprintf("%.2f – %.2f", lo, hi)
}

func (r report) table(b *bytes.Buffer) {
	fmt.Fprintf(b, "| runtimes | files | figure | median | spread | CPU (user+sys) | runs | peak memory | load (1 min) |\n")
	fmt.Fprintf(b, "|---:|---:|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range r.sizes {
		for _, f := range s.figures {
			lo, hi := f.spread()
			llo, lhi := f.loads()
			fmt.Fprintf(b, "| %d | %d | %s | %s | %s–%s | %s | %d | %s | %.2f–%.2f |\n",
				s.runtimes, s.files, f.name, secs(f.median()), secs(lo), secs(hi), secs(f.cpuMedian()), len(f.samples), mib(f.peakRSS()), llo, lhi)
		}
	}
	b.WriteString("\n")
}

func (r report) ratios(b *bytes.Buffer) {
	fmt.Fprintf(b, "## rtconf validate / the pipeline\n\n")
	fmt.Fprintf(b, "| runtimes | rtconf validate | per runtime | kustomize + kubeconform | time rtconf/pipeline | pipeline is slower by | CPU rtconf/pipeline | memory rtconf/pipeline |\n")
	fmt.Fprintf(b, "|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range r.sizes {
		v, p := s.fig(figValidate), s.fig(figPipeline)
		if v == nil || p == nil {
			continue
		}
		fmt.Fprintf(b, "| %d | %s | %.2f ms | %s | %.2f | %.1f× | %.2f | %.2f |\n", s.runtimes, secs(v.median()), perRuntime(v.median(), s.runtimes),
			secs(p.median()), ratio(v.median(), p.median()), ratio(p.median(), v.median()), ratio(v.cpuMedian(), p.cpuMedian()),
			float64(v.peakRSS())/float64(max(p.peakRSS(), 1)))
	}
	b.WriteString("\n")
}

// size is the result at n runtimes, or nil when it was not measured.
func (r report) size(n int) *sizeResult {
	for i := range r.sizes {
		if r.sizes[i].runtimes == n {
			return &r.sizes[i]
		}
	}
	return nil
}

func (r report) method(b *bytes.Buffer) {
	o := r.opts
	fmt.Fprintf(b, "## What runs\n\n")
	fmt.Fprintf(b, "- **generate, from scratch**: a folder holding only `rtconf.yaml` and the certificate; `rtconf generate --dir .` writes the tree (token slots as placeholders).\n")
	fmt.Fprintf(b, "- **generate, re-run**: `rtconf generate --dir .` on the complete repository; the run fails unless it reports `0 files changed`.\n")
	fmt.Fprintf(b, "- **validate**: `rtconf validate --dir .` (offline, every rule), whole repository and `--shard 1/4`; the run fails unless it reports no findings but the one warning that the repository pins the demo certificate (as `rtconf init --demo` does).\n")
	fmt.Fprintf(b, "- **pipeline**: `bash -c 'set -o pipefail; for d in overlays/*/; do kustomize build \"$d\"; echo ---; done | kubeconform -strict -summary -schema-location TPL -'`:\n")
	fmt.Fprintf(b, "  the real kustomize CLI on every overlay, one after another, streamed into one real kubeconform (its default 4 workers). The run fails unless\n")
	fmt.Fprintf(b, "  kubeconform validated every object against a schema (`Invalid: 0, Errors: 0, Skipped: 0`). Runs at 1,000 runtimes and more: %d.\n", min(o.runs, o.pipelineRuns))
	fmt.Fprintf(b, "- **Sizes over 1,000 runtimes** (`BENCH_SIZES=10,100,1000,5000`): at most %d runs of each figure (`BENCH_BIG_RUNS`).\n", min(o.runs, o.bigRuns))
	fmt.Fprintf(b, "- **seal**: `rtconf seal runtime-token --skip-live-check --runtime rt-0001 --token-file FILE` (the demo token): one token sealed into\n")
	fmt.Fprintf(b, "  its file; the run fails unless that file alone is updated. The file is put back as built after each run.\n")
	fmt.Fprintf(b, "- **seal --all-runtimes**: the same with `--all-runtimes` instead of `--runtime`: the token sealed into every runtime token in one\n")
	fmt.Fprintf(b, "  write; the run fails unless those files alone are updated, and they are put back as built after each run.\n")
	if r.live != nil {
		fmt.Fprintf(b, "- **live checks**: `go test ./internal/validator -run '^$' -bench '^%s$' -benchtime 3x`: the checks of `validate --live` alone,\n", liveBench)
		fmt.Fprintf(b, "  100 runtimes with 100 distinct classic tokens against the fake GitHub (`internal/fakegithub`, 50 ms added to every response),\n")
		fmt.Fprintf(b, "  one after another, then %d at a time; the benchmark fails unless each token is sent once. Time per run of the checks.\n", r.live.concurrency)
	}
	fmt.Fprintf(b, "- **baseline**: `cp -r` of the whole repository into a new folder: the file system's own cost of making that many files and folders,\n")
	fmt.Fprintf(b, "  which bounds `generate` from scratch from below.\n")
	fmt.Fprintf(b, "- **Schemas**: both use the same %d kinds: rtconf its embedded `schemas/manifests` (JSON Schema 2020-12, strict, generated by `make schemas`\n", o.schemaKinds)
	fmt.Fprintf(b, "  from Argo CD v3.5.7, sealed-secrets v0.27.1 and Kubernetes v1.37.2), kubeconform the same files copied to a temporary folder under its\n")
	fmt.Fprintf(b, "  naming (`{{ .ResourceKind }}{{ .KindSuffix }}.json`, e.g. `application-argoproj-v1alpha1.json`) with only `$id` removed, so that their\n")
	fmt.Fprintf(b, "  `defs/…` references resolve to the local copies. Formats are annotations in both (draft 2020-12).\n")
	fmt.Fprintf(b, "- **Tools**: kustomize v5.8.2 and kubeconform v0.8.0, installed by `make bench` with `go install` into `./bin`.\n")
	fmt.Fprintf(b, "- **Repositories**: built by `internal/benchrepo` with rtconf's own generator; every token slot holds a demo token sealed with the demo\n")
	fmt.Fprintf(b, "  certificate (as `rtconf init --demo` does). `go run ./internal/benchrepo/cmd/benchrepo -runtimes N DIR` writes one.\n\n")
	fmt.Fprintf(b, "Reproduce: `%s` (`BENCH_SIZES=10,100 BENCH_RUNS=3 make bench` for a quick run).\n", o.reproduce)
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return a.Seconds() / b.Seconds()
}

func secs(d time.Duration) string {
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func mib(kb int64) string {
	return fmt.Sprintf("%.0f MiB", float64(kb)/1024)
}
