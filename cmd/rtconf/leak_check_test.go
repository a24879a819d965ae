package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakegithub"
)

// leakForms are the strings whose presence means a canary leaked: each
// canary in full, URL-, hex- and base64-encoded (standard and URL
// alphabets, at each of the three alignments, without the characters that
// depend on the neighbouring bytes), and the seed that any part of either
// canary longer than 20 characters contains, in either case.
func leakForms() []string {
	// An installation token the fake issues, and lines of the App's key.
	forms := []string{strings.ToLower(canarySeed), "fakeinstallation"}
	lines := strings.Split(strings.TrimSpace(canaryAppPEM()), "\n")
	for _, l := range lines[1 : len(lines)-1] {
		if len(l) == 64 {
			forms = append(forms, l[:40])
		}
	}
	for _, tok := range []string{canaryClassic, canaryFine, canaryBitbucketDC, canaryGitea} {
		forms = append(forms, tok, url.QueryEscape(tok), url.PathEscape(tok), hex.EncodeToString([]byte(tok)))
		for pad := 0; pad < 3; pad++ {
			in := append(bytes.Repeat([]byte{0}, pad), tok...)
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
				s := enc.EncodeToString(in)
				forms = append(forms, s[4:len(s)-4])
			}
		}
	}
	// The Bitbucket Data Center and Gitea canaries are base64 and hex
	// themselves, so the seed does not show in a part of them: each 20
	// characters of them do.
	for _, tok := range []string{canaryBitbucketDC, canaryGitea} {
		for i := 0; i+20 <= len(tok); i++ {
			forms = append(forms, tok[i:i+20])
		}
	}
	return forms
}

// leaked returns the first leak form in data, or "".
func leaked(data []byte) string {
	lower := bytes.ToLower(data)
	for _, f := range leakForms() {
		if bytes.Contains(data, []byte(f)) || bytes.Contains(lower, []byte(strings.ToLower(f))) {
			return f
		}
	}
	return ""
}

func checkNoLeak(t *testing.T, where string, data []byte) {
	t.Helper()
	if f := leaked(data); f != "" {
		t.Errorf("%s holds a canary (as %q):\n%s", where, f, data)
	}
}

// checkTreeNoLeak reads every file under dir, .git included, and every
// object of a Git repository there (objects are compressed on disk).
func checkTreeNoLeak(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				checkGitObjectsNoLeak(t, filepath.Dir(p))
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		checkNoLeak(t, p, data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkGitObjectsNoLeak(t *testing.T, repo string) {
	t.Helper()
	out, err := exec.Command("git", "-C", repo, "cat-file", "--batch-all-objects", "--batch").Output()
	if err != nil {
		t.Fatalf("read the Git objects of %s: %v", repo, err)
	}
	checkNoLeak(t, "the Git objects of "+repo, out)
}

// checkRequestsNoLeak: a canary may travel only in the Authorization header.
func checkRequestsNoLeak(t *testing.T, reqs []fakegithub.Request) {
	t.Helper()
	for _, r := range reqs {
		checkNoLeak(t, "the path of "+r.Method+" "+r.Path, []byte(r.Path))
		checkNoLeak(t, "the body of "+r.Method+" "+r.Path, []byte(r.Body))
		for name, vs := range r.Header {
			if name == "Authorization" {
				continue
			}
			for _, v := range vs {
				checkNoLeak(t, "header "+name+" of "+r.Method+" "+r.Path, []byte(v))
			}
		}
	}
}

// TestLeakedCatchesEncodings: the leak check can fail, on every form.
func TestLeakedCatchesEncodings(t *testing.T) {
	for _, tok := range []string{canaryClassic, canaryFine, canaryBitbucketDC, canaryGitea} {
		for pre := range 3 {
			in := []byte(strings.Repeat("p", pre) + tok + "suffix")
			for name, s := range map[string]string{
				"plain":      string(in),
				"part":       "password: " + tok[10:40],
				"upper":      strings.ToUpper(tok),
				"base64":     base64.StdEncoding.EncodeToString(in),
				"base64url":  base64.RawURLEncoding.EncodeToString(in),
				"hex":        hex.EncodeToString(in),
				"query":      url.Values{"t": {tok + "/+"}}.Encode(),
				"basic auth": base64.StdEncoding.EncodeToString([]byte("x-access-token:" + tok)),
			} {
				if leaked([]byte("before "+s+" after")) == "" {
					t.Errorf("%s (after %d bytes) not caught: %q", name, pre, s)
				}
			}
		}
	}
	if f := leaked([]byte("sealed (fp 0123456789ab)")); f != "" {
		t.Errorf("false alarm on %q", f)
	}
}
