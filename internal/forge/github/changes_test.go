package github_test

import (
	"context"
	"errors"
	"net/http"
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
)

func mustToken(t *testing.T, v string) token.Token {
	t.Helper()
	tok, err := github.ParseToken(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestEnsureRepository(t *testing.T) {
	admin := testcreds.Classic("ghapiadmin")
	outsider := testcreds.Classic("ghapioutsider")
	noScope := testcreds.Classic("ghapinoscope")
	for _, enterprise := range []bool{false, true} {
		fake := fakegithub.New(t, fakegithub.Options{
			Now:        testclock.Fixed(testclock.Default()),
			Enterprise: enterprise,
			Tokens: []fakegithub.Token{
				{Value: admin, Login: "robot", Scopes: []string{"repo"}},
				{Value: outsider, Login: "mallory", Scopes: []string{"repo"}},
				{Value: noScope, Login: "robot", Scopes: []string{}},
			},
			Orgs: map[string][]string{"acme": {"robot"}},
			Repos: []fakegithub.Repo{
				{Owner: "acme", Name: "existing", Private: true, Collaborators: map[string]map[string]bool{"robot": {"admin": true, "push": true, "pull": true}}},
				{Owner: "acme", Name: "hidden", Private: true},
			},
		})
		tests := []struct {
			name, tok, owner, repo string
			created                bool
			wantErr                string
		}{
			{"in an organisation", admin, "acme", "shared", true, ""},
			{"in the token's account", admin, "robot", "mine", true, ""},
			{"exists already", admin, "acme", "existing", false, ""},
			{"exists, out of the token's sight", admin, "acme", "hidden", false, "create repository acme/hidden: the repository exists, but the token cannot see it (give the token access to it)"},
			{"not a member", outsider, "acme", "other", false, "create repository acme/other: GitHub answered 403: You need admin access to the organization"},
			{"revoked or unknown", testcreds.Classic("ghapiunknown"), "acme", "x", false, "GitHub answered 401: Bad credentials (the token is invalid, expired or revoked)"},
			{"no repo scope", noScope, "robot", "y", false, "create repository robot/y: GitHub answered 404"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tok := mustToken(t, tt.tok)
				c, err := newClient(fake, fake.URL(), tok, fake.Client())
				if err != nil {
					t.Fatal(err)
				}
				repo, created, err := c.EnsureRepository(context.Background(), tt.owner, tt.repo, true)
				if tt.wantErr != "" {
					var ge *github.Error
					if !errors.As(err, &ge) || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("err = %v, want %q", err, tt.wantErr)
					}
					if strings.Contains(err.Error(), tok.Reveal()) {
						t.Fatal("the error holds the token")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if created != tt.created || repo.Owner != tt.owner || repo.Name != tt.repo || !repo.Private || repo.CloneURL == "" {
					t.Fatalf("repo %+v created %v", repo, created)
				}
			})
		}
		if got := fake.CreatedRepos(); !slices.Equal(got, []string{"acme/shared", "robot/mine"}) {
			t.Errorf("enterprise=%v: created %v", enterprise, got)
		}
	}
}

func TestOpenPullRequestTwiceIsRefused(t *testing.T) {
	tok := testcreds.Classic("ghapipr")
	fake := fakegithub.New(t, fakegithub.Options{
		Now:    testclock.Fixed(testclock.Default()),
		Tokens: []fakegithub.Token{{Value: tok, Login: "robot", Scopes: []string{"repo"}}},
		Repos:  []fakegithub.Repo{{Owner: "acme", Name: "shared", Private: true, Collaborators: map[string]map[string]bool{"robot": {"admin": true, "push": true, "pull": true}}}},
	})
	c, err := newClient(fake, fake.URL(), mustToken(t, tok), fake.Client())
	if err != nil {
		t.Fatal(err)
	}
	pr := forge.ChangeRequest{Title: "t", Body: "b", Head: "rtconf/x", Base: "main"}
	url, err := c.OpenChangeRequest(context.Background(), "acme", "shared", pr)
	if err != nil || url != "https://github.com/acme/shared/pull/1" {
		t.Fatalf("first = %q, %v", url, err)
	}
	_, err = c.OpenChangeRequest(context.Background(), "acme", "shared", pr)
	if err == nil || !strings.Contains(err.Error(), "GitHub answered 422: Validation Failed; A pull request already exists for acme:rtconf/x.") {
		t.Fatalf("second = %v", err)
	}
}

func TestProtectNeedsAdmin(t *testing.T) {
	tok := testcreds.Classic("ghapiprotect")
	fake := fakegithub.New(t, fakegithub.Options{
		Now:    testclock.Fixed(testclock.Default()),
		Tokens: []fakegithub.Token{{Value: tok, Login: "dev", Scopes: []string{"repo"}}},
		Repos:  []fakegithub.Repo{{Owner: "acme", Name: "shared", Private: true, Collaborators: map[string]map[string]bool{"dev": {"push": true, "pull": true}}}},
	})
	c, err := newClient(fake, fake.URL(), mustToken(t, tok), fake.Client())
	if err != nil {
		t.Fatal(err)
	}
	err = c.Protect(context.Background(), "acme", "shared", "main", "rtconf validate")
	if err == nil || !strings.Contains(err.Error(), "protect branch main of acme/shared: GitHub answered") {
		t.Fatalf("err = %v", err)
	}
	if _, ok := fake.Protection("acme", "shared", "main"); ok {
		t.Fatal("protected anyway")
	}
}

// TestEnsureRepositoryReadsOnlyItsRepository: a 200 to GET /repos/acme/shared
// that is another repository (whose clone URL rtconf would push to), or no
// repository at all, is an error, never "found".
func TestEnsureRepositoryReadsOnlyItsRepository(t *testing.T) {
	tok := testcreds.Classic("ghapibody")
	for name, body := range map[string]string{
		"another repository": `{"full_name":"evil/shared","name":"shared","owner":{"login":"evil"},"clone_url":"https://evil.example/x.git"}`,
		"no full_name":       `{"name":"shared","owner":{"login":"acme"},"clone_url":"https://evil.example/x.git"}`,
		"empty object":       `{}`,
		"over 4 MiB":         strings.Repeat(" ", 5<<20) + `{"full_name":"acme/shared"}`,
	} {
		t.Run(name, func(t *testing.T) {
			fake := fakegithub.New(t, fakegithub.Options{Now: testclock.Fixed(testclock.Default()),
				Tokens: []fakegithub.Token{{Value: tok, Login: "robot", Scopes: []string{"repo"}}},
				Repos:  []fakegithub.Repo{{Owner: "acme", Name: "shared", Private: true, Collaborators: map[string]map[string]bool{"robot": {"admin": true, "push": true, "pull": true}}}},
			})
			fake.Fault("/repos/acme/shared", 1, 200, nil, body)
			c, err := newClient(fake, fake.URL(), mustToken(t, tok), fake.Client())
			if err != nil {
				t.Fatal(err)
			}
			repo, _, err := c.EnsureRepository(context.Background(), "acme", "shared", true)
			if err == nil {
				t.Fatalf("EnsureRepository = %+v, nil; want an error", repo)
			}
			if !strings.Contains(err.Error(), "does not name that repository") && !strings.Contains(err.Error(), "larger than 4 MiB") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// newClient is a change client for the fake at apiURL, with rtconf's
// default waits and retries, instant sleeps, and fake's clock.
func newClient(fake interface{ Now() time.Time }, apiURL string, tok token.Token, hc *http.Client) (*github.Client, error) {
	o := github.DefaultOptions()
	o.APIURL, o.HTTPClient, o.Now = apiURL, hc, fake.Now()
	o.Sleep = func(context.Context, time.Duration) error { return nil }
	return github.NewClient(tok, o)
}

// TestChangesShareTheChecksPolicy: a change waits out a rate limit as a
// check does (it was refused, so nothing happened), retries a failed read
// or an idempotent write (PUT), and never retries a POST that failed with
// a 5xx, which GitHub may have carried out.
func TestChangesShareTheChecksPolicy(t *testing.T) {
	tok := testcreds.Classic("ghapipolicy")
	newFake := func() *fakegithub.Server {
		return fakegithub.New(t, fakegithub.Options{
			Now:    testclock.Fixed(testclock.Default()),
			Tokens: []fakegithub.Token{{Value: tok, Login: "robot", Scopes: []string{"repo"}}},
			Orgs:   map[string][]string{"acme": {"robot"}},
			Repos:  []fakegithub.Repo{{Owner: "acme", Name: "shared", Private: true, Collaborators: map[string]map[string]bool{"robot": {"admin": true, "push": true, "pull": true}}}},
		})
	}
	pr := forge.ChangeRequest{Title: "t", Body: "b", Head: "rtconf/x", Base: "main"}
	ctx := context.Background()

	t.Run("secondary rate limit waited out", func(t *testing.T) {
		fake := newFake()
		fake.SecondaryRateLimit(1, 7, false)
		var slept []time.Duration
		c := newClientSleeping(t, fake, tok, &slept)
		if _, err := c.OpenChangeRequest(ctx, "acme", "shared", pr); err != nil {
			t.Fatal(err)
		}
		if len(slept) != 1 || slept[0] != 7*time.Second || len(fake.PullRequests("acme", "shared")) != 1 {
			t.Fatalf("slept %v, pull requests %d; want one wait of 7s and one pull request", slept, len(fake.PullRequests("acme", "shared")))
		}
	})
	t.Run("rate limit longer than the wait", func(t *testing.T) {
		fake := newFake()
		fake.PrimaryRateLimit(1, fake.Now().Add(time.Hour))
		var slept []time.Duration
		c := newClientSleeping(t, fake, tok, &slept)
		err := c.Protect(ctx, "acme", "shared", "main", "rtconf validate")
		var ge *github.Error
		if !errors.As(err, &ge) || !strings.Contains(err.Error(), "primary rate limit") || len(slept) != 0 {
			t.Fatalf("err = %v, slept %v; want a rate-limit error without waiting", err, slept)
		}
	})
	t.Run("PUT retried after a 502", func(t *testing.T) {
		fake := newFake()
		fake.Fault("/repos/acme/shared/branches/", 1, http.StatusBadGateway, nil, "")
		var slept []time.Duration
		c := newClientSleeping(t, fake, tok, &slept)
		if err := c.Protect(ctx, "acme", "shared", "main", "rtconf validate"); err != nil {
			t.Fatal(err)
		}
		if _, ok := fake.Protection("acme", "shared", "main"); !ok || len(slept) != 1 {
			t.Fatalf("protected %v after %d waits; want protected after one retry", ok, len(slept))
		}
	})
	t.Run("POST not retried after a 502", func(t *testing.T) {
		fake := newFake()
		fake.Fault("/repos/acme/shared/pulls", 1, http.StatusBadGateway, nil, "")
		var slept []time.Duration
		c := newClientSleeping(t, fake, tok, &slept)
		_, err := c.OpenChangeRequest(ctx, "acme", "shared", pr)
		if err == nil || !strings.Contains(err.Error(), "502") || !strings.Contains(err.Error(), "not retried") || len(slept) != 0 {
			t.Fatalf("err = %v, slept %v; want one attempt", err, slept)
		}
	})
}

func newClientSleeping(t *testing.T, fake *fakegithub.Server, tok string, slept *[]time.Duration) *github.Client {
	t.Helper()
	o := github.DefaultOptions()
	o.APIURL, o.HTTPClient, o.Now = fake.URL(), fake.Client(), fake.Now()
	o.Sleep = func(_ context.Context, d time.Duration) error { *slept = append(*slept, d); return nil }
	c, err := github.NewClient(mustToken(t, tok), o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
