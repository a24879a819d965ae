package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/cluster"
	"github.com/rtconf/rtconf/internal/status"
	"github.com/rtconf/rtconf/internal/workspace"
)

// TestWriteClusterStatus pins status --cluster's text: every object on a
// line of its own with its whole state, each fact said once; "incomplete:"
// only for what has no line of its own.
func TestWriteClusterStatus(t *testing.T) {
	const rev = "19cc74f28b42aa0e6a4f0f0b6c1f7e5d3c2b1a09"
	app := cluster.Ref{Kind: cluster.KindApplication, Namespace: "argocd", Name: "prod"}
	child := cluster.Ref{Kind: cluster.KindApplication, Namespace: "argocd", Name: "prod-in-cluster"}
	token := cluster.Ref{Kind: cluster.KindSealedSecret, Namespace: "argocd", Name: "prod-git-runtime-token"}
	alice := cluster.Ref{Kind: cluster.KindSealedSecret, Namespace: "prod-ns", Name: "prod-git-user-token-alice"}
	// runtime is what workspace.ClusterStatus reports: the problems are
	// cluster.Judge's, and one per child not Synced and Healthy.
	runtime := func(secrets []cluster.SecretState, a cluster.AppState, children []cluster.AppState, extra ...cluster.Problem) workspace.ClusterRuntime {
		target := cluster.Target{App: app, Revision: rev}
		for _, s := range secrets {
			target.Secrets = append(target.Secrets, s.Ref)
		}
		problems := cluster.Judge(target, cluster.Observed{Secrets: secrets, App: a}).Waiting
		for _, c := range children {
			switch {
			case !c.Found:
				problems = append(problems, cluster.Problem{Ref: c.Ref, Message: "not on the cluster"})
			case c.Sync != "Synced" || c.Health != "Healthy":
				problems = append(problems, cluster.Problem{Ref: c.Ref, Message: "sync " + c.Sync + ", health " + c.Health})
			}
		}
		problems = append(problems, extra...)
		return workspace.ClusterRuntime{Name: "prod", Complete: len(problems) == 0, Git: status.Runtime{Complete: true},
			Secrets: secrets, App: a, Children: children, Problems: problems}
	}
	synced := func(r cluster.Ref) cluster.AppState {
		return cluster.AppState{Ref: r, Found: true, Sync: "Synced", Health: "Healthy", Revision: rev}
	}
	for _, tc := range []struct {
		name string
		rt   workspace.ClusterRuntime
		want string
	}{
		{
			name: "nothing on the cluster yet",
			rt: runtime([]cluster.SecretState{{Ref: token}},
				cluster.AppState{Ref: app}, []cluster.AppState{{Ref: child}}),
			want: `prod: incomplete
  git:          complete
  credentials:  SealedSecret argocd/prod-git-runtime-token not on the cluster
  application:  Application argocd/prod not on the cluster
  children:     Application argocd/prod-in-cluster not on the cluster
`,
		},
		{
			name: "complete",
			rt: runtime([]cluster.SecretState{{Ref: token, Found: true, Unsealed: true, Current: true}, {Ref: alice, Found: true, Unsealed: true, Current: true}},
				synced(app), []cluster.AppState{synced(child)}),
			want: `prod: complete
  git:          complete
  credentials:  SealedSecret argocd/prod-git-runtime-token unsealed
                SealedSecret prod-ns/prod-git-user-token-alice unsealed
  application:  Application argocd/prod sync Synced, health Healthy, revision 19cc74f
  children:     Application argocd/prod-in-cluster sync Synced, health Healthy, revision 19cc74f
`,
		},
		{
			name: "a foreign certificate, a failed sync, a child out of sync",
			rt: runtime([]cluster.SecretState{{Ref: token, Found: true, Current: true, Reason: "no key could decrypt secret (password)"}, {Ref: alice, Found: true}},
				cluster.AppState{Ref: app, Found: true, Sync: "OutOfSync", Health: "Missing", Revision: rev, Phase: "Failed", OperationRevision: rev,
					Message: `one or more objects failed to apply, reason: namespaces "elsewhere" not found`, Conditions: []string{"SyncError: namespaces \"elsewhere\" not found"}},
				[]cluster.AppState{{Ref: child, Found: true, Sync: "OutOfSync", Health: "Healthy", Revision: "0000000000000000000000000000000000000000"}}),
			want: `prod: incomplete
  git:          complete
  credentials:  SealedSecret argocd/prod-git-runtime-token not unsealed: no key could decrypt secret (password)
                SealedSecret prod-ns/prod-git-user-token-alice not unsealed yet (no Synced condition from the sealed-secrets controller: is it running?)
  application:  Application argocd/prod sync OutOfSync, health Missing, revision 19cc74f; last sync Failed: one or more objects failed to apply, reason: namespaces "elsewhere" not found; SyncError: namespaces "elsewhere" not found
  children:     Application argocd/prod-in-cluster sync OutOfSync, health Healthy, revision 0000000
`,
		},
		{
			name: "an overlay that does not render",
			rt: workspace.ClusterRuntime{Name: "prod", Git: status.Runtime{Complete: true}, App: cluster.AppState{Ref: app},
				Problems: []cluster.Problem{{Ref: cluster.Ref{Kind: "Kustomization", Name: "prod"}, Message: "overlays/prod: accumulating resources: no such file"}}},
			want: `prod: incomplete
  git:          complete
  application:  Application argocd/prod not on the cluster
  incomplete:   Kustomization prod: overlays/prod: accumulating resources: no such file
`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			rep := workspace.ClusterReport{Revision: rev, Runtimes: []workspace.ClusterRuntime{tc.rt}}
			if err := writeClusterStatus(&buf, rep); err != nil {
				t.Fatal(err)
			}
			want := tc.want + "repository revision 19cc74f\n"
			if diff := cmp.Diff(want, buf.String()); diff != "" {
				t.Errorf("status --cluster text (-want +got):\n%s", diff)
			}
			// Each object is named once: no line repeats another's fact.
			refs := []cluster.Ref{tc.rt.App.Ref}
			for _, s := range tc.rt.Secrets {
				refs = append(refs, s.Ref)
			}
			for _, a := range tc.rt.Children {
				refs = append(refs, a.Ref)
			}
			for _, ref := range refs {
				if n := strings.Count(buf.String(), ref.String()+" "); n != 1 {
					t.Errorf("%s named %d times, want once:\n%s", ref, n, buf.String())
				}
			}
		})
	}
}
