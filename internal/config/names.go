package config

import "strings"

// The names of the objects generated for a runtime. They live here, beside
// the checks that keep them unique and short enough, so that the generator,
// the sealer and the validator agree on them.

// AppName is the name of the runtime's self-managing Application.
func AppName(rt Runtime) string { return rt.Name }

// InClusterAppName is the name of the Application that applies the shared
// resources to the runtime's own cluster.
func InClusterAppName(rt Runtime) string { return rt.Name + "-" + reservedClusterName }

// ClusterAppName is the name of the Application that applies the shared
// resources to a managed cluster.
func ClusterAppName(rt Runtime, cl Cluster) string { return rt.Name + "-" + cl.Name }

// RuntimeTokenSecretName is the name of the Secret holding the runtime's Git
// runtime token (an Argo CD repo-creds Secret).
func RuntimeTokenSecretName(rt Runtime) string { return rt.Name + "-git-runtime-token" }

// UserTokenSecretName is the name of the Secret holding a user's Git user
// token. GitHub logins are case-insensitive; Kubernetes names are lowercase.
func UserTokenSecretName(rt Runtime, login string) string {
	return rt.Name + "-git-user-token-" + strings.ToLower(login)
}
