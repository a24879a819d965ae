package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

var runtimePerms = map[string]string{"administration": "write", "contents": "write", "pull_requests": "write", "statuses": "write", "webhooks": "write"}

// appFake serves App 42 (installation 7 on acme, with perms), App 43
// (suspended installation 8) and App 44 (not installed on acme).
func appFake(t *testing.T, now time.Time, perms map[string]string) (*fakegithub.Server, string) {
	t.Helper()
	key, pemKey := testcreds.AppKey(t)
	s := fake(t, fakegithub.Options{Now: testclock.Fixed(now), Apps: []fakegithub.App{
		{ID: 42, Slug: "rtconf-acme", Name: "rtconf acme", Owner: "acme", Key: &key.PublicKey,
			Installations: []fakegithub.Installation{{ID: 7, Account: "acme", Permissions: perms}}},
		{ID: 43, Slug: "paused", Owner: "acme", Key: &key.PublicKey,
			Installations: []fakegithub.Installation{{ID: 8, Account: "acme", Permissions: perms, Suspended: now.Add(-time.Hour)}}},
		{ID: 44, Slug: "elsewhere", Owner: "acme", Key: &key.PublicKey,
			Installations: []fakegithub.Installation{{ID: 9, Account: "acme", Repos: []string{"acme/other"}, Permissions: perms}}},
	}})
	return s, pemKey
}

func appKey(t *testing.T, pemKey string) token.Token {
	t.Helper()
	k, err := github.Forge{}.ParseAppKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCheckApp(t *testing.T) {
	testclock.Run(t, func(t *testing.T, now time.Time) {
		readOnly := map[string]string{"administration": "read", "contents": "write", "pull_requests": "write", "statuses": "write", "webhooks": "write"}
		for _, tc := range []struct {
			name    string
			perms   map[string]string
			app     forge.App
			outcome forge.Outcome
			problem string
			missing []string
		}{
			{name: "installed with every permission", perms: runtimePerms, app: forge.App{ID: 42}, outcome: forge.Met},
			{name: "installation ID given", perms: runtimePerms, app: forge.App{ID: 42, InstallationID: 7}, outcome: forge.Met},
			{name: "another installation ID", perms: runtimePerms, app: forge.App{ID: 42, InstallationID: 9}, outcome: forge.NotMet,
				problem: "installation 9 is not the App's installation on acme/shared-config, which is 7"},
			{name: "administration read only", perms: readOnly, app: forge.App{ID: 42}, outcome: forge.NotMet,
				missing: []string{"Administration: read and write"}},
			{name: "suspended", perms: runtimePerms, app: forge.App{ID: 43}, outcome: forge.NotMet, problem: "is suspended"},
			{name: "not installed on the repository", perms: runtimePerms, app: forge.App{ID: 44}, outcome: forge.NotMet,
				missing: []string{"Administration: read and write", "Commit statuses: read and write", "Contents: read and write",
					"Pull requests: read and write", "Webhooks: read and write", "Metadata: read"}},
			{name: "unknown App ID", perms: runtimePerms, app: forge.App{ID: 99}, outcome: forge.NotMet, problem: "GitHub refuses the App's JWT (401)"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s, pemKey := appFake(t, now, tc.perms)
				tc.app.Key = appKey(t, pemKey)
				res, err := github.CheckApp(context.Background(), tc.app, forge.RuntimeToken, opts(s))
				if err != nil {
					t.Fatal(err)
				}
				if got := res.Outcome(); got != tc.outcome {
					t.Errorf("outcome %s, want %s: %+v", got, tc.outcome, res.Result)
				}
				if !strings.Contains(res.Problem, tc.problem) || (tc.problem == "") != (res.Problem == "") {
					t.Errorf("problem %q, want %q", res.Problem, tc.problem)
				}
				var missing []string
				for _, r := range res.Requirements {
					if r.Verdict != forge.Granted {
						missing = append(missing, r.Name)
					}
					if r.Certainty != forge.Observed {
						t.Errorf("%s: certainty %q, want observed", r.Name, r.Certainty)
					}
				}
				if diff := cmp.Diff(tc.missing, missing); diff != "" {
					t.Errorf("missing (-want +got):\n%s", diff)
				}
				if tc.outcome == forge.Met {
					if res.InstallationID != 7 || res.Slug != "rtconf-acme" || res.Account != "acme" || res.Requests != 3 {
						t.Errorf("installation %d, slug %q, account %q, %d requests", res.InstallationID, res.Slug, res.Account, res.Requests)
					}
					if res.Token.Reveal() == "" {
						t.Error("no installation token")
					}
				}
				// The JWT and the token request follow GitHub's rules.
				for _, r := range s.Requests() {
					if r.Path == "/app" {
						checkJWT(t, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), tc.app.ID, now)
					}
					if strings.HasSuffix(r.Path, "/access_tokens") && strings.TrimSpace(r.Body) != `{"repositories":["shared-config"]}` {
						t.Errorf("token request body %s, want the repository alone", r.Body)
					}
				}
			})
		}
	})
}

// checkJWT checks the claims GitHub requires, without the signature (the
// fake verified it).
func checkJWT(t *testing.T, raw string, appID int64, now time.Time) {
	t.Helper()
	claims := jwt.RegisteredClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(raw, &claims)
	if err != nil {
		t.Fatalf("JWT: %v", err)
	}
	if tok.Method.Alg() != "RS256" || claims.Issuer != fmt.Sprint(appID) {
		t.Errorf("JWT alg %s, iss %q", tok.Method.Alg(), claims.Issuer)
	}
	if got := claims.IssuedAt.Time; !got.Equal(now.Add(-time.Minute).Truncate(time.Second)) {
		t.Errorf("iat %s, want 60 s before %s", got, now)
	}
	if life := claims.ExpiresAt.Sub(claims.IssuedAt.Time); life > 10*time.Minute || !claims.ExpiresAt.After(now) {
		t.Errorf("JWT life %s (exp %s)", life, claims.ExpiresAt)
	}
}

