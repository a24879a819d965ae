package fakegitlab

import (
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

func TestGetProject(t *testing.T) {
	s := New(t, options())
	for _, tc := range []struct {
		name, token, id   string
		status            int
		project, group    gitlab.AccessLevelValue // permissions
		permissionsAbsent bool
	}{
		{"by path, inherited maintainer", tokMaint, "acme/platform/config", 0, 0, gitlab.MaintainerPermissions, false},
		{"by id", tokMaint, "1001", 0, 0, gitlab.MaintainerPermissions, false},
		{"path in any case", tokMaint, "ACME/Platform/Config", 0, 0, gitlab.MaintainerPermissions, false},
		{"subgroup developer", tokDev, "acme/platform/config", 0, 0, gitlab.DeveloperPermissions, false},
		{"reporter of the parent", tokReporter, "acme/platform/config", 0, 0, gitlab.ReporterPermissions, false},
		{"project member bot", tokBot, "acme/platform/config", 0, gitlab.MaintainerPermissions, 0, false},
		{"own namespace", tokMaint, "robot/dotfiles", 0, gitlab.OwnerPermissions, 0, false},
		{"private to an outsider", tokOutsider, "acme/secret", 404, 0, 0, false},
		{"private to a subgroup member", tokDev, "acme/secret", 404, 0, 0, false},
		{"missing", tokMaint, "acme/nope", 404, 0, 0, false},
		{"public to an outsider", tokOutsider, "open/site", 0, 0, 0, false},
		{"public to anonymous", "", "open/site", 0, 0, 0, true},
		{"private to anonymous", "", "acme/secret", 404, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, err := client(t, s, tc.token, false).Projects.GetProject(tc.id, nil)
			if got := statusOf(t, err); got != tc.status || err != nil {
				if got != tc.status {
					t.Fatalf("status %d (%v), want %d", got, err, tc.status)
				}
				return
			}
			if p.Permissions == nil != tc.permissionsAbsent {
				t.Fatalf("permissions = %+v, want absent: %v", p.Permissions, tc.permissionsAbsent)
			}
			if p.Permissions != nil {
				if got := levelOf(p.Permissions.ProjectAccess); got != tc.project {
					t.Errorf("project_access = %v, want %v", got, tc.project)
				}
				if p.Permissions.GroupAccess == nil && tc.group != 0 || p.Permissions.GroupAccess != nil && p.Permissions.GroupAccess.AccessLevel != tc.group {
					t.Errorf("group_access = %+v, want %v", p.Permissions.GroupAccess, tc.group)
				}
			}
			if p.WebURL != s.WebURL()+"/"+p.PathWithNamespace || p.HTTPURLToRepo != p.WebURL+".git" || p.DefaultBranch != "main" {
				t.Errorf("project = %+v", p)
			}
		})
	}
}

func levelOf(a *gitlab.ProjectAccess) gitlab.AccessLevelValue {
	if a == nil {
		return 0
	}
	return a.AccessLevel
}

func TestGetProjectWire(t *testing.T) {
	s := New(t, options())
	resp, body := raw(t, s, "GET", "/projects/acme%2Fsecret", tokOutsider, "")
	if resp.StatusCode != 404 || body != `{"message":"404 Project Not Found"}` {
		t.Errorf("private project to an outsider: %d %s", resp.StatusCode, body)
	}
	resp, body = raw(t, s, "GET", "/projects/acme/secret", tokMaint, "")
	if resp.StatusCode != 404 || body != `{"error":"404 Not Found"}` {
		t.Errorf("unencoded path: %d %s", resp.StatusCode, body)
	}
}

