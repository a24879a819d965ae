package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// hostCase is one way rtconf.yaml, the environment and the command line
// say where the token goes. In url, apiURL, env and api, {right} and
// {attacker} are the hosts (127.0.0.1:PORT) of the two fake GitHub
// Enterprise Servers.
type hostCase struct {
	name        string
	url, apiURL string            // repository.url and repository.apiURL of rtconf.yaml
	env         map[string]string // GITHUB_ACTIONS, GITHUB_API_URL
	api         string            // --api-url, "" for none
	confirmed   bool              // hosts.yml lists {right}
	noRemote    bool              // --pr without --remote: the remote origin (the Git server) is used
	// Exit codes of validate --live, token check, user add --pr and seal
	// runtime-token. A 0 means the right server answered.
	validate, check, pr, seal int
	want                      string // in the stderr or report of every failing command
}

// TestTokenGoesOnlyToItsHost runs validate --live, token check, user add
// --pr and seal runtime-token over combinations of repository.url,
// repository.apiURL, the GitHub Actions environment, --api-url and the
// known hosts, against two fake GitHub Enterprise Servers over HTTPS: the
// repository's own and an attacker's. The attacker's never receives a
// request, whatever the case; when a command fails, nothing reached the
// Git server either.
func TestTokenGoesOnlyToItsHost(t *testing.T) {
	t.Parallel()
	const right, attacker = "https://{right}/example-org/shared-config", "https://{attacker}/example-org/shared-config"
	ci := func(api string) map[string]string {
		return map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_API_URL": api}
	}
	cases := []hostCase{
		{name: "confirmed Enterprise host", url: right, confirmed: true},
		{name: "confirmed host, apiURL the same", url: right, apiURL: "https://{right}/api/v3", confirmed: true},
		{name: "apiURL on the attacker", url: right, apiURL: "https://{attacker}/api/v3", confirmed: true,
			validate: 1, check: 1, pr: 1, seal: 1, want: "is not the API of {right}, the host of repository.url"},
		{name: "apiURL on the attacker, --api-url given", url: right, apiURL: "https://{attacker}/api/v3", api: "https://{right}/api/v3",
			validate: 1, check: 1, pr: 1, seal: 1, want: "is not the API of {right}"},
		{name: "repository moved to the attacker, no terminal", url: attacker, confirmed: true,
			validate: 1, check: 2, pr: 2, seal: 2, want: "is a GitHub Enterprise Server host you have not confirmed"},
		{name: "unconfirmed host, no terminal", url: right,
			validate: 1, check: 2, pr: 2, seal: 2, want: "refusing to send the token to https://{right}/api/v3/"},
		{name: "GitHub Actions, the runner's API", url: right, env: ci("https://{right}/api/v3")},
		{name: "GitHub Actions, repository moved to the attacker", url: attacker, env: ci("https://{right}/api/v3"), confirmed: true,
			validate: 1, check: 2, pr: 2, seal: 2, want: "this GitHub Actions runner's API (GITHUB_API_URL) is {right}'s: nothing was sent"},
		{name: "GitHub Actions on github.com, repository on an Enterprise host", url: right, env: ci("https://api.github.com"), confirmed: true,
			validate: 1, check: 2, pr: 2, seal: 2, want: "runner's API (GITHUB_API_URL) is github.com's"},
		{name: "GitHub Actions, apiURL on the attacker", url: right, apiURL: "https://{attacker}/api/v3", env: ci("https://{right}/api/v3"),
			validate: 1, check: 1, pr: 1, seal: 1, want: "is not the API of {right}"},
		{name: "GITHUB_API_URL outside GitHub Actions is not read", url: right, confirmed: true,
			env: map[string]string{"GITHUB_API_URL": "https://{attacker}/api/v3"}},
		{name: "--api-url: the user's choice", url: attacker, api: "https://{right}/api/v3"},
		{name: "--api-url, but the push would go to repository.url's host", url: attacker, api: "https://{right}/api/v3", noRemote: true,
			pr: 2, want: "the token belongs to {attacker}, the host of repository.url"},
		{name: "remote origin on another host than repository.url", url: right, confirmed: true, noRemote: true,
			pr: 2, want: "(the remote origin): it is on 127.0.0.1:"},
	}

	tok := testcreds.Classic("HOSTbinding")
	admin := map[string]bool{"admin": true, "maintain": true, "push": true, "triage": true, "pull": true}
	fakeOpts := fakegithub.Options{Enterprise: true, TLS: true, Now: testclock.Fixed(testclock.Default()),
		Repos:  []fakegithub.Repo{{Owner: "example-org", Name: "shared-config", Private: true, Collaborators: map[string]map[string]bool{"robot": admin}}},
		Tokens: []fakegithub.Token{{Value: tok, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}}},
	}
	gs := gitserver.New(t, gitserver.Options{Token: tok})
	bin := rtconfBinary(t)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rightAPI, attackerAPI := fakegithub.New(t, fakeOpts), fakegithub.New(t, fakeOpts)
			hosts := strings.NewReplacer("{right}", hostOf(rightAPI), "{attacker}", hostOf(attackerAPI))
			work := t.TempDir()
			repo := filepath.Join(work, "repo")
			slug := fmt.Sprintf("case%d", i)
			gitURL := hostCaseRepo(t, gs, tok, repo, slug, hosts.Replace(tc.url), hosts.Replace(tc.apiURL))

			env := hostCaseEnv(t, work, rightAPI, tc.confirmed, hostOf(rightAPI))
			env = append(env, "RTCONF_RUNTIME_TOKEN="+tok, "RTCONF_TEST_TOKEN="+tok)
			for k, v := range tc.env {
				env = append(env, k+"="+hosts.Replace(v))
			}
			var api []string
			if tc.api != "" {
				api = []string{"--api-url", hosts.Replace(tc.api)}
			}
			remote := []string{"--remote", gitURL}
			if tc.noRemote {
				remote = nil
			}
			gitBefore := len(gs.Requests())
			runs := []struct {
				name  string
				args  []string
				stdin string
				code  int
			}{
				{"validate --live", append([]string{"validate", "--live", "--dir", repo, "--format", "text"}, api...), "", tc.validate},
				{"token check", append([]string{"token", "check", "--dir", repo}, api...), tok, tc.check},
				{"user add --pr", append(append([]string{"user", "add", "zed", "--runtime", "production", "--pr", "--dir", repo, "--token-env", "RTCONF_TEST_TOKEN"}, remote...), api...), "", tc.pr},
				{"seal runtime-token", append([]string{"seal", "runtime-token", "--demo", "--runtime", "production", "--dir", repo}, api...), tok, tc.seal},
			}
			for _, r := range runs {
				before := len(rightAPI.Requests())
				cmd := exec.Command(bin, r.args...)
				var stdout, stderr bytes.Buffer
				cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, strings.NewReader(r.stdin), &stdout, &stderr
				code := 0
				if err := cmd.Run(); err != nil {
					var exitErr *exec.ExitError
					if !errors.As(err, &exitErr) {
						t.Fatalf("%s: %v", r.name, err)
					}
					code = exitErr.ExitCode()
				}
				out := stdout.String() + stderr.String()
				if code != r.code {
					t.Errorf("%s: exit %d, want %d\n%s", r.name, code, r.code, out)
				}
				if code != 0 && tc.want != "" && !strings.Contains(out, hosts.Replace(tc.want)) {
					t.Errorf("%s: output lacks %q:\n%s", r.name, hosts.Replace(tc.want), out)
				}
				if code == 0 && len(rightAPI.Requests()) == before {
					t.Errorf("%s: passed without asking the repository's API", r.name)
				}
				if strings.Contains(out, tok) {
					t.Errorf("%s: the output shows the token", r.name)
				}
			}
			for _, q := range attackerAPI.Requests() {
				t.Errorf("the attacker's server received %s %s (Authorization set: %v)", q.Method, q.Path, q.Header.Get("Authorization") != "")
			}
			if tc.pr != 0 {
				for _, q := range gs.Requests()[gitBefore:] {
					if strings.Contains(q.Path, "/"+slug+".git/") {
						t.Errorf("user add --pr failed, but the Git server received %s %s", q.Method, q.Path)
					}
				}
			}
		})
	}
}

