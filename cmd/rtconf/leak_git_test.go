package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// TestGitCommandsNeverLeakTheToken runs the commands that push and call
// GitHub with a token (init --create --push --protect, the change commands
// with --pr, token rotate --pr), succeeding and failing, with canary tokens,
// and looks for them, in plain, base64 and URL-encoded forms, in stdout,
// stderr, every file of the work tree, every Git object of the local and the
// remote repository, the pull requests' bodies, and every request either
// server received but in its Authorization header.
func TestGitCommandsNeverLeakTheToken(t *testing.T) {
	canary := testcreds.Classic("GITLEAKcanary")
	rotated := testcreds.Classic("GITLEAKrotated")
	refused := testcreds.Classic("GITLEAKrefused")
	secrets := []string{canary, rotated, refused}
	setOwnEnv(t, map[string]string{"LEAK_TOKEN": canary, "LEAK_ROTATED": rotated, "LEAK_REFUSED": refused})
	t.Parallel()
	gs := gitserver.New(t, gitserver.Options{Token: canary})
	api := fakegithub.New(t, fakegithub.Options{
		Now: testclock.Fixed(testclock.Default()),
		Tokens: []fakegithub.Token{
			{Value: canary, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: testclock.Default().Add(90 * 24 * time.Hour)},
			{Value: rotated, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: testclock.Default().Add(90 * 24 * time.Hour)},
		},
		Orgs:         map[string][]string{"acme": {"robot"}},
		CloneURL:     gs.NewRepoFunc(t),
		BranchExists: gs.BranchExists,
	})
	work := t.TempDir()
	repo := filepath.Join(work, "repo")
	demo := filepath.Join(work, "demo")
	tokenFile := filepath.Join(work, "token")
	if err := os.WriteFile(tokenFile, []byte(canary+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	remote := gs.URL() + "/acme/leak.git" // not on github.com: given with --remote
	initArgs := []string{"init", repo, "--repo", "https://github.com/acme/leak", "--runtime", "prod", "--user", "alice", "--api-url", api.URL(), "--remote", remote}
	pr := []string{"--dir", repo, "--pr", "--api-url", api.URL(), "--remote", remote}
	rotate := append([]string{"token", "rotate", "--demo", "--runtime", "prod", "--cert", filepath.Join(demo, "certs", "demo-sealed-secrets.pem")}, pr...)
	steps := []struct {
		name  string
		args  []string
		stdin string
		setup func(t *testing.T)
		code  int
	}{
		{"demo for its certificate", []string{"init", "--demo", demo}, "", nil, 0},
		{"init refused by GitHub", append(initArgs, "--create", "--push", "--token-env", "LEAK_REFUSED"), "", nil, 2},
		{"init push refused", append(initArgs, "--push", "--token-env", "LEAK_REFUSED"), "", func(t *testing.T) { gs.NewRepo(t, "acme", "leak") }, 2},
		{"init with create, push and protect", append(initArgs, "--create", "--push", "--protect"), canary + "\n", nil, 0},
		{"init again", append(initArgs, "--create", "--push", "--token-file", tokenFile), "", nil, 0},
		{"runtime add, pull request", append([]string{"runtime", "add", "staging", "--token-env", "LEAK_TOKEN"}, pr...), "", nil, 0},
		{"user add, push refused", append([]string{"user", "add", "bob", "--runtime", "prod", "--token-env", "LEAK_REFUSED"}, pr...), "", nil, 2},
		{"user add, GitHub fails the pull request", append([]string{"user", "add", "carol", "--runtime", "prod", "--token-env", "LEAK_TOKEN"}, pr...), "",
			func(*testing.T) { api.Fault("/repos/acme/leak/pulls", 1, 500, nil, `{"message":"Server Error"}`) }, 2},
		{"token rotate with a token GitHub does not know", append(rotate, "--token-env", "LEAK_REFUSED", "--git-token-env", "LEAK_TOKEN"), "", nil, 1}, // refused after its live check: a finding
		{"token rotate, GitHub down", append(rotate, "--token-env", "LEAK_ROTATED", "--git-token-env", "LEAK_TOKEN", "--max-wait", "1ms"), "",
			func(*testing.T) { api.Fault("/", 4, 503, nil, `{"message":"Service Unavailable"}`) }, 2},
		{"token rotate, pull request", append(rotate, "--token-env", "LEAK_ROTATED", "--git-token-env", "LEAK_TOKEN"), "", nil, 0},
		{"token as the login", append([]string{"user", "add", canary, "--runtime", "prod"}, pr...), "", nil, 2},
	}
	var streams bytes.Buffer
	for _, st := range steps {
		if st.setup != nil {
			st.setup(t)
		}
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"rtconf"}, st.args...), strings.NewReader(st.stdin), &stdout, &stderr, testclock.Fixed(testclock.Default()))
		if code != st.code {
			t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", st.name, code, st.code, stdout.String(), stderr.String())
		}
		streams.WriteString(st.name + "\n" + stdout.String() + stderr.String())
	}
	if len(api.PullRequests("acme", "leak")) != 2 {
		t.Errorf("%d pull requests, want 2 (runtime add, token rotate)", len(api.PullRequests("acme", "leak")))
	}

	places := map[string]string{"stdout and stderr": streams.String()}
	for _, p := range api.PullRequests("acme", "leak") {
		places["pull request "+p.Title] = p.Title + "\n" + p.Body
	}
	for i, q := range api.Requests() {
		places[fmt.Sprintf("GitHub request #%d %s %s", i, q.Method, q.Path)] = requestText(q.Method, q.Path, q.Header, q.Body)
	}
	for i, q := range gs.Requests() {
		places[fmt.Sprintf("Git request #%d %s %s", i, q.Method, q.Path)] = requestText(q.Method, q.Path, q.Header, "")
	}
	for _, dir := range []string{repo, gs.BareDir("acme", "leak")} {
		for name, text := range filesUnder(t, dir) {
			places["file "+name] = text
		}
		for name, text := range gitObjects(t, dir) {
			places["object "+name+" in "+dir] = text
		}
	}
	for place, text := range places {
		for _, s := range secrets {
			for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s)), url.QueryEscape(s), s[4:24]} {
				if strings.Contains(text, form) {
					t.Errorf("a token (or a form of it) is in %s", place)
				}
			}
		}
	}
}

// requestText is a request as text, without its Authorization header.
func requestText(method, path string, h map[string][]string, body string) string {
	var b strings.Builder
	b.WriteString(method + " " + path + "\n")
	for k, vs := range h {
		if strings.EqualFold(k, "Authorization") {
			continue
		}
		b.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
	}
	return b.String() + body
}

// filesUnder reads every file under dir, .git included, as it is on disk.
func filesUnder(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		out[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// gitObjects reads every object of a repository, decompressed: blobs,
// trees, commits, tags.
func gitObjects(t *testing.T, dir string) map[string]string {
	t.Helper()
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	iter, err := r.Storer.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	err = iter.ForEach(func(o plumbing.EncodedObject) error {
		rd, err := o.Reader()
		if err != nil {
			return err
		}
		defer rd.Close()
		data, err := io.ReadAll(rd)
		out[o.Type().String()+" "+o.Hash().String()] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no Git objects in %s", dir)
	}
	return out
}
