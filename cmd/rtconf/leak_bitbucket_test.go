package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakebitbucket"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// The Bitbucket canaries: an API token (read as EMAIL:TOKEN) and a
// workspace access token made of the canary seed, so that leaked finds
// them in every encoding.
var (
	canaryBitbucketAPI    = testcreds.BitbucketAPIToken(canarySeed)
	canaryBitbucketAccess = testcreds.BitbucketAccessToken(canarySeed)
	canaryBitbucketCred   = "robot@example.com:" + canaryBitbucketAPI
)

// TestBitbucketTokensNeverLeak runs every command that touches Bitbucket
// Cloud with the canary tokens, in success and under faults, and looks for
// the canary in stdout, stderr, every file and Git object of the work
// folder, and every request the fake received (where only Authorization
// may hold it).
func TestBitbucketTokensNeverLeak(t *testing.T) {
	t.Parallel()
	type bcase = hostLeakCase[*fakebitbucket.Server]
	cert := filepath.Join(demoTemplate(t), "certs", "demo-sealed-secrets.pem")
	rt := []string{"seal", "runtime-token", "--demo", "--dir", "{repo}", "--runtime", "production", "--cert", cert, "--api-url", "{api}"}
	ut := []string{"seal", "user-token", "--demo", "--dir", "{repo}", "--runtime", "production", "--user", "alice", "--cert", cert, "--api-url", "{api}"}
	check := []string{"token", "check", "--dir", "{repo}", "--api-url", "{api}"}
	pr := []string{"--pr", "--dir", "{repo}", "--api-url", "{api}", "--remote", "{git}/acme/shared.git", "--token-env", "BB_TOKEN"}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }
	forever := func(status int) func(*fakebitbucket.Server) {
		return func(s *fakebitbucket.Server) {
			s.Fault("/", -1, status, nil, `{"type":"error","error":{"message":"`+canaryBitbucketAPI+`"}}`)
		}
	}
	cases := []bcase{
		{name: "seal runtime: API token, checked live", args: rt, stdin: canaryBitbucketCred + "\n", code: 0},
		{name: "seal runtime: access token, checked live", args: rt, stdin: canaryBitbucketAccess, code: 0},
		{name: "seal runtime: 502 for ever, the body repeating the token", args: rt, stdin: canaryBitbucketCred, inject: forever(http.StatusBadGateway), code: 2},
		{name: "seal runtime: 429 without a wait", args: rt, stdin: canaryBitbucketCred, inject: func(s *fakebitbucket.Server) { s.RateLimit(-1, -1) }, code: 2},
		{name: "seal runtime: connection reset for ever", args: rt, stdin: canaryBitbucketCred, inject: func(s *fakebitbucket.Server) { s.ResetConnection(100) }, code: 2},
		{name: "seal runtime: 401", args: rt, stdin: canaryBitbucketCred, inject: forever(http.StatusUnauthorized), code: 1},
		{name: "seal runtime: token as a positional argument", args: with(rt, canaryBitbucketAccess), code: 2},
		{name: "seal runtime: API token without its e-mail", args: rt, stdin: canaryBitbucketAPI, code: 2},
		{name: "seal user: from the environment", args: with(ut, "--token-env", "BB_TOKEN"), code: 0},
		{name: "token check", args: check, stdin: canaryBitbucketCred, code: 0},
		{name: "token check, json", args: with(check, "--format", "json"), stdin: canaryBitbucketCred, code: 0},
		{name: "token check: 403 naming the scopes", args: check, stdin: canaryBitbucketCred, inject: func(s *fakebitbucket.Server) {
			s.Fault("/repositories/", -1, http.StatusForbidden, nil, `{"type":"error","error":{"message":"`+canaryBitbucketAPI+`","detail":{"granted":["`+canaryBitbucketAPI+`"]}}}`)
		}, code: 1},
		{name: "validate --live", args: []string{"validate", "--live", "--dir", "{repo}", "--api-url", "{api}"}, env: []string{"RTCONF_RUNTIME_TOKEN=" + canaryBitbucketCred}, code: 0},
		{name: "user add as a pull request", args: with([]string{"user", "add", "carol", "--runtime", "production"}, pr...), code: 0},
		{name: "user add: the pull request refused", args: with([]string{"user", "add", "dave", "--runtime", "production"}, pr...), inject: func(s *fakebitbucket.Server) {
			s.Fault("/repositories/acme/shared/pullrequests", -1, http.StatusForbidden, nil, `{"type":"error","error":{"message":"`+canaryBitbucketAPI+`"}}`)
		}, code: 2},
		{name: "init --create --push --protect", args: []string{"init", "{work}/new", "--provider", "bitbucket", "--repo", "https://bitbucket.org/acme/fresh", "--runtime", "prod",
			"--create", "--push", "--protect", "--api-url", "{api}", "--remote", "{git}/acme/fresh.git", "--token-env", "BB_TOKEN"}, code: 0},
	}
	runHostLeakCases(t, hostLeakRun[*fakebitbucket.Server]{
		newEnv: func(t *testing.T) (*fakebitbucket.Server, string, string, string) {
			api, git, work := bitbucketLeakEnv(t)
			return api, api.URL(), git.URL(), work
		},
		requests: func(s *fakebitbucket.Server) []sentRequest {
			var out []sentRequest
			for _, r := range s.Requests() {
				out = append(out, sentRequest(r))
			}
			return out
		},
		authHeader: "Authorization",
		env:        []string{"BB_TOKEN=" + canaryBitbucketCred},
		check:      checkBitbucketNoLeak,
	}, cases)
}

