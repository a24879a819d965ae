package fakegitlab

import (
	"net/http"
	"slices"
)

// getTokenSelf answers GET /personal_access_tokens/self: the token's own
// record (Entities::PersonalAccessToken), whatever its scopes. Project and
// group access tokens are personal access tokens of their bot user, so they
// are answered too.
// https://docs.gitlab.com/api/personal_access_tokens/ (the token itself, GET /personal_access_tokens/self)
func getTokenSelf(s *Server, c *call) response {
	t := c.a.tok
	var expires, lastUsed any
	if !t.Expires.IsZero() {
		expires = t.Expires.Format("2006-01-02")
	}
	if !t.lastUsed.IsZero() {
		lastUsed = formatTime(t.lastUsed)
	}
	scopes := slices.Clone(t.Scopes)
	if scopes == nil {
		scopes = []string{}
	}
	return jsonResponse(http.StatusOK, map[string]any{
		"id":           t.id,
		"name":         t.Name,
		"revoked":      t.Revoked,
		"created_at":   formatTime(t.CreatedAt),
		"description":  nil,
		"scopes":       scopes,
		"user_id":      t.user.id,
		"last_used_at": lastUsed,
		"active":       !t.Revoked && !expired(t, s.opts.Now()),
		"expires_at":   expires,
	})
}

// getUser answers GET /user: the authenticated user (Entities::UserPublic).
// https://docs.gitlab.com/api/users/#get-the-current-user
func getUser(s *Server, c *call) response {
	u := c.a.user
	m := s.userJSON(u)
	m["created_at"] = formatTime(s.start)
	m["bio"], m["location"], m["public_email"] = "", "", nil
	m["email"] = u.Username + "@example.com"
	m["is_admin"] = false
	m["two_factor_enabled"] = false
	m["external"] = false
	m["private_profile"] = false
	return jsonResponse(http.StatusOK, m)
}

// userJSON is Entities::UserBasic, plus bot.
func (s *Server) userJSON(u *user) map[string]any {
	return map[string]any{
		"id":         u.id,
		"username":   u.Username,
		"name":       u.Name,
		"state":      "active",
		"locked":     false,
		"avatar_url": "",
		"web_url":    s.WebURL() + "/" + u.Username,
		"bot":        u.Bot,
	}
}
