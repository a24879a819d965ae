package main

// Tests of how the generated workflow hands CI's secrets to validate --live:
// the runtime token and a GitHub App's private key, each optional.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rtconf/rtconf/internal/testcreds"
)

// TestWorkflowLive runs the validating step of every job that validates
// (one shard and three) in bash, with a fake rtconf that prints its
// arguments: --live is added when the runtime token or the App key is set,
// neither value is ever on the command line or in the output, and both
// come from secrets of the same name.
func TestWorkflowLive(t *testing.T) {
	_, appKey := testcreds.AppKey(t)
	runtimeToken := testcreds.Classic("workflowlive")
	variants := workflowVariants(t)
	for _, variant := range []struct{ name, job string }{{"shards-1", "validate"}, {"shards-3", "validate-shard"}} {
		var w workflowShape
		if err := yaml.Unmarshal(variants[variant.name], &w); err != nil {
			t.Fatal(err)
		}
		var step workflowStep
		for _, s := range w.Jobs[variant.job].Steps {
			if strings.Contains(s.Run, "rtconf validate") {
				step = s
			}
		}
		if step.Run == "" {
			t.Fatalf("%s: no validate step in job %s", variant.name, variant.job)
		}
		for _, secret := range []string{"RTCONF_RUNTIME_TOKEN", "RTCONF_RUNTIME_APP_KEY"} {
			if got, want := step.Env[secret], "${{ secrets."+secret+" }}"; got != want {
				t.Errorf("%s: %s = %q, want %q", variant.name, secret, got, want)
			}
		}
		for _, tc := range []struct {
			name       string
			token, key string // "" as Actions passes a secret that is not defined
			live       bool
		}{
			{"no secret", "", "", false},
			{"runtime token", runtimeToken, "", true},
			{"App key", "", appKey, true},
			{"both", runtimeToken, appKey, true},
		} {
			t.Run(variant.name+"/"+tc.name, func(t *testing.T) {
				dir := t.TempDir()
				bin := filepath.Join(dir, "bin")
				if err := os.Mkdir(bin, 0o755); err != nil {
					t.Fatal(err)
				}
				fake := "#!/bin/sh\necho \"rtconf $*\"\n"
				if err := os.WriteFile(filepath.Join(bin, "rtconf"), []byte(fake), 0o755); err != nil {
					t.Fatal(err)
				}
				env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
					"GITHUB_STEP_SUMMARY="+filepath.Join(dir, "summary"), "SHARD=2",
					"RTCONF_RUNTIME_TOKEN="+tc.token, "RTCONF_RUNTIME_APP_KEY="+tc.key)
				out, err := runStep(t, dir, step.Run, env)
				if err != nil {
					t.Fatalf("%v:\n%s", err, out)
				}
				if !strings.HasPrefix(out, "rtconf validate ") || strings.Count(out, "\n") != 1 {
					t.Fatalf("ran %q, want one rtconf validate", out)
				}
				if got := strings.Contains(out, " --live "); got != tc.live {
					t.Errorf("--live %v, want %v: %s", got, tc.live, out)
				}
				if strings.Contains(out, runtimeToken) || strings.Contains(out, "PRIVATE KEY") {
					t.Errorf("a secret in the output: %s", out)
				}
			})
		}
	}
}

// TestLiveTokensEmpty: an empty variable is an undefined secret, not a
// malformed credential, so a workflow that passes both secrets works with
// either one; with neither, --live says what to set.
func TestLiveTokensEmpty(t *testing.T) {
	_, appKey := testcreds.AppKey(t)
	runtimeToken := testcreds.Classic("livetokens")
	for _, tc := range []struct {
		name         string
		environ      []string
		tokens, keys int
		wantErr      string
	}{
		{"token, empty key", []string{"RTCONF_RUNTIME_TOKEN=" + runtimeToken, "RTCONF_RUNTIME_APP_KEY="}, 1, 0, ""},
		{"key, empty token", []string{"RTCONF_RUNTIME_TOKEN=", "RTCONF_RUNTIME_APP_KEY=" + appKey}, 0, 1, ""},
		{"empty per-runtime variables", []string{"RTCONF_RUNTIME_TOKEN_PROD=", "RTCONF_RUNTIME_APP_KEY_PROD=", "RTCONF_RUNTIME_TOKEN=" + runtimeToken}, 1, 0, ""},
		{"both empty", []string{"RTCONF_RUNTIME_TOKEN=", "RTCONF_RUNTIME_APP_KEY="}, 0, 0, "--live needs a token"},
		{"malformed key", []string{"RTCONF_RUNTIME_APP_KEY=not a key"}, 0, 0, "environment variable RTCONF_RUNTIME_APP_KEY: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live, err := liveTokens(tc.environ)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "not a key") {
					t.Errorf("the value in the error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(live.Tokens) != tc.tokens || len(live.AppKeys) != tc.keys {
				t.Errorf("%d tokens and %d App keys, want %d and %d", len(live.Tokens), len(live.AppKeys), tc.tokens, tc.keys)
			}
		})
	}
}
