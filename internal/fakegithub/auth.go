package fakegithub

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// actor is who a request authenticates as.
type actor struct {
	tok   *Token // nil: anonymous, or credentials refused (bad)
	login string
	id    int64
	bad   bool   // credentials were sent and refused: 401 Bad credentials
	why   string // the message of a refused JWT ("" for Bad credentials)
	app   *App   // a GitHub App's JWT, verified
}

// authenticate reads the Authorization header as GitHub does: "Bearer T",
// "token T", or Basic with the token as password.
func (s *Server) authenticate(r *http.Request) actor {
	h := r.Header.Get("Authorization")
	if h == "" {
		return actor{}
	}
	scheme, value, _ := strings.Cut(h, " ")
	switch {
	case strings.EqualFold(scheme, "bearer"), strings.EqualFold(scheme, "token"):
		value = strings.TrimSpace(value)
	case strings.EqualFold(scheme, "basic"):
		_, value, _ = r.BasicAuth()
	default:
		return actor{bad: true}
	}
	if isJWT(value) {
		return s.authenticateApp(value)
	}
	tok := s.tokens[value]
	if tok == nil {
		tok = s.installationToken(value)
	}
	if tok == nil || tok.Revoked || (!tok.Expires.IsZero() && !s.opts.Now().Before(tok.Expires)) {
		return actor{bad: true}
	}
	return actor{tok: tok, login: tok.Login, id: s.ids[strings.ToLower(tok.Login)]}
}

// rate is the state of one rate-limit bucket after a request.
type rate struct {
	limit, remaining, used int
	reset                  time.Time
}

// count charges a request to its bucket: 5000 an hour per authenticated user,
// 60 for anonymous callers (and refused credentials). remaining goes negative
// once the limit is spent.
func (s *Server) count(a actor) rate {
	limit, key := 60, ""
	switch {
	case a.tok != nil:
		limit, key = 5000, strings.ToLower(a.login)
	case a.app != nil:
		limit, key = 5000, "app:"+strconv.FormatInt(a.app.ID, 10)
	}
	s.mu.Lock()
	s.used[key]++
	used := s.used[key]
	s.mu.Unlock()
	return rate{limit: limit, remaining: limit - used, used: min(used, limit), reset: s.start.Add(time.Hour)}
}

// apiError is GitHub's error body: message, documentation_url and status.
func apiError(status int, message, doc string) response {
	body, _ := json.Marshal(map[string]string{
		"message":           message,
		"documentation_url": doc,
		"status":            strconv.Itoa(status),
	})
	return response{status: status, body: body}
}

func notFound(doc string) response { return apiError(http.StatusNotFound, "Not Found", doc) }

func jsonResponse(status int, v any) response {
	body, _ := json.Marshal(v)
	return response{status: status, body: body}
}

// refusal answers a request before routing when the token itself is refused.
func refusal(a actor) (response, bool) {
	if a.bad {
		why := a.why
		if why == "" {
			why = "Bad credentials"
		}
		return apiError(http.StatusUnauthorized, why, "https://docs.github.com/rest"), true
	}
	if a.tok != nil && a.tok.SSO != "" {
		res := apiError(http.StatusForbidden,
			"Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.",
			"https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/")
		res.header = http.Header{}
		res.header.Set("X-GitHub-SSO", "required; url="+a.tok.SSO)
		return res, true
	}
	return response{}, false
}

// getUser answers GET /user.
func (s *Server) getUser(a actor) response {
	if a.tok == nil {
		return apiError(http.StatusUnauthorized, "Requires authentication",
			"https://docs.github.com/rest/users/users#get-the-authenticated-user")
	}
	if a.tok.installation != nil { // an installation acts as itself, not as a user
		return apiError(http.StatusForbidden, "Resource not accessible by integration",
			"https://docs.github.com/rest/users/users#get-the-authenticated-user")
	}
	res := jsonResponse(http.StatusOK, map[string]any{
		"login":      a.login,
		"id":         a.id,
		"node_id":    "U_fake" + strconv.FormatInt(a.id, 10),
		"type":       "User",
		"site_admin": false,
		"url":        s.URL() + "users/" + a.login,
	})
	if a.tok.FineGrained {
		res.header = http.Header{}
		res.header.Set("X-Accepted-GitHub-Permissions", "allows_permissionless_access=true")
	}
	return res
}
