package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakegitea"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// canaryGitea is a Gitea access token made of the canary seed (its hex);
// leakForms looks for it in every encoding, as for the GitHub canaries.
var canaryGitea = testcreds.Gitea(canarySeed)

// TestGiteaTokensNeverLeak runs every command that touches Gitea with the
// canary, in success and under faults, and looks for it in stdout, stderr,
// every file and Git object of the work folder, and every request the fake
// received (where only Authorization may hold it).
func TestGiteaTokensNeverLeak(t *testing.T) {
	t.Parallel()
	type bcase = hostLeakCase[*fakegitea.Server]
	cert := filepath.Join(demoTemplate(t), "certs", "demo-sealed-secrets.pem")
	rt := []string{"seal", "runtime-token", "--demo", "--dir", "{repo}", "--runtime", "production", "--cert", cert, "--api-url", "{api}"}
	ut := []string{"seal", "user-token", "--demo", "--dir", "{repo}", "--runtime", "production", "--user", "alice", "--cert", cert, "--api-url", "{api}"}
	check := []string{"token", "check", "--dir", "{repo}", "--api-url", "{api}", "--probe-writes"}
	pr := []string{"--pr", "--dir", "{repo}", "--api-url", "{api}", "--remote", "{git}/acme/shared.git", "--token-env", "GT_TOKEN"}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }
	body := `{"message":"` + canaryGitea + `"}`
	forever := func(status int) func(*fakegitea.Server) {
		return func(s *fakegitea.Server) { s.Fault("/", -1, status, nil, body) }
	}
	cases := []bcase{
		{name: "seal runtime: checked live", args: rt, stdin: canaryGitea + "\n", code: 0},
		{name: "seal runtime: 502 for ever, the body repeating the token", args: rt, stdin: canaryGitea, inject: forever(http.StatusBadGateway), code: 2},
		{name: "seal runtime: 429 longer than --max-wait", args: with(rt, "--max-wait", "1s"), stdin: canaryGitea, inject: func(s *fakegitea.Server) { s.RateLimit(-1, 600) }, code: 2},
		{name: "seal runtime: connection reset for ever", args: rt, stdin: canaryGitea, inject: func(s *fakegitea.Server) { s.ResetConnection("/", -1) }, code: 2},
		{name: "seal runtime: 401", args: rt, stdin: canaryGitea, inject: forever(http.StatusUnauthorized), code: 1},
		{name: "seal runtime: token as a positional argument", args: with(rt, canaryGitea), code: 2},
		{name: "seal user: checked live, from the environment", args: with(ut, "--token-env", "GT_TOKEN"), code: 0},
		{name: "token check", args: check, stdin: canaryGitea, code: 0},
		{name: "token check, json", args: with(check, "--format", "json"), stdin: canaryGitea, code: 0},
		{name: "token check: scope refused, the body repeating the token", args: check, stdin: canaryGitea, inject: func(s *fakegitea.Server) {
			s.Fault("/repos/", -1, http.StatusForbidden, nil, `{"message":"`+fakegitea.ScopeMessage("read:repository")+` `+canaryGitea+`"}`)
		}, code: 1},
		{name: "validate --live", args: []string{"validate", "--live", "--dir", "{repo}", "--api-url", "{api}"}, env: []string{"RTCONF_RUNTIME_TOKEN=" + canaryGitea}, code: 0},
		{name: "user add as a pull request", args: with([]string{"user", "add", "carol", "--runtime", "production"}, pr...), code: 0},
		{name: "user add: the pull request refused", args: with([]string{"user", "add", "dave", "--runtime", "production"}, pr...), inject: func(s *fakegitea.Server) {
			s.Fault("/repos/acme/shared/pulls", -1, http.StatusForbidden, nil, body)
		}, code: 2},
		{name: "init --create --push --protect", args: []string{"init", "{work}/new", "--provider", "gitea", "--repo", "https://gitea.example.com/acme/fresh", "--runtime", "prod",
			"--create", "--push", "--protect", "--api-url", "{api}", "--remote", "{git}/acme/fresh.git", "--token-env", "GT_TOKEN"}, code: 0},
	}
	runHostLeakCases(t, hostLeakRun[*fakegitea.Server]{
		newEnv: func(t *testing.T) (*fakegitea.Server, string, string, string) {
			api, git, work := giteaLeakEnv(t)
			return api, api.URL(), git.URL(), work
		},
		requests: func(s *fakegitea.Server) []sentRequest {
			var out []sentRequest
			for _, r := range s.Requests() {
				out = append(out, sentRequest(r))
			}
			return out
		},
		authHeader: "Authorization",
		env:        []string{"GT_TOKEN=" + canaryGitea},
	}, cases)
}

// giteaLeakEnv is a fake Gitea that knows the canary (owner of the
// organisation acme), a Git server that takes it, and a work folder with a
// repository pushed to acme/shared.
func giteaLeakEnv(t *testing.T) (*fakegitea.Server, *gitserver.Server, string) {
	t.Helper()
	git := gitserver.New(t, gitserver.Options{Token: canaryGitea})
	api := fakegitea.New(t, fakegitea.Options{
		Now:          testclock.Fixed(testclock.Default()),
		Tokens:       []fakegitea.Token{{Value: canaryGitea, User: "robot", Scopes: []string{"write:repository", "write:organization", "read:user"}}},
		Orgs:         []fakegitea.Org{{Name: "acme", Owners: []string{"robot"}}},
		CloneURL:     git.NewRepoFunc(t),
		BranchExists: git.BranchExists,
	})
	work := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"rtconf", "init", filepath.Join(work, "repo"), "--provider", "gitea", "--repo", "https://gitea.example.com/acme/shared",
		"--runtime", "production", "--user", "alice", "--create", "--push", "--api-url", api.URL(), "--remote", git.URL() + "/acme/shared.git"}
	if code := run(context.Background(), args, strings.NewReader(canaryGitea), &out, &errOut, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatalf("init exited %d: %s%s", code, out.String(), errOut.String())
	}
	return api, git, work
}
