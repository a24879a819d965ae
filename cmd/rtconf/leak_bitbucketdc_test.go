package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakebitbucketdc"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// canaryBitbucketDC is a Bitbucket Data Center HTTP access token made of
// the canary seed; leakForms looks for it in every encoding, as for the
// GitHub canaries (its own value is base64, so the seed alone would not
// show it).
var canaryBitbucketDC = testcreds.BitbucketDC("424242424242", canarySeed)

// TestBitbucketDCTokensNeverLeak runs every command that touches Bitbucket
// Data Center with the canary (a project token), in success and under
// faults, and looks for it in stdout, stderr, every file and Git object of
// the work folder, and every request the fake received (where only
// Authorization may hold it).
func TestBitbucketDCTokensNeverLeak(t *testing.T) {
	t.Parallel()
	type bcase = hostLeakCase[*fakebitbucketdc.Server]
	cert := filepath.Join(demoTemplate(t), "certs", "demo-sealed-secrets.pem")
	rt := []string{"seal", "runtime-token", "--demo", "--dir", "{repo}", "--runtime", "production", "--cert", cert, "--api-url", "{api}"}
	ut := []string{"seal", "user-token", "--demo", "--dir", "{repo}", "--runtime", "production", "--user", "alice", "--cert", cert, "--api-url", "{api}"}
	check := []string{"token", "check", "--dir", "{repo}", "--api-url", "{api}"}
	pr := []string{"--pr", "--dir", "{repo}", "--api-url", "{api}", "--remote", "{git}/ACME/shared.git", "--token-env", "BB_TOKEN"}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }
	body := `{"errors":[{"context":null,"message":"` + canaryBitbucketDC + `","exceptionName":null}]}`
	forever := func(status int) func(*fakebitbucketdc.Server) {
		return func(s *fakebitbucketdc.Server) { s.Fault("/", -1, status, nil, body) }
	}
	cases := []bcase{
		{name: "seal runtime: checked live", args: rt, stdin: canaryBitbucketDC + "\n", code: 0},
		{name: "seal runtime: 502 for ever, the body repeating the token", args: rt, stdin: canaryBitbucketDC, inject: forever(http.StatusBadGateway), code: 2},
		{name: "seal runtime: 429 longer than --max-wait", args: with(rt, "--max-wait", "1s"), stdin: canaryBitbucketDC, inject: func(s *fakebitbucketdc.Server) { s.RateLimit(-1, 600) }, code: 2},
		{name: "seal runtime: connection reset for ever", args: rt, stdin: canaryBitbucketDC, inject: func(s *fakebitbucketdc.Server) { s.ResetConnection(100) }, code: 2},
		{name: "seal runtime: 401", args: rt, stdin: canaryBitbucketDC, inject: forever(http.StatusUnauthorized), code: 1},
		{name: "seal runtime: token as a positional argument", args: with(rt, canaryBitbucketDC), code: 2},
		{name: "seal user: checked live, from the environment", args: with(ut, "--token-env", "BB_TOKEN"), code: 0},
		{name: "token check", args: check, stdin: canaryBitbucketDC, code: 0},
		{name: "token check, json", args: with(check, "--format", "json"), stdin: canaryBitbucketDC, code: 0},
		{name: "token check: permission refused, the body repeating the token", args: check, stdin: canaryBitbucketDC, inject: func(s *fakebitbucketdc.Server) {
			s.Fault("/rest/api/1.0/projects/ACME/permissions", -1, http.StatusUnauthorized, nil,
				`{"errors":[{"message":"`+canaryBitbucketDC+`","exceptionName":"com.atlassian.bitbucket.AuthorisationException"}]}`)
		}, code: 1},
		{name: "validate --live", args: []string{"validate", "--live", "--dir", "{repo}", "--api-url", "{api}"}, env: []string{"RTCONF_RUNTIME_TOKEN=" + canaryBitbucketDC}, code: 0},
		{name: "user add as a pull request", args: with([]string{"user", "add", "carol", "--runtime", "production"}, pr...), code: 0},
		{name: "user add: the pull request refused", args: with([]string{"user", "add", "dave", "--runtime", "production"}, pr...), inject: func(s *fakebitbucketdc.Server) {
			s.Fault("/rest/api/1.0/projects/ACME/repos/shared/pull-requests", -1, http.StatusConflict, nil, body)
		}, code: 2},
		{name: "init --create --push --protect", args: []string{"init", "{work}/new", "--provider", "bitbucket-datacenter", "--repo", "https://bitbucket.example.com/scm/ACME/fresh.git", "--runtime", "prod",
			"--create", "--push", "--protect", "--api-url", "{api}", "--remote", "{git}/ACME/fresh.git", "--token-env", "BB_TOKEN"}, code: 0},
	}
	runHostLeakCases(t, hostLeakRun[*fakebitbucketdc.Server]{
		newEnv: func(t *testing.T) (*fakebitbucketdc.Server, string, string, string) {
			api, git, work := bitbucketDCLeakEnv(t)
			return api, api.URL(), git.URL(), work
		},
		requests: func(s *fakebitbucketdc.Server) []sentRequest {
			var out []sentRequest
			for _, r := range s.Requests() {
				out = append(out, sentRequest(r))
			}
			return out
		},
		authHeader: "Authorization",
		env:        []string{"BB_TOKEN=" + canaryBitbucketDC},
	}, cases)
}

// bitbucketDCLeakEnv is a fake Bitbucket Data Center that knows the canary
// (a project token of ACME, PROJECT_ADMIN), a Git server that takes it as
// Bearer, and a work folder with a repository pushed to ACME/shared.
func bitbucketDCLeakEnv(t *testing.T) (*fakebitbucketdc.Server, *gitserver.Server, string) {
	t.Helper()
	git := gitserver.New(t, gitserver.Options{Token: canaryBitbucketDC, Bearer: true})
	api := fakebitbucketdc.New(t, fakebitbucketdc.Options{
		Now: testclock.Fixed(testclock.Default()),
		Tokens: []fakebitbucketdc.Token{{Value: canaryBitbucketDC, User: "project-acme-bot", Kind: fakebitbucketdc.Project, Project: "ACME",
			ProjectPerm: fakebitbucketdc.Admin, RepoPerm: fakebitbucketdc.Admin, Expires: testclock.Default().Add(90 * 24 * time.Hour)}},
		Projects:     []fakebitbucketdc.Proj{{Key: "ACME"}},
		CloneURL:     git.NewRepoFunc(t),
		BranchExists: git.BranchExists,
	})
	work := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"rtconf", "init", filepath.Join(work, "repo"), "--provider", "bitbucket-datacenter", "--repo", "https://bitbucket.example.com/scm/ACME/shared.git",
		"--runtime", "production", "--user", "alice", "--create", "--push", "--api-url", api.URL(), "--remote", git.URL() + "/ACME/shared.git"}
	if code := run(context.Background(), args, strings.NewReader(canaryBitbucketDC), &out, &errOut, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatalf("init exited %d: %s%s", code, out.String(), errOut.String())
	}
	return api, git, work
}
