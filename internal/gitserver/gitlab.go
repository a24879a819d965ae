package gitserver

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// GitLab names a repository by its project's full path, whose namespace may
// be a group, a subgroup or a user: "group/sub/project". The server keeps it
// at <root>/group/sub/project.git, as BareDir("group/sub", "project").

// splitProject splits a full path at its last slash; it refuses empty,
// "." and ".." segments, which would leave the server's root.
func splitProject(pathWithNamespace string) (namespace, name string, err error) {
	segs := strings.Split(pathWithNamespace, "/")
	for _, seg := range segs {
		if seg == "" || seg == "." || seg == ".." {
			return "", "", fmt.Errorf("project path %q: empty, . or .. segment", pathWithNamespace)
		}
	}
	if len(segs) < 2 {
		return "", "", fmt.Errorf("project path %q has no namespace", pathWithNamespace)
	}
	return strings.Join(segs[:len(segs)-1], "/"), segs[len(segs)-1], nil
}

// ProjectDir is the bare repository directory of a GitLab project's full path.
func (s *Server) ProjectDir(pathWithNamespace string) string {
	ns, name, err := splitProject(pathWithNamespace)
	if err != nil {
		return ""
	}
	return s.BareDir(ns, name)
}

// NewProjectFunc is NewRepoFunc for GitLab: it takes a project's
// path_with_namespace and fits fakegitlab.Options.CloneURL, so that a
// project created through the fake GitLab API can be pushed to here.
func (s *Server) NewProjectFunc(t testing.TB) func(pathWithNamespace string) string {
	return func(pathWithNamespace string) string {
		ns, name, err := splitProject(pathWithNamespace)
		if err != nil {
			t.Errorf("gitserver: %v", err)
			return ""
		}
		if _, err := os.Stat(s.BareDir(ns, name)); err == nil {
			return s.URL() + "/" + pathWithNamespace + ".git"
		}
		url, err := s.newRepo(ns, name)
		if err != nil {
			t.Errorf("gitserver: %v", err)
		}
		return url
	}
}

// ProjectBranchExists reports whether a GitLab project (by full path) has
// the branch; it fits fakegitlab.Options.BranchExists.
func (s *Server) ProjectBranchExists(pathWithNamespace, branch string) bool {
	ns, name, err := splitProject(pathWithNamespace)
	return err == nil && s.BranchExists(ns, name, branch)
}

// ProtectProject is Protect for a GitLab project by full path, printing
// GitLab's message for a push to a protected branch ("GitLab: You are not
// allowed to push code to protected branches on this project."); Git then
// reports the ref as "pre-receive hook declined", as it does against GitLab.
func (s *Server) ProtectProject(t testing.TB, pathWithNamespace, branch string) {
	t.Helper()
	dir := s.ProjectDir(pathWithNamespace)
	if dir == "" {
		t.Fatalf("gitserver: protect %q: not a project path", pathWithNamespace)
	}
	s.installHook(t, dir, "refs/heads/"+branch,
		"GitLab: You are not allowed to push code to protected branches on this project.")
}
