package workspace_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/workspace"
)

// repoOnly is a classic token with the repo scope alone.
var repoOnly = testcreds.Classic("REPOONLY")

func liveFake(t *testing.T, now time.Time) *fakegithub.Server {
	admin := map[string]bool{"admin": true, "push": true, "pull": true}
	return fakegithub.New(t, fakegithub.Options{
		Now: testclock.Fixed(now),
		Repos: []fakegithub.Repo{{Owner: "example-org", Name: "shared-config", Private: true,
			Collaborators: map[string]map[string]bool{"robot": admin}}},
		Tokens: []fakegithub.Token{
			{Value: canary, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: now.Add(60 * 24 * time.Hour)},
			{Value: repoOnly, Login: "robot", Scopes: []string{"repo"}},
		},
	})
}

// liveSealOpts are the options of a seal into a new demo repository (o.Dir)
// that checks the token live against the fake GitHub s, at now.
func liveSealOpts(t *testing.T, now time.Time) (*fakegithub.Server, workspace.SealOptions) {
	t.Helper()
	s := liveFake(t, now)
	o := sealOpts(demoRepo(t))
	o.Now = now
	o.SkipLiveCheck = false
	o.Trust.APIURL = s.URL()
	o.Live.HTTPClient = s.Client()
	return s, o
}

// TestSealChecksLive runs under every test clock: the fake, the check and
// the sealing share it.
func TestSealChecksLive(t *testing.T) {
	testclock.Run(t, testSealChecksLive)
}

func testSealChecksLive(t *testing.T, now time.Time) {
	_, o := liveSealOpts(t, now)
	dir := o.Dir
	o.Runtime = "production"

	// A token without admin:repo_hook is refused, and nothing is written.
	before := snapshot(t, dir)
	o.Token = mustToken(t, repoOnly)
	_, err := workspace.Seal(context.Background(), o)
	var refused *workspace.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "admin:repo_hook is missing") {
		t.Fatalf("error = %v, want the missing scope refused", err)
	}
	if len(snapshot(t, dir)) != len(before) {
		t.Fatal("a refused seal wrote files")
	}

	// A good token is sealed with the check's record.
	o.Token = mustToken(t, canary)
	res, err := workspace.Seal(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	text := readFile(t, dir, res.Path)
	for _, want := range []string{
		seal.AnnotationVerification + ": " + seal.VerificationVerified,
		seal.AnnotationScopes + ": repo, admin:repo_hook",
		seal.AnnotationExpiresAt + ": \"" + now.Add(60*24*time.Hour).Format(time.RFC3339) + "\"",
		seal.AnnotationSealedAt + ": \"" + now.Format(time.RFC3339) + "\"",
		seal.AnnotationCheckedAt + ": \"" + now.Format(time.RFC3339) + "\"",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", res.Path, want, text)
		}
	}
	if strings.Contains(text, canary) {
		t.Error("the sealed file contains the token")
	}
}
