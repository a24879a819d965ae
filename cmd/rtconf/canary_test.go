package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// The canaries are recognisable anywhere they might leak: in full, in part
// (their seed), or encoded (see leakForms).
var (
	canarySeed    = "LEAKCANARYleakcanary"
	canaryClassic = testcreds.Classic(canarySeed)
	canaryFine    = testcreds.FineGrained(canarySeed)
	// canaryApp is a GitHub App's private key, made once per test process
	// (a key cannot be written in the source): App 42 of canaryGitHub.
	canaryApp = sync.OnceValues(func() (*rsa.PrivateKey, string) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return key, string(pem.EncodeToMemory(&pem.Block{Type: "RSA " + "PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	})
)

// canaryAppPEM is canaryApp's private key in PEM.
func canaryAppPEM() string { _, p := canaryApp(); return p }

// leakCase is one run of a command that takes a token. To cover a new
// command, add a row: its arguments, where its token comes from, how the
// fake GitHub misbehaves, and the exit code it must end with.
//
// In args and stdin these words are replaced: {repo} a demo repository made
// by `init --demo` in the case's work tree, {work} that work tree (the
// folder the command runs in), {secrets}
// a folder outside it holding classic.txt and fine.txt (the canaries),
// {api} the fake GitHub's API URL, {classic} and {fine} the canaries. The
// environment holds RTCONF_TEST_TOKEN and RTCONF_RUNTIME_TOKEN (the classic
// canary) and RTCONF_TEST_FINE (the fine-grained one): canaryEnv.
type leakCase struct {
	name  string
	args  []string
	stdin string
	// github changes the fake before it starts (e.g. revokes a canary);
	// inject sets faults on it.
	github func(*fakegithub.Options)
	inject func(*fakegithub.Server)
	// setup prepares the work tree further (e.g. breaks it), and may add
	// folders outside it to scan (e.g. a bare Git remote).
	setup func(t *testing.T, e *leakEnv)
	code  int
	// hidden are more strings that must not be in stdout or stderr (such
	// as a password that is not a token).
	hidden []string
}

// leakEnv is where a case runs.
type leakEnv struct {
	work, repo, secrets string
	gh                  *fakegithub.Server
	// scan lists more folders to search after the run, beside work.
	scan []string
}

// TestTokensNeverLeak runs every command that takes a token, on its success
// paths and on every failure path that can be provoked here, with canary
// tokens, and looks for them in stdout, stderr, every file of the work tree
// (Git objects included, decompressed) and every request to the fake GitHub
// other than in its Authorization header.
func TestTokensNeverLeak(t *testing.T) {
	t.Parallel()
	cases := append(append(leakCases(), flagCases()...), clusterLeakCases()...)
	envs := make([]leakEnv, len(cases))
	results := make([]leakResult, len(cases))
	demo := demoTemplate(t)
	for i, tc := range cases {
		envs[i] = newLeakEnv(t, tc, demo)
	}
	// Many runs wait on GitHub's backoff, not on the CPU: run them many at
	// once rather than -parallel at a time, each in its own process (this
	// test binary as rtconf), since urfave/cli keeps state in globals.
	bin := rtconfBinary(t)
	var wg sync.WaitGroup
	slots := make(chan struct{}, 24)
	for i, tc := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			results[i] = envs[i].run(bin, tc)
		}()
	}
	wg.Wait()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, res := envs[i], results[i]
			if res.code != tc.code {
				t.Errorf("exit code %d, want %d; stderr: %s", res.code, tc.code, res.stderr)
			}
			checkNoLeak(t, "stdout", res.stdout)
			checkNoLeak(t, "stderr", res.stderr)
			for _, h := range tc.hidden {
				if bytes.Contains(res.stdout, []byte(h)) || bytes.Contains(res.stderr, []byte(h)) {
					t.Errorf("stdout or stderr holds %q:\n%s%s", h, res.stdout, res.stderr)
				}
			}
			for _, dir := range append([]string{e.work}, e.scan...) {
				checkTreeNoLeak(t, dir)
			}
			checkRequestsNoLeak(t, e.gh.Requests())
		})
	}
}

type leakResult struct {
	code           int
	stdout, stderr []byte
}

