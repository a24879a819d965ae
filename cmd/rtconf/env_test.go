package main

import (
	"os"
	"testing"
)

// setOwnEnv sets environment variables for a test that runs rtconf in
// process and may run in parallel, which t.Setenv forbids. It is for
// variables that one test owns: a name no other test and no part of rtconf
// reads unless a command line names it (--token-env NAME), with the same
// value on every run. Since no other test looks at them, they stay set
// for the rest of the process rather than being restored, so that no test
// changes the environment while others run.
//
// Call it before t.Parallel, in a top-level test: that part of a test runs
// while no parallel test does. Variables that other tests or rtconf itself
// read (RTCONF_RUNTIME_TOKEN, GITHUB_*, HOME, …) do not belong here: give
// them to a subprocess's environment (exec.Cmd.Env) instead.
func setOwnEnv(t *testing.T, kv map[string]string) {
	t.Helper()
	for k, v := range kv {
		if old, ok := os.LookupEnv(k); ok && old == v {
			continue
		}
		if err := os.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
}
