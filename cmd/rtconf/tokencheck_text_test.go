package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/testclock"
)

// TestTokenCheckTextSaysOnceWhatProbeWritesAdds: a fine-grained token with
// every permission, checked without --probe-writes, has its five write
// permissions unknown. The text says so once, at the top, with what
// --probe-writes would add, and its last line explains exit 2; with
// --probe-writes every permission is observed and the exit is 0.
func TestTokenCheckTextSaysOnceWhatProbeWritesAdds(t *testing.T) {
	demo := demoTemplate(t)
	gh := fakegithub.New(t, canaryGitHub())
	t.Setenv("RTCONF_TEST_FINE", canaryFine)
	check := func(t *testing.T, more ...string) (int, []string) {
		t.Helper()
		args := append([]string{"rtconf", "token", "check", "--dir", demo, "--api-url", gh.URL(), "--token-env", "RTCONF_TEST_FINE"}, more...)
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, testclock.Fixed(testclock.Default()))
		return code, strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	}

	t.Run("without --probe-writes", func(t *testing.T) {
		code, lines := check(t)
		if code != exitError {
			t.Errorf("exit %d, want %d", code, exitError)
		}
		text := strings.Join(lines, "\n")
		if n := strings.Count(text, "--probe-writes would test"); n != 1 {
			t.Errorf("what --probe-writes would add is said %d times, want once:\n%s", n, text)
		}
		if !strings.HasPrefix(lines[1], "write permissions not probed (Administration, Commit statuses, Contents, Pull requests, Webhooks): --probe-writes would test each ") {
			t.Errorf("second line %q does not say what --probe-writes would add:\n%s", lines[1], text)
		}
		if n := strings.Count(text, "pass --probe-writes"); n != 0 {
			t.Errorf("the table repeats the --probe-writes advice %d times:\n%s", n, text)
		}
		if n := strings.Count(text, "read allowed; write not probed"); n != 5 {
			t.Errorf("%d rows say the write was not probed, want 5:\n%s", n, text)
		}
		want := "result: 5 requirements could not be verified, nothing found missing (exit 2: not verified is not a pass); run again with --probe-writes to verify the write permissions"
		if got := lines[len(lines)-1]; got != want {
			t.Errorf("last line\n%q, want\n%q", got, want)
		}
	})
	t.Run("with --probe-writes", func(t *testing.T) {
		code, lines := check(t, "--probe-writes")
		if code != exitOK {
			t.Errorf("exit %d, want 0", code)
		}
		text := strings.Join(lines, "\n")
		if strings.Contains(text, "not probed") || strings.Contains(text, "unknown") {
			t.Errorf("a permission is still unknown with --probe-writes:\n%s", text)
		}
		if got, want := lines[len(lines)-1], "result: every requirement granted (exit 0)"; got != want {
			t.Errorf("last line %q, want %q", got, want)
		}
	})
}
