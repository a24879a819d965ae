package workspace_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/workspace"
)

// TestBootstrapTokenGoesOnlyToItsHost: init --create --push --protect sends
// the token only to the API of repository.url's host (confirmed, or the
// runner's in GitHub Actions) and pushes only to that host unless --remote
// is given: the clone URL an API answers with is checked too. The
// attacker's API never receives a request; a refused bootstrap sends
// nothing to the Git server.
func TestBootstrapTokenGoesOnlyToItsHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		url     string // repository.url; {right} and {attacker} are the fakes' hosts
		ci      string // GITHUB_API_URL in GitHub Actions
		confirm bool   // {right} is a known host
		remote  bool   // --remote: the Git server
		wantErr string // "": created, pushed, protected on {right}
	}{
		{name: "confirmed host, --remote", url: "https://{right}/acme/shared", confirm: true, remote: true},
		{name: "GitHub Actions, the runner's API, --remote", url: "https://{right}/acme/shared", ci: "https://{right}/api/v3", remote: true},
		{name: "repository on the attacker's host", url: "https://{attacker}/acme/shared", confirm: true, remote: true,
			wantErr: "is a GitHub Enterprise Server host you have not confirmed"},
		{name: "unconfirmed host", url: "https://{right}/acme/shared", remote: true, wantErr: "you have not confirmed"},
		{name: "GitHub Actions, another runner", url: "https://{right}/acme/shared", ci: "https://{attacker}/api/v3", remote: true,
			wantErr: "this GitHub Actions runner's API (GITHUB_API_URL) is {attacker}'s: nothing was sent"},
		{name: "the clone URL the API gives is on another host", url: "https://{right}/acme/shared", confirm: true,
			wantErr: "(the clone URL GitHub gave for the created repository): it is on 127.0.0.1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok := mustToken(t, testcreds.Classic("bootstraphost"))
			git := gitserver.New(t, gitserver.Options{Token: tok.Reveal()})
			fake := func() *fakegithub.Server {
				return fakegithub.New(t, fakegithub.Options{Enterprise: true, TLS: true, Now: testclock.Fixed(now),
					Tokens: []fakegithub.Token{{Value: tok.Reveal(), Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}}},
					Orgs:   map[string][]string{"acme": {"robot"}}, CloneURL: git.NewRepoFunc(t), BranchExists: git.BranchExists})
			}
			right, attacker := fake(), fake()
			hosts := strings.NewReplacer("{right}", hostOf(right), "{attacker}", hostOf(attacker))

			trust := forge.Trust{Hosts: forge.KnownHosts{Dir: t.TempDir()}}
			if tt.confirm {
				if err := os.WriteFile(filepath.Join(trust.Hosts.Dir, forge.HostsFile), []byte("hosts: ["+hostOf(right)+"]\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if tt.ci != "" {
				trust.CIAPIURL = hosts.Replace(tt.ci)
			}
			b := workspace.BootstrapOptions{Create: true, Push: true, Protect: true, CheckName: "rtconf validate",
				Token: tok, Trust: trust, HTTPClient: right.Client(), Now: now}
			if tt.remote {
				b.Remote = git.URL() + "/acme/shared.git"
			}
			o := initOptions(filepath.Join(t.TempDir(), "repo"))
			o.RepoURL = hosts.Replace(tt.url)
			res, err := workspace.Bootstrap(context.Background(), o, b)
			if tt.wantErr == "" {
				if err != nil || !res.RepoCreated || !res.Pushed || !res.Protected {
					t.Fatalf("Bootstrap = created %v, pushed %v, protected %v, %v", res.RepoCreated, res.Pushed, res.Protected, err)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), hosts.Replace(tt.wantErr)) {
					t.Fatalf("Bootstrap error = %v, want %q", err, hosts.Replace(tt.wantErr))
				}
				var ue *forge.UnconfirmedHostError
				if errors.As(err, &ue) && len(right.Requests()) != 0 {
					t.Errorf("an unconfirmed host, yet the API received %d requests", len(right.Requests()))
				}
				for _, q := range git.Requests() {
					t.Errorf("a refused bootstrap, yet the Git server received %s %s", q.Method, q.Path)
				}
			}
			for _, q := range attacker.Requests() {
				t.Errorf("the attacker's API received %s %s", q.Method, q.Path)
			}
		})
	}
}

// hostOf is the host:port of a fake.
func hostOf(s *fakegithub.Server) string {
	return strings.TrimPrefix(strings.TrimSuffix(s.URL(), "/api/v3/"), "https://")
}
