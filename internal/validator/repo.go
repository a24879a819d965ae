package validator

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// maxFileSize bounds the files read; larger ones are reported, not read.
const maxFileSize = 8 << 20

// repo is the repository read into memory once. A shard reads the files
// of other shards' runtimes only if a build of its own needs them.
type repo struct {
	fsys  fs.FS
	paths []string     // sorted: every regular file, less those that failed to read
	fs    func() fs.FS // the same files, for the generator's planner, once read

	fileMu sync.Mutex
	files  map[string][]byte // the files read
	lazy   map[string]bool   // the files left to read when needed
	failed map[string]bool   // the files under pruned that could not be read

	// pruned are the folders a shard does not list (other shards'
	// runtimes), sorted; a file under one is read when asked for.
	pruned []string

	mu   sync.Mutex
	docs map[string][]doc // parsed YAML documents by path, filled on demand

	// unread holds the files not read (too large, a symlink, an error),
	// each already a finding.
	unread map[string]bool
}

// readRepo reads every regular file of fsys, skipping .git. Files that
// cannot be read become findings. The files are read in parallel.
func readRepo(fsys fs.FS) (*repo, []Finding, error) {
	r := newRepo(fsys)
	findings, err := r.list(nil)
	if err != nil {
		return nil, nil, err
	}
	return r, append(findings, r.read(func(string) bool { return true })...), nil
}

func newRepo(fsys fs.FS) *repo {
	r := &repo{fsys: fsys, files: map[string][]byte{}, lazy: map[string]bool{}, failed: map[string]bool{},
		docs: map[string][]doc{}, unread: map[string]bool{}}
	r.fs = sync.OnceValue(func() fs.FS { return newTree(r.paths, r.file) })
	return r
}

// list lists the regular files of fsys, skipping .git and the folders
// prune selects, and reads none: read reads them. Files that are not
// regular are findings.
func (r *repo) list(prune func(dir string) bool) ([]Finding, error) {
	fsys := r.fsys
	var findings []Finding
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			findings = append(findings, Finding{Path: p, Rule: RuleUnreadable, Severity: Error,
				Message: "cannot read: " + pathCause(err).Error()})
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return fs.SkipDir
			}
			if prune != nil && prune(p) {
				r.pruned = append(r.pruned, p)
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			r.unread[p] = true
			findings = append(findings, irregularFinding(fsys, p, d.Type()))
			return nil
		}
		if _, ok := r.files[p]; !ok {
			r.lazy[p] = true
		}
		r.paths = append(r.paths, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read repository: %w", err)
	}
	sort.Strings(r.paths)
	sort.Strings(r.pruned)
	return findings, nil
}

// underPruned reports whether p lies in a folder the listing pruned.
func (r *repo) underPruned(p string) bool {
	i := sort.SearchStrings(r.pruned, p)
	// The folder sorts before its files; the one just before p is the
	// only candidate, since pruned folders do not nest.
	return i > 0 && strings.HasPrefix(p, r.pruned[i-1]+"/")
}

// prunedFiles lists the regular files under the pruned folders, for the
// rare build that needs a whole tree.
func (r *repo) prunedFiles() []string {
	var out []string
	for _, dir := range r.pruned {
		r.regularUnder(dir, func(p string) bool {
			out = append(out, p)
			return true
		})
	}
	return out
}

// regularUnder calls f with each regular file under dir, as the file
// system lists it, until f returns false.
func (r *repo) regularUnder(dir string, f func(p string) bool) {
	_ = fs.WalkDir(r.fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !f(p) {
			return fs.SkipAll
		}
		return nil
	})
}

// read reads, in parallel, the listed files not yet read that want
// selects; the others are read when first asked for. A file that cannot be
// read is a finding, and no longer one of the repository's paths. It runs
// before the checks, not beside them.
func (r *repo) read(want func(p string) bool) []Finding {
	var todo []string
	for _, p := range r.paths {
		if r.lazy[p] && want(p) {
			todo = append(todo, p)
		}
	}
	data := make([][]byte, len(todo))
	problems := make([]*Finding, len(todo))
	parallel(len(todo), func(i int) { data[i], problems[i] = readFile(r.fsys, todo[i]) })
	var findings []Finding
	failed := map[string]bool{}
	for i, p := range todo {
		delete(r.lazy, p)
		if problems[i] != nil {
			r.unread[p] = true
			failed[p] = true
			findings = append(findings, *problems[i])
			continue
		}
		r.files[p] = data[i]
	}
	if len(failed) > 0 {
		r.paths = slices.DeleteFunc(r.paths, func(p string) bool { return failed[p] })
	}
	return findings
}

