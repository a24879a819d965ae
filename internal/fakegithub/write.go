package fakegithub

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
)

// write answers an allowed write: 400 for a body that is not JSON, 422
// Validation Failed for one that breaks the endpoint's rules, and for a valid
// one rt.apply's answer, or (without apply) the status GitHub would send,
// without applying anything.
func (s *Server) write(rt *route, c *repoCall, body []byte) response {
	m, res, ok := validate(rt.resource, rt.required, rt.optional, body, c.doc)
	if !ok {
		return res
	}
	if rt.apply != nil {
		c.body = m
		return rt.apply(s, c)
	}
	if rt.method == http.MethodPatch {
		return jsonResponse(rt.status, s.repoJSON(c.repo, c.a)) // unchanged: the fake applies nothing
	}
	m["id"] = 1
	return jsonResponse(rt.status, m)
}

// validate decodes a JSON object body and checks its fields; when it is not
// valid it returns GitHub's answer (400 or 422) and false.
func validate(resource string, required, optional []field, body []byte, doc string) (map[string]any, response, bool) {
	m := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &m); err != nil || m == nil {
			return nil, apiError(http.StatusBadRequest, "Problems parsing JSON", doc), false
		}
	}
	var errs []map[string]any
	check := func(f field, required bool) {
		v, ok := m[f.name]
		if !ok || v == nil || v == "" {
			if required {
				errs = append(errs, map[string]any{"resource": resource, "code": "missing_field", "field": f.name})
			} else if ok && f.typ == "string" {
				errs = append(errs, map[string]any{"resource": resource, "code": "invalid", "field": f.name})
			}
			return
		}
		str, _ := v.(string)
		if !hasType(v, f.typ) || (f.enum != nil && !slices.Contains(f.enum, str)) {
			errs = append(errs, map[string]any{"resource": resource, "code": "invalid", "field": f.name, "value": v})
		}
	}
	for _, f := range required {
		check(f, true)
	}
	for _, f := range optional {
		check(f, false)
	}
	if errs != nil {
		return nil, validationFailed(doc, errs...), false
	}
	return m, response{}, true
}

// validationFailed is GitHub's 422 Validation Failed with its errors.
func validationFailed(doc string, errs ...map[string]any) response {
	return jsonResponse(http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            errs,
		"documentation_url": doc,
		"status":            "422",
	})
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