func TestCreateProject(t *testing.T) {
	s := New(t, options())
	acme, _, err := client(t, s, tokMaint, false).Namespaces.GetNamespace("acme")
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := client(t, s, tokDev, false).Groups.GetGroup("acme/platform", nil)
	if err != nil {
		t.Fatal(err)
	}
	if acme.Kind != "group" || acme.FullPath != "acme" || sub.ParentID != acme.ID || sub.FullPath != "acme/platform" {
		t.Fatalf("namespace %+v, group %+v", acme, sub)
	}
	for _, tc := range []struct {
		name, token, path string
		namespace         int64
		visibility        string
		status            int
		message           string
	}{
		{"in a group, as maintainer", tokMaint, "new", acme.ID, "private", 201, ""},
		{"in a subgroup, inherited maintainer", tokMaint, "deep", sub.ID, "", 201, ""},
		{"in the own namespace", tokMaint, "mine", 0, "public", 201, ""},
		{"path taken", tokMaint, "new", acme.ID, "", 400, "{message: {name: [has already been taken]}, {path: [has already been taken]}}"},
		{"as developer", tokDev, "devs", sub.ID, "", 400, "{message: {namespace: [is not valid]}}"},
		{"in an unknown namespace", tokMaint, "x", 99999, "", 400, "{message: {namespace: [is not valid]}}"},
		{"bad visibility", tokMaint, "y", acme.ID, "secret", 400, "{error: visibility does not have a valid value}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := &gitlab.CreateProjectOptions{Path: gitlab.Ptr(tc.path), Description: gitlab.Ptr("shared")}
			if tc.namespace != 0 {
				opt.NamespaceID = gitlab.Ptr(tc.namespace)
			}
			if tc.visibility != "" {
				opt.Visibility = gitlab.Ptr(gitlab.VisibilityValue(tc.visibility))
			}
			p, resp, err := client(t, s, tc.token, false).Projects.CreateProject(opt)
			if tc.status != 201 {
				if statusOf(t, err) != tc.status || messageOf(t, err) != tc.message {
					t.Fatalf("err = %v, want %d %s", err, tc.status, tc.message)
				}
				return
			}
			if err != nil || resp.StatusCode != 201 {
				t.Fatal(err)
			}
			got, _, err := client(t, s, tc.token, false).Projects.GetProject(p.ID, nil)
			if err != nil || got.PathWithNamespace != p.PathWithNamespace || got.Name != tc.path || got.Description != "shared" {
				t.Fatalf("GET after create: %+v, %v", got, err)
			}
		})
	}
	want := []string{"acme/new", "acme/platform/deep", "robot/mine"}
	if got := s.CreatedProjects(); !slices.Equal(got, want) {
		t.Errorf("CreatedProjects = %v, want %v", got, want)
	}
	if got := s.Projects(); len(got) != 7 {
		t.Errorf("Projects = %v", got)
	}
}

func TestNamespacesAndGroups(t *testing.T) {
	s := New(t, options())
	for _, tc := range []struct {
		name, token, id string
		namespace       int // status of GET /namespaces/:id
		group           int // status of GET /groups/:id
	}{
		{"member", tokMaint, "acme", 0, 0},
		{"inherited member", tokMaint, "acme/platform", 0, 0},
		{"subgroup member, parent", tokDev, "acme", 404, 404},
		{"outsider, private group", tokOutsider, "acme", 404, 404},
		{"outsider, public group", tokOutsider, "open", 404, 0},
		{"anonymous, public group", "", "open", 401, 0},
		{"own user namespace", tokMaint, "robot", 0, 404},
		{"another user's namespace", tokOutsider, "robot", 404, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t, s, tc.token, false)
			ns, _, err := c.Namespaces.GetNamespace(tc.id)
			check(t, "namespace", err, tc.namespace)
			if err == nil && (ns.FullPath != tc.id || ns.WebURL != s.WebURL()+"/"+tc.id) {
				t.Errorf("namespace = %+v", ns)
			}
			g, _, err := c.Groups.GetGroup(tc.id, nil)
			check(t, "group", err, tc.group)
			if err == nil && (g.FullPath != tc.id || g.ProjectCreationLevel != gitlab.MaintainerProjectCreation) {
				t.Errorf("group = %+v", g)
			}
		})
	}
}

