// Package labels names the labels and annotations rtconf puts on the objects
// it generates, so that machines (the validator, CI, Argo CD) can tell what
// an object is for without parsing comments.
package labels

// Prefix of every rtconf label and annotation.
const Prefix = "rtconf.io/"

// Labels.
const (
	// Runtime is the runtime an object belongs to.
	Runtime = Prefix + "runtime"
	// Cluster is the cluster an Application deploys to.
	Cluster = Prefix + "cluster"
	// Token is the kind of Git token a Secret (or its placeholder) holds:
	// TokenRuntime or TokenUser.
	Token = Prefix + "token"
	// User is the GitHub login (lowercase) a user token belongs to.
	User = Prefix + "user"
	// TokenState is StatePending on a placeholder.
	TokenState = Prefix + "token-state"

	ManagedBy      = "app.kubernetes.io/managed-by"
	ManagedByValue = "rtconf"
)

// Label values.
const (
	TokenRuntime = "runtime"
	TokenUser    = "user"
	StatePending = "pending"
)

// Annotations.
const (
	// Pending, on a placeholder, is the command that seals the token.
	Pending = Prefix + "pending"
)
