package github_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
)

// TestBadRepositoryBodies: a 200 to GET /repos/acme/shared-config whose body
// is not that repository is "could not verify", never a pass, for classic
// tokens (which read only its headers otherwise) and fine-grained ones
// (which read its permissions); a body over forge.MaxResponse is not read
// to its end. The controls show that the same checks pass on a body that
// names the repository in another case.
func TestBadRepositoryBodies(t *testing.T) {
	const perms = `"permissions":{"admin":true,"maintain":true,"push":true,"triage":true,"pull":true}`
	tests := []struct {
		name string
		body string
		// pass lists the token kinds that must pass; every other must be
		// could-not-verify with want in the reason.
		pass []string
		want string
	}{
		{name: "another repository's JSON", body: `{"full_name":"evil/shared-config","default_branch":"main",` + perms + `}`, want: "does not name acme/shared-config"},
		{name: "a repository of the same name elsewhere", body: `{"full_name":"acme-labs/shared-config",` + perms + `}`, want: "does not name"},
		{name: "owner and name without full_name", body: `{"name":"shared-config","owner":{"login":"acme"},` + perms + `}`, want: "does not name"},
		{name: "full_name not a string", body: `{"full_name":42,` + perms + `}`, want: "is not the JSON of a repository"},
		{name: "empty", body: "", want: "is not the JSON of a repository"},
		{name: "1 KiB of spaces", body: strings.Repeat(" ", 1<<10), want: "is not the JSON of a repository"},
		{name: "5 MiB of spaces (over the bound)", body: strings.Repeat(" ", 5<<20), want: "larger than 4 MiB"},
		{name: "the repository padded past the bound", body: `{"full_name":"acme/shared-config",` + perms + `}` + strings.Repeat(" ", forge.MaxResponse), want: "larger than 4 MiB"},
		{name: "null", body: "null", want: "does not name"},
		{name: "an array", body: `[{"full_name":"acme/shared-config"}]`, want: "is not the JSON of a repository"},
		{name: "an empty object", body: "{}", want: "does not name"},
		{name: "a string", body: `"acme/shared-config"`, want: "is not the JSON of a repository"},
		{name: "HTML", body: "<html><body>acme/shared-config</body></html>", want: "is not the JSON of a repository"},
		{name: "the repository, then more", body: `{"full_name":"acme/shared-config",` + perms + `}{"full_name":"x/y"}`, want: "is not the JSON of a repository"},
		{name: "the repository without permissions", body: `{"full_name":"acme/shared-config"}`, pass: []string{"classic"}, want: "has no permissions object"},
		{name: "control: the repository in another case", body: `{"full_name":"ACME/Shared-Config","default_branch":"main",` + perms + `}`, pass: []string{"classic", "fine-grained"}},
	}
	for _, tt := range tests {
		for _, tok := range []struct{ kind, value string }{{"classic", classicFull}, {"fine-grained", fineFull}} {
			t.Run(tt.name+"/"+tok.kind, func(t *testing.T) {
				t.Parallel()
				s := fake(t, fakegithub.Options{})
				s.Fault("/repos/acme/shared-config", 1, 200, nil, tt.body)
				o := opts(s)
				o.ProbeWrites = true // so that a fine-grained token can pass
				res, err := github.Check(context.Background(), parse(t, tok.value), forge.RuntimeToken, o)
				for _, k := range tt.pass {
					if k == tok.kind {
						if err != nil || res.Outcome() != forge.Met {
							t.Fatalf("Check = %+v, %v; want a pass", res, err)
						}
						return
					}
				}
				var uv *forge.UnverifiedError
				if !errors.As(err, &uv) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Check = %+v (outcome %s), %v; want could not verify: %q", res, res.Outcome(), err, tt.want)
				}
				if res.Requests != 1 {
					t.Errorf("%d requests, want 1: nothing more is asked once the answer is not the repository", res.Requests)
				}
			})
		}
	}
}
