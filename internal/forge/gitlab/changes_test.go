package gitlab_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/fakegitlab"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/gitlab"
	"github.com/rtconf/rtconf/internal/testclock"
)

func client(t *testing.T, s *fakegitlab.Server, tok string) *gitlab.Client {
	t.Helper()
	o := opts(s)
	c, err := gitlab.NewClient(parse(t, tok), o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEnsureRepository(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, tok, ns, project string
		created                bool
		wantErr                string
	}{
		{name: "exists", tok: tokMaint, ns: "acme/platform", project: "shared-config"},
		{name: "created in a subgroup", tok: tokMaint, ns: "acme/platform", project: "new-config", created: true},
		{name: "created in a group", tok: tokMaint, ns: "acme", project: "top", created: true},
		{name: "developer may not create", tok: tokDev, ns: "acme/platform", project: "dev-config", wantErr: "create project acme/platform/dev-config: GitLab answered 400: namespace is not valid (the token's user may not create projects in acme/platform"},
		{name: "no such group", tok: tokMaint, ns: "nowhere", project: "x", wantErr: "find namespace nowhere: GitLab answered 404"},
		{name: "revoked", tok: tokRevoked, ns: "acme", project: "x", wantErr: "GitLab answered 401"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := fake(t, testclock.Default())
			repo, created, err := client(t, s, tt.tok).EnsureRepository(ctx, tt.ns, tt.project, true)
			if tt.wantErr != "" {
				var ge *gitlab.Error
				if !errors.As(err, &ge) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || created != tt.created || repo.Owner != tt.ns || repo.Name != tt.project || !repo.Private || repo.CloneURL == "" {
				t.Fatalf("repo %+v created %v err %v", repo, created, err)
			}
			if tt.created && !contains(s.CreatedProjects(), tt.ns+"/"+tt.project) {
				t.Errorf("created %v; want %s/%s", s.CreatedProjects(), tt.ns, tt.project)
			}
			// A second run finds it.
			if _, again, err := client(t, s, tt.tok).EnsureRepository(ctx, tt.ns, tt.project, true); err != nil || again {
				t.Errorf("second run: created %v, %v; want found", again, err)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestProtect(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	c := client(t, s, tokMaint)
	for run := 0; run < 2; run++ { // a re-run changes nothing
		if err := c.Protect(ctx, "acme/platform", "shared-config", "main", "rtconf validate"); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
	}
	pb, ok := s.ProtectedBranch("acme/platform/shared-config", "main")
	if !ok || pb.PushAccessLevel != fakegitlab.NoAccess || pb.MergeAccessLevel != fakegitlab.Maintainer || pb.AllowForcePush {
		t.Fatalf("protected branch %+v, %v", pb, ok)
	}
	if st, _ := s.ProjectSettings("acme/platform/shared-config"); !st.OnlyAllowMergeIfPipelineSucceeds {
		t.Fatalf("settings %+v; want pipelines required", st)
	}
	err := client(t, s, tokDev).Protect(ctx, "acme/platform", "shared-config", "release", "rtconf validate")
	if err == nil || !strings.Contains(err.Error(), "protect branch release of acme/platform/shared-config: GitLab answered 403") {
		t.Fatalf("developer: %v", err)
	}
}

func TestOpenChangeRequest(t *testing.T) {
	ctx := context.Background()
	s := fake(t, testclock.Default())
	c := client(t, s, tokMaint)
	cr := forge.ChangeRequest{Title: "rtconf: add user", Body: "body", Head: "rtconf/user-add", Base: "main"}
	url, err := c.OpenChangeRequest(ctx, "acme/platform", "shared-config", cr)
	if err != nil || !strings.HasSuffix(url, "/acme/platform/shared-config/-/merge_requests/1") {
		t.Fatalf("url %q, %v", url, err)
	}
	mrs := s.MergeRequests("acme/platform/shared-config")
	if len(mrs) != 1 || !mrs[0].RemoveSourceBranch || mrs[0].SourceBranch != cr.Head || mrs[0].TargetBranch != "main" || mrs[0].Description != "body" {
		t.Fatalf("merge requests %+v", mrs)
	}
	if _, err := c.OpenChangeRequest(ctx, "acme/platform", "shared-config", cr); err == nil || !strings.Contains(err.Error(), "GitLab answered 409") {
		t.Fatalf("second: %v; want 409", err)
	}
}

// TestChangesFollowThePolicy: a change waits out a 429 and is not retried
// after a 5xx when it is a POST.
func TestChangesFollowThePolicy(t *testing.T) {
	ctx := context.Background()
	cr := forge.ChangeRequest{Title: "t", Body: "b", Head: "rtconf/x", Base: "main"}
	s := fake(t, testclock.Default())
	s.RateLimit(1, 3)
	o := opts(s)
	var slept []time.Duration
	o.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	c, err := gitlab.NewClient(parse(t, tokMaint), o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.OpenChangeRequest(ctx, "acme/platform", "shared-config", cr); err != nil || len(slept) != 1 || slept[0] != 3*time.Second {
		t.Fatalf("%v, slept %v; want one 3s wait, then the merge request", err, slept)
	}
	s.Fault("/projects/", 1, http.StatusBadGateway, nil, "")
	cr.Head = "rtconf/y"
	_, err = c.OpenChangeRequest(ctx, "acme/platform", "shared-config", cr)
	if err == nil || !strings.Contains(err.Error(), "not retried") || len(s.MergeRequests("acme/platform/shared-config")) != 1 {
		t.Fatalf("%v; want a POST not retried after a 502", err)
	}
}
