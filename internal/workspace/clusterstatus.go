package workspace

import (
	"context"
	"fmt"
	"os"

	"github.com/rtconf/rtconf/internal/cluster"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/repofs"
	"github.com/rtconf/rtconf/internal/status"
)

// ClusterStatusOptions are the inputs of ClusterStatus.
type ClusterStatusOptions struct {
	Dir, ConfigFile string
	Client          *cluster.Client
}

// ClusterRuntime is one runtime as Git and the cluster see it.
type ClusterRuntime struct {
	Name string `json:"name"`
	// Complete: Git's status is complete, every SealedSecret is unsealed
	// and every Application Synced and Healthy, the runtime's at the
	// repository's revision.
	Complete bool                  `json:"complete"`
	Git      status.Runtime        `json:"git"`
	Secrets  []cluster.SecretState `json:"sealedSecrets"`
	App      cluster.AppState      `json:"application"`
	Children []cluster.AppState    `json:"childApplications"`
	// Problems say what is incomplete on the cluster.
	Problems []cluster.Problem `json:"problems"`
}

// ClusterReport is every runtime's status on its cluster.
type ClusterReport struct {
	Complete bool `json:"complete"`
	// Revision is the commit Argo CD should be at: the remote branch's
	// (as last fetched or pushed), else HEAD's; empty outside Git.
	Revision string           `json:"revision"`
	Runtimes []ClusterRuntime `json:"runtimes"`
}

// ClusterStatus reports, per runtime, what Git says (status.Compute) beside
// what the cluster says: its credentials unsealed or not, its Application's
// sync, health and revision, and its child Applications.
func ClusterStatus(ctx context.Context, opts ClusterStatusOptions) (ClusterReport, error) {
	if opts.ConfigFile == "" {
		opts.ConfigFile = config.FileName
	}
	root, err := os.OpenRoot(opts.Dir)
	if err != nil {
		return ClusterReport{}, fmt.Errorf("open repository: %w", err)
	}
	defer root.Close()
	cfg, err := loadConfig(root, opts.Dir, opts.ConfigFile)
	if err != nil {
		return ClusterReport{}, err
	}
	git, err := status.Compute(repofs.FS(root), cfg)
	if err != nil {
		return ClusterReport{}, err
	}
	rep := ClusterReport{Complete: true, Revision: repoRevision(opts.Dir, cfg), Runtimes: []ClusterRuntime{}}
	for i, rt := range cfg.Runtimes {
		cr, err := clusterRuntime(ctx, root, cfg, rt, rep.Revision, opts.Client)
		if err != nil {
			return ClusterReport{}, err
		}
		cr.Git = git.Runtimes[i]
		cr.Complete = cr.Git.Complete && len(cr.Problems) == 0
		rep.Complete = rep.Complete && cr.Complete
		rep.Runtimes = append(rep.Runtimes, cr)
	}
	return rep, nil
}

func repoRevision(dir string, cfg *config.Config) string {
	repo, err := gitrepo.Open(dir)
	if err != nil || !repo.HasCommits() {
		return ""
	}
	if c, ok := repo.RemoteBranch(Remote, cfg.Repository.Revision); ok {
		return c
	}
	c, _ := repo.Head()
	return c
}

func clusterRuntime(ctx context.Context, root *os.Root, cfg *config.Config, rt config.Runtime, revision string, client *cluster.Client) (ClusterRuntime, error) {
	cr := ClusterRuntime{Name: rt.Name, Secrets: []cluster.SecretState{}, Children: []cluster.AppState{}, Problems: []cluster.Problem{}}
	objs, err := renderObjects(root, rt.Name)
	if err != nil {
		cr.Problems = append(cr.Problems, cluster.Problem{Ref: cluster.Ref{Kind: "Kustomization", Name: rt.Name}, Message: err.Error()})
		return cr, nil
	}
	target := cluster.Target{Revision: revision,
		App: cluster.Ref{Kind: cluster.KindApplication, Namespace: cfg.ArgoNamespace(rt), Name: config.AppName(rt)}}
	var children []cluster.Ref
	for _, o := range objs {
		ref := cluster.RefOf(o)
		switch {
		case ref.Kind == cluster.KindSealedSecret:
			target.Secrets = append(target.Secrets, ref)
		case ref.Kind == cluster.KindApplication && ref != target.App:
			children = append(children, ref)
		}
	}
	o, err := client.Observe(ctx, target)
	if err != nil {
		return cr, err
	}
	cr.Secrets, cr.App = o.Secrets, o.App
	if cr.Secrets == nil {
		cr.Secrets = []cluster.SecretState{}
	}
	if revision == "" {
		// Outside Git there is no revision to compare with.
		target.Revision = o.App.Revision
	}
	cr.Problems = append(cr.Problems, cluster.Judge(target, o).Waiting...)
	for _, ref := range children {
		a, err := client.Application(ctx, ref.Namespace, ref.Name)
		if err != nil {
			return cr, err
		}
		cr.Children = append(cr.Children, a)
		switch {
		case !a.Found:
			cr.Problems = append(cr.Problems, cluster.Problem{Ref: ref, Message: "not on the cluster"})
		case a.Sync != "Synced" || a.Health != "Healthy":
			cr.Problems = append(cr.Problems, cluster.Problem{Ref: ref, Message: fmt.Sprintf("sync %s, health %s", orNone(a.Sync), orNone(a.Health))})
		}
	}
	return cr, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
