package main

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakegithub"
)

// leakCases lists the runs of TestTokensNeverLeak. Faults that rtconf
// retries for ever take its real backoff (1+2+4 s); the cases run
// concurrently. A token that fails its live check is a finding: seal
// refuses it with exit 1, like token check; could not verify is 2 in both.
func leakCases() []leakCase {
	rt := []string{"seal", "runtime-token", "--demo", "--dir", "{repo}", "--runtime", "production", "--api-url", "{api}"}
	rtSkip := []string{"seal", "runtime-token", "--demo", "--skip-live-check", "--dir", "{repo}", "--runtime", "production"}
	ut := []string{"seal", "user-token", "--demo", "--dir", "{repo}", "--runtime", "production", "--user", "alice", "--api-url", "{api}"}
	check := []string{"token", "check", "--dir", "{repo}", "--api-url", "{api}"}
	live := []string{"validate", "--live", "--dir", "{repo}", "--api-url", "{api}"}
	app := []string{"seal", "github-app", "--demo", "--dir", "{repo}", "--runtime", "production", "--app-id", "42", "--api-url", "{api}"}
	appCheck := []string{"token", "check", "--github-app", "--app-id", "42", "--dir", "{repo}", "--api-url", "{api}"}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }
	fault := func(status int) func(*fakegithub.Server) {
		return func(s *fakegithub.Server) { s.Fault("/", -1, status, nil, "") }
	}
	return []leakCase{
		// seal runtime-token
		{name: "seal runtime: checked live, from stdin", args: rt, stdin: "{classic}\n", code: 0},
		{name: "seal runtime: fine-grained, probing writes", args: with(rt, "--probe-writes", "--token-env", "RTCONF_TEST_FINE"), code: 0},
		{name: "seal runtime: no live check, from the environment", args: with(rtSkip, "--token-env", "RTCONF_TEST_TOKEN"), code: 0},
		{name: "seal runtime: 401", args: rt, stdin: "{classic}", github: revoke, code: 1},
		{name: "seal runtime: a scope missing", args: rt, stdin: "{classic}", github: narrow, code: 1},
		{name: "seal runtime: 502 for ever", args: rt, stdin: "{classic}", inject: fault(http.StatusBadGateway), code: 2},
		{name: "seal runtime: 502 for ever, each wait said (--verbose)", args: with(rt, "--verbose"), stdin: "{classic}", inject: fault(http.StatusBadGateway), code: 2},
		{name: "seal runtime: secondary rate limit", args: with(rt, "--max-wait", "1s"), stdin: "{classic}",
			inject: func(s *fakegithub.Server) { s.SecondaryRateLimit(-1, 60, false) }, code: 2},
		{name: "seal runtime: connection reset for ever", args: rt, stdin: "{classic}",
			inject: func(s *fakegithub.Server) { s.ResetConnection(100) }, code: 2},
		{name: "seal runtime: body cut half-way for ever", args: rt, stdin: "{classic}",
			inject: func(s *fakegithub.Server) { s.CutBody(100) }, code: 2},
		{name: "seal runtime: certificate other than the pinned one", args: with(rtSkip, "--cert", "{work}/other.pem"), stdin: "{classic}",
			setup: certFile("other.pem", -time.Hour, 90*24*time.Hour), code: 2},
		{name: "seal runtime: expired certificate", args: with(rtSkip, "--cert", "{work}/expired.pem", "--accept-new-cert"), stdin: "{classic}",
			setup: certFile("expired.pem", -90*24*time.Hour, -time.Hour), code: 2},
		{name: "seal runtime: the token file given as certificate", args: with(rtSkip, "--cert", "{secrets}/classic.txt"), stdin: "{classic}", code: 2},
		{name: "seal runtime: write fails (disk full, simulated) and rolls back", args: rtSkip, stdin: "{classic}",
			setup: blockFile("repo/overlays/production/runtime-token.yaml"), code: 2},
		{name: "seal runtime: missing repository", args: with(rtSkip[:4], "--dir", "{work}/none", "--runtime", "production"), stdin: "{classic}", code: 2},
		{name: "seal runtime: unknown runtime", args: with(rtSkip[:4], "--dir", "{repo}", "--runtime", "nope"), stdin: "{classic}", code: 2},
		{name: "seal runtime: token with a space", args: rtSkip, stdin: "{classic} {classic}", code: 2},
		{name: "seal runtime: two tokens on two lines", args: rtSkip, stdin: "{classic}\n{classic}\n", code: 2},
		{name: "seal runtime: cut-off token", args: rtSkip, stdin: canaryClassic[:30], code: 2},
		{name: "seal runtime: foreign character", args: rtSkip, stdin: canaryClassic[:20] + "é" + canaryClassic[21:], code: 2},
		{name: "seal runtime: token as a positional argument", args: with(rtSkip, "{classic}"), code: 2},
		{name: "seal runtime: token as an unknown flag", args: with(rtSkip, "--token", "{classic}"), code: 2},
		{name: "seal runtime: token as an unknown flag with =", args: with(rtSkip, "--token={classic}"), code: 2},

		// seal user-token
		{name: "seal user: checked live, from a file", args: with(ut, "--token-file", "{secrets}/classic.txt"), code: 0},
		{name: "seal user: 401", args: ut, stdin: "{classic}", github: revoke, code: 1},
		{name: "seal user: 503 for ever", args: ut, stdin: "{classic}", inject: fault(http.StatusServiceUnavailable), code: 2},
		{name: "seal user: unknown user", args: with(rtSkip[:2], "--skip-live-check", "--dir", "{repo}", "--runtime", "production", "--user", "mallory"),
			stdin: "{classic}", code: 2},
		{name: "seal user: covered by the runtime token", args: []string{"seal", "user-token", "--demo", "--skip-live-check", "--dir", "{repo}", "--runtime", "staging", "--user", "alice"},
			stdin: "{classic}", code: 2},
		{name: "seal user: write fails (disk full, simulated) and rolls back", args: []string{"seal", "user-token", "--demo", "--skip-live-check", "--dir", "{repo}", "--runtime", "production", "--user", "bob"},
			stdin: "{classic}", setup: blockFile("repo/overlays/production/user-tokens"), code: 2},

		// token check
		{name: "token check: classic", args: check, stdin: "{classic}", code: 0},
		{name: "token check: classic, json", args: with(check, "--format", "json"), stdin: "{classic}", code: 0},
		{name: "token check: fine-grained, probing writes", args: with(check, "--probe-writes", "--token-file", "{secrets}/fine.txt"), code: 0},
		{name: "token check: fine-grained, reads only", args: with(check, "--token-env", "RTCONF_TEST_FINE"), code: 2},
		{name: "token check: 401", args: check, stdin: "{classic}", github: revoke, code: 1},
		{name: "token check: fine-grained 401", args: with(check, "--token-env", "RTCONF_TEST_FINE"), github: revoke, code: 1},
		{name: "token check: a scope missing", args: check, stdin: "{classic}", github: narrow, code: 1},
		{name: "token check: 500 for ever", args: check, stdin: "{classic}", inject: fault(http.StatusInternalServerError), code: 2},
		{name: "token check: 504 for ever, fine-grained", args: with(check, "--token-env", "RTCONF_TEST_FINE"), inject: fault(http.StatusGatewayTimeout), code: 2},
		{name: "token check: 429 beyond max-wait", args: with(check, "--max-wait", "1s"), stdin: "{classic}",
			inject: func(s *fakegithub.Server) { s.SecondaryRateLimit(-1, 60, true) }, code: 2},
		{name: "token check: connection reset for ever", args: check, stdin: "{classic}",
			inject: func(s *fakegithub.Server) { s.ResetConnection(100) }, code: 2},
		{name: "token check: token as a positional argument", args: with(check, "{classic}"), code: 2},

		// seal github-app and token check --github-app: the App's key and
		// the installation token the check makes never show
		{name: "seal app: checked live, from a file", args: with(app, "--replace", "--private-key-file", "{secrets}/app.pem"), code: 0},
		{name: "seal app: from stdin", args: with(app, "--replace"), stdin: "{appkey}", code: 0},
		{name: "seal app: from the environment, installation given", args: with(app, "--replace", "--installation-id", "7", "--private-key-env", "RTCONF_TEST_APP_KEY"), code: 0},
		{name: "seal app: no live check", args: with(app, "--replace", "--skip-live-check", "--installation-id", "7"), stdin: "{appkey}", code: 0},
		{name: "seal app: over a token without --replace", args: app, stdin: "{appkey}", code: 2},
		{name: "seal app: JWT refused", args: with(app, "--replace"), stdin: "{appkey}", github: revoke, code: 1},
		{name: "seal app: installation suspended", args: with(app, "--replace"), stdin: "{appkey}", github: suspend, code: 1},
		{name: "seal app: 502 for ever", args: with(app, "--replace"), stdin: "{appkey}", inject: fault(http.StatusBadGateway), code: 2},
		{name: "seal app: token file as the key", args: with(app, "--replace", "--private-key-file", "{secrets}/classic.txt"), code: 2},
		{name: "seal app: key cut off", args: with(app, "--replace"), stdin: canaryAppPEM()[:700], code: 2},
		{name: "seal app: key as a positional argument", args: with(app, "--replace", "{appkey}"), code: 2},
		{name: "seal app: runtime token serves users", args: []string{"seal", "github-app", "--demo", "--dir", "{repo}", "--runtime", "staging", "--app-id", "42", "--api-url", "{api}"}, stdin: "{appkey}", code: 2},
		{name: "token check app: passes", args: appCheck, stdin: "{appkey}", code: 0},
		{name: "token check app: json", args: with(appCheck, "--format", "json"), stdin: "{appkey}", code: 0},
		{name: "token check app: JWT refused", args: appCheck, stdin: "{appkey}", github: revoke, code: 1},
		{name: "token check app: 500 for ever", args: appCheck, stdin: "{appkey}", inject: fault(http.StatusInternalServerError), code: 2},

		// validate --live (RTCONF_RUNTIME_TOKEN is the classic canary,
		// not the token sealed in the demo: a warning, exit 0)
		{name: "validate live: passes", args: live, code: 0},
		{name: "validate live: 401", args: live, github: revoke, code: 1},
		{name: "validate live: 502 for ever", args: live, inject: fault(http.StatusBadGateway), code: 1},
		{name: "validate live: secondary rate limit", args: with(live, "--max-wait", "1s"),
			inject: func(s *fakegithub.Server) { s.SecondaryRateLimit(-1, 60, false) }, code: 1},

		// anything else that might echo a token
		{name: "token as a command", args: []string{"{classic}"}, code: 2},
		{name: "token as the folder of generate", args: []string{"generate", "{classic}"}, code: 2},
		{name: "token as a second folder of generate", args: []string{"generate", "{repo}", "{classic}"}, code: 2},

		// what rtconf quotes from the repository or its Git configuration
		{name: "remote origin with a password: shown without it", args: []string{"user", "add", "carol", "--runtime", "production",
			"--dir", "{repo}", "--pr", "--api-url", "{api}"}, stdin: "{classic}", setup: originWithPassword("origin-password-not-a-token"),
			hidden: []string{"origin-password-not-a-token"}, code: 2},
		{name: "token in rtconf.yaml: generate", args: []string{"generate", "--dir", "{secrets}/repo"}, setup: tokenInConfig, code: 1},
		{name: "token in rtconf.yaml: status", args: []string{"status", "--dir", "{secrets}/repo"}, setup: tokenInConfig, code: 1},
		{name: "token in rtconf.yaml: validate", args: []string{"validate", "--dir", "{secrets}/repo", "--format", "json"}, setup: tokenInConfig, code: 1},
	}
}

// blockFile returns a setup that puts a non-empty folder where rtconf must
// write the file (or a file where it must write a folder), so that the
// write fails as on a full disk.
func blockFile(rel string) func(*testing.T, *leakEnv) {
	return func(t *testing.T, e *leakEnv) {
		t.Helper()
		p := filepath.Join(e.work, filepath.FromSlash(rel))
		info, err := os.Stat(p)
		if err == nil && info.IsDir() {
			writeFile(rel, []byte("x"))(t, e)
			return
		}
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(p, "blocked"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}
