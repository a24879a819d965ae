package validator

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"github.com/rtconf/rtconf/internal/config"
)

// Shard is the I-th of N parts of the runtimes (1-based); the zero Shard is
// everything. Findings that belong to no runtime go to shard 1.
type Shard struct {
	Index, Total int
}

// ParseShard reads "I/N".
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(i)
	total, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: write I/N, e.g. 1/4", s)
	}
	sh := Shard{Index: index, Total: total}
	return sh, sh.validate()
}

func (s Shard) validate() error {
	if s == (Shard{}) {
		return nil
	}
	if s.Total < 1 || s.Index < 1 || s.Index > s.Total {
		return fmt.Errorf("shard %d/%d: I must be between 1 and N", s.Index, s.Total)
	}
	return nil
}

func (s Shard) String() string {
	if s == (Shard{}) {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Total)
}

// Partition assigns each runtime to a shard: sorted by name, dealt round
// robin, so shards differ in size by at most one. Names not in the list
// (e.g. a stale overlay) are placed by a hash of the name.
func (s Shard) Partition(names []string) map[string]int {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	out := make(map[string]int, len(sorted))
	for i, n := range sorted {
		out[n] = i%max(s.Total, 1) + 1
	}
	return out
}

// owner returns the shard of a runtime name.
func (s Shard) owner(part map[string]int, name string) int {
	if s.Total <= 1 {
		return 1
	}
	if name == "" {
		return 1
	}
	if i, ok := part[name]; ok {
		return i
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32()%uint32(s.Total)) + 1
}

// runtimeScope is what one validation covers: every runtime, or those of
// one shard.
type runtimeScope struct {
	shard Shard
	names []string       // the runtimes of rtconf.yaml
	part  map[string]int // the shard of each of names
}

// newRuntimeScope is the part of cfg's runtimes that shard covers; with no
// configuration, only the findings that belong to no runtime.
func newRuntimeScope(shard Shard, cfg *config.Config) runtimeScope {
	var names []string
	if cfg != nil {
		for _, rt := range cfg.Runtimes {
			names = append(names, rt.Name)
		}
	}
	return runtimeScope{shard: shard, names: names, part: shard.Partition(names)}
}

// covers reports whether the runtime named is in the scope; "" (no
// runtime) is in the first shard's.
func (s runtimeScope) covers(runtime string) bool {
	return s.shard.Total <= 1 || s.shard.owner(s.part, runtime) == s.shard.Index
}

// reads reports whether a validation in the scope reads the file p before
// its checks: every file for the whole repository; for a shard, the files
// of the runtimes it covers (and of none, for the first shard) and every
// kustomization. Other files are read only when a check asks for them.
func (s runtimeScope) reads(p string) bool {
	return s.shard.Total <= 1 || isKustomization(p) || s.covers(runtimeOf(p))
}

// prunes reports whether a shard need not list the folder dir: the
// overlay, base or resources folder of a runtime it does not cover.
func (s runtimeScope) prunes(dir string) bool {
	if s.shard.Total <= 1 {
		return false
	}
	// The folders runtimeOf names a runtime by.
	for _, top := range []string{"overlays/", "runtimes/", "resources/runtimes/"} {
		if rest, ok := strings.CutPrefix(dir, top); ok && rest != "" && !strings.Contains(rest, "/") {
			return !s.covers(rest)
		}
	}
	return false
}

// ownFiles counts the files whose findings are the scope's: every file for
// the whole repository; for a shard, those of its runtimes (and of none,
// for the first shard), so that the shards' counts add up to the whole's.
func (s runtimeScope) ownFiles(paths []string) int {
	if s.shard.Total <= 1 {
		return len(paths)
	}
	n := 0
	for _, p := range paths {
		if s.covers(runtimeOf(p)) {
			n++
		}
	}
	return n
}

// runtimes lists, sorted, the runtimes of rtconf.yaml that the scope covers.
func (s runtimeScope) runtimes() []string {
	var out []string
	for _, n := range s.names {
		if s.covers(n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// own keeps the findings that belong to the scope.
func (s runtimeScope) own(findings []Finding) []Finding {
	var out []Finding
	for _, f := range findings {
		if s.covers(f.Runtime) {
			out = append(out, f)
		}
	}
	return out
}
