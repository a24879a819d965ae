package validator_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/validator"
)

// TestValidateLive runs under every test clock: the fake, the check and
// the validation share it.
func TestValidateLive(t *testing.T) {
	testclock.Run(t, testValidateLive)
}

func testValidateLive(t *testing.T, now time.Time) {
	good := testcreds.Classic("GOODgood")
	weak := testcreds.Classic("WEAKweak")
	s := fakegithub.New(t, fakegithub.Options{
		Now: testclock.Fixed(now),
		Repos: []fakegithub.Repo{{Owner: "example-org", Name: "shared-config", Private: true,
			Collaborators: map[string]map[string]bool{"robot": {"admin": true, "push": true, "pull": true}}}},
		Tokens: []fakegithub.Token{
			{Value: good, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: now.Add(5 * 24 * time.Hour)},
			{Value: weak, Login: "robot", Scopes: []string{"repo"}},
		},
	})
	dir, opts := caseRepo(t, "clean")
	opts.Now = now
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	parse := func(v string) token.Token {
		tok, err := github.ParseToken(v)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	check := github.DefaultOptions()
	check.HTTPClient, check.Now = s.Client(), now
	opts.Live = &validator.Live{
		Tokens: map[string]token.Token{"": parse(good), "staging": parse(weak)},
		Check:  check,
		Trust:  forge.Trust{APIURL: s.URL()},
		// one at a time, so that the progress calls come in order
		Concurrency: 1,
	}
	var progress []string
	opts.Live.Progress = func(runtime string, done, total int) {
		progress = append(progress, fmt.Sprintf("%s %d/%d", runtime, done, total))
	}
	rep, err := validator.Validate(context.Background(), root.FS(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, string(f.Severity)+" "+f.Path+": "+f.Message)
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		"warning overlays/production/runtime-token.yaml: the token CI holds for runtime production",
		"warning overlays/production/runtime-token.yaml: the runtime token of production expires on " + now.Add(5*24*time.Hour).Format(time.DateOnly),
		"error overlays/staging/runtime-token.yaml: the runtime token of staging lacks admin:repo_hook (observed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("findings lack %q:\n%s", want, text)
		}
	}
	if want := []string{"production 0/2", "staging 1/2", " 2/2"}; !slices.Equal(progress, want) {
		t.Errorf("progress = %q, want %q", progress, want)
	}
	if strings.Contains(text, good) || strings.Contains(text, weak) {
		t.Error("a finding shows a token")
	}
}
