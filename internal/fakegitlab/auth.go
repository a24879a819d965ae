package fakegitlab

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// How GitLab's API guard treats a token, from lib/api/api_guard.rb,
// lib/gitlab/auth/auth_finders.rb and
// app/services/access_token_validation_service.rb
// (https://gitlab.com/gitlab-org/gitlab), documented at
// https://docs.gitlab.com/api/rest/authentication/:
//
//   - the token comes from the private_token parameter, the PRIVATE-TOKEN
//     header or Authorization: Bearer;
//   - an unknown token raises UnauthorizedError: 401 {"message":"401 Unauthorized"};
//   - a known one is checked expired first, then revoked, then for scope:
//     expired and revoked are 401 with rack-oauth2's body
//     {"error":"invalid_token","error_description":…} and a
//     WWW-Authenticate: Bearer header
//     (https://github.com/nov/rack-oauth2/blob/main/lib/rack/oauth2/server/resource/error.rb);
//   - a scope the endpoint does not accept is 403 with
//     {"error":"insufficient_scope","error_description":"The request requires
//     higher privileges than provided by the access token.","scope":…}, where
//     scope joins every scope registered for the endpoint with spaces. GitLab
//     sends no WWW-Authenticate header with it (api_guard.rb: "FIXME:
//     ForbiddenError … does not include WWW-Authenticate header"), and
//     neither does the fake.
//
// Scopes (https://docs.gitlab.com/user/profile/personal_access_tokens/#personal-access-token-scopes):
// api allows every endpoint; read_api allows GET and HEAD (lib/api/api.rb:
// allow_access_with_scope :read_api, if: request.get? || request.head?);
// read_user adds GET /user (lib/api/users.rb); GET
// /personal_access_tokens/self allows every scope (lib/api/personal_access_tokens/self_information.rb).
// read_repository and write_repository are for Git over HTTP: they allow no
// API endpoint here.

// actor is who a request authenticates as.
type actor struct {
	user     *user  // nil: anonymous
	tok      *token // the token used
	username string
	refused  *response // credentials were sent and refused
}

// oauthRealm is rack-oauth2's default realm (Rack::OAuth2::Server::Resource::DEFAULT_REALM).
const oauthRealm = "Protected by OAuth 2.0"

const insufficientScope = "The request requires higher privileges than provided by the access token."

// authenticate reads the private_token parameter, the PRIVATE-TOKEN header,
// then Authorization: Bearer (AuthFinders#extract_personal_access_token).
func (s *Server) authenticate(r *http.Request) actor {
	value := strings.TrimSpace(r.URL.Query().Get("private_token"))
	if value == "" {
		value = strings.TrimSpace(r.Header.Get("Private-Token"))
	}
	if value == "" {
		scheme, v, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if strings.EqualFold(scheme, "bearer") {
			value = strings.TrimSpace(v)
		}
	}
	if value == "" {
		return actor{}
	}
	now := s.opts.Now()
	s.state.Lock()
	defer s.state.Unlock()
	tok := s.db.tokens[value]
	switch {
	case tok == nil:
		res := apiError(http.StatusUnauthorized, "message", "401 Unauthorized")
		return actor{refused: &res}
	case expired(tok, now):
		return actor{refused: invalidToken("Token is expired. You can either do re-authorization or token refresh.")}
	case tok.Revoked:
		return actor{refused: invalidToken("Token was revoked. You have to re-authorize from the user.")}
	}
	tok.lastUsed = now
	return actor{user: tok.user, tok: tok, username: tok.user.Username}
}

// expired is PersonalAccessToken#expired?: expires_at (a date) <= now.
func expired(tok *token, now time.Time) bool {
	if tok.Expires.IsZero() {
		return false
	}
	y, m, d := tok.Expires.Date()
	return !now.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// invalidToken is rack-oauth2's Bearer::Unauthorized(:invalid_token, description).
func invalidToken(description string) *response {
	res := jsonResponse(http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": description})
	res.header = http.Header{}
	res.header.Set("WWW-Authenticate", `Bearer realm="`+oauthRealm+`", error="invalid_token", error_description="`+description+`"`)
	return &res
}

// Scopes registered for endpoints, in the order GitLab lists them in the
// 403 body (the endpoint's own first, then API::API's).
var (
	apiScopes  = []string{"api", "read_api"}
	userScopes = []string{"read_user", "api", "read_api"}
	anyScope   []string // nil: every scope is allowed
)

// scopeRefusal is the 403 for a token none of whose scopes the endpoint
// accepts, or nil. registered are the endpoint's scopes; read_api and
// read_user count only for GET and HEAD.
func scopeRefusal(a actor, method string, registered []string) *response {
	if a.tok == nil || registered == nil {
		return nil
	}
	read := method == http.MethodGet || method == http.MethodHead
	for _, sc := range a.tok.Scopes {
		if sc == "api" || (read && slices.Contains(registered, sc)) {
			return nil
		}
	}
	res := jsonResponse(http.StatusForbidden, map[string]string{
		"error":             "insufficient_scope",
		"error_description": insufficientScope,
		"scope":             strings.Join(registered, " "),
	})
	return &res
}

// apiError is GitLab's error body: {"message": …} from render_api_error!,
// or {"error": …} from Grape's validation and route errors.
func apiError(status int, key string, message any) response {
	return jsonResponse(status, map[string]any{key: message})
}

func jsonResponse(status int, v any) response {
	body, _ := json.Marshal(v)
	return response{status: status, body: body}
}

var (
	errUnauthorized = apiError(http.StatusUnauthorized, "message", "401 Unauthorized")
	errForbidden    = apiError(http.StatusForbidden, "message", "403 Forbidden")
	errNotFound     = apiError(http.StatusNotFound, "message", "404 Not found") // ActiveRecord::RecordNotFound
)

func notFound(what string) response {
	return apiError(http.StatusNotFound, "message", "404 "+what+" Not Found")
}
