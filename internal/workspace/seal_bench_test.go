package workspace_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/rtconf/rtconf/internal/benchrepo"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/workspace"
)

// BenchmarkSealOne seals one runtime token, unverified, into a repository
// of 10 and of 1,000 runtimes built by internal/benchrepo: the target is
// the larger within 2× of the smaller (it renders and reads only the
// token's runtime). Building the 1,000-runtime repository takes a few
// seconds before the timer starts.
//
//	go test ./internal/workspace -run '^$' -bench SealOne -benchtime 20x
func BenchmarkSealOne(b *testing.B) {
	tok := mustToken(b, testcreds.Classic("benchSEAL"))
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("runtimes=%d", n), func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "repo")
			if err := benchrepo.Write(dir, benchrepo.DefaultOptions(n), false); err != nil {
				b.Fatal(err)
			}
			o := workspace.DefaultSealOptions()
			o.Dir, o.Runtime, o.Token, o.Now, o.SkipLiveCheck, o.Demo = dir, "rt-0001", tok, now, true, true
			for b.Loop() {
				res, err := workspace.Seal(context.Background(), o)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Changes) != 1 {
					b.Fatalf("changes: %v", res.Changes)
				}
			}
		})
	}
}

// BenchmarkSealAllRuntimes seals one runtime token, unverified, into every
// runtime of a 1,000-runtime repository (--all-runtimes) beside a
// no-change Generate of the same repository: the target is the seal within
// 2× of the generate.
//
//	go test ./internal/workspace -run '^$' -bench SealAllRuntimes -benchtime 3x
func BenchmarkSealAllRuntimes(b *testing.B) {
	tok := mustToken(b, testcreds.Classic("benchSEAL"))
	dir := filepath.Join(b.TempDir(), "repo")
	const n = 1000
	if err := benchrepo.Write(dir, benchrepo.DefaultOptions(n), false); err != nil {
		b.Fatal(err)
	}
	b.Run("seal", func(b *testing.B) {
		o := workspace.DefaultSealOptions()
		o.Dir, o.AllRuntimes, o.Token, o.Now, o.SkipLiveCheck, o.Demo = dir, true, tok, now, true, true
		for b.Loop() {
			res, err := workspace.Seal(context.Background(), o)
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Changes) != n || len(res.Runtimes) != n {
				b.Fatalf("%d changes, %d runtimes", len(res.Changes), len(res.Runtimes))
			}
		}
	})
	b.Run("generate", func(b *testing.B) {
		for b.Loop() {
			res, err := workspace.Generate(context.Background(), workspace.GenerateOptions{Dir: dir, ConfigFile: "rtconf.yaml"})
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Changes) != 0 {
				b.Fatalf("generate changed %d files", len(res.Changes))
			}
		}
	})
}
