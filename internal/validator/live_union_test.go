package validator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/fakegitlab"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/forge/gitlab"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

// liveFixture is the repository rtconf generates for the configuration y,
// in memory, and its parsed configuration.
func liveFixture(tb testing.TB, y string) (*repo, *config.Config) {
	tb.Helper()
	cfg, err := config.Parse(config.FileName, []byte(y))
	if err != nil {
		tb.Fatal(err)
	}
	files, err := generator.Generate(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	fsys := fstest.MapFS{config.FileName: &fstest.MapFile{Data: []byte(y)}}
	for _, f := range files {
		fsys[f.Path] = &fstest.MapFile{Data: f.Data}
	}
	r, _, err := readRepo(fsys)
	if err != nil {
		tb.Fatal(err)
	}
	return r, cfg
}

// mixedNeeds is a configuration of n runtimes on repoURL (of provider),
// every other one with runtimeTokenAsUserToken.
func mixedNeeds(provider, repoURL string, n int) string {
	var y strings.Builder
	fmt.Fprintf(&y, "repository:\n  url: %s\n", repoURL)
	if provider != "" {
		fmt.Fprintf(&y, "  provider: %s\n", provider)
	}
	y.WriteString("runtimes:\n")
	for i := range n {
		fmt.Fprintf(&y, "  - name: rt-%d\n    namespace: rt-%d\n", i, i)
		if i%2 == 1 {
			y.WriteString("    runtimeTokenAsUserToken: true\n")
		}
	}
	return y.String()
}

// perNeedFindings are the live findings of every runtime as one check per
// runtime, for its own need, gives them: what validate --live reported
// when each (token, need) was sent on its own.
func perNeedFindings(t *testing.T, r *repo, cfg *config.Config, live *Live) []Finding {
	t.Helper()
	ctx := context.Background()
	where := &destination{live: live, cfg: cfg}
	dest, err := where.get()
	if err != nil {
		t.Fatal(err)
	}
	o := live.Check
	o.Owner, o.Repo, _ = cfg.OwnerRepo()
	o.APIURL = dest.APIURL
	var out []Finding
	for _, rt := range cfg.Runtimes {
		j, ok := liveTarget(ctx, r, cfg, rt, live, where)
		if !ok || !j.check {
			t.Fatalf("runtime %s: nothing to check", rt.Name)
		}
		res, err := cfg.Forge().Check(ctx, j.tok, forge.NeedFor(forge.RuntimeToken, rt.RuntimeTokenAsUserToken), o)
		out = append(out, j.out...)
		out = append(out, checkFindings(j, res, err)...)
	}
	return out
}

func findingsOf(fs []Finding, runtime string) []string {
	var out []string
	for _, f := range fs {
		if f.Runtime == runtime {
			out = append(out, string(f.Severity)+": "+f.Message)
		}
	}
	return out
}

// TestLiveOneRequestPerClassicToken: six runtimes share one classic token,
// half of them with runtimeTokenAsUserToken: validate --live sends one
// GET, and every runtime's findings are those a check of its own need
// gives.
func TestLiveOneRequestPerClassicToken(t *testing.T) {
	now := testclock.Default()
	v := testcreds.Classic("SHAREDneeds")
	s := fakegithub.New(t, fakegithub.Options{
		Now: testclock.Fixed(now),
		Repos: []fakegithub.Repo{{Owner: "example-org", Name: "shared-config", Private: true,
			Collaborators: map[string]map[string]bool{"robot": {"admin": true, "push": true, "pull": true}}}},
		// no admin:repo_hook: every runtime gets a finding
		Tokens: []fakegithub.Token{{Value: v, Login: "robot", Scopes: []string{"repo"}, Expires: now.Add(3 * 24 * time.Hour)}},
	})
	r, cfg := liveFixture(t, mixedNeeds("", "https://github.com/example-org/shared-config", 6))
	tok, err := github.ParseToken(v)
	if err != nil {
		t.Fatal(err)
	}
	check := github.DefaultOptions()
	check.HTTPClient, check.Now = s.Client(), now
	live := &Live{Tokens: map[string]token.Token{"": tok}, Check: check, Trust: forge.Trust{APIURL: s.URL()}}

	got := liveRuntimeFindings(context.Background(), r, cfg, live, newRuntimeScope(Shard{}, cfg))
	if reqs := s.Requests(); len(reqs) != 1 {
		var sent []string
		for _, r := range reqs {
			sent = append(sent, r.Method+" "+r.Path)
		}
		t.Errorf("%d requests for one classic token, want 1: %q", len(reqs), sent)
	}
	before := len(s.Requests())
	want := perNeedFindings(t, r, cfg, live)
	if n := len(s.Requests()) - before; n != 6 {
		t.Fatalf("the reference sent %d requests, want one per runtime", n)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(Finding{})); diff != "" {
		t.Errorf("findings differ from one check per runtime (-per runtime +one check):\n%s", diff)
	}
	for _, rt := range []string{"rt-0", "rt-1"} {
		if f := findingsOf(got, rt); len(f) != 2 || !strings.Contains(f[0], "expires on") || !strings.Contains(f[1], "lacks admin:repo_hook") {
			t.Errorf("%s: findings %q, want the expiry and the missing scope", rt, f)
		}
	}
}

// TestLiveOneCheckForMixedNeeds: on GitLab a runtime token that serves as
// user token needs more scopes (read_api, write_repository) than one that
// does not (api): one check of the shared token (its three requests)
// answers both kinds of runtime, each with the findings of its own need.
func TestLiveOneCheckForMixedNeeds(t *testing.T) {
	now := testclock.Default()
	v := testcreds.GitLab("writerepowriterepowr")
	s := fakegitlab.New(t, fakegitlab.Options{
		Now:      testclock.Fixed(now),
		Users:    []fakegitlab.User{{Username: "robot"}},
		Tokens:   []fakegitlab.Token{{Value: v, User: "robot", Scopes: []string{"write_repository"}}},
		Groups:   []fakegitlab.Group{{FullPath: "acme", Members: map[string]int{"robot": fakegitlab.Maintainer}}},
		Projects: []fakegitlab.Project{{PathWithNamespace: "acme/shared-config"}},
	})
	r, cfg := liveFixture(t, mixedNeeds("gitlab", "https://gitlab.com/acme/shared-config", 4))
	tok, err := gitlab.ParseToken(v)
	if err != nil {
		t.Fatal(err)
	}
	check := gitlab.DefaultOptions()
	check.HTTPClient, check.Now = s.Client(), now
	live := &Live{Tokens: map[string]token.Token{"": tok}, Check: check, Trust: forge.Trust{APIURL: s.URL()}}

	got := liveRuntimeFindings(context.Background(), r, cfg, live, newRuntimeScope(Shard{}, cfg))
	one := len(s.Requests())
	want := perNeedFindings(t, r, cfg, live)
	if per := len(s.Requests()) - one; per != 4*one {
		t.Errorf("one check for all 4 runtimes sent %d requests, one per runtime %d: want a quarter", one, per)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(Finding{})); diff != "" {
		t.Errorf("findings differ from one check per runtime (-per runtime +one check):\n%s", diff)
	}
	plain, asUser := strings.Join(findingsOf(got, "rt-0"), "\n"), strings.Join(findingsOf(got, "rt-1"), "\n")
	if !strings.Contains(plain, "lacks api") || strings.Contains(plain, "lacks read_api") {
		t.Errorf("rt-0 (runtime token only): %s\nwant api missing, read_api not asked for", plain)
	}
	if !strings.Contains(asUser, "lacks api") || !strings.Contains(asUser, "lacks read_api") {
		t.Errorf("rt-1 (also user token): %s\nwant api and read_api missing", asUser)
	}
}
