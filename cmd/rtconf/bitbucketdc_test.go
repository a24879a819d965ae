package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rtconf/rtconf/internal/fakebitbucketdc"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// TestBitbucketDCScripts runs the scripts in testdata/bitbucketdc against
// a real Git remote that takes the token only as "Authorization: Bearer"
// (as Bitbucket Data Center does for project and repository tokens) and
// the fake Bitbucket Data Center API. The project ACME's token is the
// robot's (a project token, PROJECT_ADMIN); repositories are created by
// the scripts. Variables:
//
//	API_URL     the fake API (…/rest/api/1.0/)
//	GIT_URL     the Git server (repositories at GIT_URL/ACME/NAME.git)
//	GIT_TOKEN   the project token: the remote accepts it, Bitbucket knows it
//	NEW_TOKEN   another project token, to rotate to (expires in 90 days)
//	USER_TOKEN  a personal token with REPO_WRITE only
//	WRONG_TOKEN a token both refuse
func TestBitbucketDCScripts(t *testing.T) {
	t.Parallel()
	robot := testcreds.BitbucketDC("300000000001", "scriptrobot")
	rotated := testcreds.BitbucketDC("300000000002", "scriptrotated")
	user := testcreds.BitbucketDC("300000000003", "scriptuser")
	git := gitserver.New(t, gitserver.Options{Token: robot, Bearer: true})
	api := fakebitbucketdc.New(t, fakebitbucketdc.Options{
		Now: testclock.Fixed(testclock.Default()),
		Tokens: []fakebitbucketdc.Token{
			{Value: robot, Name: "runtime", User: "project-acme-bot", Kind: fakebitbucketdc.Project, Project: "ACME", ProjectPerm: fakebitbucketdc.Admin, RepoPerm: fakebitbucketdc.Admin},
			{Value: rotated, Name: "runtime 2", User: "project-acme-bot", Kind: fakebitbucketdc.Project, Project: "ACME", ProjectPerm: fakebitbucketdc.Admin, RepoPerm: fakebitbucketdc.Admin, Expires: testclock.Default().Add(90 * 24 * time.Hour)},
			{Value: user, User: "alice", ProjectPerm: fakebitbucketdc.Write, RepoPerm: fakebitbucketdc.Write},
		},
		Projects:     []fakebitbucketdc.Proj{{Key: "ACME", Perms: map[string]int{"alice": fakebitbucketdc.Write}}},
		CloneURL:     git.NewRepoFunc(t),
		BranchExists: git.BranchExists,
	})
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/bitbucketdc",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("API_URL", api.URL())
			env.Setenv("GIT_URL", git.URL())
			env.Setenv("GIT_TOKEN", robot)
			env.Setenv("NEW_TOKEN", rotated)
			env.Setenv("USER_TOKEN", user)
			env.Setenv("WRONG_TOKEN", testcreds.BitbucketDC("300000000009", "wrongwrong"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"tree":     cmdTree,
			// prs REPO: the pull requests of ACME/REPO.
			"prs": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: prs REPO")
				}
				for _, pr := range api.PullRequests("ACME", args[0]) {
					fmt.Fprintf(ts.Stdout(), "#%d %s (%s -> %s) by %s\n%s\n", pr.ID, pr.Title, pr.FromRef, pr.ToRef, pr.Author, pr.Description)
				}
			},
			// protection REPO BRANCH: the branch's permissions, required
			// builds and the repository's required approvers.
			"protection": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: protection REPO BRANCH")
				}
				p := api.Protection("ACME", args[0])
				ref := "refs/heads/" + args[1]
				fmt.Fprintf(ts.Stdout(), "restrictions %s builds %q approvers %d\n", strings.Join(p.Restrictions[ref], ","), p.Builds[ref], p.Approvers)
			},
			// remotefile REPO BRANCH PATH: a file of a remote branch.
			"remotefile": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: remotefile REPO BRANCH PATH")
				}
				data, ok := gitserver.Tree(t, git.BareDir("ACME", args[0]), args[1])[args[2]]
				if !ok {
					ts.Fatalf("%s is not on %s@%s", args[2], args[0], args[1])
				}
				fmt.Fprint(ts.Stdout(), data)
			},
		},
	})
}
