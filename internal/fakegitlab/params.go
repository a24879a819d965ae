package fakegitlab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// params are a request's parameters as Grape sees them: the query string,
// then a JSON or form body over it.
type params map[string]any

// parseParams merges the query string and the body; a JSON body that does
// not parse is Grape's 400.
func parseParams(r *http.Request, body []byte) (params, response, bool) {
	p := params{}
	for k, v := range r.URL.Query() {
		p[k] = v[len(v)-1]
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, response{}, true
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		m := map[string]any{}
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, apiError(http.StatusBadRequest, "error", "There was a problem with the payload: the JSON is invalid"), false
		}
		for k, v := range m {
			p[k] = v
		}
		return p, response{}, true
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, apiError(http.StatusBadRequest, "error", "400 Bad request"), false
	}
	for k, v := range form {
		p[k] = v[len(v)-1]
	}
	return p, response{}, true
}

func (p params) has(k string) bool { _, ok := p[k]; return ok && p[k] != nil }

func (p params) str(k string) string {
	switch v := p[k].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// boolean reads a Grape Boolean; ok is false for a value that is not one.
func (p params) boolean(k string) (v, ok bool) {
	switch x := p[k].(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	}
	return false, false
}

// integer reads a Grape Integer.
func (p params) integer(k string) (int64, bool) {
	switch x := p[k].(type) {
	case float64:
		return int64(x), x == float64(int64(x))
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// validator collects Grape's parameter errors, joined as Grape joins them.
type validator struct {
	p    params
	errs []string
}

func (v *validator) require(keys ...string) {
	for _, k := range keys {
		if !v.p.has(k) || v.p.str(k) == "" && !isBool(v.p[k]) {
			v.errs = append(v.errs, k+" is missing")
		}
	}
}

func (v *validator) boolean(keys ...string) {
	for _, k := range keys {
		if _, ok := v.p.boolean(k); v.p.has(k) && !ok {
			v.errs = append(v.errs, k+" is invalid")
		}
	}
}

// oneOf checks an optional value against the values Grape declares.
func (v *validator) oneOf(k string, values ...string) {
	if v.p.has(k) && !slices.Contains(values, v.p.str(k)) {
		v.errs = append(v.errs, k+" does not have a valid value")
	}
}

// result is nil, or Grape's 400 {"error": "a is missing, b is invalid"}.
func (v *validator) result() *response {
	if v.errs == nil {
		return nil
	}
	res := apiError(http.StatusBadRequest, "error", strings.Join(v.errs, ", "))
	return &res
}

func isBool(v any) bool { _, ok := v.(bool); return ok }

// formatTime is a time as GitLab's API writes it: 2026-12-01T12:00:00.000Z.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// accessLevels are the values protected-branch levels take, and their
// access_level_description.
var accessLevels = map[int64]string{0: "No one", 30: "Developers + Maintainers", 40: "Maintainers", 60: "Admins"}

func levelValues() []string {
	return []string{"0", "30", "40", "60"}
}

func idString(id int64) string { return fmt.Sprint(id) }
