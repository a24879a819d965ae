package workspace_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/workspace"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// varying are the parts of a sealed App file that differ from run to run:
// the ciphertext, and the fingerprints of the key made for the test.
var varying = regexp.MustCompile(`(githubAppPrivateKey: |rtconf.io/token-fingerprint: |rtconf.io/github-app-key: )\S+`)

// TestSealAppGolden seals a GitHub App checked live against the fake
// GitHub, under every test clock, and compares the file with
// testdata/github-app/runtime-token.yaml (the ciphertext and the key's
// fingerprints blanked: the key is made at test time).
func TestSealAppGolden(t *testing.T) {
	testclock.Run(t, func(t *testing.T, at time.Time) {
		key, pemKey := testcreds.AppKey(t)
		all := map[string]string{"administration": "write", "contents": "write", "pull_requests": "write", "statuses": "write", "webhooks": "write"}
		s := fakegithub.New(t, fakegithub.Options{
			Now:   testclock.Fixed(at),
			Repos: []fakegithub.Repo{{Owner: "example-org", Name: "shared-config", Private: true}},
			Apps: []fakegithub.App{{ID: 42, Slug: "rtconf-example", Owner: "example-org", Key: &key.PublicKey,
				Installations: []fakegithub.Installation{{ID: 7, Account: "example-org", Permissions: all}}}},
		})
		appKey, err := github.Forge{}.ParseAppKey(pemKey)
		if err != nil {
			t.Fatal(err)
		}
		dir := demoRepo(t)
		o := sealOpts(dir)
		o.Now, o.SkipLiveCheck, o.Runtime = at, false, "production"
		o.Trust.APIURL, o.Live.HTTPClient = s.URL(), s.Client()
		o.App = &forge.App{ID: 42, Key: appKey}

		// The demo's runtime token is sealed: the App replaces it only with --replace.
		_, err = workspace.Seal(context.Background(), o)
		var usage *workspace.UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), "pass --replace") {
			t.Fatalf("over a sealed token without --replace: %v", err)
		}
		o.Replace = true
		res, err := workspace.Seal(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if res.App.InstallationID != 7 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "revoke the previous Git runtime token of runtime production") {
			t.Errorf("installation %d, notes %q", res.App.InstallationID, res.Notes)
		}
		text := readFile(t, dir, res.Path)
		if strings.Contains(text, "PRIVATE KEY") || strings.Contains(text, strings.Split(pemKey, "\n")[1]) {
			t.Fatal("the sealed file holds the private key")
		}
		got := varying.ReplaceAllString(text, "${1}VARIES")
		got = strings.ReplaceAll(got, at.UTC().Format(time.RFC3339), "NOW")
		golden := filepath.Join("testdata", "github-app", "runtime-token.yaml")
		if *update && at.Equal(testclock.Default()) {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), got); diff != "" {
			t.Errorf("%s (-want +got); go test ./internal/workspace -run TestSealAppGolden -update if intended:\n%s", golden, diff)
		}
	})
}

// TestSealAppRefusesUserTokens: an App never serves a runtime whose
// runtime token is its users' token.
func TestSealAppRefusesUserTokens(t *testing.T) {
	_, pemKey := testcreds.AppKey(t)
	appKey, err := github.Forge{}.ParseAppKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	o := sealOpts(demoRepo(t))
	o.Runtime, o.App = "staging", &forge.App{ID: 42, InstallationID: 7, Key: appKey}
	_, err = workspace.Seal(context.Background(), o)
	var usage *workspace.UsageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), "runtimeTokenAsUserToken: true") || !strings.Contains(err.Error(), "users need Git user tokens of their own") {
		t.Errorf("error = %v", err)
	}
}
