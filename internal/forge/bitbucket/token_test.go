package bitbucket_test

import (
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge/bitbucket"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
)

func TestParseToken(t *testing.T) {
	api, access := testcreds.BitbucketAPIToken("seed"), testcreds.BitbucketAccessToken("seed")
	tok, err := bitbucket.ParseToken(email + ":" + api + "\n")
	if err != nil || tok.Kind() != bitbucket.APIToken || tok.Reveal() != api || tok.Account() != email || tok.Credential() != email+":"+api {
		t.Fatalf("API token: %v, %v", tok, err)
	}
	if bitbucket.GitUsername(tok) != "x-bitbucket-api-token-auth" {
		t.Errorf("API token's Git username %q", bitbucket.GitUsername(tok))
	}
	if again, err := bitbucket.ParseToken(tok.Credential()); err != nil || again.Account() != email {
		t.Errorf("re-parsed: %v, %v", again, err)
	}
	tok, err = bitbucket.ParseToken(access)
	if err != nil || tok.Kind() != bitbucket.AccessToken || tok.Account() != "" || bitbucket.GitUsername(tok) != "x-token-auth" {
		t.Fatalf("access token: %v, %v", tok, err)
	}
	plain, key := bitbucket.Forge{}.RepoCreds(tok)
	if plain["username"] != "x-token-auth" || key != "password" {
		t.Errorf("repo-creds %v %q", plain, key)
	}
	for v, want := range map[string]string{
		"":                                     "is empty",
		api:                                    "without its account",
		"not-an-email:" + api:                  "not an e-mail address",
		"Robot <r@example.com>:" + api:         "whitespace",
		email + ":" + access:                   "access token with an account",
		testcreds.BitbucketAppPassword("seed"): "app password",
		email + ":" + testcreds.BitbucketAppPassword("s"): "app password",
		api[:80]:                          "too short",
		access[:150]:                      "does not end as",
		access[:100] + "!" + access[101:]: "at character 101",
		access + strings.Repeat("A", 200): "longer than 300",
		testcreds.Classic("x"):            "GitHub token",
		testcreds.GitLab("x"):             "GitLab token",
		"hunter2":                         "does not look like a Bitbucket Cloud token",
	} {
		_, err := bitbucket.ParseToken(v)
		if err == nil || !token.IsFormatError(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseToken(%d chars) = %v; want %q", len(v), err, want)
		}
		if err != nil && len(v) > 20 && strings.Contains(err.Error(), v[len(v)-20:]) {
			t.Errorf("the error repeats the token: %v", err)
		}
	}
}

func TestAllowedAPIURL(t *testing.T) {
	for _, c := range []struct{ url, configured, want, err string }{
		{"https://bitbucket.org/acme/shared-config", "", bitbucket.PublicAPIURL, ""},
		{"https://www.bitbucket.org/acme/shared-config", "", bitbucket.PublicAPIURL, ""},
		{"https://bitbucket.org/acme/shared-config", "https://api.bitbucket.org/2.0", bitbucket.PublicAPIURL, ""},
		{"https://bitbucket.org/acme/shared-config", "https://evil.example/2.0/", "", "not the API of bitbucket.org"},
		{"https://bitbucket.example.com/acme/x", "", "", "Bitbucket Data Center"},
		{"http://bitbucket.org/acme/x", "", "", "not an https URL"},
	} {
		got, err := bitbucket.AllowedAPIURL(c.url, c.configured)
		if got != c.want || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("AllowedAPIURL(%q, %q) = %q, %v; want %q, %q", c.url, c.configured, got, err, c.want, c.err)
		}
	}
	if h := bitbucket.GitHost(bitbucket.PublicAPIURL); h != "bitbucket.org" {
		t.Errorf("GitHost = %q", h)
	}
	if ns, name, hint := bitbucket.RepoPath("/acme/shared-config.git"); ns != "acme" || name != "shared-config" || hint != "" {
		t.Errorf("RepoPath = %q %q %q", ns, name, hint)
	}
	if _, _, hint := bitbucket.RepoPath("/acme/project/repo"); hint == "" {
		t.Errorf("RepoPath of three segments has no hint")
	}
}
