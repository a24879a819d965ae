package validator_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/benchrepo"
	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/validator"
)

// liveRepo is a benchrepo repository of n runtimes without users or
// clusters (the live checks are what is measured), and the tokens CI
// holds for it: distinct ones for the first runtimes, one shared by
// the others (the "" key).
type liveRepo struct {
	root   *os.Root
	server *fakegithub.Server
	live   *validator.Live
	values []string
}

func newLiveRepo(tb testing.TB, n, distinct int, latency time.Duration) *liveRepo {
	tb.Helper()
	ro := benchrepo.DefaultOptions(n)
	ro.Users, ro.Clusters, ro.Now = 0, 0, now
	dir := filepath.Join(tb.TempDir(), "repo")
	if err := benchrepo.Write(dir, ro, false); err != nil {
		tb.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { root.Close() })
	var fakeTokens []fakegithub.Token
	tokens := map[string]token.Token{}
	var values []string
	for i := range distinct + 1 {
		v := testcreds.Classic(fmt.Sprintf("LIVE%04d", i))
		values = append(values, v)
		fakeTokens = append(fakeTokens, fakegithub.Token{Value: v, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}})
		tok, err := github.ParseToken(v)
		if err != nil {
			tb.Fatal(err)
		}
		if i == distinct {
			tokens[""] = tok
		} else {
			tokens[benchrepo.RuntimeName(i)] = tok
		}
	}
	s := fakegithub.New(tb, fakegithub.Options{
		Latency: latency,
		Now:     testclock.Fixed(now),
		Repos: []fakegithub.Repo{{Owner: "example-org", Name: "shared-config", Private: true,
			Collaborators: map[string]map[string]bool{"robot": {"admin": true, "push": true, "pull": true}}}},
		Tokens: fakeTokens,
	})
	check := github.DefaultOptions()
	check.HTTPClient, check.Now = s.Client(), now
	return &liveRepo{root: root, server: s, values: values,
		live: &validator.Live{Tokens: tokens, Check: check, Trust: forge.Trust{APIURL: s.URL()}}}
}

func (lr *liveRepo) validate(tb testing.TB, concurrency int) validator.Report {
	tb.Helper()
	opts := validator.DefaultOptions()
	opts.Now = now
	live := *lr.live
	live.Concurrency = concurrency
	opts.Live = &live
	rep, err := validator.Validate(context.Background(), lr.root.FS(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// TestLiveEachTokenOnce: 3 runtimes with tokens of their own and 7 sharing
// CI's default one make 4 checks, not 10; every runtime still gets its
// findings, in the same order at any concurrency.
func TestLiveEachTokenOnce(t *testing.T) {
	lr := newLiveRepo(t, 10, 3, 0)
	one := lr.validate(t, 1)
	perToken := map[string]int{}
	for _, r := range lr.server.Requests() {
		perToken[r.Header.Get("Authorization")]++
	}
	if len(perToken) != 4 {
		t.Errorf("requests carried %d distinct tokens, want 4", len(perToken))
	}
	for _, n := range perToken {
		if n != 1 {
			t.Errorf("a token was sent %d times, want once (%d requests in all)", n, len(lr.server.Requests()))
		}
	}
	runtimes := map[string]bool{}
	for _, f := range one.Findings {
		if f.Rule == validator.RuleTokenLive {
			runtimes[f.Runtime] = true
		}
	}
	if len(runtimes) != 10 {
		t.Errorf("live findings for %d runtimes, want all 10: %+v", len(runtimes), one.Findings)
	}
	eight := lr.validate(t, 8)
	if diff := cmp.Diff(one, eight); diff != "" {
		t.Errorf("findings differ between 1 and 8 checks at once (-1 +8):\n%s", diff)
	}
}

// BenchmarkLive100Tokens is `validate --live` of 100 runtimes, each with a
// distinct classic token, against the fake GitHub with 50 ms added to
// every response: the checks one after another, then
// validator.DefaultLiveConcurrency at once, then validate offline (the
// part that is not the checks). The target is concurrency=8 ≤ 1/5 of
// concurrency=1.
//
//	go test ./internal/validator -run '^$' -bench Live100Tokens -benchtime 3x
func BenchmarkLive100Tokens(b *testing.B) {
	lr := newLiveRepo(b, 100, 100, 50*time.Millisecond)
	for _, c := range []int{1, validator.DefaultLiveConcurrency, 0} {
		name := fmt.Sprintf("concurrency=%d", c)
		if c == 0 {
			name = "offline"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if c == 0 {
					opts := validator.DefaultOptions()
					opts.Now = now
					if _, err := validator.Validate(context.Background(), lr.root.FS(), opts); err != nil {
						b.Fatal(err)
					}
					continue
				}
				rep := lr.validate(b, c)
				if len(rep.Findings) < 100 {
					b.Fatalf("%d findings, want at least one per runtime", len(rep.Findings))
				}
			}
		})
	}
}
