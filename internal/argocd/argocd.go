// Package argocd holds typed Argo CD objects: the part of Argo CD's API that
// rtconf writes and reads. The field names and JSON tags follow
// github.com/argoproj/argo-cd/v3 pkg/apis/application/v1alpha1, which is
// not a dependency: it would pull in all of Argo CD.
package argocd

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Group and version of Argo CD's API.
const (
	APIVersion      = "argoproj.io/v1alpha1"
	KindApplication = "Application"
)

// Labels and values Argo CD and Codefresh read.
const (
	// SecretTypeLabel marks Secrets Argo CD reads as repository settings.
	SecretTypeLabel = "argocd.argoproj.io/secret-type"
	// SecretTypeRepoCreds is the SecretTypeLabel value of credential
	// templates, used for every repository whose URL they prefix.
	SecretTypeRepoCreds = "repo-creds"
	// EntityLabel and InternalLabel mark a Codefresh runtime's Application.
	EntityLabel   = "codefresh.io/entity"
	InternalLabel = "codefresh.io/internal"
	// SyncOptionsAnnotation holds an object's own sync options.
	SyncOptionsAnnotation = "argocd.argoproj.io/sync-options"
	// SyncOptionNoPrune, as an object's SyncOptionsAnnotation, keeps Argo
	// CD from ever pruning the object.
	SyncOptionNoPrune = "Prune=false"
	// SyncOptionCreateNamespace, in an Application's syncOptions, creates
	// the destination namespace when it is missing.
	SyncOptionCreateNamespace = "CreateNamespace=true"
	// ResourcesFinalizer makes deleting an Application delete its
	// resources; rtconf's self-managing Application never carries it.
	ResourcesFinalizer = "resources-finalizer.argocd.argoproj.io"
)

// Application is an Argo CD Application.
type Application struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ApplicationSpec `json:"spec"`
}

// ApplicationSpec is what an Application deploys, where, and how it syncs.
type ApplicationSpec struct {
	Project     string                 `json:"project"`
	Source      *ApplicationSource     `json:"source,omitempty"`
	Destination ApplicationDestination `json:"destination"`
	SyncPolicy  *SyncPolicy            `json:"syncPolicy,omitempty"`
}

// ApplicationSource is a path at a revision of a Git repository.
type ApplicationSource struct {
	RepoURL        string                      `json:"repoURL"`
	Path           string                      `json:"path,omitempty"`
	TargetRevision string                      `json:"targetRevision,omitempty"`
	Directory      *ApplicationSourceDirectory `json:"directory,omitempty"`
}

// ApplicationSourceDirectory selects the plain manifests of a directory.
type ApplicationSourceDirectory struct {
	Recurse bool   `json:"recurse,omitempty"`
	Include string `json:"include,omitempty"`
	Exclude string `json:"exclude,omitempty"`
}

// ApplicationDestination is a cluster and a default namespace.
type ApplicationDestination struct {
	Server    string `json:"server,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// SyncPolicy says whether and how Argo CD syncs by itself.
type SyncPolicy struct {
	Automated   *SyncPolicyAutomated `json:"automated,omitempty"`
	SyncOptions []string             `json:"syncOptions,omitempty"`
}

// SyncPolicyAutomated is automated sync; Prune deletes what left Git and
// SelfHeal undoes changes made on the cluster.
type SyncPolicyAutomated struct {
	Prune      bool `json:"prune"`
	SelfHeal   bool `json:"selfHeal"`
	AllowEmpty bool `json:"allowEmpty,omitempty"`
}
