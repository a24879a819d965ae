package fakebitbucketdc

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// actor is who a request authenticated as: nil token for anonymous.
type actor struct{ token *Token }

const (
	authFailed   = "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException"
	notPermitted = "com.atlassian.bitbucket.AuthorisationException"
)

// authenticate reads a Bearer token, or a personal token in basic auth.
func (s *Server) authenticate(r *http.Request) (actor, *response) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return actor{}, nil
	}
	refuse := errorBody(http.StatusUnauthorized, authFailed, "Authentication failed. Please check your credentials and try again.")
	var tk *Token
	if v, ok := strings.CutPrefix(h, "Bearer "); ok {
		tk = s.tokens[v]
	} else if user, pass, ok := r.BasicAuth(); ok {
		tk = s.tokens[pass]
		// Project and repository tokens are Bearer only; a personal one
		// goes with its own user's name.
		if tk != nil && (tk.Kind != Personal || !strings.EqualFold(user, tk.User)) {
			tk = nil
		}
	}
	if tk == nil || (!tk.Expires.IsZero() && !s.opts.Now().Before(tk.Expires)) {
		return actor{}, &refuse
	}
	return actor{token: tk}, nil
}

// tokenID is the ID a token's value holds (see internal/forge/bitbucketdc).
func tokenID(value string) string {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) < 13 {
		return ""
	}
	return string(raw[:12])
}
