package fakegitlab

import (
	"net/http"
	"strconv"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

const config = "acme/platform/config"

func TestProtectedBranches(t *testing.T) {
	s := New(t, options())
	maint, dev := client(t, s, tokMaint, false), client(t, s, tokDev, false)
	protect := func(c *gitlab.Client, name string) (*gitlab.ProtectedBranch, error) {
		pb, _, err := c.ProtectedBranches.ProtectRepositoryBranches(config, &gitlab.ProtectRepositoryBranchesOptions{
			Name: gitlab.Ptr(name), PushAccessLevel: gitlab.Ptr(gitlab.NoPermissions),
			MergeAccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions), AllowForcePush: gitlab.Ptr(false)})
		return pb, err
	}
	if _, err := protect(dev, "main"); statusOf(t, err) != http.StatusForbidden {
		t.Fatalf("developer protects: %v, want 403", err)
	}
	pb, err := protect(maint, "main")
	if err != nil {
		t.Fatal(err)
	}
	if pb.Name != "main" || len(pb.PushAccessLevels) != 1 || pb.PushAccessLevels[0].AccessLevel != gitlab.NoPermissions ||
		pb.PushAccessLevels[0].AccessLevelDescription != "No one" || pb.MergeAccessLevels[0].AccessLevel != gitlab.MaintainerPermissions {
		t.Errorf("protected branch = %+v", pb)
	}
	if _, err := protect(maint, "main"); statusOf(t, err) != http.StatusConflict || messageOf(t, err) != "{message: Protected branch 'main' already exists}" {
		t.Errorf("protect twice: %v, want 409", err)
	}
	got, ok := s.ProtectedBranch(config, "main")
	if want := (ProtectedBranch{Name: "main", PushAccessLevel: NoAccess, MergeAccessLevel: Maintainer, UnprotectAccessLevel: Maintainer}); !ok || got != want {
		t.Errorf("ProtectedBranch = %+v, want %+v", got, want)
	}
	if _, _, err := maint.ProtectedBranches.GetProtectedBranch(config, "main"); err != nil {
		t.Error(err)
	}
	if _, _, err := dev.ProtectedBranches.GetProtectedBranch(config, "main"); statusOf(t, err) != 403 {
		t.Errorf("developer reads: %v, want 403", err)
	}
	up, _, err := maint.ProtectedBranches.UpdateProtectedBranch(config, "main", &gitlab.UpdateProtectedBranchOptions{AllowForcePush: gitlab.Ptr(true)})
	if err != nil || !up.AllowForcePush {
		t.Errorf("PATCH: %+v %v", up, err)
	}
	if got, _ := s.ProtectedBranch(config, "main"); !got.AllowForcePush {
		t.Errorf("PATCH not applied: %+v", got)
	}
	list, resp, err := maint.ProtectedBranches.ListProtectedBranches(config, nil)
	if err != nil || len(list) != 1 || resp.TotalItems != 1 {
		t.Errorf("list: %v %v", list, err)
	}
	if list, _, err := maint.ProtectedBranches.ListProtectedBranches(config, &gitlab.ListProtectedBranchesOptions{Search: gitlab.Ptr("dev")}); err != nil || len(list) != 0 {
		t.Errorf("search: %v %v", list, err)
	}
	if _, err := maint.ProtectedBranches.UnprotectRepositoryBranches(config, "main"); err != nil {
		t.Error(err)
	}
	if _, ok := s.ProtectedBranch(config, "main"); ok {
		t.Error("DELETE not applied")
	}
	resp2, body := raw(t, s, "GET", "/projects/1001/protected_branches/main", tokMaint, "")
	if resp2.StatusCode != 404 || body != `{"message":"404 Not found"}` {
		t.Errorf("GET after DELETE: %d %s", resp2.StatusCode, body)
	}
	resp2, body = raw(t, s, "POST", "/projects/1001/protected_branches", tokMaint, `{"name":"release/*","push_access_level":20}`)
	if resp2.StatusCode != 400 || body != `{"error":"push_access_level does not have a valid value"}` {
		t.Errorf("bad level: %d %s", resp2.StatusCode, body)
	}
	resp2, body = raw(t, s, "POST", "/projects/1001/protected_branches", tokMaint, `{}`)
	if resp2.StatusCode != 400 || body != `{"error":"name is missing"}` {
		t.Errorf("no name: %d %s", resp2.StatusCode, body)
	}
	if _, err := protect(maint, "release/1.0"); err != nil {
		t.Error(err)
	}
	if _, _, err := maint.ProtectedBranches.GetProtectedBranch(config, "release/1.0"); err != nil {
		t.Errorf("a name with a slash: %v", err)
	}
}

