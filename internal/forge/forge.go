// Package forge is the seam between rtconf and a Git host ("forge"): the
// types a live token check returns and the interface a provider
// implements. GitHub (internal/ghcheck, internal/ghapi) is the first
// provider; the types here are provider-neutral.
package forge

import (
	"context"

	"github.com/rtconf/rtconf/internal/token"
)

// Kind is which token is checked.
type Kind string

// The kinds of token rtconf checks.
const (
	RuntimeToken Kind = "runtime"
	UserToken    Kind = "user"
)

// Verdict on one requirement.
type Verdict string

// The verdicts.
const (
	Granted Verdict = "granted"
	Missing Verdict = "missing"
	Unknown Verdict = "unknown"
)

// Certainty says how a verdict was reached.
type Certainty string

// The certainties.
const (
	// Observed: the host said so (a scopes header, an answer to a probe).
	Observed Certainty = "observed"
	// Inferred: deduced from something related (the user's role, a read
	// probe), not from the permission itself.
	Inferred Certainty = "inferred"
)

// UnverifiedError means the token could not be checked: the host could not
// be reached, kept failing, or rate-limited longer than the caller would
// wait. It is never a pass.
type UnverifiedError struct {
	Reason string
}

func (e *UnverifiedError) Error() string { return "could not verify the token: " + e.Reason }

// Need is what a check asks of a token: its own kind's requirements and,
// when it serves another use too, those of the other kinds.
type Need struct {
	Kind Kind
	Also []Kind
}

// NeedFor is the one place that decides what a runtime's token of kind k
// must grant: a runtime token that also serves as user token
// (runtimeTokenAsUserToken) needs the user token's requirements too.
func NeedFor(k Kind, runtimeTokenAsUserToken bool) Need {
	if k == RuntimeToken && runtimeTokenAsUserToken {
		return Need{Kind: k, Also: []Kind{UserToken}}
	}
	return Need{Kind: k}
}

// Forge is what rtconf needs of a Git host. Implementations hold no
// package-level state; internal/forge/providers picks one by
// repository.provider.
type Forge interface {
	// Name is the value of repository.provider that selects it.
	Name() string
	// ParseToken checks that value has one of the host's token shapes.
	ParseToken(value string) (token.Token, error)
	// GitUsername is the username a token authenticates Git over HTTPS
	// with (and the one Argo CD's repo-creds carry).
	GitUsername(tok token.Token) string
	// AllowedAPIURL is the API base a token for repoURL may be sent to,
	// given the configured one ("" for the default).
	AllowedAPIURL(repoURL, configured string) (string, error)
	// Check checks tok live against need.
	Check(ctx context.Context, tok token.Token, need Need, o Options) (Result, error)
	// RequirementNames lists the requirement names Check gives a token
	// kind, for offline checks of a sealed token's record.
	RequirementNames(tk token.Kind, need Need) []string
}
