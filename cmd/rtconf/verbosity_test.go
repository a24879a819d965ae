package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/testclock"
)

// TestWaitNotes: a rate limit rtconf waits out is said on standard error
// (what for, how long, until when) with --verbose, and not off a terminal
// without it, nor with --quiet. Each run waits one real second.
func TestWaitNotes(t *testing.T) {
	demo := demoTemplate(t)
	t.Setenv("RTCONF_TEST_TOKEN", canaryClassic)
	for _, tt := range []struct {
		name, flag string
		note       bool
	}{{"verbose", "--verbose", true}, {"default, not a terminal", "", false}, {"quiet", "--quiet", false}} {
		t.Run(tt.name, func(t *testing.T) {
			gh := fakegithub.New(t, canaryGitHub())
			gh.SecondaryRateLimit(1, 1, false)
			args := []string{"rtconf", "token", "check", "--dir", demo, "--api-url", gh.URL(), "--token-env", "RTCONF_TEST_TOKEN", "--max-wait", "10s"}
			if tt.flag != "" {
				args = append(args, tt.flag)
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default())); code != 0 {
				t.Fatalf("exit %d: %s%s", code, stdout.String(), stderr.String())
			}
			note := "rtconf: waiting 1s, until 12:00:01 UTC, for GitHub's secondary rate limit\n"
			if got := stderr.String(); (got == note) != tt.note || (!tt.note && got != "") {
				t.Errorf("stderr = %q, want the note: %v", got, tt.note)
			}
		})
	}
}
