// Package gitserver is a real Git remote for tests: Git's own smart HTTP
// server, git http-backend, run through net/http/cgi behind an httptest
// server, with HTTP basic authentication in front as GitHub asks for it
// (any username, the token as password).
//
// Repositories are bare repositories on disk under a temporary root, so a test
// can push with go-git over HTTP and then read exactly what arrived (Tree).
// Protect installs a pre-receive hook that refuses updates of a branch with
// GitHub's message, and Close takes the server away so that later pushes fail
// to connect.
//
// It needs the git binary (for git http-backend and the hook's shell); it
// reads no user or system Git configuration.
package gitserver

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Options configures a server.
type Options struct {
	// Token is the only basic-auth password accepted, with any username
	// (go-git sends "x-access-token"); "" lets every request through.
	Token string
	// Accept, when set, decides instead of Token: whether basic auth
	// user:pass may reach owner/name (fakegithub.Server.GitAuth takes a
	// GitHub App's installation tokens, which expire on the fake's clock).
	Accept func(owner, name, user, pass string) bool
	// Bearer accepts Token only as "Authorization: Bearer", as Bitbucket
	// Data Center does for project and repository tokens, and no basic
	// auth.
	Bearer bool
}

// Request is one request the server received, before authentication.
type Request struct {
	Method, Path string
	Header       http.Header
}

// Server is a running Git smart-HTTP server.
type Server struct {
	ts   *httptest.Server
	opts Options
	root string // GIT_PROJECT_ROOT: <root>/<owner>/<name>.git
	cgi  *cgi.Handler

	mu  sync.Mutex
	log []Request
}

// New starts a server; it is closed with t.Cleanup.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	backend := httpBackend(t)
	home := t.TempDir()
	s := &Server{opts: o, root: t.TempDir()}
	s.cgi = &cgi.Handler{
		Path: backend,
		Root: "/",
		Dir:  s.root,
		Env: []string{
			"GIT_PROJECT_ROOT=" + s.root,
			"GIT_HTTP_EXPORT_ALL=1",
			// Keep the user's and the system's Git configuration out.
			"HOME=" + home,
			"XDG_CONFIG_HOME=" + home,
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=" + filepath.Join(home, "gitconfig"),
		},
		Logger: log.New(testWriter{t}, "git http-backend: ", 0),
		Stderr: testWriter{t},
	}
	s.ts = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// httpBackend finds git http-backend in git's exec path.
func httpBackend(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("gitserver: git --exec-path: %v (is git installed?)", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("gitserver: git http-backend: %v", err)
	}
	return path
}

// testWriter sends the backend's own messages to the test log. The server
// waits for every handler when it closes, so nothing is written after the
// test ends.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("gitserver: %s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// URL is the server's base URL, without a trailing slash.
func (s *Server) URL() string { return s.ts.URL }

// Close stops the server, as if the network went down: later requests fail
// to connect. It may be called more than once.
func (s *Server) Close() { s.ts.Close() }

// Requests returns every request received so far, in order, with a copy of
// its headers.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	for i, r := range s.log {
		out[i] = Request{Method: r.Method, Path: r.Path, Header: r.Header.Clone()}
	}
	return out
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()})
	s.mu.Unlock()

	user, ok := s.authorized(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "Authentication failed", http.StatusUnauthorized)
		return
	}
	// CGI needs a Content-Length: read a chunked body whole. The token stays
	// out of the backend's environment (net/http/cgi passes every header on).
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.TransferEncoding = nil
	req.Header.Del("Authorization")
	if user != "" {
		req.Header.Set("X-Remote-User", user) // informative only
	}
	s.cgi.ServeHTTP(w, req)
}

// authorized checks basic authentication and returns the username.
func (s *Server) authorized(r *http.Request) (string, bool) {
	if s.opts.Accept != nil {
		user, pass, ok := r.BasicAuth()
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 3)
		if !ok || len(parts) < 2 {
			return "", false
		}
		return user, s.opts.Accept(parts[0], strings.TrimSuffix(parts[1], ".git"), user, pass)
	}
	if s.opts.Token == "" {
		return "", true
	}
	if s.opts.Bearer {
		v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return "", ok && subtle.ConstantTimeCompare([]byte(v), []byte(s.opts.Token)) == 1
	}
	user, pass, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.Token)) != 1 {
		return "", false
	}
	return user, true
}

// BareDir is the directory of owner/name's bare repository.
func (s *Server) BareDir(owner, name string) string {
	return filepath.Join(s.root, owner, name+".git")
}

// NewRepo creates an empty bare repository owner/name whose HEAD is
// refs/heads/main and which accepts pushes, and returns its clone URL.
func (s *Server) NewRepo(t testing.TB, owner, name string) string {
	t.Helper()
	url, err := s.newRepo(owner, name)
	if err != nil {
		t.Fatalf("gitserver: %v", err)
	}
	return url
}

func (s *Server) newRepo(owner, name string) (string, error) {
	dir := s.BareDir(owner, name)
	if _, err := os.Stat(dir); err == nil {
		return "", fmt.Errorf("repository %s/%s exists", owner, name)
	}
	repo, err := initBare(dir)
	if err != nil {
		return "", err
	}
	cfg, err := repo.Config()
	if err != nil {
		return "", fmt.Errorf("%s: read config: %w", dir, err)
	}
	cfg.Raw.Section("http").SetOption("receivepack", "true")
	if err := repo.SetConfig(cfg); err != nil {
		return "", fmt.Errorf("%s: write config: %w", dir, err)
	}
	return s.URL() + "/" + owner + "/" + name + ".git", nil
}

// Protect installs a pre-receive hook in owner/name that refuses any update
// of refs/heads/<branch>, printing GitHub's GH006 message. Git then reports
// the ref as "pre-receive hook declined" (GitHub: "protected branch hook
// declined"): match "hook declined" to recognise both.
func (s *Server) Protect(t testing.TB, owner, name, branch string) {
	t.Helper()
	ref := "refs/heads/" + branch
	s.installHook(t, s.BareDir(owner, name), ref,
		"GH006: Protected branch update failed for "+ref+".",
		"Changes must be made through a pull request.")
}

// installHook installs the pre-receive hook of the bare repository dir that
// refuses updates of ref, printing lines as errors.
func (s *Server) installHook(t testing.TB, dir, ref string, lines ...string) {
	t.Helper()
	var echo strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&echo, "\t\techo \"error: %s\" >&2\n", l)
	}
	hook := fmt.Sprintf(`#!/bin/sh
# Installed by gitserver: %[1]s is a protected branch.
status=0
while read -r old new ref; do
	if [ "$ref" = "%[1]s" ]; then
%[2]s		status=1
	fi
done
exit $status
`, ref, echo.String())
	path := filepath.Join(dir, "hooks", "pre-receive")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("gitserver: protect %s: %v", dir, err)
	}
	if err := os.WriteFile(path, []byte(hook), 0o755); err != nil {
		t.Fatalf("gitserver: protect %s: %v", dir, err)
	}
}
