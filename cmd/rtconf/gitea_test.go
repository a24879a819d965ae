package main

import (
	"fmt"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rtconf/rtconf/internal/fakegitea"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// TestGiteaScripts runs the scripts in testdata/gitea against a real Git
// remote (git http-backend behind basic auth) and the fake Gitea API, as
// TestGitLabScripts does for GitLab. The organisation acme is the robot's
// (owner); repositories are created by the scripts. Variables:
//
//	API_URL     the fake Gitea API (…/api/v1/)
//	GIT_URL     the Git server (repositories at GIT_URL/acme/NAME.git)
//	GIT_TOKEN   the robot's token: the remote accepts it, Gitea knows it
//	NEW_TOKEN   another token of the robot, to rotate to
//	WRONG_TOKEN a token both refuse
func TestGiteaScripts(t *testing.T) {
	t.Parallel()
	robot := testcreds.Gitea("scriptrobotscriptrob")
	rotated := testcreds.Gitea("scriptrotatedscriptr")
	git := gitserver.New(t, gitserver.Options{Token: robot})
	scopes := []string{"write:repository", "write:organization", "read:user"}
	api := fakegitea.New(t, fakegitea.Options{
		Now:          testclock.Fixed(testclock.Default()),
		Tokens:       []fakegitea.Token{{Value: robot, User: "robot", Scopes: scopes}, {Value: rotated, User: "robot", Scopes: scopes}},
		Orgs:         []fakegitea.Org{{Name: "acme", Owners: []string{"robot"}}},
		CloneURL:     git.NewRepoFunc(t),
		BranchExists: git.BranchExists,
	})
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/gitea",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("API_URL", api.URL())
			env.Setenv("GIT_URL", git.URL())
			env.Setenv("GIT_TOKEN", robot)
			env.Setenv("NEW_TOKEN", rotated)
			env.Setenv("WRONG_TOKEN", testcreds.Gitea("wrongwrongwrongwrong"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"tree":     cmdTree,
			// pulls REPO: the pull requests of acme/REPO.
			"pulls": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: pulls REPO")
				}
				for _, p := range api.Pulls("acme", args[0]) {
					fmt.Fprintf(ts.Stdout(), "#%d %s (%s -> %s)\n%s\n", p.Number, p.Title, p.Head, p.Base, p.Body)
				}
			},
			// protection REPO: the repository's branch protection rules.
			"protection": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: protection REPO")
				}
				for _, p := range api.Protections("acme", args[0]) {
					fmt.Fprintf(ts.Stdout(), "%s push %v status check %v %q approvals %d\n", p.RuleName, p.EnablePush, p.EnableStatusCheck, p.StatusCheckContexts, p.RequiredApprovals)
				}
			},
			// remotefile REPO BRANCH PATH: a file of a remote branch.
			"remotefile": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: remotefile REPO BRANCH PATH")
				}
				data, ok := gitserver.Tree(t, git.BareDir("acme", args[0]), args[1])[args[2]]
				if !ok {
					ts.Fatalf("%s is not on %s@%s", args[2], args[0], args[1])
				}
				fmt.Fprint(ts.Stdout(), data)
			},
		},
	})
}
