package providers_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/validator/output"
	"github.com/rtconf/rtconf/schemas"
	"github.com/rtconf/rtconf/templates"
)

func TestFor(t *testing.T) {
	for name, want := range map[string]string{"": "github", "github": "github", "gitlab": "gitlab", "gitea": "gitea", "bitbucket": "bitbucket"} {
		f, err := providers.For(name)
		if err != nil || f.Name() != want {
			t.Errorf("For(%q) = %v, %v; want %s", name, f, err, want)
		}
	}
	if _, err := providers.For("bitbucket-server"); err == nil || !strings.Contains(err.Error(), "known: github, gitlab, gitea, bitbucket") {
		t.Errorf("For(bitbucket-server) = %v; want unknown provider, naming the known ones", err)
	}
}

// TestSchemaNamesTheProviders: the providers rtconf.yaml's schema accepts
// for repository.provider are the registered ones, so that adding a
// provider is registering it (and its schema entry).
func TestSchemaNamesTheProviders(t *testing.T) {
	var schema struct {
		Properties struct {
			Repository struct {
				Properties struct {
					Provider struct {
						Enum    []string `json:"enum"`
						Default string   `json:"default"`
					} `json:"provider"`
				} `json:"properties"`
			} `json:"repository"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schemas.Config(), &schema); err != nil {
		t.Fatal(err)
	}
	p := schema.Properties.Repository.Properties.Provider
	if !slices.Equal(p.Enum, providers.Names()) || p.Default != providers.Default {
		t.Errorf("schema: provider enum %v default %q; registered %v default %q", p.Enum, p.Default, providers.Names(), providers.Default)
	}
}

// sample is a token of each provider's shape.
var sample = map[string]string{
	"github":               testcreds.Classic("providers"),
	"bitbucket-datacenter": testcreds.BitbucketDC("123456789012", "providers"),
	"gitlab":               "glpat-" + strings.Repeat("x", 20),
	"gitea":                giteaToken,
	// An API token as rtconf reads it: EMAIL:TOKEN.
	"bitbucket": "robot@example.com:" + testcreds.BitbucketAPIToken("providers"),
}

// giteaToken is a Gitea access token: 40 hexadecimal characters, the shape
// of a GitHub legacy token too.
const giteaToken = "0123456789abcdef0123456789abcdef01234567"

// TestParseTokenAcceptsEveryProvider: the command line reads a token of
// any provider; each provider's own ParseToken then refuses the others'.
func TestParseTokenAcceptsEveryProvider(t *testing.T) {
	for name, v := range sample {
		tok, err := providers.ParseToken(v)
		if err != nil || tok.Credential() != v {
			t.Errorf("%s token: ParseToken = %v, %v", name, tok, err)
		}
		if name == "gitea" {
			continue // see TestGiteaTokenIsReparsed
		}
		for _, other := range providers.Names() {
			f, _ := providers.For(other)
			if _, err := f.ParseToken(v); (err == nil) != (other == name) {
				t.Errorf("%s's ParseToken of a %s token: err = %v", other, name, err)
			}
		}
	}
	for v, want := range map[string]string{
		"glpat-short":                     "too short for a glpat- token",
		"gldt-" + strings.Repeat("y", 20): "a deploy token",
		"ghp_short":                       "too short for a ghp_ token",
		"plain":                           "does not look like a GitHub token",
	} {
		if _, err := providers.ParseToken(v); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseToken(%q) = %v; want an error with %q", v, err, want)
		}
	}
}

// TestRepoCredsUseTheGitUsername: Argo CD's repo-creds and rtconf's pushes
// send the same username with a token.
func TestRepoCredsUseTheGitUsername(t *testing.T) {
	for _, name := range providers.Names() {
		f, _ := providers.For(name)
		tok, err := f.ParseToken(sample[name])
		if err != nil {
			t.Fatal(err)
		}
		plain, key := f.RepoCreds(tok)
		if plain["username"] != f.GitUsername(tok) || key == "" || plain[key] != "" {
			t.Errorf("%s: repo-creds %v (secret %q), Git username %q", name, plain, key, f.GitUsername(tok))
		}
	}
}

// TestCIFilesWriteTheirFormats: each provider's CI file asks validate for
// the formats the provider says its CI shows, and each is a format
// validate knows.
func TestCIFilesWriteTheirFormats(t *testing.T) {
	for _, name := range providers.Names() {
		f, _ := providers.For(name)
		data, err := f.RenderCI(templates.Workflow{Marker: "# generated", CheckName: "rtconf validate", Branch: "main",
			Version: "v0.1.0", GoVersion: "1.26", Shards: 1, Cron: "17 6 * * *", ExpiryDays: 14, IssueTitle: "t", IssueLabel: "l"})
		if errors.Is(err, forge.ErrNoCI) && len(f.CIFormats()) == 0 {
			continue // no CI file for this host yet
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, format := range f.CIFormats() {
			if !slices.Contains(output.Formats(), format) {
				t.Errorf("%s: format %q is not one validate writes (%v)", name, format, output.Formats())
			}
			if !strings.Contains(string(data), "--format "+format) && !strings.Contains(string(data), format+"=") {
				t.Errorf("%s: %s does not write --format %s", name, f.CIFile(), format)
			}
		}
	}
}

// TestGiteaTokenIsReparsed: a Gitea access token has the shape of a GitHub
// legacy token. The command line, trying GitHub first, reads it as
// GitHub's; the job re-parses it with rtconf.yaml's provider, and Gitea's
// ParseToken makes it a Gitea access token. Gitea refuses GitHub's and
// GitLab's prefixed tokens.
func TestGiteaTokenIsReparsed(t *testing.T) {
	cli, err := providers.ParseToken(giteaToken)
	if err != nil || cli.Kind() != "classic" {
		t.Fatalf("ParseToken(40 hex) = %v, %v; want GitHub's classic (legacy) token", cli, err)
	}
	f, err := providers.For("gitea")
	if err != nil {
		t.Fatal(err)
	}
	own, err := f.ParseToken(cli.Reveal())
	if err != nil || own.Kind() != "access-token" || own.Reveal() != giteaToken {
		t.Errorf("gitea's ParseToken of the CLI's token = %v, %v; want an access-token", own, err)
	}
	for _, other := range []string{sample["github"], sample["gitlab"]} {
		if _, err := f.ParseToken(other); err == nil {
			t.Errorf("gitea's ParseToken accepted another host's token")
		}
	}
}

// TestNarrowAnswersValidateLive: for every provider and token kind, one
// check for the union of the needs validate --live has (a runtime token,
// and one that serves as user token too) answers each of them: Narrow
// keeps exactly the need's requirements, in the union's order, and what
// belongs to no need. Were it not so, a token shared by both kinds of
// runtime would be checked twice.
func TestNarrowAnswersValidateLive(t *testing.T) {
	kinds := []token.Kind{"classic", "fine-grained", "access-token", "api-token", "app-password", "http-access-token", "personal", "project", "repository"}
	needs := []forge.Need{forge.NeedFor(forge.RuntimeToken, false), forge.NeedFor(forge.RuntimeToken, true)}
	wide := forge.Union(needs...)
	const other = "access to the repository"
	for _, name := range providers.Names() {
		f, err := providers.For(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range kinds {
			res := forge.Result{TokenKind: tk, Scopes: []string{"s"}}
			for _, n := range f.RequirementNames(tk, wide) {
				res.Requirements = append(res.Requirements, forge.Requirement{Name: n, Verdict: forge.Granted})
			}
			res.Requirements = append(res.Requirements, forge.Requirement{Name: other, Verdict: forge.Missing})
			for _, need := range needs {
				got, ok := forge.Narrow(f, res, wide, need)
				if !ok {
					t.Errorf("%s, %s token: the union's check cannot answer %+v", name, tk, need)
					continue
				}
				var names []string
				for _, r := range got.Requirements {
					names = append(names, r.Name)
				}
				if want := append(f.RequirementNames(tk, need), other); !slices.Equal(names, want) {
					t.Errorf("%s, %s token, %+v: requirements %q, want %q", name, tk, need, names, want)
				}
				if got.TokenKind != tk || !slices.Equal(got.Scopes, res.Scopes) {
					t.Errorf("%s: Narrow lost what the check says of the token: %+v", name, got)
				}
			}
		}
	}
}

// TestNarrowRefuses: Bitbucket names a permission by the level asked for,
// so a check for a runtime token (admin) does not answer for a user token
// (write): that need takes a check of its own.
func TestNarrowRefuses(t *testing.T) {
	f, err := providers.For("bitbucket")
	if err != nil {
		t.Fatal(err)
	}
	user, rt := forge.NeedFor(forge.UserToken, false), forge.NeedFor(forge.RuntimeToken, false)
	wide := forge.Union(user, rt)
	res := forge.Result{TokenKind: "api-token"}
	for _, n := range f.RequirementNames("api-token", wide) {
		res.Requirements = append(res.Requirements, forge.Requirement{Name: n, Verdict: forge.Granted})
	}
	if _, ok := forge.Narrow(f, res, wide, user); ok {
		t.Errorf("Narrow answered a user token's need from a check for %+v (requirements %+v)", wide, res.Requirements)
	}
	if _, ok := forge.Narrow(f, res, wide, rt); !ok {
		t.Error("Narrow did not answer the runtime token's need, which the union's check asked")
	}
}
