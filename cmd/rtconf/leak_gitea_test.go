package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
	type bcase struct {
		name   string
		args   []string
		stdin  string
		env    []string
		inject func(*fakegitea.Server)
		code   int
	}
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
	bin := rtconfBinary(t)
	type result struct {
		code           int
		stdout, stderr []byte
		work           string
		api            *fakegitea.Server
	}
	results := make([]result, len(cases))
	var wg sync.WaitGroup
	for i, tc := range cases {
		api, git, work := giteaLeakEnv(t)
		if tc.inject != nil {
			tc.inject(api)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			expand := strings.NewReplacer("{repo}", filepath.Join(work, "repo"), "{work}", work, "{api}", api.URL(), "{git}", git.URL())
			var args []string
			for _, a := range tc.args {
				args = append(args, expand.Replace(a))
			}
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr = work, strings.NewReader(tc.stdin), &stdout, &stderr
			cmd.Env = append(append(os.Environ(), "GT_TOKEN="+canaryGitea, "HOME="+work, "XDG_CONFIG_HOME="+work), tc.env...)
			code := 0
			var exitErr *exec.ExitError
			if err := cmd.Run(); errors.As(err, &exitErr) {
				code = exitErr.ExitCode()
			} else if err != nil {
				code = -1
			}
			results[i] = result{code: code, stdout: stdout.Bytes(), stderr: stderr.Bytes(), work: work, api: api}
		}()
	}
	wg.Wait()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := results[i]
			if res.code != tc.code {
				t.Errorf("exit code %d, want %d; stdout: %s\nstderr: %s", res.code, tc.code, res.stdout, res.stderr)
			}
			checkNoLeak(t, "stdout", res.stdout)
			checkNoLeak(t, "stderr", res.stderr)
			checkTreeNoLeak(t, res.work)
			for _, r := range res.api.Requests() {
				for name, vs := range r.Header {
					for _, v := range vs {
						if name != "Authorization" {
							checkNoLeak(t, "request header "+name, []byte(v))
						}
					}
				}
				checkNoLeak(t, "request "+r.Method+" "+r.Path, []byte(r.Path+"?"+r.Query+"\n"+r.Body))
			}
		})
	}
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
