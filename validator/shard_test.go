package validator_test

import (
	"fmt"
	"testing"

	"github.com/rtconf/rtconf/validator"
)

func TestShardPartition(t *testing.T) {
	var names []string
	for i := 0; i < 37; i++ {
		names = append(names, fmt.Sprintf("rt-%02d", (i*17)%37))
	}
	for n := 1; n <= 8; n++ {
		s := validator.Shard{Index: 1, Total: n}
		part := s.Partition(names)
		again := s.Partition(append([]string(nil), names...))
		sizes := map[int]int{}
		for _, name := range names {
			i, ok := part[name]
			if !ok || i < 1 || i > n {
				t.Fatalf("N=%d: %s in shard %d", n, name, i)
			}
			if again[name] != i {
				t.Fatalf("N=%d: %s moved from shard %d to %d", n, name, i, again[name])
			}
			sizes[i]++
		}
		if len(part) != len(names) {
			t.Fatalf("N=%d: %d runtimes partitioned, want %d", n, len(part), len(names))
		}
		for i := 1; i <= n; i++ {
			if d := sizes[i] - len(names)/n; d < 0 || d > 1 {
				t.Errorf("N=%d: shard %d has %d runtimes, want %d or %d", n, i, sizes[i], len(names)/n, len(names)/n+1)
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