func (e leakEnv) run(bin string, tc leakCase) leakResult {
	var args []string
	for _, a := range tc.args {
		args = append(args, e.expand(a))
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Dir = e.work
	cmd.Env = canaryEnv()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(e.expand(tc.stdin)), &stdout, &stderr
	code := 0
	var exitErr *exec.ExitError
	switch err := cmd.Run(); {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		code = -1
		stderr.WriteString("could not run: " + err.Error())
	}
	return leakResult{code: code, stdout: stdout.Bytes(), stderr: stderr.Bytes()}
}

// canaryEnv is the environment of the runs of TestTokensNeverLeak: this
// process's, with the canaries in RTCONF_TEST_TOKEN, RTCONF_TEST_FINE and
// RTCONF_RUNTIME_TOKEN. It is given to each run rather than set on the
// process, where the tests that run rtconf in process, in parallel, would
// see it (validate --live reads RTCONF_RUNTIME_TOKEN).
func canaryEnv() []string {
	return append(os.Environ(),
		"RTCONF_TEST_TOKEN="+canaryClassic,
		"RTCONF_TEST_FINE="+canaryFine,
		"RTCONF_RUNTIME_TOKEN="+canaryClassic,
		"RTCONF_TEST_APP_KEY="+canaryAppPEM())
}

// rtconfBinary is this test binary under the name rtconf, which TestMain
// runs as the command.
func rtconfBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "rtconf")
	if err := os.Symlink(exe, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// demoTemplate is a repository made by `init --demo`, which each case
// copies.
func demoTemplate(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	if code := run(context.Background(), []string{"rtconf", "init", "--demo", dir}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, testclock.Fixed(testclock.Default())); code != 0 {
		t.Fatalf("init --demo exited %d", code)
	}
	return dir
}

func newLeakEnv(t *testing.T, tc leakCase, demo string) leakEnv {
	t.Helper()
	e := leakEnv{work: filepath.Join(t.TempDir(), "work"), secrets: t.TempDir()}
	e.repo = filepath.Join(e.work, "repo")
	if err := os.CopyFS(e.repo, os.DirFS(demo)); err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"classic.txt": canaryClassic, "fine.txt": canaryFine, "app.pem": canaryAppPEM()} {
		if err := os.WriteFile(filepath.Join(e.secrets, name), []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	o := canaryGitHub()
	if tc.github != nil {
		tc.github(&o)
	}
	e.gh = fakegithub.New(t, o)
	if tc.inject != nil {
		tc.inject(e.gh)
	}
	if tc.setup != nil {
		tc.setup(t, &e)
	}
	return e
}

func (e leakEnv) expand(s string) string {
	return strings.NewReplacer("{repo}", e.repo, "{work}", e.work, "{secrets}", e.secrets, "{api}", e.gh.URL(),
		"{classic}", canaryClassic, "{fine}", canaryFine, "{appkey}", canaryAppPEM()).Replace(s)
}

// canaryGitHub knows both canaries, with every requirement of a runtime
// token on the demo's repository.
func canaryGitHub() fakegithub.Options {
	appKey, _ := canaryApp()
	admin := map[string]bool{"admin": true, "maintain": true, "push": true, "triage": true, "pull": true}
	all := map[string]string{"administration": "write", "contents": "write", "metadata": "read", "pull_requests": "write", "statuses": "write", "webhooks": "write"}
	return fakegithub.Options{
		Now: testclock.Fixed(testclock.Default()),
		Repos: []fakegithub.Repo{{Owner: "example-org", Name: "shared-config", Private: true,
			Collaborators: map[string]map[string]bool{"robot": admin, "alice": admin, "bob": admin}}},
		Tokens: []fakegithub.Token{
			{Value: canaryClassic, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: testclock.Default().Add(90 * 24 * time.Hour)},
			{Value: canaryFine, Login: "robot", FineGrained: true, Permissions: all, Repos: []string{"example-org/shared-config"}},
		},
		Apps: []fakegithub.App{{ID: 42, Slug: "canary", Owner: "example-org", Key: &appKey.PublicKey,
			Installations: []fakegithub.Installation{{ID: 7, Account: "example-org", Permissions: all}}}},
	}
}

// revoke makes GitHub answer 401 to both canaries, and to the App's JWTs
// (the App knows another key).
func revoke(o *fakegithub.Options) {
	for i := range o.Tokens {
		o.Tokens[i].Revoked = true
	}
	for i := range o.Apps {
		o.Apps[i].Key = &rsa.PublicKey{N: big.NewInt(7), E: 3}
	}
}

// suspend suspends the App's installation.
func suspend(o *fakegithub.Options) {
	o.Apps[0].Installations[0].Suspended = testclock.Default().Add(-time.Hour)
}

// narrow leaves the classic canary with the repo scope only.
func narrow(o *fakegithub.Options) { o.Tokens[0].Scopes = []string{"repo"} }

// writeFile returns a setup that writes data at rel in the work tree.
func writeFile(rel string, data []byte) func(*testing.T, *leakEnv) {
	return func(t *testing.T, e *leakEnv) {
		t.Helper()
		p := filepath.Join(e.work, filepath.FromSlash(rel))
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// certFile returns a setup that writes a certificate valid from
// notBefore to notAfter (relative to now) at {work}/name.
func certFile(name string, notBefore, notAfter time.Duration) func(*testing.T, *leakEnv) {
	return func(t *testing.T, e *leakEnv) {
		testcreds.WriteCert(t, filepath.Join(e.work, name), testclock.Default().Add(notBefore), testclock.Default().Add(notAfter))
	}
}
