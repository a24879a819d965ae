package validator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

// BenchmarkLiveChecks100 times the live checks alone (no builds, no drift
// check) of 100 runtimes, each with a distinct classic token, against the
// fake GitHub with 50 ms added to every response: one after another, then
// DefaultLiveConcurrency at once. The target: concurrency=8 takes at most
// 1/5 of concurrency=1. BenchmarkLive100Tokens times the same inside a
// whole `validate --live`.
//
//	go test ./internal/validator -run '^$' -bench LiveChecks100 -benchtime 3x
func BenchmarkLiveChecks100(b *testing.B) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	const n = 100
	var y strings.Builder
	y.WriteString("repository:\n  url: https://github.com/example-org/shared-config\nruntimes:\n")
	tokens := map[string]token.Token{}
	var fakeTokens []fakegithub.Token
	for i := range n {
		name := fmt.Sprintf("rt-%04d", i+1)
		fmt.Fprintf(&y, "  - name: %s\n    namespace: %s\n", name, name)
		v := testcreds.Classic(fmt.Sprintf("BENCH%04d", i))
		tok, err := github.ParseToken(v)
		if err != nil {
			b.Fatal(err)
		}
		tokens[name] = tok
		fakeTokens = append(fakeTokens, fakegithub.Token{Value: v, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}})
	}
	r, cfg := liveFixture(b, y.String())
	s := fakegithub.New(b, fakegithub.Options{
		Latency: 50 * time.Millisecond,
		Now:     testclock.Fixed(now),
		Repos: []fakegithub.Repo{{Owner: "example-org", Name: "shared-config", Private: true,
			Collaborators: map[string]map[string]bool{"robot": {"admin": true, "push": true, "pull": true}}}},
		Tokens: fakeTokens,
	})
	check := github.DefaultOptions()
	check.HTTPClient, check.Now = s.Client(), now
	scope := newRuntimeScope(Shard{}, cfg)
	for _, c := range []int{1, DefaultLiveConcurrency} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			live := &Live{Tokens: tokens, Check: check, Trust: forge.Trust{APIURL: s.URL()}, Concurrency: c}
			for b.Loop() {
				before := len(s.Requests())
				out := liveRuntimeFindings(context.Background(), r, cfg, live, scope)
				for _, f := range out {
					if f.Severity == Error {
						b.Fatalf("finding %+v", f)
					}
				}
				if sent := len(s.Requests()) - before; sent != n {
					b.Fatalf("%d requests for %d distinct classic tokens, want one each", sent, n)
				}
			}
		})
	}
}
