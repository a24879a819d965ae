package fakegithub

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// App is a GitHub App the fake knows: the public half of its key verifies
// the JWTs it signs.
type App struct {
	ID         int64
	Slug, Name string
	Owner      string
	Key        *rsa.PublicKey
	// Installations are where the App is installed.
	Installations []Installation
}

// Installation is an App's installation on a user or organisation.
type Installation struct {
	ID      int64
	Account string
	// Repos are the "owner/name" it was given; nil: every repository of
	// Account.
	Repos []string
	// Permissions are the repository permissions the owner granted:
	// "administration", "contents", … → "read" | "write" ("metadata" is
	// always read).
	Permissions map[string]string
	// Suspended: GET …/installation says since when, and no
	// installation token is issued (403).
	Suspended time.Time
}

// appDoc is the documentation of GitHub's App endpoints.
const appDoc = "https://docs.github.com/rest/apps/apps"

// installationTokenLife is how long GitHub's installation tokens last.
const installationTokenLife = time.Hour

// GitHub's JWT rules, as it enforces them.
const maxJWTLife = 10 * time.Minute

// installationOf is the installation an installation token was made for.
type installationOf struct {
	app  *App
	inst *Installation
}

func (s *Server) initApps() error {
	s.apps = map[int64]*App{}
	s.bots = map[string]bool{}
	for i := range s.opts.Apps {
		app := &s.opts.Apps[i]
		if app.ID <= 0 || app.Slug == "" || app.Key == nil {
			return fmt.Errorf("fakegithub: App %d needs an ID, a Slug and a Key", i)
		}
		if _, dup := s.apps[app.ID]; dup {
			return fmt.Errorf("fakegithub: App %d repeats ID %d", i, app.ID)
		}
		s.apps[app.ID] = app
		s.bots[strings.ToLower(botLogin(app))] = true
		s.userID(botLogin(app))
		if app.Owner != "" {
			s.userID(app.Owner)
		}
	}
	return nil
}

func botLogin(app *App) string { return app.Slug + "[bot]" }

// isJWT tells a JWT (three base64url parts, the first a JSON object) from
// a token.
func isJWT(v string) bool {
	return strings.Count(v, ".") == 2 && strings.HasPrefix(v, "eyJ")
}

// authenticateApp verifies an App's JWT as GitHub does: RS256, signed by
// the key of the App its iss names, iat not in the future, exp in the
// future and at most 10 minutes after iat, on the fake's clock.
func (s *Server) authenticateApp(raw string) actor {
	now := s.opts.Now()
	var app *App
	claims := &jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		iss, _ := t.Claims.GetIssuer()
		id, err := strconv.ParseInt(iss, 10, 64)
		if err != nil || s.apps[id] == nil {
			return nil, errors.New("no such App")
		}
		app = s.apps[id]
		return app.Key, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return actor{bad: true, why: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"}
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return actor{bad: true, why: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"}
	case err != nil:
		return actor{bad: true, why: "A JSON web token could not be decoded"}
	}
	if claims.IssuedAt == nil || claims.ExpiresAt.Sub(claims.IssuedAt.Time) > maxJWTLife {
		return actor{bad: true, why: "'Expiration time' claim ('exp') is too far in the future"}
	}
	return actor{app: app, login: botLogin(app), id: s.ids[strings.ToLower(botLogin(app))]}
}

// installationToken finds a live installation token by its value.
func (s *Server) installationToken(v string) *Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.instTokens[v]
}

// routeApp answers the App endpoints; ok is false for any other path.
func (s *Server) routeApp(method, path string, body []byte, a actor) (response, bool) {
	vars, tokens := match("/app/installations/{id}/access_tokens", path)
	repoVars, repoInst := match("/repos/{owner}/{repo}/installation", path)
	switch {
	case path == "/app" && method == http.MethodGet:
	case path == "/app/installations" && method == http.MethodGet:
	case tokens && method == http.MethodPost:
	case repoInst && method == http.MethodGet:
	default:
		if a.app != nil {
			return apiError(http.StatusForbidden, "Resource not accessible by integration", "https://docs.github.com/rest"), true
		}
		return response{}, false
	}
	if a.app == nil {
		return apiError(http.StatusUnauthorized, "A JSON web token could not be decoded", appDoc+"#get-the-authenticated-app"), true
	}
	app := a.app
	switch {
	case path == "/app":
		return jsonResponse(http.StatusOK, map[string]any{
			"id": app.ID, "slug": app.Slug, "name": app.Name, "node_id": "A_fake" + strconv.FormatInt(app.ID, 10),
			"owner":               map[string]any{"login": app.Owner, "id": s.ids[strings.ToLower(app.Owner)]},
			"installations_count": len(app.Installations),
		}), true
	case path == "/app/installations":
		var out []map[string]any
		for i := range app.Installations {
			out = append(out, s.installationJSON(app, &app.Installations[i]))
		}
		return jsonResponse(http.StatusOK, out), true
	case repoInst:
		inst := s.installedOn(app, repoVars["owner"], repoVars["repo"])
		if inst == nil {
			return notFound(appDoc + "#get-a-repository-installation-for-the-authenticated-app"), true
		}
		return jsonResponse(http.StatusOK, s.installationJSON(app, inst)), true
	}
	return s.createInstallationToken(app, vars["id"], body), true
}

