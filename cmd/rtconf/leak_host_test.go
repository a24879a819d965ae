package main

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// hostLeakCase is one command of a Git host's leak table: run with the
// canary token against the host's fake, it must exit with code and leak
// the canary nowhere. inject sets faults on the fake before the run.
type hostLeakCase[S any] struct {
	name   string
	args   []string
	stdin  string
	env    []string
	inject func(S)
	code   int
}

// sentRequest is what the leak check reads of one request a fake host
// received; every fake's Request has this shape.
type sentRequest struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   string
}

// hostLeakRun says how one host's table runs: newEnv makes the fake, the
// Git server's URL and a work folder holding a pushed repository "repo";
// requests lists what the fake received; authHeader is the one request
// header that may hold the token; env is added to every command's
// environment. In the arguments, {repo}, {work}, {api} and {git} are
// replaced with the run's own.
type hostLeakRun[S any] struct {
	newEnv     func(*testing.T) (api S, apiURL, gitURL, work string)
	requests   func(S) []sentRequest
	authHeader string
	env        []string
	// check, if set, replaces checkNoLeak on output and requests (a host
	// whose tokens have forms of their own to look for).
	check func(t *testing.T, where string, data []byte)
}

// runHostLeakCases runs every case at once, each in its own environment,
// and then checks each one's exit code, stdout, stderr, work tree (files
// and Git objects) and every request its fake received.
func runHostLeakCases[S any](t *testing.T, run hostLeakRun[S], cases []hostLeakCase[S]) {
	t.Helper()
	check := run.check
	if check == nil {
		check = checkNoLeak
	}
	bin := rtconfBinary(t)
	type result struct {
		code           int
		stdout, stderr []byte
		work           string
		api            S
	}
	results := make([]result, len(cases))
	var wg sync.WaitGroup
	for i, tc := range cases {
		api, apiURL, gitURL, work := run.newEnv(t)
		if tc.inject != nil {
			tc.inject(api)
		}
		wg.Go(func() {
			expand := strings.NewReplacer("{repo}", filepath.Join(work, "repo"), "{work}", work, "{api}", apiURL, "{git}", gitURL)
			var args []string
			for _, a := range tc.args {
				args = append(args, expand.Replace(a))
			}
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr = work, strings.NewReader(tc.stdin), &stdout, &stderr
			cmd.Env = append(append(append(os.Environ(), run.env...), "HOME="+work, "XDG_CONFIG_HOME="+work), tc.env...)
			code := 0
			var exitErr *exec.ExitError
			if err := cmd.Run(); errors.As(err, &exitErr) {
				code = exitErr.ExitCode()
			} else if err != nil {
				code = -1
			}
			results[i] = result{code: code, stdout: stdout.Bytes(), stderr: stderr.Bytes(), work: work, api: api}
		})
	}
	wg.Wait()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := results[i]
			if res.code != tc.code {
				t.Errorf("exit code %d, want %d; stdout: %s\nstderr: %s", res.code, tc.code, res.stdout, res.stderr)
			}
			check(t, "stdout", res.stdout)
			check(t, "stderr", res.stderr)
			checkTreeNoLeak(t, res.work)
			for _, r := range run.requests(res.api) {
				for name, vs := range r.Header {
					for _, v := range vs {
						if name != run.authHeader {
							check(t, "request header "+name, []byte(v))
						}
					}
				}
				check(t, "request "+r.Method+" "+r.Path, []byte(r.Path+"?"+r.Query+"\n"+r.Body))
			}
		})
	}
}
