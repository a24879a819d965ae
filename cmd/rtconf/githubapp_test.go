package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// TestGitHubAppScripts runs the scripts in testdata/github-app against the
// fake GitHub API with Apps. Each script gets these files and variables:
//
//	app.pem      the private key of App 42 (installed on acme, every runtime permission)
//	                 and of App 43 (installation suspended) and App 45 (Administration: read only)
//	other.pem    a key no App has
//	API_URL      the fake GitHub API
//	APP_KEY, OTHER_KEY  the two keys' PEM
//	GIT_TOKEN    a classic runtime token the fake knows
//	GIT_URL      the Git server: acme/app-config.git exists, and takes App 42's installation tokens
func TestGitHubAppScripts(t *testing.T) {
	t.Parallel()
	now := testclock.Default()
	key, pemKey := testcreds.AppKey(t)
	_, otherKey := testcreds.AppKey(t)
	robot := testcreds.Classic("approbot")
	all := map[string]string{"administration": "write", "contents": "write", "pull_requests": "write", "statuses": "write", "webhooks": "write"}
	readAdmin := map[string]string{"administration": "read", "contents": "write", "pull_requests": "write", "statuses": "write", "webhooks": "write"}
	admin := map[string]bool{"admin": true, "maintain": true, "push": true, "triage": true, "pull": true}
	var api *fakegithub.Server
	git := gitserver.New(t, gitserver.Options{Accept: func(owner, name, user, pass string) bool { return api.GitAuth(owner, name, user, pass) }})
	git.NewRepo(t, "acme", "app-config")
	api = fakegithub.New(t, fakegithub.Options{
		Now:    testclock.Fixed(now),
		Tokens: []fakegithub.Token{{Value: robot, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: now.Add(90 * 24 * time.Hour)}},
		Repos: []fakegithub.Repo{{Owner: "acme", Name: "shared-config", Private: true, Collaborators: map[string]map[string]bool{"robot": admin}},
			{Owner: "acme", Name: "app-config", Private: true}},
		CloneURL:     func(owner, name string) string { return git.URL() + "/" + owner + "/" + name + ".git" },
		BranchExists: git.BranchExists,
		Apps: []fakegithub.App{
			{ID: 42, Slug: "rtconf-acme", Name: "rtconf acme", Owner: "acme", Key: &key.PublicKey,
				Installations: []fakegithub.Installation{{ID: 7, Account: "acme", Permissions: all}}},
			{ID: 43, Slug: "paused", Owner: "acme", Key: &key.PublicKey,
				Installations: []fakegithub.Installation{{ID: 8, Account: "acme", Permissions: all, Suspended: now.Add(-24 * time.Hour)}}},
			{ID: 45, Slug: "read-admin", Owner: "acme", Key: &key.PublicKey,
				Installations: []fakegithub.Installation{{ID: 10, Account: "acme", Permissions: readAdmin}}},
		},
	})
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/github-app",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("API_URL", api.URL())
			env.Setenv("GIT_TOKEN", robot)
			env.Setenv("GIT_URL", git.URL())
			env.Setenv("APP_KEY", pemKey)
			env.Setenv("OTHER_KEY", otherKey)
			if err := os.WriteFile(filepath.Join(env.WorkDir, "app.pem"), []byte(pemKey), 0o600); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(env.WorkDir, "other.pem"), []byte(otherKey), 0o600)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"tree":     cmdTree,
			"cmphash":  cmdCmpHash,
		},
	})
}
