// Package providers is the one place that registers Git providers: it
// returns the forge.Forge that repository.provider names.
package providers

import (
	"fmt"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/token"
)

// Default is the provider when repository.provider is empty.
const Default = github.Name

// Names lists the providers rtconf knows, in a stable order.
func Names() []string { return []string{github.Name} }

// For returns the provider name selects ("" is Default).
func For(name string) (forge.Forge, error) {
	switch name {
	case "", github.Name:
		return github.Forge{}, nil
	}
	return nil, fmt.Errorf("unknown repository provider %q (known: %v)", name, Names())
}

// DefaultOptions are the default provider's live-check options: the
// defaults of flags, before rtconf.yaml names the provider.
func DefaultOptions() forge.Options { return github.DefaultOptions() }

// ParseToken parses value as a token of any provider rtconf knows. The
// command line reads a token before it knows which provider rtconf.yaml
// names; the job then checks it against its own (forge.Forge.ParseToken).
// With one provider, its error is that provider's.
func ParseToken(value string) (token.Token, error) {
	return github.ParseToken(value)
}

// CheckRequests lists the requests a live check may send, per provider,
// for the help of `token check`.
func CheckRequests() []string { return github.Requests() }

// IsCIFile reports whether p is the CI file of some provider: a path
// rtconf writes (generator.Writes).
func IsCIFile(p string) bool {
	for _, name := range Names() {
		if f, err := For(name); err == nil && f.CIFile() == p {
			return true
		}
	}
	return false
}
