package validator_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/rtconf/rtconf/internal/validator"
)

// TestShardPartition: for N = 1..8 every runtime is in exactly one shard,
// the same one whatever the order of the configuration, and shards differ
// in size by at most one; also with fewer runtimes than shards.
func TestShardPartition(t *testing.T) {
	for _, size := range []int{0, 1, 5, 37} {
		var names []string
		for i := 0; i < size; i++ {
			names = append(names, fmt.Sprintf("rt-%02d", (i*17)%37))
		}
		reversed := slices.Clone(names)
		slices.Reverse(reversed)
		for n := 1; n <= 8; n++ {
			part := validator.Shard{Index: 1, Total: n}.Partition(names)
			sizes := map[int]int{}
			for _, name := range names {
				i, ok := part[name]
				if !ok || i < 1 || i > n {
					t.Fatalf("%d runtimes, N=%d: %s in shard %d", size, n, name, i)
				}
				sizes[i]++
			}
			if len(part) != len(names) {
				t.Fatalf("%d runtimes, N=%d: %d runtimes partitioned", size, n, len(part))
			}
			// Every shard I of N computes the same partition.
			for idx := 1; idx <= n; idx++ {
				if again := (validator.Shard{Index: idx, Total: n}).Partition(reversed); !maps.Equal(part, again) {
					t.Fatalf("%d runtimes, N=%d: shard %d partitions differently: %v, %v", size, n, idx, part, again)
				}
			}
			for i := 1; i <= n; i++ {
				if d := sizes[i] - size/n; d < 0 || d > 1 {
					t.Errorf("%d runtimes, N=%d: shard %d has %d runtimes, want %d or %d", size, n, i, sizes[i], size/n, size/n+1)
				}
			}
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want validator.Shard
		err  string
	}{
		{"1/4", validator.Shard{Index: 1, Total: 4}, ""},
		{"4/4", validator.Shard{Index: 4, Total: 4}, ""},
		{"0/4", validator.Shard{}, "shard 0/4: I must be between 1 and N"},
		{"5/4", validator.Shard{}, "shard 5/4: I must be between 1 and N"},
		{"1", validator.Shard{}, `shard "1": write I/N, e.g. 1/4`},
		{"a/b", validator.Shard{}, `shard "a/b": write I/N, e.g. 1/4`},
	} {
		got, err := validator.ParseShard(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseShard(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
