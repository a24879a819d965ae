package main

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rtconf/rtconf/internal/fakebitbucket"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// TestBitbucketScripts runs the scripts in testdata/bitbucket against a
// real Git remote (git http-backend behind basic auth) and the fake
// Bitbucket Cloud API, as TestGitLabScripts does for GitLab. The
// workspace acme is the robot's (admin); repositories are created by the
// scripts. Variables:
//
//	API_URL     the fake Bitbucket API (…/2.0/)
//	GIT_URL     the Git server (repositories at GIT_URL/acme/NAME.git)
//	GIT_TOKEN   the robot's API token as EMAIL:TOKEN; the remote accepts the token
//	BARE_TOKEN  the robot's API token without its e-mail address
//	NEW_TOKEN   a workspace access token of acme, to rotate to
//	WRONG_TOKEN an access token both refuse
func TestBitbucketScripts(t *testing.T) {
	t.Parallel()
	robot := testcreds.BitbucketAPIToken("scriptrobot")
	rotated := testcreds.BitbucketAccessToken("scriptrotated")
	git := gitserver.New(t, gitserver.Options{Token: robot})
	all := []string{"read:user:bitbucket", "read:workspace:bitbucket", "read:webhook:bitbucket", "write:webhook:bitbucket",
		"read:repository:bitbucket", "write:repository:bitbucket", "admin:repository:bitbucket", "write:pullrequest:bitbucket"}
	api := fakebitbucket.New(t, fakebitbucket.Options{
		Now: testclock.Fixed(testclock.Default()),
		Tokens: []fakebitbucket.Token{
			{Value: robot, Kind: fakebitbucket.APIToken, Email: "robot@example.com", User: "robot", Scopes: all},
			{Value: rotated, Kind: fakebitbucket.WorkspaceAccessToken, User: "acme token", Workspace: "acme",
				Scopes: []string{"account", "team", "webhook", "repository", "repository:write", "repository:admin", "pullrequest:write"}},
		},
		Workspaces:   []fakebitbucket.Workspace{{Slug: "acme", Admins: []string{"robot"}}},
		CloneURL:     git.NewProjectFunc(t),
		BranchExists: git.ProjectBranchExists,
	})
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/bitbucket",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("API_URL", api.URL())
			env.Setenv("GIT_URL", git.URL())
			env.Setenv("GIT_TOKEN", "robot@example.com:"+robot)
			env.Setenv("BARE_TOKEN", robot)
			env.Setenv("NEW_TOKEN", rotated)
			env.Setenv("WRONG_TOKEN", testcreds.BitbucketAccessToken("wrongwrong"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"tree":     cmdTree,
			// prs REPO: the pull requests opened on acme/REPO.
			"prs": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: prs REPO")
				}
				for _, pr := range api.PullRequests("acme", args[0]) {
					fmt.Fprintf(ts.Stdout(), "#%d %s (%s -> %s, close source branch %v)\n%s\n", pr.ID, pr.Title, pr.Source, pr.Dest, pr.CloseSourceBranch, pr.Description)
				}
			},
			// restrictions REPO: the branch restrictions of acme/REPO.
			"restrictions": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: restrictions REPO")
				}
				for _, r := range api.Restrictions("acme", args[0]) {
					v := ""
					if r.Value != nil {
						v = fmt.Sprint(" ", *r.Value)
					}
					fmt.Fprintf(ts.Stdout(), "%s %s%s\n", r.Pattern, r.Kind, v)
				}
			},
			// gitusers: the usernames the Git remote was sent, one a line.
			"gitusers": func(ts *testscript.TestScript, neg bool, args []string) {
				seen := map[string]bool{}
				for _, r := range git.Requests() {
					auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
					if !ok {
						continue
					}
					b, _ := base64.StdEncoding.DecodeString(auth)
					user, _, _ := strings.Cut(string(b), ":")
					if !seen[user] {
						seen[user] = true
						fmt.Fprintln(ts.Stdout(), user)
					}
				}
			},
			// remotefile REPO BRANCH PATH: a file of a remote branch.
			"remotefile": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: remotefile REPO BRANCH PATH")
				}
				data, ok := gitserver.Tree(t, git.ProjectDir("acme/"+args[0]), args[1])[args[2]]
				if !ok {
					ts.Fatalf("%s is not on %s@%s", args[2], args[0], args[1])
				}
				fmt.Fprint(ts.Stdout(), data)
			},
		},
	})
}
