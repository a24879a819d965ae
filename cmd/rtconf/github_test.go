package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// TestGitHubScripts runs the scripts in testdata/github against a real Git
// remote (git http-backend behind basic auth) and the fake GitHub API. Each
// script gets its own repository, acme/<script name>, created by the
// script's `rtconf init --create`, and these variables:
//
//	API_URL    the fake GitHub API
//	GIT_URL    the Git server (the repositories are GIT_URL/acme/NAME.git)
//	GIT_TOKEN  the robot's token: the Git remote accepts it, GitHub knows it
//	NEW_TOKEN  another token of the robot, to rotate to
//	WRONG_TOKEN a token both refuse
func TestGitHubScripts(t *testing.T) {
	t.Parallel()
	robot := testcreds.Classic("scriptrobot")
	rotated := testcreds.Classic("scriptrotated")
	git := gitserver.New(t, gitserver.Options{Token: robot})
	api := fakegithub.New(t, fakegithub.Options{
		Now: testclock.Fixed(testclock.Default()),
		Tokens: []fakegithub.Token{
			{Value: robot, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: testclock.Default().Add(90 * 24 * time.Hour)},
			{Value: rotated, Login: "robot", Scopes: []string{"repo", "admin:repo_hook"}, Expires: testclock.Default().Add(180 * 24 * time.Hour)},
		},
		Orgs:         map[string][]string{"acme": {"robot"}},
		CloneURL:     git.NewRepoFunc(t),
		BranchExists: git.BranchExists,
	})
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/github",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("API_URL", api.URL())
			env.Setenv("GIT_URL", git.URL())
			env.Setenv("GIT_TOKEN", robot)
			env.Setenv("NEW_TOKEN", rotated)
			env.Setenv("WRONG_TOKEN", testcreds.Classic("scriptwrong"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"tree":     cmdTree,
			"cmphash":  cmdCmpHash,
			// cmpremote DIR REPO BRANCH: the remote branch holds exactly the
			// files of the working tree DIR (.git left out).
			"cmpremote": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: cmpremote DIR REPO BRANCH")
				}
				remote := gitserver.Tree(t, git.BareDir("acme", args[1]), args[2])
				local := map[string]string{}
				dir := ts.MkAbs(args[0])
				err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						if d != nil && d.IsDir() && d.Name() == ".git" {
							return filepath.SkipDir
						}
						return err
					}
					data, err := os.ReadFile(p)
					rel, _ := filepath.Rel(dir, p)
					local[filepath.ToSlash(rel)] = string(data)
					return err
				})
				if err != nil {
					ts.Fatalf("%v", err)
				}
				var diff []string
				for p, v := range local {
					if r, ok := remote[p]; !ok {
						diff = append(diff, "only local: "+p)
					} else if r != v {
						diff = append(diff, "differs: "+p)
					}
				}
				for p := range remote {
					if _, ok := local[p]; !ok {
						diff = append(diff, "only on the remote: "+p)
					}
				}
				sort.Strings(diff)
				if len(diff) > 0 {
					ts.Fatalf("%s and %s@%s differ:\n%s", args[0], args[1], args[2], strings.Join(diff, "\n"))
				}
			},
			// remotefile REPO BRANCH PATH: print a file of a remote branch.
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
			// prs REPO: print the pull requests opened on acme/REPO.
			"prs": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: prs REPO")
				}
				for _, pr := range api.PullRequests("acme", args[0]) {
					fmt.Fprintf(ts.Stdout(), "#%d %s (%s -> %s)\n%s\n", pr.Number, pr.Title, pr.Head, pr.Base, pr.Body)
				}
			},
			// protection REPO BRANCH: print the branch protection set.
			"protection": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: protection REPO BRANCH")
				}
				raw, ok := api.Protection("acme", args[0], args[1])
				if !ok {
					ts.Fatalf("%s is not protected", args[1])
				}
				fmt.Fprintln(ts.Stdout(), string(raw))
			},
		},
	})
}