// file is the content of the file p, read now if it was left to be read
// when needed; false if p is no file of the repository or (left to read,
// a file of another shard's runtime) cannot be read: the shard that owns
// it reports why.
func (r *repo) file(p string) ([]byte, bool) {
	r.fileMu.Lock()
	defer r.fileMu.Unlock()
	if data, ok := r.files[p]; ok {
		return data, true
	}
	switch {
	case r.lazy[p]:
		delete(r.lazy, p)
	case r.underPruned(p) && !r.failed[p] && fs.ValidPath(p):
	default:
		return nil, false
	}
	data, problem := readFile(r.fsys, p)
	if problem != nil {
		r.failed[p] = true
		return nil, false
	}
	r.files[p] = data
	return data, true
}

// wasRead reports whether the file p has been read.
func (r *repo) wasRead(p string) bool {
	r.fileMu.Lock()
	defer r.fileMu.Unlock()
	_, ok := r.files[p]
	return ok
}

// data is the content of p, or nil.
func (r *repo) data(p string) []byte {
	data, _ := r.file(p)
	return data
}

// readFile reads one file, up to maxFileSize; a problem is a finding.
func readFile(fsys fs.FS, p string) ([]byte, *Finding) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, &Finding{Path: p, Rule: RuleUnreadable, Severity: Error, Message: "cannot read: " + pathCause(err).Error()}
	}
	defer f.Close()
	// The walk saw a regular file; an fs.FS that follows symlinks, or a
	// file swapped since, must not be read as one.
	fi, err := f.Stat()
	if err != nil {
		return nil, &Finding{Path: p, Rule: RuleUnreadable, Severity: Error, Message: "cannot read: " + pathCause(err).Error()}
	}
	if !fi.Mode().IsRegular() {
		f := irregularFinding(fsys, p, fi.Mode())
		return nil, &f
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &Finding{Path: p, Rule: RuleUnreadable, Severity: Error, Message: "cannot read: " + pathCause(err).Error()}
	}
	if len(data) > maxFileSize {
		return nil, &Finding{Path: p, Rule: RuleUnreadable, Severity: Error,
			Message: fmt.Sprintf("larger than %d MiB: too large to validate", maxFileSize>>20),
			Hint:    "keep generated or vendored blobs out of the configuration repository"}
	}
	return data, nil
}

// parallel calls do(i) for every i below n, on one goroutine per CPU.
func parallel(n int, do func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				do(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// dirExists reports whether any file lies under dir.
func (r *repo) dirExists(dir string) bool {
	dir = strings.TrimSuffix(dir, "/")
	prefix := dir + "/"
	i := sort.SearchStrings(r.paths, prefix)
	if i < len(r.paths) && strings.HasPrefix(r.paths[i], prefix) {
		return true
	}
	// A pruned folder at or under dir, or dir under one, was not listed:
	// look.
	for _, pd := range r.pruned {
		var under string
		switch {
		case pd == dir || strings.HasPrefix(pd, prefix):
			under = pd
		case strings.HasPrefix(dir, pd+"/"):
			under = dir
		default:
			continue
		}
		found := false
		r.regularUnder(under, func(string) bool {
			found = true
			return false
		})
		if found {
			return true
		}
	}
	return false
}

func isYAML(p string) bool {
	return strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")
}

// runtimeOf tells which runtime a repository path belongs to, if any.
func runtimeOf(p string) string {
	for _, dir := range []string{"overlays/", "runtimes/", "resources/runtimes/"} {
		if rest, ok := strings.CutPrefix(p, dir); ok {
			if name, _, ok := strings.Cut(rest, "/"); ok {
				return name
			}
		}
	}
	return ""
}

// joinRel joins a path relative to dir, as kustomize and origins write it.
func joinRel(dir, rel string) string {
	return path.Clean(path.Join(dir, rel))
}
