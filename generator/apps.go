package generator

import (
	"path"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rtconf/rtconf/internal/argocd"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/labels"
)

// syncOptions let an Application create its destination namespace; Argo
// CD never prunes one it created (see the README's "Choices worth knowing").
func syncOptions(namespace string) []string {
	if namespace == "" {
		return nil
	}
	return []string{argocd.SyncOptionCreateNamespace}
}

// runtimeApp is the runtime's self-managing Application: it syncs the
// runtime's own overlay, which contains it; no resources-finalizer, so
// deleting it never deletes the credentials Argo CD fetches with.
func (g *gen) runtimeApp(rt config.Runtime) *argocd.Application {
	return &argocd.Application{
		TypeMeta: metav1.TypeMeta{APIVersion: argocd.APIVersion, Kind: argocd.KindApplication},
		ObjectMeta: metav1.ObjectMeta{
			Name:      config.AppName(rt),
			Namespace: g.cfg.ArgoNamespace(rt),
			Labels: map[string]string{
				argocd.EntityLabel:   "runtime",
				argocd.InternalLabel: "true",
				labels.ManagedBy:     labels.ManagedByValue,
				labels.Runtime:       rt.Name,
			},
		},
		Spec: argocd.ApplicationSpec{
			Project: g.cfg.ArgoCD.Project,
			Source: &argocd.ApplicationSource{
				RepoURL:        g.cfg.ArgoRepoURL(),
				TargetRevision: g.cfg.Repository.Revision,
				Path:           OverlayDir(rt.Name),
			},
			Destination: argocd.ApplicationDestination{Server: rt.Server, Namespace: rt.Namespace},
			SyncPolicy: &argocd.SyncPolicy{
				Automated:   &argocd.SyncPolicyAutomated{Prune: true, SelfHeal: true},
				SyncOptions: syncOptions(rt.Namespace),
			},
		},
	}
}

// resourcesApp applies the folders under resources/ that include selects.
func (g *gen) resourcesApp(rt config.Runtime, name, cluster, server, namespace string, include []string) *argocd.Application {
	return &argocd.Application{
		TypeMeta: metav1.TypeMeta{APIVersion: argocd.APIVersion, Kind: argocd.KindApplication},
		ObjectMeta: metav1.ObjectMeta{
			Name:      name,
			Namespace: g.cfg.ArgoNamespace(rt),
			Labels: map[string]string{
				argocd.InternalLabel: "true",
				labels.ManagedBy:     labels.ManagedByValue,
				labels.Runtime:       rt.Name,
				labels.Cluster:       cluster,
			},
		},
		Spec: argocd.ApplicationSpec{
			Project: g.cfg.ArgoCD.Project,
			Source: &argocd.ApplicationSource{
				RepoURL:        g.cfg.ArgoRepoURL(),
				TargetRevision: g.cfg.Repository.Revision,
				Path:           DirResources,
				Directory:      &argocd.ApplicationSourceDirectory{Recurse: true, Include: includeGlob(include)},
			},
			Destination: argocd.ApplicationDestination{Server: server, Namespace: namespace},
			SyncPolicy: &argocd.SyncPolicy{
				Automated:   &argocd.SyncPolicyAutomated{Prune: true, SelfHeal: true, AllowEmpty: true},
				SyncOptions: syncOptions(namespace),
			},
		},
	}
}

func (g *gen) inClusterApp(rt config.Runtime) *argocd.Application {
	return g.resourcesApp(rt, config.InClusterAppName(rt), "in-cluster", rt.Server, rt.Namespace,
		[]string{"all-runtimes-all-clusters", path.Join(DirRuntimes, rt.Name), "control-planes"})
}

func (g *gen) clusterApp(rt config.Runtime, cl config.Cluster) *argocd.Application {
	return g.resourcesApp(rt, config.ClusterAppName(rt, cl), cl.Name, cl.Server, "",
		[]string{"all-runtimes-all-clusters"})
}

// includeGlob is an Argo CD directory include pattern for the YAML files of
// the folders, at any depth.
func includeGlob(dirs []string) string {
	var globs []string
	for _, d := range dirs {
		globs = append(globs, d+"/*.yaml", d+"/**/*.yaml")
	}
	return "{" + strings.Join(globs, ",") + "}"
}
