package github

import (
	"slices"
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/token"
)

// Kind is which token is checked.
type Kind = forge.Kind

// The kinds of token rtconf checks.
const (
	RuntimeToken = forge.RuntimeToken
	UserToken    = forge.UserToken
)

// Verdict on one requirement.
type Verdict = forge.Verdict

// The verdicts.
const (
	Granted = forge.Granted
	Missing = forge.Missing
	Unknown = forge.Unknown
)

// Certainty says how a verdict was reached.
type Certainty = forge.Certainty

// The certainties.
const (
	Observed = forge.Observed
	Inferred = forge.Inferred
)

// classicRequirements are the classic scopes each kind of token needs
// (Codefresh's published requirements).
func classicRequirements(k Kind) []string {
	if k == RuntimeToken {
		return []string{"repo", "admin:repo_hook"}
	}
	return []string{"repo"}
}

// Permission is a fine-grained repository permission at a level.
type Permission struct {
	Name  string // GitHub's name: administration, contents, …
	Level string // read or write
}

func (p Permission) String() string {
	return permissionTitle(p.Name) + ": " + map[string]string{"read": "read", "write": "read and write"}[p.Level]
}

func permissionTitle(name string) string {
	switch name {
	case "pull_requests":
		return "Pull requests"
	case "statuses":
		return "Commit statuses"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// fineGrainedRequirements are the repository permissions each kind needs.
func fineGrainedRequirements(k Kind) []Permission {
	if k == RuntimeToken {
		return []Permission{
			{"administration", "write"}, {"statuses", "write"}, {"contents", "write"},
			{"pull_requests", "write"}, {"webhooks", "write"}, {"metadata", "read"},
		}
	}
	return []Permission{{"contents", "write"}, {"metadata", "read"}}
}

// impliedScopes is GitHub's scope hierarchy: a scope grants the ones it
// lists (https://docs.github.com/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps).
func impliedScopes(scope string) []string {
	switch scope {
	case "repo":
		return []string{"repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events"}
	case "admin:repo_hook":
		return []string{"write:repo_hook", "read:repo_hook"}
	case "write:repo_hook":
		return []string{"read:repo_hook"}
	case "admin:org":
		return []string{"write:org", "read:org", "manage_runners:org"}
	case "write:org":
		return []string{"read:org"}
	case "admin:public_key":
		return []string{"write:public_key", "read:public_key"}
	case "write:public_key":
		return []string{"read:public_key"}
	case "admin:gpg_key":
		return []string{"write:gpg_key", "read:gpg_key"}
	case "write:gpg_key":
		return []string{"read:gpg_key"}
	case "user":
		return []string{"read:user", "user:email", "user:follow"}
	case "project":
		return []string{"read:project"}
	case "write:packages":
		return []string{"read:packages"}
	case "admin:enterprise":
		return []string{"manage_runners:enterprise", "manage_billing:enterprise", "read:enterprise"}
	}
	return nil
}

// grants reports whether the granted scopes include want, directly or
// through the hierarchy.
func grants(granted []string, want string) bool {
	seen := map[string]bool{}
	var walk func(s string) bool
	walk = func(s string) bool {
		if s == want {
			return true
		}
		if seen[s] {
			return false
		}
		seen[s] = true
		return slices.ContainsFunc(impliedScopes(s), walk)
	}
	return slices.ContainsFunc(granted, walk)
}

// ParseScopes splits an X-OAuth-Scopes header ("repo, admin:repo_hook").
func ParseScopes(header string) []string {
	var out []string
	for _, s := range strings.Split(header, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ParseAcceptedPermissions reads an X-Accepted-GitHub-Permissions header
// ("contents=read; webhooks=write", alternatives separated by ";", several
// permissions of one alternative by ",").
func ParseAcceptedPermissions(header string) [][]Permission {
	var out [][]Permission
	for _, alt := range strings.Split(header, ";") {
		var perms []Permission
		for _, p := range strings.Split(alt, ",") {
			name, level, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && name != "" && level != "" {
				perms = append(perms, Permission{Name: strings.TrimSpace(name), Level: strings.TrimSpace(level)})
			}
		}
		if perms != nil {
			out = append(out, perms)
		}
	}
	return out
}

// RequirementNames lists the names Check gives the requirements of a token
// kind (as Result.Granted records them).
func RequirementNames(tk token.Kind, kind Kind, also []Kind) []string {
	if tk == FineGrained || tk == AppKind {
		var out []string
		for _, p := range fineGrainedWants(kind, also) {
			out = append(out, p.String())
		}
		return out
	}
	return requirementsClassic(kind, also)
}