// createInstallationToken answers POST
// /app/installations/{id}/access_tokens.
func (s *Server) createInstallationToken(app *App, idVar string, body []byte) response {
	id, _ := strconv.ParseInt(idVar, 10, 64)
	var inst *Installation
	for i := range app.Installations {
		if app.Installations[i].ID == id {
			inst = &app.Installations[i]
		}
	}
	doc := appDoc + "#create-an-installation-access-token-for-an-app"
	if inst == nil {
		return notFound(doc)
	}
	if !inst.Suspended.IsZero() {
		return apiError(http.StatusForbidden, "This installation has been suspended", doc)
	}
	var req struct {
		Repositories []string          `json:"repositories"`
		Permissions  map[string]string `json:"permissions"`
	}
	if len(body) > 0 && json.Unmarshal(body, &req) != nil {
		return apiError(http.StatusBadRequest, "Problems parsing JSON", doc)
	}
	repos := s.installationRepos(inst)
	if req.Repositories != nil {
		var narrowed []string
		for _, name := range req.Repositories {
			full := inst.Account + "/" + name
			if !slices.ContainsFunc(repos, func(r string) bool { return strings.EqualFold(r, full) }) {
				return apiError(http.StatusUnprocessableEntity, "There is at least one repository that does not exist or is not accessible to the parent installation.", doc)
			}
			narrowed = append(narrowed, full)
		}
		repos = narrowed
	}
	perms := map[string]string{"metadata": "read"}
	for k, v := range inst.Permissions {
		perms[k] = v
	}
	for k, v := range req.Permissions {
		if have := perms[k]; have == "" || (have == "read" && v == "write") {
			return apiError(http.StatusUnprocessableEntity, "The permissions requested are not granted to this installation.", doc)
		}
		perms[k] = v
	}
	s.mu.Lock()
	s.instSeq++
	value := "gh" + "s_" + fmt.Sprintf("fakeinstallation%020d", s.instSeq)
	expires := s.opts.Now().Add(installationTokenLife).UTC().Truncate(time.Second)
	s.instTokens[value] = &Token{Value: value, Login: botLogin(app), FineGrained: true, Permissions: perms,
		Repos: repos, Expires: expires, installation: &installationOf{app: app, inst: inst}}
	s.mu.Unlock()
	var repoJSON []map[string]any
	for _, r := range repos {
		owner, name, _ := strings.Cut(r, "/")
		repoJSON = append(repoJSON, map[string]any{"full_name": r, "name": name, "owner": map[string]any{"login": owner}})
	}
	selection := "selected"
	if inst.Repos == nil && req.Repositories == nil {
		selection = "all"
	}
	return jsonResponse(http.StatusCreated, map[string]any{
		"token": value, "expires_at": expires.Format(time.RFC3339), "permissions": perms,
		"repository_selection": selection, "repositories": repoJSON,
	})
}

// installationRepos are the "owner/name" an installation reaches.
func (s *Server) installationRepos(inst *Installation) []string {
	if inst.Repos != nil {
		return slices.Clone(inst.Repos)
	}
	var out []string
	for _, r := range s.repos {
		if strings.EqualFold(r.Owner, inst.Account) {
			out = append(out, r.Owner+"/"+r.Name)
		}
	}
	slices.Sort(out)
	return out
}

// installedOn is the App's installation that reaches owner/repo, or nil.
func (s *Server) installedOn(app *App, owner, repo string) *Installation {
	if s.repos[repoKey(owner, repo)] == nil {
		return nil
	}
	full := owner + "/" + repo
	for i := range app.Installations {
		inst := &app.Installations[i]
		if !strings.EqualFold(inst.Account, owner) {
			continue
		}
		if slices.ContainsFunc(s.installationRepos(inst), func(r string) bool { return strings.EqualFold(r, full) }) {
			return inst
		}
	}
	return nil
}

func (s *Server) installationJSON(app *App, inst *Installation) map[string]any {
	perms := map[string]string{"metadata": "read"}
	for k, v := range inst.Permissions {
		perms[k] = v
	}
	selection := "selected"
	if inst.Repos == nil {
		selection = "all"
	}
	m := map[string]any{
		"id": inst.ID, "app_id": app.ID, "app_slug": app.Slug, "target_type": "Organization",
		"account":              map[string]any{"login": inst.Account, "id": s.ids[strings.ToLower(inst.Account)]},
		"permissions":          perms,
		"repository_selection": selection,
		"suspended_at":         nil,
	}
	if !inst.Suspended.IsZero() {
		m["suspended_at"] = inst.Suspended.UTC().Format(time.RFC3339)
		m["suspended_by"] = map[string]any{"login": inst.Account}
	}
	return m
}

// GitAuth says whether a Git request with HTTPS basic auth user:pass may
// push to owner/name as GitHub decides it: a token the fake knows (any
// username), or an installation token, not expired, with username
// x-access-token, contents=write and the repository among its own. Give it
// to gitserver.Options.Accept.
func (s *Server) GitAuth(owner, name, user, pass string) bool {
	if tok := s.tokens[pass]; tok != nil {
		return !tok.Revoked && (tok.Expires.IsZero() || s.opts.Now().Before(tok.Expires))
	}
	tok := s.installationToken(pass)
	if tok == nil || user != "x-access-token" || !s.opts.Now().Before(tok.Expires) {
		return false
	}
	full := owner + "/" + name
	return tok.Permissions["contents"] == "write" && slices.ContainsFunc(tok.Repos, func(r string) bool { return strings.EqualFold(r, full) })
}
