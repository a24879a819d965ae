package fakegitlab

// The tests talk to the fake with the client rtconf uses,
// gitlab.com/gitlab-org/api/client-go v1.46.0, to prove it answers what
// that client expects; where the wire format itself matters (an error body
// client-go hides, a header) they use net/http.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/rtconf/rtconf/internal/testclock"
)

const (
	tokMaint    = "glpat-maintainer"
	tokDev      = "glpat-developer"
	tokReporter = "glpat-reporter"
	tokReadAPI  = "glpat-readapi"
	tokReadUser = "glpat-readuser"
	tokRepo     = "glpat-repository"
	tokRevoked  = "glpat-revoked"
	tokExpiring = "glpat-expiring"
	tokBot      = "glpat-projectbot"
	tokOutsider = "glpat-outsider"
)

// expiry is the date tokExpiring expires on: after testclock.Default and
// before the last of testclock.Instants.
var expiry = time.Date(2031, 5, 30, 0, 0, 0, 0, time.UTC)

func options() Options {
	return Options{
		Now: testclock.Fixed(testclock.Default()),
		Users: []User{
			{Username: "robot", Name: "Robot"},
			{Username: "project_1001_bot_abc", Name: "config bot", Bot: true},
		},
		Tokens: []Token{
			{Value: tokMaint, User: "robot", Name: "rtconf", Scopes: []string{"api"}, Expires: expiry},
			{Value: tokDev, User: "dev", Scopes: []string{"api"}},
			{Value: tokReporter, User: "rep", Scopes: []string{"api"}},
			{Value: tokReadAPI, User: "robot", Scopes: []string{"read_api"}},
			{Value: tokReadUser, User: "robot", Scopes: []string{"read_user"}},
			{Value: tokRepo, User: "robot", Scopes: []string{"read_repository", "write_repository"}},
			{Value: tokRevoked, User: "robot", Scopes: []string{"api"}, Revoked: true},
			{Value: tokExpiring, User: "robot", Scopes: []string{"api"}, Expires: expiry},
			{Value: tokBot, User: "project_1001_bot_abc", Name: "ci", Scopes: []string{"api"}},
			{Value: tokOutsider, User: "outsider", Scopes: []string{"api"}},
		},
		Groups: []Group{
			{FullPath: "acme", Members: map[string]int{"robot": Maintainer, "rep": Reporter}},
			{FullPath: "acme/platform", Members: map[string]int{"dev": Developer}},
			{FullPath: "open", Visibility: "public", Members: map[string]int{"robot": Developer}},
		},
		Projects: []Project{
			{PathWithNamespace: "acme/platform/config", Members: map[string]int{"project_1001_bot_abc": Maintainer}},
			{PathWithNamespace: "acme/secret"},
			{PathWithNamespace: "open/site", Visibility: "public"},
			{PathWithNamespace: "robot/dotfiles"},
		},
	}
}

// client is client-go on the fake, sending token as PRIVATE-TOKEN (or, with
// bearer, as Authorization: Bearer), without retries unless opts say
// otherwise.
func client(t *testing.T, s *Server, token string, bearer bool, opts ...gitlab.ClientOptionFunc) *gitlab.Client {
	t.Helper()
	opts = append([]gitlab.ClientOptionFunc{gitlab.WithBaseURL(s.URL()), gitlab.WithHTTPClient(s.Client()), gitlab.WithoutRetries()}, opts...)
	c, err := gitlab.NewClient(token, opts...)
	if bearer {
		c, err = gitlab.NewAuthSourceClient(bearerSource(token), opts...)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// bearerSource sends a token as Authorization: Bearer, as client-go's
// OAuthTokenSource does with a static token.
type bearerSource string

func (bearerSource) Init(context.Context, *gitlab.Client) error { return nil }

func (b bearerSource) Header(context.Context) (string, string, error) {
	return "Authorization", "Bearer " + string(b), nil
}

// raw sends one request with net/http; token goes in PRIVATE-TOKEN.
func raw(t *testing.T, s *Server, method, path, token, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("PRIVATE-TOKEN", token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, string(b)
}

// statusOf is the HTTP status of a client-go error: 404 for its
// ErrNotFound, the response's status for an *ErrorResponse, 0 for nil.
func statusOf(t *testing.T, err error) int {
	t.Helper()
	var er *gitlab.ErrorResponse
	switch {
	case err == nil:
		return 0
	case errors.Is(err, gitlab.ErrNotFound):
		return http.StatusNotFound
	case errors.As(err, &er):
		return er.Response.StatusCode
	}
	t.Fatalf("not an API error: %v", err)
	return 0
}

// messageOf is client-go's parsed error message (ErrorResponse.Message).
func messageOf(t *testing.T, err error) string {
	t.Helper()
	var er *gitlab.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("not an *ErrorResponse: %v", err)
	}
	return er.Message
}