func TestEditProject(t *testing.T) {
	s := New(t, options())
	for _, tc := range []struct {
		name, token string
		status      int
	}{
		{"developer", tokDev, http.StatusForbidden},
		{"outsider", tokOutsider, http.StatusNotFound},
		{"maintainer", tokMaint, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, err := client(t, s, tc.token, false).Projects.EditProject("acme/platform/config", &gitlab.EditProjectOptions{
				OnlyAllowMergeIfPipelineSucceeds: gitlab.Ptr(true), RemoveSourceBranchAfterMerge: gitlab.Ptr(true)})
			check(t, "edit", err, tc.status)
			if err == nil && (!p.OnlyAllowMergeIfPipelineSucceeds || !p.RemoveSourceBranchAfterMerge) {
				t.Errorf("answer = %+v", p)
			}
		})
	}
	got, ok := s.ProjectSettings("acme/platform/config")
	if want := (ProjectSettings{DefaultBranch: "main", OnlyAllowMergeIfPipelineSucceeds: true, RemoveSourceBranchAfterMerge: true}); !ok || got != want {
		t.Errorf("ProjectSettings = %+v, want %+v", got, want)
	}
	p, _, err := client(t, s, tokDev, false).Projects.GetProject("acme/platform/config", nil)
	if err != nil || !p.OnlyAllowMergeIfPipelineSucceeds {
		t.Errorf("GET after edit: %+v %v", p, err)
	}
	resp, body := raw(t, s, "PUT", "/projects/acme%2Fplatform%2Fconfig", tokDev, `{"default_branch":"x"}`)
	if resp.StatusCode != 403 || body != `{"message":"403 Forbidden"}` {
		t.Errorf("developer's PUT: %d %s", resp.StatusCode, body)
	}
}

func TestProjectCreationLevel(t *testing.T) {
	for _, tc := range []struct {
		level string
		role  int
		ok    bool
	}{
		{"", Developer, false}, // the fake's default: maintainer
		{"", Maintainer, true},
		{"developer", Developer, true},
		{"developer", Reporter, false},
		{"maintainer", Owner, true},
		{"owner", Maintainer, false},
		{"owner", Owner, true},
		{"noone", Owner, false},
	} {
		o := options()
		o.Groups = append(o.Groups, Group{FullPath: "team", ProjectCreationLevel: tc.level, Members: map[string]int{"dev": tc.role}})
		s := New(t, o)
		c := client(t, s, tokDev, false)
		ns, _, err := c.Namespaces.GetNamespace("team")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("New Thing"), NamespaceID: gitlab.Ptr(ns.ID)})
		if (err == nil) != tc.ok {
			t.Errorf("level %q, role %d: %v, want allowed: %v", tc.level, tc.role, err, tc.ok)
		}
		if tc.ok && !slices.Equal(s.CreatedProjects(), []string{"team/new-thing"}) {
			t.Errorf("created %v", s.CreatedProjects())
		}
	}
}

// fatalTB records New's refusal instead of ending the test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatal(args ...any) { f.msg = fmt.Sprint(args...); runtime.Goexit() }
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestOptionsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"no clock", func(o *Options) { o.Now = nil }, "fakegitlab: Options.Now is required: give the fake the test's clock"},
		{"orphan subgroup", func(o *Options) { o.Groups = []Group{{FullPath: "a/b"}} }, `fakegitlab: group "a/b": its parent group "a" is not listed before it`},
		{"project without namespace", func(o *Options) { o.Projects = []Project{{PathWithNamespace: "solo"}} }, `fakegitlab: project "solo": its namespace "" is neither a group nor a user`},
		{"repeated project", func(o *Options) { o.Projects = append(o.Projects, Project{PathWithNamespace: "ACME/secret"}) }, `fakegitlab: project "ACME/secret" is repeated`},
		{"token without user", func(o *Options) { o.Tokens = []Token{{Value: "x"}} }, "fakegitlab: token 0 needs a Value and a User, and its own value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := options()
			tc.edit(&o)
			f := &fatalTB{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				New(f, o)
			}()
			<-done
			if f.msg != tc.want {
				t.Errorf("New: %q, want %q", f.msg, tc.want)
			}
		})
	}
}
