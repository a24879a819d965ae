// Package github is the GitHub implementation of forge.Forge: github.com
// and GitHub Enterprise Server. Today it adapts internal/ghcheck (live
// checks, the API host a token may go to) and internal/token's GitHub
// token shapes; step 2 of issue 15 moves those into this package.
package github

import (
	"context"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/ghcheck"
	"github.com/rtconf/rtconf/internal/token"
)

// Name is the value of repository.provider that selects GitHub.
const Name = "github"

// GitUsername is the username a GitHub token authenticates Git over HTTPS
// with; GitHub ignores it, but it must not be empty.
const GitUsername = "x-access-token"

// Forge is GitHub. The zero value is ready to use.
type Forge struct{}

var _ forge.Forge = Forge{}

// Name implements forge.Forge.
func (Forge) Name() string { return Name }

// ParseToken implements forge.Forge: the ghp_, github_pat_ (and other gh*_)
// shapes.
func (Forge) ParseToken(value string) (token.Token, error) { return token.Parse(value) }

// GitUsername implements forge.Forge.
func (Forge) GitUsername(token.Token) string { return GitUsername }

// AllowedAPIURL implements forge.Forge.
func (Forge) AllowedAPIURL(repoURL, configured string) (string, error) {
	return ghcheck.AllowedAPIURL(repoURL, configured)
}

// Check implements forge.Forge.
func (Forge) Check(ctx context.Context, tok token.Token, need forge.Need, o forge.Options) (forge.Result, error) {
	o.Also = need.Also
	return ghcheck.Check(ctx, tok, need.Kind, o)
}

// RequirementNames implements forge.Forge.
func (Forge) RequirementNames(tk token.Kind, need forge.Need) []string {
	return ghcheck.RequirementNames(tk, need.Kind, need.Also)
}
