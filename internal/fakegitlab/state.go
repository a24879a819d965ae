package fakegitlab

import (
	"slices"
	"strings"
)

// What tests read back of the fake's state. Projects are named by
// path_with_namespace (any case) or numeric ID, as in the API.

// ProtectedBranch is a protected branch (or wildcard) of a project.
type ProtectedBranch struct {
	Name                                      string
	PushAccessLevel, MergeAccessLevel         int
	UnprotectAccessLevel                      int
	AllowForcePush, CodeOwnerApprovalRequired bool
}

// MergeRequest is a merge request opened on the fake.
type MergeRequest struct {
	IID                        int64
	Title, Description         string
	SourceBranch, TargetBranch string
	RemoveSourceBranch         bool
	Author                     string // username
	State                      string // "opened"
}

// ProjectSettings are the project settings PUT /projects/:id changes.
type ProjectSettings struct {
	DefaultBranch, Description       string
	OnlyAllowMergeIfPipelineSucceeds bool
	RemoveSourceBranchAfterMerge     bool
}

// Projects returns the path_with_namespace of every project, configured
// ones first, then created ones, in order.
func (s *Server) Projects() []string {
	s.state.Lock()
	defer s.state.Unlock()
	var out []string
	for _, p := range s.db.projects {
		out = append(out, p.PathWithNamespace)
	}
	return out
}

// CreatedProjects returns the path_with_namespace of every project created
// through the API, in order.
func (s *Server) CreatedProjects() []string {
	s.state.Lock()
	defer s.state.Unlock()
	return slices.Clone(s.db.created)
}

// ProtectedBranch returns the protection of name in project, and whether
// there is one.
func (s *Server) ProtectedBranch(project, name string) (ProtectedBranch, bool) {
	s.state.Lock()
	defer s.state.Unlock()
	p := s.db.project(project)
	if p == nil {
		return ProtectedBranch{}, false
	}
	pb := findProtection(p, name)
	if pb == nil {
		return ProtectedBranch{}, false
	}
	return ProtectedBranch{Name: pb.name, PushAccessLevel: int(pb.push), MergeAccessLevel: int(pb.merge),
		UnprotectAccessLevel: int(pb.unprotect), AllowForcePush: pb.allowForcePush,
		CodeOwnerApprovalRequired: pb.codeOwnerApproval}, true
}

// MergeRequests returns the merge requests opened on project, oldest first.
func (s *Server) MergeRequests(project string) []MergeRequest {
	s.state.Lock()
	defer s.state.Unlock()
	p := s.db.project(project)
	if p == nil {
		return nil
	}
	out := make([]MergeRequest, len(p.mrs))
	for i, mr := range p.mrs {
		out[i] = MergeRequest{IID: mr.iid, Title: mr.title, Description: mr.description, SourceBranch: mr.source,
			TargetBranch: mr.target, RemoveSourceBranch: mr.removeSource, Author: mr.author.Username, State: mr.state}
	}
	return out
}

// ProjectSettings returns project's settings, and whether it exists.
func (s *Server) ProjectSettings(project string) (ProjectSettings, bool) {
	s.state.Lock()
	defer s.state.Unlock()
	p := s.db.project(strings.TrimSpace(project))
	if p == nil {
		return ProjectSettings{}, false
	}
	return ProjectSettings{DefaultBranch: p.DefaultBranch, Description: p.Description,
		OnlyAllowMergeIfPipelineSucceeds: p.OnlyAllowMergeIfPipelineSucceeds,
		RemoveSourceBranchAfterMerge:     p.RemoveSourceBranchAfterMerge}, true
}
