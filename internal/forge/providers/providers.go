// Package providers is the one place that registers Git providers: it
// returns the forge.Forge that repository.provider names.
package providers

import (
	"fmt"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
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