// hostOf is the host:port of a fake.
func hostOf(s *fakegithub.Server) string {
	return strings.TrimPrefix(strings.TrimSuffix(s.URL(), "/api/v3/"), "https://")
}

// hostCaseRepo makes the demo repository at dir with repository.url and
// repository.apiURL set, generated and committed, pushed to acme/slug on
// the Git server, which is its remote origin; it returns that remote.
func hostCaseRepo(t *testing.T, gs *gitserver.Server, tok, dir, slug, url, apiURL string) string {
	t.Helper()
	quiet := func(args ...string) {
		var out bytes.Buffer
		if code := run(context.Background(), append([]string{"rtconf"}, args...), strings.NewReader(""), &out, &out, testclock.Fixed(testclock.Default())); code != 0 {
			t.Fatalf("rtconf %s: exit %d\n%s", strings.Join(args, " "), code, out.String())
		}
	}
	quiet("init", "--demo", dir)
	cfgPath := filepath.Join(dir, "rtconf.yaml")
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	repoLines := "  url: " + url + "\n"
	if apiURL != "" {
		repoLines += "  apiURL: " + apiURL + "\n"
	}
	edited := strings.Replace(string(data), "  url: https://github.com/example-org/shared-config\n", repoLines, 1)
	if edited == string(data) {
		t.Fatal("the demo's repository.url changed: update the test")
	}
	if err := os.WriteFile(cfgPath, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	// Regenerate, so that validate sees no drift; a refused apiURL fails
	// here, and validate reports it anyway.
	var out bytes.Buffer
	run(context.Background(), []string{"rtconf", "generate", "--dir", dir}, strings.NewReader(""), &out, &out, testclock.Fixed(testclock.Default()))
	g, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	dirty, err := g.Dirty()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Commit(dirty, "point the repository at its host", g.Author(gitrepo.Signature{Name: "rtconf", Email: "rtconf@users.noreply.github.com", When: testclock.Default()})); err != nil {
		t.Fatal(err)
	}
	gs.NewRepo(t, "acme", slug)
	remote := gs.URL() + "/acme/" + slug + ".git"
	secret, err := github.ParseToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Push(context.Background(), remote, "main", gitrepo.Credential{Username: github.GitUsername, Token: secret}); err != nil {
		t.Fatal(err)
	}
	if err := g.SetRemote("origin", remote); err != nil {
		t.Fatal(err)
	}
	return remote
}

// hostCaseEnv is a clean environment for rtconf: no GitHub Actions
// variables or tokens of the test's own environment, a home and
// configuration directory of its own (with hosts.yml listing confirmed
// when asked), and the fakes' certificate as the trusted roots.
func hostCaseEnv(t *testing.T, work string, s *fakegithub.Server, confirm bool, host string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "GITHUB_"), strings.HasPrefix(name, "RTCONF_"), strings.HasPrefix(name, "SSL_CERT_"),
			name == "HOME", name == "XDG_CONFIG_HOME":
			continue
		}
		env = append(env, kv)
	}
	home := filepath.Join(work, "home")
	config := filepath.Join(home, ".config")
	if confirm {
		if err := os.MkdirAll(filepath.Join(config, "rtconf"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(config, "rtconf", "hosts.yml"), []byte("hosts:\n  - "+host+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	certs := filepath.Join(work, "roots.pem")
	if err := os.WriteFile(certs, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+config, "SSL_CERT_FILE="+certs)
}
