package validator

import (
	"context"
	"runtime"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
)

// rootResult is what the build of one Kustomize root found.
type rootResult struct {
	findings []Finding
	objects  int
}

// checkRoot turns the build of one root into findings: a failed build, or
// the checks of every object it rendered and, for a runtime's overlay,
// what the overlay must contain.
func checkRoot(r *repo, oc *objectChecker, cfg *config.Config, strict bool, root string, objs []rendered, err error) rootResult {
	rt := rootRuntime(root)
	kfile := kustomizationFile(r, root)
	if err != nil {
		line, col := buildErrorPosition(r.data(kfile), err.Error())
		return rootResult{findings: []Finding{{Path: kfile, Line: line, Column: col, Rule: RuleBuild, Severity: Error, Runtime: rt,
			Message: "kustomize build failed: " + err.Error(), Hint: "fix the kustomization; `kustomize build " + root + "` shows the same error"}}}
	}
	res := rootResult{objects: len(objs)}
	for _, o := range objs {
		res.findings = append(res.findings, oc.check(o.obj, o.source, kfile, rt)...)
	}
	if cfg != nil {
		if rtCfg, ok := cfg.Runtime(rt); ok && root == generator.OverlayDir(rt) {
			res.findings = append(res.findings, runtimeChecks(cfg, rtCfg, objs, r, strict)...)
		}
	}
	return res
}

// buildAll builds the roots and checks what they render in parallel, one
// worker per CPU (or opts.Parallelism): directly when the root is as rtconf
// generates it, else with kustomize, each worker on its own copy of the
// repository in memory. Results are in the order of roots.
func buildAll(ctx context.Context, r *repo, roots []string, opts Options,
	check func(root string, objs []rendered, err error) rootResult) ([]rootResult, error) {
	results := make([]rootResult, len(roots))
	workers := opts.Parallelism
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(roots))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	done := 0
	// Only roots the direct render gives up on need kustomize and its
	// in-memory copy of the repository.
	files := sync.OnceValue(r.kustomizeFiles)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var fsys filesys.FileSystem
			for i := range jobs {
				if objs, ok := directRender(r, roots[i]); ok {
					results[i] = check(roots[i], objs, nil)
				} else {
					if fsys == nil {
						var err error
						if fsys, err = memFS(files()); err != nil {
							mu.Lock()
							firstErr = cmpErr(firstErr, err)
							mu.Unlock()
							continue
						}
					}
					objs, err := build(fsys, roots[i])
					results[i] = check(roots[i], objs, err)
				}
				mu.Lock()
				done++
				if opts.Progress != nil {
					opts.Progress(done, len(roots))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range roots {
		select {
		case jobs <- i:
		case <-ctx.Done():
			close(jobs)
			wg.Wait()
			return nil, ctx.Err()
		}
	}
	close(jobs)
	wg.Wait()
	return results, firstErr
}
