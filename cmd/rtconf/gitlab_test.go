package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rtconf/rtconf/internal/fakegitlab"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// TestGitLabScripts runs the scripts in testdata/gitlab against a real Git
// remote (git http-backend behind basic auth) and the fake GitLab API, as
// TestGitHubScripts does for GitHub. The group acme/platform is the
// robot's (Maintainer); projects are created by the scripts. Variables:
//
//	API_URL     the fake GitLab API (…/api/v4/)
//	GIT_URL     the Git server (projects at GIT_URL/acme/platform/NAME.git)
//	GIT_TOKEN   the robot's token (api): the remote accepts it, GitLab knows it
//	NEW_TOKEN   another token of the robot, to rotate to
//	WRONG_TOKEN a token both refuse
func TestGitLabScripts(t *testing.T) {
	t.Parallel()
	robot := testcreds.GitLab("scriptrobotscriptrob")
	rotated := testcreds.GitLab("scriptrotatedscriptr")
	git := gitserver.New(t, gitserver.Options{Token: robot})
	api := fakegitlab.New(t, fakegitlab.Options{
		Now:   testclock.Fixed(testclock.Default()),
		Users: []fakegitlab.User{{Username: "robot"}},
		Tokens: []fakegitlab.Token{
			{Value: robot, User: "robot", Scopes: []string{"api"}, Expires: testclock.Default().Add(90 * 24 * time.Hour)},
			{Value: rotated, User: "robot", Scopes: []string{"api"}, Expires: testclock.Default().Add(180 * 24 * time.Hour)},
		},
		Groups: []fakegitlab.Group{
			{FullPath: "acme"},
			{FullPath: "acme/platform", Members: map[string]int{"robot": fakegitlab.Maintainer}},
		},
		CloneURL:     git.NewProjectFunc(t),
		BranchExists: git.ProjectBranchExists,
	})
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/gitlab",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("API_URL", api.URL())
			env.Setenv("GIT_URL", git.URL())
			env.Setenv("GIT_TOKEN", robot)
			env.Setenv("NEW_TOKEN", rotated)
			env.Setenv("WRONG_TOKEN", testcreds.GitLab("wrongwrongwrongwrong"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"tree":     cmdTree,
			// mrs PROJECT: the merge requests opened on acme/platform/PROJECT.
			"mrs": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: mrs PROJECT")
				}
				for _, mr := range api.MergeRequests("acme/platform/" + args[0]) {
					fmt.Fprintf(ts.Stdout(), "!%d %s (%s -> %s, remove source branch %v)\n%s\n", mr.IID, mr.Title, mr.SourceBranch, mr.TargetBranch, mr.RemoveSourceBranch, mr.Description)
				}
			},
			// protection PROJECT BRANCH: the branch's protection and whether
			// pipelines must succeed.
			"protection": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: protection PROJECT BRANCH")
				}
				p := "acme/platform/" + args[0]
				pb, ok := api.ProtectedBranch(p, args[1])
				if !ok {
					ts.Fatalf("%s is not protected", args[1])
				}
				st, _ := api.ProjectSettings(p)
				fmt.Fprintf(ts.Stdout(), "push %d merge %d force %v pipelines %v\n", pb.PushAccessLevel, pb.MergeAccessLevel, pb.AllowForcePush, st.OnlyAllowMergeIfPipelineSucceeds)
			},
			// remotefile PROJECT BRANCH PATH: a file of a remote branch.
			"remotefile": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: remotefile PROJECT BRANCH PATH")
				}
				data, ok := gitserver.Tree(t, git.ProjectDir("acme/platform/"+args[0]), args[1])[args[2]]
				if !ok {
					ts.Fatalf("%s is not on %s@%s", args[2], args[0], args[1])
				}
				fmt.Fprint(ts.Stdout(), data)
			},
		},
	})
}
