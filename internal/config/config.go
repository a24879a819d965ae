// Package config is the model of rtconf.yaml: loading it with positions,
// checking it against its JSON Schema and against the rules a schema cannot
// express, and the defaults every other package relies on.
package config

import (
	"net/url"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/providers"
)

// FileName is the conventional name of the configuration file.
const FileName = "rtconf.yaml"

// Defaults applied by Load when a field is left out.
const (
	DefaultRevision = "main"
	DefaultProvider = providers.Default
	DefaultProject  = "default"
	DefaultServer   = "https://kubernetes.default.svc"
)

// Scope is a sealed-secrets sealing scope.
type Scope string

// The sealing scopes the sealed-secrets controller understands.
const (
	ScopeStrict        Scope = "strict"
	ScopeNamespaceWide Scope = "namespace-wide"
	ScopeClusterWide   Scope = "cluster-wide"
)

// Config is the whole of rtconf.yaml.
type Config struct {
	Repository Repository `json:"repository" yaml:"repository"`
	ArgoCD     ArgoCD     `json:"argocd,omitempty" yaml:"argocd,omitempty"`
	Sealing    Sealing    `json:"sealing,omitempty" yaml:"sealing,omitempty"`
	CI         CI         `json:"ci,omitempty" yaml:"ci,omitempty"`
	Runtimes   []Runtime  `json:"runtimes" yaml:"runtimes"`

	// File is the name the configuration was loaded from, for messages.
	File string `json:"-" yaml:"-"`
	pos  positions
	// partial is set by ParseRuntimes: only some runtimes were read.
	partial bool
}

// Repository is the shared configuration repository.
type Repository struct {
	URL      string `json:"url" yaml:"url"`
	Revision string `json:"revision,omitempty" yaml:"revision,omitempty"`
	Provider string `json:"provider,omitempty" yaml:"provider,omitempty"`
	// APIURL may only name the API of URL's own host, which rtconf derives
	// anyway (the provider's AllowedAPIURL); the checks refuse any other.
	APIURL string `json:"apiURL,omitempty" yaml:"apiURL,omitempty"`
}

// ArgoCD says where Argo CD runs.
type ArgoCD struct {
	Namespace string `json:"namespace,omitempty" yaml:"namespace,omitempty"`
	Project   string `json:"project,omitempty" yaml:"project,omitempty"`
}

// Sealing says how tokens are sealed.
type Sealing struct {
	Certificate string `json:"certificate,omitempty" yaml:"certificate,omitempty"`
	// Fingerprint pins the certificate: "sha256:" and the SHA-256 of its
	// DER bytes in hex, as `rtconf cert pin` records it.
	Fingerprint string `json:"fingerprint,omitempty" yaml:"fingerprint,omitempty"`
	Scope       Scope  `json:"scope,omitempty" yaml:"scope,omitempty"`
}

// CI configures the GitHub Actions workflow rtconf writes to
// .github/workflows/rtconf.yml.
type CI struct {
	// Shards splits validation into a matrix of that many jobs; 0 means
	// automatic (see generator.Shards).
	Shards int `json:"shards,omitempty" yaml:"shards,omitempty"`
	// Version is the rtconf release the workflow installs (vX.Y.Z); empty
	// means the release that generated the workflow.
	Version string `json:"version,omitempty" yaml:"version,omitempty"`
	// CodeScanning uploads validate's SARIF report to GitHub code scanning.
	// Off unless set: code scanning needs a public repository or GitHub
	// Advanced Security, which rtconf cannot see offline; `rtconf init
	// --create --public` sets it. A failed upload never fails the check.
	CodeScanning bool `json:"codeScanning,omitempty" yaml:"codeScanning,omitempty"`
}

// MaxShards is the largest ci.shards the schema accepts.
const MaxShards = 64

// Runtime is one GitOps Runtime.
type Runtime struct {
	Name                    string    `json:"name" yaml:"name"`
	Namespace               string    `json:"namespace" yaml:"namespace"`
	Server                  string    `json:"server,omitempty" yaml:"server,omitempty"`
	ManagedClusters         []Cluster `json:"managedClusters,omitempty" yaml:"managedClusters,omitempty"`
	Users                   []string  `json:"users,omitempty" yaml:"users,omitempty"`
	RuntimeTokenAsUserToken bool      `json:"runtimeTokenAsUserToken,omitempty" yaml:"runtimeTokenAsUserToken,omitempty"`
}

// Cluster is a cluster managed by a runtime, other than its own.
type Cluster struct {
	Name   string `json:"name" yaml:"name"`
	Server string `json:"server" yaml:"server"`
}

// ArgoNamespace is the namespace of the Argo CD serving rt: the configured
// one, or the runtime's own.
func (c *Config) ArgoNamespace(rt Runtime) string {
	if c.ArgoCD.Namespace != "" {
		return c.ArgoCD.Namespace
	}
	return rt.Namespace
}

// Runtime returns the runtime called name.
func (c *Config) Runtime(name string) (Runtime, bool) {
	for _, rt := range c.Runtimes {
		if rt.Name == name {
			return rt, true
		}
	}
	return Runtime{}, false
}

// Position returns where the value at a JSON pointer (e.g.
// "/runtimes/0/name") was written, or the zero Position when it was not.
func (c *Config) Position(pointer string) Position {
	return c.pos.value(pointer)
}

// applyDefaults fills in what the user left out.
func (c *Config) applyDefaults() {
	if c.Repository.Revision == "" {
		c.Repository.Revision = DefaultRevision
	}
	if c.Repository.Provider == "" {
		c.Repository.Provider = DefaultProvider
	}
	if c.ArgoCD.Project == "" {
		c.ArgoCD.Project = DefaultProject
	}
	if c.Sealing.Scope == "" {
		c.Sealing.Scope = ScopeStrict
	}
	for i := range c.Runtimes {
		if c.Runtimes[i].Server == "" {
			c.Runtimes[i].Server = DefaultServer
		}
	}
}

// Forge is the Git provider repository.provider names. Parse refuses a
// provider rtconf does not know, so only a Config made by hand with an
// unknown one (or a nil Config) gets the default provider.
func (c *Config) Forge() forge.Forge {
	name := providers.Default
	if c != nil {
		name = c.Repository.Provider
	}
	f, err := providers.For(name)
	if err != nil {
		f, _ = providers.For(providers.Default)
	}
	return f
}

// ArgoRepoURL is repository.url as the Applications rtconf writes name it
// (the provider's form: GitLab's ends in .git).
func (c *Config) ArgoRepoURL() string { return c.Forge().ArgoRepoURL(c.Repository.URL) }

// OwnerRepo splits the repository URL into its namespace (owner, or group
// with subgroups) and repository name (without .git), by the provider's
// path rules; ok is false when the URL has no such path.
func (c *Config) OwnerRepo() (owner, repo string, ok bool) {
	u, err := url.Parse(c.Repository.URL)
	if err != nil {
		return "", "", false
	}
	owner, repo, hint := c.Forge().RepoPath(u.Path)
	return owner, repo, hint == ""
}
