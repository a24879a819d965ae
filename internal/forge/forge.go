// Package forge is the seam between rtconf and a Git host ("forge"): the
// types a live token check returns and the interface a provider
// implements, and what every provider shares: where a token may be sent
// (Trust, KnownHosts), the HTTP client every authenticated request goes
// through, and how a check's result becomes a verdict. GitHub
// (internal/forge/github) is the first provider.
package forge

import (
	"context"
	"errors"

	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/templates"
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
	// Err is the cause, when there is one: the context's error, or the
	// last request's network, redirect or size error. It holds no token
	// (a token travels only in a header); Reason is the redacted message.
	Err error
}

func (e *UnverifiedError) Error() string { return "could not verify the token: " + e.Reason }

// Unwrap is the cause.
func (e *UnverifiedError) Unwrap() error { return e.Err }

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
// repository.provider. Adding a host is adding one implementation.
type Forge interface {
	// Name is the value of repository.provider that selects it.
	Name() string
	// Title is the host's name in messages: "GitHub".
	Title() string

	// ParseToken checks that value has one of the host's token shapes and
	// tells its kind.
	ParseToken(value string) (token.Token, error)
	// GitUsername is the username a token authenticates Git over HTTPS
	// with; "" sends the token as "Authorization: Bearer" instead of basic
	// auth (Bitbucket Data Center).
	GitUsername(tok token.Token) string
	// RepoCreds are the fields of an Argo CD repo-creds Secret for tok
	// beside type and url: the plain ones (a username) and the key that
	// holds the token itself, sealed.
	RepoCreds(tok token.Token) (plain map[string]string, secretKey string)

	// PublicHost is the host of the provider's own service (github.com),
	// whose API needs no confirmation.
	PublicHost() string
	// SelfManaged names what a self-managed host of the provider runs,
	// for messages: "GitHub Enterprise Server".
	SelfManaged() string
	// APIURLForm says how the host's API URLs are written, for messages.
	APIURLForm() string
	// AllowedAPIURL is the API base a token for repoURL may be sent to,
	// given the configured one ("" for the default): the rule that binds a
	// token to its host. It returns a *HostError when configured is not it.
	AllowedAPIURL(repoURL, configured string) (string, error)
	// ArgoRepoURL is repository.url as the Applications' repoURL: the form
	// Argo CD fetches without a redirect (GitLab: ending in .git).
	ArgoRepoURL(repoURL string) string
	// GitHost is the Git host beside the API at apiURL.
	GitHost(apiURL string) string
	// RepoPath splits the path of repository.url into the namespace
	// (owner, organisation, group with its subgroups) and the repository's
	// name, by the host's rules; when it cannot, hint says how to write
	// the URL.
	RepoPath(path string) (namespace, name, hint string)

	// Check checks tok live against need.
	Check(ctx context.Context, tok token.Token, need Need, o Options) (Result, error)
	// RequirementNames lists the requirement names Check gives a token
	// kind, for offline checks of a sealed token's record.
	RequirementNames(tk token.Kind, need Need) []string
	// DefaultOptions are the live check's options against the host's
	// public API.
	DefaultOptions() Options

	// Changes makes repository changes with tok through the API at
	// o.APIURL, under the same retry and rate-limit policy as Check.
	Changes(tok token.Token, o Options) (Changes, error)
	// Protection says what Changes.Protect requires, for output: "pull
	// requests and the \"rtconf validate\" check are required".
	Protection(check string) string
	// Doc is what the generated README says of the host, in its words
	// (RepoURL is left for the caller).
	Doc() templates.RepoDoc
	// CIFile is where the host's CI reads the workflow rtconf generates
	// (GitHub Actions: .github/workflows/rtconf.yml).
	CIFile() string
	// RenderCI renders that file from the provider-neutral data.
	RenderCI(w templates.Workflow) ([]byte, error)
	// CIFormats are the `validate --format` outputs the host's CI always
	// shows (GitHub: annotations; GitLab: Code Quality and JUnit), which
	// the CI file writes.
	CIFormats() []string

	// CommitAuthor is the name and e-mail address of rtconf's commits.
	CommitAuthor() (name, email string)
	// RevokeHint says where a user revokes a token on host.
	RevokeHint(host string) string
}

// ErrNoCI is RenderCI's error for a provider rtconf writes no CI file for
// (yet): the generator then writes none, and the repository's own CI must
// run rtconf validate.
var ErrNoCI = errors.New("rtconf generates no CI file for this Git host")

// Changes are the repository changes rtconf asks of a Git host.
type Changes interface {
	// EnsureRepository returns the repository namespace/name, creating it
	// (private unless told otherwise) when it does not exist. created says
	// whether it was made.
	EnsureRepository(ctx context.Context, namespace, name string, private bool) (repo Repository, created bool, err error)
	// Protect requires change requests, an approval and the status check
	// named check before anything merges into branch.
	Protect(ctx context.Context, namespace, name, branch, check string) error
	// OpenChangeRequest opens a pull (or merge) request and returns its
	// web address.
	OpenChangeRequest(ctx context.Context, namespace, name string, cr ChangeRequest) (string, error)
}

// Repository is what rtconf needs to know of a repository on its host.
type Repository struct {
	Owner, Name   string
	CloneURL      string
	HTMLURL       string
	DefaultBranch string
	Private       bool
}

// ChangeRequest is a pull or merge request to open: from the branch Head
// into Base.
type ChangeRequest struct {
	Title, Body string
	Head, Base  string
}
