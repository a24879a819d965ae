package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/testcreds"
)

// canaryToken is recognisable anywhere it might leak.
var canaryToken = testcreds.Classic("LEAKCANARYleakcanary")

// TestSealNeverLeaksTheToken runs every seal path, succeeding and failing,
// with a canary token, and looks for it in every output stream and in every
// file of the repository.
func TestSealNeverLeaksTheToken(t *testing.T) {
	work := t.TempDir()
	repo := filepath.Join(work, "repo")
	if code := run(context.Background(), []string{"rtconf", "init", "--demo", repo}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatalf("init --demo exited %d", code)
	}
	tokenFile := filepath.Join(work, "token")
	if err := os.WriteFile(tokenFile, []byte(canaryToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RTCONF_TEST_TOKEN", canaryToken)
	otherCert := filepath.Join(work, "other.pem")
	expiredCert := filepath.Join(work, "expired.pem")
	testcreds.WriteCert(t, otherCert, time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour))
	testcreds.WriteCert(t, expiredCert, time.Now().Add(-90*24*time.Hour), time.Now().Add(-time.Hour))
	blocked := filepath.Join(work, "blocked")
	if code := run(context.Background(), []string{"rtconf", "init", "--demo", blocked}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatal("init --demo for the blocked repository failed")
	}
	// A file where the user-tokens folder must be: writing fails and rolls back.
	if err := os.RemoveAll(filepath.Join(blocked, "overlays/production/user-tokens")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(blocked, "overlays/production/user-tokens"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}

	rt := []string{"seal", "runtime-token", "--skip-live-check", "--dir", repo, "--runtime", "production"}
	ut := []string{"seal", "user-token", "--skip-live-check", "--dir", repo, "--runtime", "production", "--user", "alice"}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
	}{
		{"runtime token from stdin", rt, canaryToken + "\n", 0},
		{"user token from a file", append(ut, "--token-file", tokenFile), "", 0},
		{"runtime token from the environment", append(rt, "--token-env", "RTCONF_TEST_TOKEN"), "", 0},
		{"token with a space", rt, canaryToken + " " + canaryToken, 2},
		{"two tokens on two lines", rt, canaryToken + "\n" + canaryToken + "\n", 2},
		{"cut-off token", rt, canaryToken[:30], 2},
		{"token with a foreign character", rt, canaryToken[:20] + "é" + canaryToken[21:], 2},
		{"unknown runtime", []string{"seal", "runtime-token", "--skip-live-check", "--dir", repo, "--runtime", "nope"}, canaryToken, 2},
		{"unknown user", []string{"seal", "user-token", "--skip-live-check", "--dir", repo, "--runtime", "production", "--user", "mallory"}, canaryToken, 2},
		{"user covered by the runtime token", []string{"seal", "user-token", "--skip-live-check", "--dir", repo, "--runtime", "staging", "--user", "alice"}, canaryToken, 2},
		{"certificate other than the pinned one", append(rt, "--cert", otherCert), canaryToken, 2},
		{"expired certificate", append(rt, "--cert", expiredCert, "--accept-new-cert"), canaryToken, 2},
		{"a token file instead of a certificate", append(rt, "--cert", tokenFile), canaryToken, 2},
		{"missing repository", []string{"seal", "runtime-token", "--skip-live-check", "--dir", filepath.Join(work, "none"), "--runtime", "production"}, canaryToken, 2},
		{"write fails and rolls back", []string{"seal", "user-token", "--skip-live-check", "--dir", blocked, "--runtime", "production", "--user", "bob"}, canaryToken, 2},
		{"token as a positional argument", append(rt, canaryToken), "", 2},
		{"token as the value of an unknown flag", append(rt, "--token", canaryToken), "", 2},
		{"token as the value of an unknown flag with =", append(rt, "--token="+canaryToken), "", 2},
		{"token as a command", []string{canaryToken}, "", 2},
		{"token as a second folder of generate", []string{"generate", repo, canaryToken}, "", 2},
		{"token as the folder of generate", []string{"generate", canaryToken}, "", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"rtconf"}, tc.args...), strings.NewReader(tc.stdin), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
				if leaks(out) {
					t.Errorf("%s contains the token: %q", name, out)
				}
			}
		})
	}
	for _, dir := range []string{repo, blocked} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if leaks(string(data)) {
				t.Errorf("%s contains the token in plain text", p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// leaks reports whether s holds the canary or a recognisable part of it.
func leaks(s string) bool {
	return strings.Contains(s, canaryToken[4:20]) || strings.Contains(strings.ToLower(s), "leakcanary")
}
