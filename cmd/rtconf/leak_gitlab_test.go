package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakegitlab"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
)

// canaryGitLab is a GitLab access token made of the canary seed, so that
// leaked finds it in every encoding, as it finds the GitHub canaries.
var canaryGitLab = "glpat-" + canarySeed

// TestGitLabTokensNeverLeak runs every command that touches GitLab with the
// canary token, in success and under faults, and looks for the canary in
// stdout, stderr, every file and Git object of the work folder, and every
// request the fake GitLab received (where only PRIVATE-TOKEN may hold it).
func TestGitLabTokensNeverLeak(t *testing.T) {
	t.Parallel()
	type gcase = hostLeakCase[*fakegitlab.Server]
	cert := filepath.Join(demoTemplate(t), "certs", "demo-sealed-secrets.pem")
	rt := []string{"seal", "runtime-token", "--demo", "--dir", "{repo}", "--runtime", "production", "--cert", cert, "--api-url", "{api}"}
	ut := []string{"seal", "user-token", "--demo", "--dir", "{repo}", "--runtime", "production", "--user", "alice", "--cert", cert, "--api-url", "{api}"}
	check := []string{"token", "check", "--dir", "{repo}", "--api-url", "{api}"}
	pr := []string{"--pr", "--dir", "{repo}", "--api-url", "{api}", "--remote", "{git}/acme/platform/shared.git", "--token-env", "GL_TOKEN"}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }
	forever := func(status int) func(*fakegitlab.Server) {
		return func(s *fakegitlab.Server) { s.Fault("/", -1, status, nil, `{"message":"`+canaryGitLab+`"}`) }
	}
	cases := []gcase{
		{name: "seal runtime: checked live", args: rt, stdin: canaryGitLab + "\n", code: 0},
		{name: "seal runtime: 502 for ever, the body repeating the token", args: rt, stdin: canaryGitLab, inject: forever(http.StatusBadGateway), code: 2},
		{name: "seal runtime: 429 longer than --max-wait", args: with(rt, "--max-wait", "1s"), stdin: canaryGitLab, inject: func(s *fakegitlab.Server) { s.RateLimit(-1, 600) }, code: 2},
		{name: "seal runtime: connection reset for ever", args: rt, stdin: canaryGitLab, inject: func(s *fakegitlab.Server) { s.ResetConnection(100) }, code: 2},
		{name: "seal runtime: 401", args: rt, stdin: canaryGitLab, inject: forever(http.StatusUnauthorized), code: 1},
		{name: "seal runtime: token as a positional argument", args: with(rt, canaryGitLab), code: 2},
		{name: "seal user: checked live, from the environment", args: with(ut, "--token-env", "GL_TOKEN"), code: 0},
		{name: "token check", args: check, stdin: canaryGitLab, code: 0},
		{name: "token check, json", args: with(check, "--format", "json"), stdin: canaryGitLab, code: 0},
		{name: "token check: 403 insufficient scope", args: check, stdin: canaryGitLab, inject: func(s *fakegitlab.Server) {
			s.Fault("/projects/", -1, http.StatusForbidden, nil, `{"error":"insufficient_scope","scope":"api `+canaryGitLab+`"}`)
		}, code: 2},
		{name: "validate --live", args: []string{"validate", "--live", "--dir", "{repo}", "--api-url", "{api}"}, env: []string{"RTCONF_RUNTIME_TOKEN=" + canaryGitLab}, code: 0},
		{name: "user add as a merge request", args: with([]string{"user", "add", "carol", "--runtime", "production"}, pr...), code: 0},
		{name: "user add: the merge request refused", args: with([]string{"user", "add", "dave", "--runtime", "production"}, pr...), inject: func(s *fakegitlab.Server) {
			s.Fault("/projects/acme%2Fplatform%2Fshared/merge_requests", -1, http.StatusForbidden, nil, `{"message":"`+canaryGitLab+`"}`)
		}, code: 2},
		{name: "init --create --push --protect", args: []string{"init", "{work}/new", "--provider", "gitlab", "--repo", "https://gitlab.example.com/acme/platform/fresh", "--runtime", "prod",
			"--create", "--push", "--protect", "--api-url", "{api}", "--remote", "{git}/acme/platform/fresh.git", "--token-env", "GL_TOKEN"}, code: 0},
	}
	runHostLeakCases(t, hostLeakRun[*fakegitlab.Server]{
		newEnv: func(t *testing.T) (*fakegitlab.Server, string, string, string) {
			api, git, work := gitlabLeakEnv(t)
			return api, api.URL(), git.URL(), work
		},
		requests: func(s *fakegitlab.Server) []sentRequest {
			var out []sentRequest
			for _, r := range s.Requests() {
				out = append(out, sentRequest(r))
			}
			return out
		},
		authHeader: "Private-Token",
		env:        []string{"GL_TOKEN=" + canaryGitLab},
	}, cases)
}

// gitlabLeakEnv is a fake GitLab that knows the canary (api, Maintainer of
// acme/platform), a Git server that takes it, and a work folder with a
// GitLab repository pushed to acme/platform/shared.
func gitlabLeakEnv(t *testing.T) (*fakegitlab.Server, *gitserver.Server, string) {
	t.Helper()
	git := gitserver.New(t, gitserver.Options{Token: canaryGitLab})
	api := fakegitlab.New(t, fakegitlab.Options{
		Now:    testclock.Fixed(testclock.Default()),
		Users:  []fakegitlab.User{{Username: "robot"}},
		Tokens: []fakegitlab.Token{{Value: canaryGitLab, User: "robot", Scopes: []string{"api"}, Expires: testclock.Default().Add(90 * 24 * time.Hour)}},
		Groups: []fakegitlab.Group{
			{FullPath: "acme"},
			{FullPath: "acme/platform", Members: map[string]int{"robot": fakegitlab.Maintainer}},
		},
		CloneURL:     git.NewProjectFunc(t),
		BranchExists: git.ProjectBranchExists,
	})
	work := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"rtconf", "init", filepath.Join(work, "repo"), "--provider", "gitlab", "--repo", "https://gitlab.example.com/acme/platform/shared",
		"--runtime", "production", "--user", "alice", "--create", "--push", "--api-url", api.URL(), "--remote", git.URL() + "/acme/platform/shared.git"}
	if code := run(context.Background(), args, strings.NewReader(canaryGitLab), &out, &errOut, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatalf("init exited %d: %s%s", code, out.String(), errOut.String())
	}
	return api, git, work
}
