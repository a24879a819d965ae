// Command benchrun measures rtconf against the kustomize + kubeconform
// pipeline on synthetic repositories of several sizes and writes
// BENCHMARKS.md. `make bench` runs it after installing the tools:
//
//	go run ./internal/benchrun -bin ./bin -sizes 10,100,1000 -runs 5 -out BENCHMARKS.md
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/benchrepo"
	"github.com/rtconf/rtconf/internal/workspace"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// options are the flags, then what bench finds out before it measures.
type options struct {
	bin          string
	sizes        []int
	runs         int
	bigRuns      int
	pipelineRuns int
	out          string
	schemas      string
	work         string
	keep         bool
	reproduce    string
	goCmd        string
	live         bool
	progress     io.Writer

	rtconf, kust, kubeconform string // absolute paths of the tools
	schemaDir                 string // rtconf's schemas laid out for kubeconform
	schemaKinds               int
}

func run(args []string, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "benchrun:", err)
		}
		return 2
	}
	if err := bench(o); err != nil {
		fmt.Fprintln(stderr, "benchrun:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fl := flag.NewFlagSet("benchrun", flag.ContinueOnError)
	fl.SetOutput(stderr)
	o := &options{progress: stderr}
	sizes := fl.String("sizes", "10,100,1000", "comma-separated numbers of runtimes")
	fl.StringVar(&o.bin, "bin", "bin", "folder holding rtconf, kustomize and kubeconform")
	fl.IntVar(&o.runs, "runs", 5, "runs of each figure (the median is reported)")
	fl.IntVar(&o.bigRuns, "big-runs", 3, "runs of each figure for sizes over 1,000 runtimes (at most -runs)")
	fl.IntVar(&o.pipelineRuns, "pipeline-runs", 3, "runs of the kustomize + kubeconform pipeline for sizes of 1,000 runtimes and more (it is slow)")
	fl.StringVar(&o.out, "out", "BENCHMARKS.md", "report to write")
	fl.StringVar(&o.schemas, "schemas", "schemas/manifests", "rtconf's manifest schemas")
	fl.StringVar(&o.work, "work", "", "scratch folder (default: a new temporary folder)")
	fl.BoolVar(&o.keep, "keep", false, "keep the scratch folder")
	fl.StringVar(&o.goCmd, "go", "go", "the go command, for the live-check benchmark")
	fl.BoolVar(&o.live, "live", true, "run the live-check benchmark ("+liveBench+") too")
	fl.StringVar(&o.reproduce, "reproduce", "make bench", "the command to reproduce, as written in the report")
	if err := fl.Parse(args); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-sizes %q: want positive numbers separated by commas", *sizes)
		}
		o.sizes = append(o.sizes, n)
	}
	if o.runs < 1 || o.bigRuns < 1 || o.pipelineRuns < 1 {
		return nil, errors.New("-runs, -big-runs and -pipeline-runs must be at least 1")
	}
	for _, tool := range []struct {
		p    *string
		name string
	}{{&o.rtconf, "rtconf"}, {&o.kust, "kustomize"}, {&o.kubeconform, "kubeconform"}} {
		p, err := filepath.Abs(filepath.Join(o.bin, tool.name))
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%s: %w (make bench installs it)", tool.name, err)
		}
		*tool.p = p
	}
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return nil, fmt.Errorf("GNU time is needed for peak memory: %w", err)
	}
	return o, nil
}

