package fakegitlab

import (
	"net/http"
	"slices"
	"strconv"
)

// Merge requests, as lib/api/merge_requests.rb answers them
// (https://docs.gitlab.com/api/merge_requests/). Opening one needs a
// Developer (create_merge_request_from: push access); listing needs a
// Reporter on a private project, or any caller who sees a public or internal
// one.

type mergeRequest struct {
	id, iid            int64
	title, description string
	source, target     string
	removeSource       bool
	author             *user
	createdAt          string
	state              string
}

// createMergeRequest answers POST /projects/:id/merge_requests. Its errors
// are handle_merge_request_errors!'s: 422 for the same source and target
// branch ("You can't use same project/branch for source and target") and for
// a branch that does not exist (MergeRequests::BuildService: 'Source branch
// "x" does not exist'), 409 when an open merge request already goes from the
// source branch into the target branch (MergeRequest#validate_branches:
// "Another open merge request already exists for this source branch: !1").
// https://docs.gitlab.com/api/merge_requests/#create-mr
func createMergeRequest(s *Server, c *call) response {
	p, res := s.authorize(c, Developer)
	if res != nil {
		return *res
	}
	v := validator{p: c.body}
	v.require("source_branch", "target_branch", "title")
	v.boolean("remove_source_branch", "squash")
	if res := v.result(); res != nil {
		return *res
	}
	src, dst := c.body.str("source_branch"), c.body.str("target_branch")
	if src == dst {
		return apiError(http.StatusUnprocessableEntity, "message", []string{"You can't use same project/branch for source and target"})
	}
	if exists := s.opts.BranchExists; exists != nil {
		var errs []string
		if !exists(p.PathWithNamespace, src) {
			errs = append(errs, `Source branch "`+src+`" does not exist`)
		}
		if !exists(p.PathWithNamespace, dst) {
			errs = append(errs, `Target branch "`+dst+`" does not exist`)
		}
		if errs != nil {
			return apiError(http.StatusUnprocessableEntity, "message", errs)
		}
	}
	for _, mr := range p.mrs {
		if mr.state == "opened" && mr.source == src && mr.target == dst {
			return apiError(http.StatusConflict, "message",
				[]string{"Another open merge request already exists for this source branch: !" + strconv.FormatInt(mr.iid, 10)})
		}
	}
	s.db.nextMR++
	mr := &mergeRequest{id: s.db.nextMR, iid: int64(len(p.mrs) + 1), title: c.body.str("title"),
		description: c.body.str("description"), source: src, target: dst, author: c.a.user,
		createdAt: c.now(), state: "opened"}
	mr.removeSource, _ = c.body.boolean("remove_source_branch")
	p.mrs = append(p.mrs, mr)
	return jsonResponse(http.StatusCreated, s.mrJSON(p, mr))
}

// listMergeRequests answers GET /projects/:id/merge_requests, newest first,
// filtered by state (all by default, as GitLab), source_branch and
// target_branch, paginated.
// https://docs.gitlab.com/api/merge_requests/#list-project-merge-requests
func listMergeRequests(s *Server, c *call) response {
	p, res := s.findProject(c)
	if res != nil {
		return *res
	}
	if p.Visibility == "private" && access(c.a.user, p) < Reporter {
		return errForbidden
	}
	v := validator{p: c.body}
	v.oneOf("state", "opened", "closed", "locked", "merged", "all")
	if res := v.result(); res != nil {
		return *res
	}
	state, src, dst := c.body.str("state"), c.body.str("source_branch"), c.body.str("target_branch")
	items := []any{}
	for _, mr := range slices.Backward(p.mrs) {
		switch {
		case state != "" && state != "all" && mr.state != state:
		case src != "" && mr.source != src:
		case dst != "" && mr.target != dst:
		default:
			items = append(items, s.mrJSON(p, mr))
		}
	}
	return s.paginate(c, "projects/"+idString(p.id)+"/merge_requests", items)
}

// mrJSON is Entities::MergeRequest.
func (s *Server) mrJSON(p *project, mr *mergeRequest) map[string]any {
	iid := strconv.FormatInt(mr.iid, 10)
	return map[string]any{
		"id":                          mr.id,
		"iid":                         mr.iid,
		"project_id":                  p.id,
		"title":                       mr.title,
		"description":                 mr.description,
		"state":                       mr.state,
		"created_at":                  mr.createdAt,
		"updated_at":                  mr.createdAt,
		"source_branch":               mr.source,
		"target_branch":               mr.target,
		"source_project_id":           p.id,
		"target_project_id":           p.id,
		"author":                      s.userJSON(mr.author),
		"draft":                       false,
		"work_in_progress":            false,
		"merge_status":                "checking",
		"detailed_merge_status":       "checking",
		"force_remove_source_branch":  mr.removeSource,
		"should_remove_source_branch": nil,
		"references": map[string]any{"short": "!" + iid, "relative": "!" + iid,
			"full": p.PathWithNamespace + "!" + iid},
		"web_url": s.WebURL() + "/" + p.PathWithNamespace + "/-/merge_requests/" + iid,
	}
}