func TestCheckAppWrongKey(t *testing.T) {
	s, _ := appFake(t, testclock.Default(), runtimePerms)
	_, other := testcreds.AppKey(t)
	res, err := github.CheckApp(context.Background(), forge.App{ID: 42, Key: appKey(t, other)}, forge.RuntimeToken, opts(s))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Invalid || res.Outcome() != forge.NotMet || res.Requests != 1 {
		t.Errorf("a key of another App: %+v", res.Result)
	}
}

// TestFakeJWTRules: the fake refuses what GitHub refuses.
func TestFakeJWTRules(t *testing.T) {
	now := testclock.Default()
	key, _ := testcreds.AppKey(t)
	s := fake(t, fakegithub.Options{Now: testclock.Fixed(now), Apps: []fakegithub.App{{ID: 42, Slug: "a", Key: &key.PublicKey}}})
	sign := func(method jwt.SigningMethod, k any, iss string, iat, exp time.Time) string {
		v, err := jwt.NewWithClaims(method, jwt.RegisteredClaims{Issuer: iss, IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(exp)}).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	_, otherPEM := testcreds.AppKey(t)
	other, _ := jwt.ParseRSAPrivateKeyFromPEM([]byte(otherPEM))
	for _, tc := range []struct {
		name, jwt string
		status    int
	}{
		{"valid", sign(jwt.SigningMethodRS256, key, "42", now.Add(-time.Minute), now.Add(9*time.Minute)), 200},
		{"expired", sign(jwt.SigningMethodRS256, key, "42", now.Add(-11*time.Minute), now.Add(-time.Minute)), 401},
		{"issued in the future", sign(jwt.SigningMethodRS256, key, "42", now.Add(time.Minute), now.Add(5*time.Minute)), 401},
		{"life over 10 minutes", sign(jwt.SigningMethodRS256, key, "42", now.Add(-time.Minute), now.Add(10*time.Minute)), 401},
		{"another key", sign(jwt.SigningMethodRS256, other, "42", now.Add(-time.Minute), now.Add(9*time.Minute)), 401},
		{"RS512", sign(jwt.SigningMethodRS512, key, "42", now.Add(-time.Minute), now.Add(9*time.Minute)), 401},
		{"unknown App", sign(jwt.SigningMethodRS256, key, "41", now.Add(-time.Minute), now.Add(9*time.Minute)), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, s.URL()+"app", nil)
			req.Header.Set("Authorization", "Bearer "+tc.jwt)
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}

// TestInstallationTokenExpires: an installation token works on the
// repository's endpoints for an hour of the fake's clock, then is refused.
func TestInstallationTokenExpires(t *testing.T) {
	now := testclock.Default()
	clock := &now
	key, pemKey := testcreds.AppKey(t)
	s := fake(t, fakegithub.Options{Now: func() time.Time { return *clock }, Apps: []fakegithub.App{{ID: 42, Slug: "rtconf-acme", Key: &key.PublicKey,
		Installations: []fakegithub.Installation{{ID: 7, Account: "acme", Permissions: runtimePerms}}}}})
	res, err := github.CheckApp(context.Background(), forge.App{ID: 42, Key: appKey(t, pemKey)}, forge.RuntimeToken, opts(s))
	if err != nil || res.Outcome() != forge.Met {
		t.Fatalf("check: %v %+v", err, res.Result)
	}
	get := func() int {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+"repos/acme/shared-config/hooks", nil)
		req.Header.Set("Authorization", "token "+res.Token.Reveal())
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(); got != 200 {
		t.Errorf("with a fresh installation token: %d, want 200", got)
	}
	if !s.GitAuth("acme", "shared-config", "x-access-token", res.Token.Reveal()) || s.GitAuth("acme", "other", "x-access-token", res.Token.Reveal()) {
		t.Error("Git: the token pushes to its repository alone")
	}
	later := now.Add(time.Hour)
	clock = &later
	if got := get(); got != 401 {
		t.Errorf("an hour later: %d, want 401", got)
	}
	if s.GitAuth("acme", "shared-config", "x-access-token", res.Token.Reveal()) {
		t.Error("Git: an expired installation token still pushes")
	}
}

func TestParseAppKey(t *testing.T) {
	_, pemKey := testcreds.AppKey(t)
	f := github.Forge{}
	k, err := f.ParseAppKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	if k.Kind() != github.AppKind || !strings.HasPrefix(f.AppKeyFingerprint(k), "SHA256:") {
		t.Errorf("kind %s, fingerprint %s", k.Kind(), f.AppKeyFingerprint(k))
	}
	if s := fmt.Sprintf("%v %+v %#v %s", k, k, k, k); strings.Contains(s, "PRIVATE") {
		t.Errorf("the key prints: %s", s)
	}
	for _, bad := range []string{"", "  \n", "not a key", strings.Replace(pemKey, "M", "#", 3)} {
		_, err := f.ParseAppKey(bad)
		if !token.IsFormatError(err) {
			t.Errorf("ParseAppKey(%.20q): %v, want a format error", bad, err)
			continue
		}
		if strings.Contains(err.Error(), "MII") {
			t.Errorf("the error repeats the key: %v", err)
		}
	}
	var fe *token.FormatError
	_, err = f.ParseAppKey("x")
	if !errors.As(err, &fe) {
		t.Fatal(err)
	}
}