func TestMergeRequests(t *testing.T) {
	o := options()
	o.BranchExists = func(project, branch string) bool { return project == config && branch != "gone" }
	s := New(t, o)
	open := func(token, src, dst string) (*gitlab.MergeRequest, error) {
		mr, _, err := client(t, s, token, false).MergeRequests.CreateMergeRequest(config, &gitlab.CreateMergeRequestOptions{
			SourceBranch: gitlab.Ptr(src), TargetBranch: gitlab.Ptr(dst), Title: gitlab.Ptr("rtconf: " + src),
			Description: gitlab.Ptr("body"), RemoveSourceBranch: gitlab.Ptr(true)})
		return mr, err
	}
	for _, tc := range []struct {
		name, token, src, dst string
		status                int
		message               string
	}{
		{"developer", tokDev, "rtconf/a", "main", 201, ""},
		{"same branches again", tokMaint, "rtconf/a", "main", 409, "{message: [Another open merge request already exists for this source branch: !1]}"},
		{"same source, other target", tokMaint, "rtconf/a", "dev", 201, ""},
		{"reporter", tokReporter, "rtconf/b", "main", 403, "{message: 403 Forbidden}"},
		{"source is target", tokDev, "main", "main", 422, "{message: [You can't use same project/branch for source and target]}"},
		{"missing branch", tokDev, "gone", "main", 422, `{message: [Source branch "gone" does not exist]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mr, err := open(tc.token, tc.src, tc.dst)
			if tc.status != 201 {
				if statusOf(t, err) != tc.status || messageOf(t, err) != tc.message {
					t.Fatalf("err = %v, want %d %s", err, tc.status, tc.message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := s.WebURL() + "/" + config + "/-/merge_requests/" + strconv.FormatInt(mr.IID, 10)
			if mr.WebURL != want || mr.State != "opened" || !mr.ForceRemoveSourceBranch || mr.SourceBranch != tc.src {
				t.Errorf("merge request = %+v", mr)
			}
		})
	}
	mrs := s.MergeRequests(config)
	if len(mrs) != 2 || mrs[0].IID != 1 || mrs[0].Author != "dev" || mrs[1].TargetBranch != "dev" || !mrs[0].RemoveSourceBranch {
		t.Errorf("MergeRequests = %+v", mrs)
	}
	c := client(t, s, tokReporter, false)
	list, resp, err := c.MergeRequests.ListProjectMergeRequests(config, &gitlab.ListProjectMergeRequestsOptions{
		SourceBranch: gitlab.Ptr("rtconf/a"), State: gitlab.Ptr("opened")})
	if err != nil || len(list) != 2 || list[0].IID != 2 || resp.TotalItems != 2 {
		t.Errorf("list: %+v %v", list, err)
	}
	list, _, err = c.MergeRequests.ListProjectMergeRequests(config, &gitlab.ListProjectMergeRequestsOptions{TargetBranch: gitlab.Ptr("dev")})
	if err != nil || len(list) != 1 {
		t.Errorf("list by target: %+v %v", list, err)
	}
	if _, _, err := client(t, s, tokOutsider, false).MergeRequests.ListProjectMergeRequests(config, nil); statusOf(t, err) != 404 {
		t.Errorf("outsider lists: %v, want 404", err)
	}
	resp2, body := raw(t, s, "POST", "/projects/1001/merge_requests", tokDev, `{"source_branch":"x"}`)
	if resp2.StatusCode != 400 || body != `{"error":"target_branch is missing, title is missing"}` {
		t.Errorf("missing fields: %d %s", resp2.StatusCode, body)
	}
}

func TestPagination(t *testing.T) {
	s := New(t, options())
	c := client(t, s, tokMaint, false)
	for i := range 5 {
		if _, _, err := c.MergeRequests.CreateMergeRequest(config, &gitlab.CreateMergeRequestOptions{
			SourceBranch: gitlab.Ptr("b" + strconv.Itoa(i)), TargetBranch: gitlab.Ptr("main"), Title: gitlab.Ptr("t")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		page, n, next, prev int64
	}{
		{1, 2, 2, 0}, {2, 2, 3, 1}, {3, 1, 0, 2}, {4, 0, 0, 0},
	} {
		list, resp, err := c.MergeRequests.ListProjectMergeRequests(config, &gitlab.ListProjectMergeRequestsOptions{
			ListOptions: gitlab.ListOptions{Page: tc.page, PerPage: 2}})
		if err != nil || int64(len(list)) != tc.n || resp.TotalItems != 5 || resp.TotalPages != 3 || resp.NextPage != tc.next ||
			resp.PreviousPage != tc.prev || resp.CurrentPage != tc.page || resp.ItemsPerPage != 2 {
			t.Errorf("page %d: %d items, %+v, %v", tc.page, len(list), resp, err)
		}
		if resp.Header.Get("Link") == "" {
			t.Errorf("page %d: no Link", tc.page)
		}
	}
	resp, _ := raw(t, s, "GET", "/projects/1001/merge_requests?per_page=2&state=opened", tokMaint, "")
	want := `<` + s.URL() + `projects/1001/merge_requests?page=2&per_page=2&state=opened>; rel="next", <` +
		s.URL() + `projects/1001/merge_requests?page=1&per_page=2&state=opened>; rel="first", <` +
		s.URL() + `projects/1001/merge_requests?page=3&per_page=2&state=opened>; rel="last"`
	if got := resp.Header.Get("Link"); got != want {
		t.Errorf("Link = %s\nwant %s", got, want)
	}
}
