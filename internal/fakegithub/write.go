package fakegithub

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
)

// write answers an allowed write: 400 for a body that is not JSON, 422
// Validation Failed for one that breaks the endpoint's rules, and for a valid
// one the status GitHub would send, without applying anything.
func (s *Server) write(rt *route, repo *Repo, a actor, body []byte, doc string) response {
	m := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &m); err != nil || m == nil {
			return apiError(http.StatusBadRequest, "Problems parsing JSON", doc)
		}
	}
	var errs []map[string]any
	check := func(f field, required bool) {
		v, ok := m[f.name]
		if !ok || v == nil || v == "" {
			if required {
				errs = append(errs, map[string]any{"resource": rt.resource, "code": "missing_field", "field": f.name})
			} else if ok && f.typ == "string" {
				errs = append(errs, map[string]any{"resource": rt.resource, "code": "invalid", "field": f.name})
			}
			return
		}
		str, _ := v.(string)
		if !hasType(v, f.typ) || (f.enum != nil && !slices.Contains(f.enum, str)) {
			errs = append(errs, map[string]any{"resource": rt.resource, "code": "invalid", "field": f.name, "value": v})
		}
	}
	for _, f := range rt.required {
		check(f, true)
	}
	for _, f := range rt.optional {
		check(f, false)
	}
	if errs != nil {
		return jsonResponse(http.StatusUnprocessableEntity, map[string]any{
			"message":           "Validation Failed",
			"errors":            errs,
			"documentation_url": doc,
			"status":            "422",
		})
	}
	if rt.method == http.MethodPatch {
		return jsonResponse(rt.status, s.repoJSON(repo, a)) // unchanged: the fake applies nothing
	}
	m["id"] = 1
	return jsonResponse(rt.status, m)
}

func hasType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "bool":
		_, ok := v.(bool)
		return ok
	}
	_, ok := v.(string)
	return ok
}