// checkBitbucketNoLeak is checkNoLeak, and neither Atlassian prefix with
// the seed after it.
func checkBitbucketNoLeak(t *testing.T, where string, data []byte) {
	t.Helper()
	checkNoLeak(t, where, data)
	for _, c := range []string{canaryBitbucketAPI, canaryBitbucketAccess} {
		if bytes.Contains(data, []byte(c[:12])) {
			t.Errorf("%s holds a Bitbucket canary's start:\n%s", where, data)
		}
	}
}

// bitbucketLeakEnv is a fake Bitbucket that knows the canaries (an admin's
// API token and acme's workspace access token), a Git server that takes
// the API token, and a work folder with a Bitbucket repository pushed to
// acme/shared.
func bitbucketLeakEnv(t *testing.T) (*fakebitbucket.Server, *gitserver.Server, string) {
	t.Helper()
	git := gitserver.New(t, gitserver.Options{Token: canaryBitbucketAPI})
	all := []string{"read:user:bitbucket", "read:workspace:bitbucket", "read:webhook:bitbucket", "write:webhook:bitbucket",
		"read:repository:bitbucket", "write:repository:bitbucket", "admin:repository:bitbucket", "write:pullrequest:bitbucket"}
	api := fakebitbucket.New(t, fakebitbucket.Options{
		Now: testclock.Fixed(testclock.Default()),
		Tokens: []fakebitbucket.Token{
			{Value: canaryBitbucketAPI, Kind: fakebitbucket.APIToken, Email: "robot@example.com", User: "robot", Scopes: all},
			{Value: canaryBitbucketAccess, Kind: fakebitbucket.WorkspaceAccessToken, User: "acme", Workspace: "acme",
				Scopes: []string{"account", "team", "webhook", "repository", "repository:write", "repository:admin", "pullrequest:write"}},
		},
		Workspaces:   []fakebitbucket.Workspace{{Slug: "acme", Admins: []string{"robot"}}},
		CloneURL:     git.NewProjectFunc(t),
		BranchExists: git.ProjectBranchExists,
	})
	work := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"rtconf", "init", filepath.Join(work, "repo"), "--provider", "bitbucket", "--repo", "https://bitbucket.org/acme/shared",
		"--runtime", "production", "--user", "alice", "--create", "--push", "--api-url", api.URL(), "--remote", git.URL() + "/acme/shared.git"}
	if code := run(context.Background(), args, strings.NewReader(canaryBitbucketCred), &out, &errOut, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatalf("init exited %d: %s%s", code, out.String(), errOut.String())
	}
	return api, git, work
}
