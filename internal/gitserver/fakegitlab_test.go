package gitserver_test

// A project created through the fake GitLab API, in a subgroup, is a real
// remote here, and the fake's merge requests see the branches pushed to it.

import (
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/google/go-cmp/cmp"
	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/rtconf/rtconf/internal/fakegitlab"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

func TestWithFakeGitLab(t *testing.T) {
	token := testcreds.Token("gl"+"pat-", "together", 26)
	gs := gitserver.New(t, gitserver.Options{Token: token})
	api := fakegitlab.New(t, fakegitlab.Options{
		Now:          testclock.Fixed(testclock.Default()),
		Tokens:       []fakegitlab.Token{{Value: token, User: "robot", Scopes: []string{"api"}}},
		Groups:       []fakegitlab.Group{{FullPath: "acme", Members: map[string]int{"robot": fakegitlab.Maintainer}}, {FullPath: "acme/platform"}},
		CloneURL:     gs.NewProjectFunc(t),
		BranchExists: gs.ProjectBranchExists,
	})
	gl, err := gitlab.NewClient(token, gitlab.WithBaseURL(api.URL()), gitlab.WithHTTPClient(api.Client()), gitlab.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	ns, _, err := gl.Namespaces.GetNamespace("acme/platform")
	if err != nil {
		t.Fatal(err)
	}
	created, _, err := gl.Projects.CreateProject(&gitlab.CreateProjectOptions{Path: gitlab.Ptr("shared-config"), NamespaceID: gitlab.Ptr(ns.ID)})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if want := gs.URL() + "/acme/platform/shared-config.git"; created.HTTPURLToRepo != want {
		t.Fatalf("http_url_to_repo %q, want %q", created.HTTPURLToRepo, want)
	}

	local, err := git.InitWithOptions(memory.NewStorage(), memfs.New(), git.InitOptions{DefaultBranch: plumbing.Main})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{created.HTTPURLToRepo}}); err != nil {
		t.Fatal(err)
	}
	commit(t, local, "rtconf.yaml", "version: 1\n")
	push(t, local, token, "main:main")
	mr := &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Add runtime prod"), SourceBranch: gitlab.Ptr("rtconf/add-prod"), TargetBranch: gitlab.Ptr("main")}
	if _, resp, err := gl.MergeRequests.CreateMergeRequest(created.ID, mr); err == nil || resp.StatusCode != 422 {
		t.Fatalf("merge request from a missing branch: %v", err)
	}
	commit(t, local, "runtimes/prod.yaml", "name: prod\n")
	push(t, local, token, "main:rtconf/add-prod")
	if _, _, err := gl.MergeRequests.CreateMergeRequest(created.PathWithNamespace, mr); err != nil {
		t.Fatalf("merge request: %v", err)
	}
	want := map[string]string{"rtconf.yaml": "version: 1\n", "runtimes/prod.yaml": "name: prod\n"}
	if diff := cmp.Diff(want, gitserver.Tree(t, gs.ProjectDir("acme/platform/shared-config"), "rtconf/add-prod")); diff != "" {
		t.Errorf("pushed branch (-want +got):\n%s", diff)
	}
	// Protected through the API and on the remote: pushes to main are refused.
	if _, _, err := gl.ProtectedBranches.ProtectRepositoryBranches(created.ID, &gitlab.ProtectRepositoryBranchesOptions{
		Name: gitlab.Ptr("main"), PushAccessLevel: gitlab.Ptr(gitlab.NoPermissions)}); err != nil {
		t.Fatal(err)
	}
	gs.ProtectProject(t, created.PathWithNamespace, "main")
	before := gitserver.Refs(t, gs.ProjectDir(created.PathWithNamespace))
	err = local.Push(&git.PushOptions{RefSpecs: []config.RefSpec{"refs/heads/main:refs/heads/main"},
		Auth: &githttp.BasicAuth{Username: "oauth2", Password: token}})
	if err == nil || !strings.Contains(err.Error(), "hook declined") {
		t.Errorf("push to protected main: %v, want a declined update", err)
	}
	if diff := cmp.Diff(before, gitserver.Refs(t, gs.ProjectDir(created.PathWithNamespace))); diff != "" {
		t.Errorf("a refused push changed refs (-before +after):\n%s", diff)
	}
	if gs.ProjectDir("acme/../x") != "" || gs.ProjectDir("solo") != "" {
		t.Error("ProjectDir accepts a path that leaves the root or has no namespace")
	}
}