func (o *options) logf(format string, args ...any) {
	fmt.Fprintf(o.progress, "[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func bench(o *options) error {
	if o.work == "" {
		dir, err := os.MkdirTemp("", "rtconf-bench-")
		if err != nil {
			return err
		}
		o.work = dir
	}
	if !o.keep {
		defer os.RemoveAll(o.work)
	}
	o.schemaDir = filepath.Join(o.work, "kubeconform-schemas")
	kinds, err := layoutSchemas(o.schemas, o.schemaDir)
	if err != nil {
		return err
	}
	o.schemaKinds = kinds
	o.logf("laid out %d kinds of rtconf's schemas for kubeconform in %s", kinds, o.schemaDir)

	rep := report{started: time.Now(), machine: describeMachine(), opts: o}
	for _, n := range o.sizes {
		figs, files, err := benchSize(o, n)
		if err != nil {
			return fmt.Errorf("%d runtimes: %w", n, err)
		}
		rep.sizes = append(rep.sizes, sizeResult{runtimes: n, files: files, figures: figs})
	}
	if o.live {
		o.logf("running %s (go test -bench)", liveBench)
		if rep.live, err = benchLive(o); err != nil {
			return err
		}
		o.logf("%s: %s one after another, %s %d at a time", liveBench, rep.live.sequential.Round(time.Millisecond), rep.live.parallel.Round(time.Millisecond), rep.live.concurrency)
	}
	rep.finished = time.Now()
	return rep.write(o.out)
}

// benchSize builds one repository and measures every figure on it, the
// runs of the figures interleaved so that a burst of load on the machine
// spreads over all of them.
func benchSize(o *options, n int) ([]*figure, int, error) {
	dir := filepath.Join(o.work, fmt.Sprintf("repo-%d", n))
	start := time.Now()
	if err := benchrepo.Write(dir, benchrepo.DefaultOptions(n), false); err != nil {
		return nil, 0, err
	}
	files, err := countFiles(dir)
	if err != nil {
		return nil, 0, err
	}
	o.logf("%d runtimes: built the repository (%d files) in %s", n, files, time.Since(start).Round(time.Millisecond))

	tpl := kubeconformTemplate(o.schemaDir)
	pipeline := `set -o pipefail; for d in overlays/*/; do "$1" build "$d" || exit 1; echo ---; done | "$2" -strict -summary -schema-location "$3" -`
	gen := &figure{key: figGenerate, size: n, name: "generate, from scratch"}
	rerun := &figure{key: figRerun, size: n, name: "generate, re-run (0 files written)"}
	val := &figure{key: figValidate, size: n, name: "validate"}
	shard := &figure{key: figShard, size: n, name: "validate --shard 1/4"}
	pipe := &figure{key: figPipeline, size: n, name: "pipeline: kustomize build, kubeconform -strict"}
	copyTree := &figure{key: figCopy, size: n, name: "baseline: cp -r of the repository (the disk's cost of making its files)"}
	sealOne := &figure{key: figSeal, size: n, name: sealFigure}
	sealAll := &figure{key: figSealAll, size: n, name: sealAllFigure}
	runs, pipelineRuns := o.runsAt(n)
	for r := range runs {
		steps := []step{
			{gen, wantChanged(files - 2), func() (sample, error) { return generateFromScratch(o, n) }},
			{rerun, wantChanged(0), func() (sample, error) { return timed(dir, o.work, o.rtconf, "generate", "--dir", ".") }},
			{val, wantNoFindings, func() (sample, error) { return timed(dir, o.work, o.rtconf, "validate", "--dir", ".") }},
			{shard, wantNoFindings, func() (sample, error) {
				return timed(dir, o.work, o.rtconf, "validate", "--dir", ".", "--shard", "1/4")
			}},
			{copyTree, func([]byte) error { return nil }, func() (sample, error) { return copyRepo(o, dir, n) }},
			{sealOne, wantSealed, func() (sample, error) { return sealRuntimeToken(o, dir) }},
			{sealAll, wantSealedAll(n), func() (sample, error) { return sealAllRuntimes(o, dir, n) }},
		}
		if r < pipelineRuns {
			steps = append(steps, step{pipe, wantAllValid(objectsPerRuntime(benchrepo.DefaultOptions(n)) * n), func() (sample, error) {
				return timed(dir, o.work, "/bin/bash", "-c", pipeline, "pipeline", o.kust, o.kubeconform, tpl)
			}})
		}
		for _, st := range steps {
			s, err := st.do()
			if err != nil {
				return nil, 0, fmt.Errorf("%s: %w", st.fig.name, err)
			}
			if err := st.check(s.out); err != nil {
				return nil, 0, fmt.Errorf("%s: %w", st.fig.name, err)
			}
			st.fig.samples = append(st.fig.samples, s)
			o.logf("%d runtimes, run %d/%d: %-48s %8s wall %8s CPU %5.0f MiB (load %.2f)", n, r+1, runs, st.fig.name,
				s.wall.Round(time.Millisecond), s.cpu.Round(time.Millisecond), float64(s.rssKB)/1024, s.load)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, 0, err
	}
	return []*figure{gen, rerun, val, shard, pipe, copyTree, sealOne, sealAll}, files, nil
}

// runsAt is how often each figure, and the pipeline, runs at n runtimes:
// -runs, at most -big-runs over 1,000 runtimes, and the slow pipeline at
// most -pipeline-runs from 1,000 runtimes on.
func (o *options) runsAt(n int) (runs, pipeline int) {
	runs = o.runs
	if n > 1000 {
		runs = min(runs, o.bigRuns)
	}
	pipeline = runs
	if n >= 1000 {
		pipeline = min(runs, o.pipelineRuns)
	}
	return runs, pipeline
}

// sealFigure names the figure of sealing one token.
const sealFigure = "seal runtime-token --skip-live-check (one token)"

// sealRuntimeToken times `rtconf seal runtime-token` of the first
// runtime, unverified, with the demo token from a file, then puts the
// token's file back as built: the other figures see the repository as it
// was (validate warns about an unverified token).
func sealRuntimeToken(o *options, dir string) (sample, error) {
	rt := benchrepo.RuntimeName(0)
	p := filepath.Join(dir, filepath.FromSlash(generator.RuntimeTokenPath(rt)))
	built, err := os.ReadFile(p)
	if err != nil {
		return sample{}, err
	}
	tokenFile := filepath.Join(o.work, "token.txt")
	if err := os.WriteFile(tokenFile, []byte(workspace.DemoToken("")+"\n"), 0o600); err != nil {
		return sample{}, err
	}
	s, err := timed(dir, o.work, o.rtconf, "seal", "runtime-token", "--skip-live-check", "--dir", ".", "--runtime", rt, "--token-file", tokenFile)
	return s, errors.Join(err, os.WriteFile(p, built, 0o644))
}

// sealAllFigure names the figure of sealing one token into every runtime.
const sealAllFigure = "seal runtime-token --all-runtimes --skip-live-check (one token, every runtime)"

// sealAllRuntimes times `rtconf seal runtime-token --all-runtimes` of the
// demo token, unverified, then puts every runtime token back as built.
func sealAllRuntimes(o *options, dir string, n int) (sample, error) {
	built := make(map[string][]byte, n)
	for i := range n {
		p := filepath.Join(dir, filepath.FromSlash(generator.RuntimeTokenPath(benchrepo.RuntimeName(i))))
		data, err := os.ReadFile(p)
		if err != nil {
			return sample{}, err
		}
		built[p] = data
	}
	tokenFile := filepath.Join(o.work, "token.txt")
	if err := os.WriteFile(tokenFile, []byte(workspace.DemoToken("")+"\n"), 0o600); err != nil {
		return sample{}, err
	}
	s, err := timed(dir, o.work, o.rtconf, "seal", "runtime-token", "--skip-live-check", "--dir", ".", "--all-runtimes", "--token-file", tokenFile)
	for p, data := range built {
		err = errors.Join(err, os.WriteFile(p, data, 0o644))
	}
	return s, err
}

// wantSealedAll checks that rtconf seal --all-runtimes wrote the n token
// files and nothing else.
func wantSealedAll(n int) func([]byte) error {
	return func(out []byte) error {
		files := fmt.Sprintf("\n%d files changed (0 added, %d updated, 0 removed)\n", n, n)
		if n == 1 {
			files = "\n1 file changed (0 added, 1 updated, 0 removed)\n"
		}
		if !bytes.Contains(out, []byte(files)) || !bytes.Contains(out, []byte(fmt.Sprintf("into the runtime token of %d runtime", n))) {
			return fmt.Errorf("want the %d runtime tokens alone updated, got:\n%s", n, tail(out))
		}
		return nil
	}
}

// step is one run of a figure and the check of its output.
type step struct {
	fig   *figure
	check func([]byte) error
	do    func() (sample, error)
}

// objectsPerRuntime counts what a runtime's overlay renders: its
// Application, the runtime token, one token per user, the in-cluster
// Application and one per managed cluster.
func objectsPerRuntime(o benchrepo.Options) int {
	return 3 + o.Users + o.Clusters
}

// generateFromScratch writes rtconf.yaml and the certificate alone into a
// new folder, then times `rtconf generate` there.
func generateFromScratch(o *options, n int) (sample, error) {
	dir := filepath.Join(o.work, fmt.Sprintf("scratch-%d", n))
	if err := os.RemoveAll(dir); err != nil {
		return sample{}, err
	}
	defer os.RemoveAll(dir)
	if err := benchrepo.Write(dir, benchrepo.DefaultOptions(n), true); err != nil {
		return sample{}, err
	}
	return timed(dir, o.work, o.rtconf, "generate", "--dir", ".")
}

// copyRepo times `cp -r` of the repository into a new folder: what making
// that many files costs on this disk, whoever writes them.
func copyRepo(o *options, dir string, n int) (sample, error) {
	dst := filepath.Join(o.work, fmt.Sprintf("copy-%d", n))
	if err := os.RemoveAll(dst); err != nil {
		return sample{}, err
	}
	defer os.RemoveAll(dst)
	return timed(o.work, o.work, "/bin/cp", "-r", dir, dst)
}

func countFiles(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	return n, err
}

// wantChanged checks the summary line of rtconf generate: "N files changed".
func wantChanged(want int) func([]byte) error {
	return func(out []byte) error {
		prefix := strconv.Itoa(want) + " files changed"
		if !bytes.Contains(out, []byte(prefix)) {
			return fmt.Errorf("want %q in the output, got:\n%s", prefix, tail(out))
		}
		return nil
	}
}

// wantSealed checks that rtconf seal wrote the token's file and nothing
// else.
func wantSealed(out []byte) error {
	if !bytes.Contains(out, []byte("\n1 file changed (0 added, 1 updated, 0 removed)\n")) || !bytes.Contains(out, []byte("sealed classic token")) {
		return fmt.Errorf("want the token's file alone updated, got:\n%s", tail(out))
	}
	return nil
}

// wantNoFindings checks that validate found nothing but the one warning
// every benchmark repository has: it pins the demo certificate (rule
// demo-certificate), as `rtconf init --demo` does.
func wantNoFindings(out []byte) error {
	if bytes.Contains(out, []byte("no findings")) {
		return nil
	}
	if bytes.Count(out, []byte("[demo-certificate]")) == 1 && bytes.Contains(out, []byte("\n1 warning in ")) {
		return nil
	}
	return fmt.Errorf("want no findings but the demo certificate's warning, got:\n%s", tail(out))
}

// wantAllValid checks kubeconform's summary: every object validated
// against a schema (none skipped), none invalid.
func wantAllValid(objects int) func([]byte) error {
	return func(out []byte) error {
		want := fmt.Sprintf("Valid: %d, Invalid: 0, Errors: 0, Skipped: 0", objects)
		if !bytes.Contains(out, []byte(want)) {
			return fmt.Errorf("kubeconform did not validate every object against a schema: want %q, got:\n%s", want, tail(out))
		}
		return nil
	}
}
