package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The four keys PUT …/protection requires (each may be null), with the type
// a non-null value must have.
var protectionKeys = []struct{ name, typ string }{
	{"required_status_checks", "object"},
	{"enforce_admins", "bool"},
	{"required_pull_request_reviews", "object"},
	{"restrictions", "object"},
}

// The settings GitHub reports as {"enabled": bool}, false unless asked for.
var protectionFlags = []string{"required_linear_history", "allow_force_pushes", "allow_deletions",
	"block_creations", "required_conversation_resolution", "lock_branch", "allow_fork_syncing"}

// getProtection answers GET …/branches/{branch}/protection: the stored
// protection, or 404 "Branch not protected".
func getProtection(s *Server, c *repoCall) response {
	p, ok := s.protections[protectionKey(c.repo.Owner, c.repo.Name, c.vars["branch"])]
	if !ok {
		return apiError(http.StatusNotFound, "Branch not protected", c.doc)
	}
	return response{status: http.StatusOK, body: p}
}

// putProtection applies PUT …/branches/{branch}/protection: GitHub's 422
// "Invalid request." when one of the four required keys is missing or of the
// wrong type, 404 "Branch not found" for a branch that Options.BranchExists
// denies; otherwise it stores the protection and answers it.
func putProtection(s *Server, c *repoCall) response {
	var missing []string
	for _, k := range protectionKeys {
		v, ok := c.body[k.name]
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", k.name))
			continue
		}
		if v != nil && !hasType(v, k.typ) {
			b, _ := json.Marshal(v)
			what := map[string]string{"object": "an object", "bool": "a boolean"}[k.typ]
			return apiError(http.StatusUnprocessableEntity,
				fmt.Sprintf("Invalid request.\n\nFor 'properties/%s', %s is not %s or null.", k.name, b, what), c.doc)
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		return apiError(http.StatusUnprocessableEntity, "Invalid request.\n\n"+missing[0]+" wasn't supplied.", c.doc)
	default:
		return apiError(http.StatusUnprocessableEntity,
			"Invalid request.\n\n"+strings.Join(missing, ", ")+" weren't supplied.", c.doc)
	}
	branch := c.vars["branch"]
	if exists := s.opts.BranchExists; exists != nil && !exists(c.repo.Owner, c.repo.Name, branch) {
		return apiError(http.StatusNotFound, "Branch not found", c.doc)
	}
	body, _ := json.Marshal(s.protectionJSON(c, branch))
	s.protections[protectionKey(c.repo.Owner, c.repo.Name, branch)] = body
	return response{status: http.StatusOK, body: body}
}

// protectionJSON is GitHub's "Protected Branch" object for the request body:
// sections sent as null are left out, enforce_admins and the flags are
// always there.
func (s *Server) protectionJSON(c *repoCall, branch string) map[string]any {
	url := s.URL() + "repos/" + c.repo.Owner + "/" + c.repo.Name + "/branches/" + branch + "/protection"
	obj := func(k string) map[string]any { m, _ := c.body[k].(map[string]any); return m }
	flag := func(m map[string]any, k string) bool { b, _ := m[k].(bool); return b }
	enforce, _ := c.body["enforce_admins"].(bool)
	out := map[string]any{
		"url":                 url,
		"enforce_admins":      map[string]any{"url": url + "/enforce_admins", "enabled": enforce},
		"required_signatures": map[string]any{"url": url + "/required_signatures", "enabled": false},
	}
	for _, k := range protectionFlags {
		out[k] = map[string]any{"enabled": flag(c.body, k)}
	}
	if rsc := obj("required_status_checks"); rsc != nil {
		contexts, _ := rsc["contexts"].([]any)
		checks, _ := rsc["checks"].([]any)
		if checks == nil {
			for _, ctx := range contexts {
				checks = append(checks, map[string]any{"context": ctx, "app_id": nil})
			}
		}
		out["required_status_checks"] = map[string]any{
			"url": url + "/required_status_checks", "contexts_url": url + "/required_status_checks/contexts",
			"strict": flag(rsc, "strict"), "contexts": nonNil(contexts), "checks": nonNil(checks),
		}
	}
	if rev := obj("required_pull_request_reviews"); rev != nil {
		count, ok := rev["required_approving_review_count"].(float64)
		if !ok {
			count = 1
		}
		out["required_pull_request_reviews"] = map[string]any{
			"url":                             url + "/required_pull_request_reviews",
			"dismiss_stale_reviews":           flag(rev, "dismiss_stale_reviews"),
			"require_code_owner_reviews":      flag(rev, "require_code_owner_reviews"),
			"require_last_push_approval":      flag(rev, "require_last_push_approval"),
			"required_approving_review_count": int(count),
		}
	}
	if r := obj("restrictions"); r != nil {
		out["restrictions"] = map[string]any{
			"url": url + "/restrictions", "users_url": url + "/restrictions/users",
			"teams_url": url + "/restrictions/teams", "apps_url": url + "/restrictions/apps",
			"users": named(r["users"], "login"), "teams": named(r["teams"], "slug"), "apps": named(r["apps"], "slug"),
		}
	}
	return out
}

func nonNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

// named turns a list of names into objects {key: name}.
func named(v any, key string) []map[string]any {
	out := []map[string]any{}
	list, _ := v.([]any)
	for _, n := range list {
		out = append(out, map[string]any{key: n})
	}
	return out
}
