package validator_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rtconf/rtconf/internal/benchrepo"
	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/schemas"
)

// BenchmarkValidateRepo validates a whole synthetic repository on disk
// (5 users and 2 managed clusters per runtime, every token sealed), as
// `rtconf validate` does. Profile the large one:
//
//	go test ./internal/validator -run '^$' -bench 'ValidateRepo/runtimes=1000' -benchtime 3x -cpuprofile cpu.prof
//
// Each size runs whole and as shard 1/4 (the target: ≤ 35 % of whole).
func BenchmarkValidateRepo(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("runtimes=%d", n), func(b *testing.B) {
			ro := benchrepo.DefaultOptions(n)
			ro.Now = now
			dir := filepath.Join(b.TempDir(), "repo")
			if err := benchrepo.Write(dir, ro, false); err != nil {
				b.Fatal(err)
			}
			root, err := os.OpenRoot(dir)
			if err != nil {
				b.Fatal(err)
			}
			defer root.Close()
			fsys := root.FS()
			set := schemas.NewManifestSet()
			opts := validator.DefaultOptions()
			opts.Now, opts.Schemas = now, set
			b.ReportAllocs()
			b.ResetTimer()
			for _, shard := range []validator.Shard{{}, {Index: 1, Total: 4}} {
				opts.Shard = shard
				name := "whole"
				if shard.Total > 0 {
					name = fmt.Sprintf("shard-%dof%d", shard.Index, shard.Total)
				}
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						rep, err := validator.Validate(context.Background(), fsys, opts)
						if err != nil {
							b.Fatal(err)
						}
						// The repositories pin the demo certificate, as
						// `rtconf init --demo` does: its warning is the one
						// finding expected.
						if len(rep.Findings) != 1 || rep.Findings[0].Rule != validator.RuleDemoCertificate {
							b.Fatalf("%d findings, first %+v", len(rep.Findings), rep.Findings[0])
						}
					}
				})
			}
		})
	}
}
