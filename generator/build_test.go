package generator_test

import (
	"path"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
)

// TestOverlaysBuild builds every generated overlay with kustomize's own API
// and checks what it renders against the configuration.
func TestOverlaysBuild(t *testing.T) {
	for _, name := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			cfg := loadCase(t, name)
			files, err := generator.Generate(cfg)
			if err != nil {
				t.Fatal(err)
			}
			fsys := filesys.MakeFsInMemory()
			for _, f := range files {
				if err := fsys.WriteFile(path.Join("/repo", f.Path), f.Data); err != nil {
					t.Fatal(err)
				}
			}
			k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
			for _, rt := range cfg.Runtimes {
				overlay := path.Join(generator.DirOverlays, rt.Name)
				resMap, err := k.Run(fsys, path.Join("/repo", overlay))
				if err != nil {
					t.Fatalf("kustomize build %s: %v", overlay, err)
				}
				var got []string
				for _, r := range resMap.Resources() {
					got = append(got, r.GetKind()+" "+r.GetNamespace()+"/"+r.GetName())
					if v := r.GetLabels()["app.kubernetes.io/managed-by"]; v != "rtconf" {
						t.Errorf("%s: %s %s has managed-by label %q, want rtconf (written into each object)", overlay, r.GetKind(), r.GetName(), v)
					}
					if r.GetKind() == "Application" && r.GetName() == config.AppName(rt) {
						m, err := r.Map()
						if err != nil {
							t.Fatal(err)
						}
						checkRuntimeApp(t, cfg, rt, m)
					}
				}
				sort.Strings(got)
				if diff := cmp.Diff(wantObjects(cfg, rt), got); diff != "" {
					t.Errorf("kustomize build %s (-want +got):\n%s", overlay, diff)
				}
			}
		})
	}
}

// wantObjects lists "Kind namespace/name" of what a runtime's overlay must
// render, sorted.
func wantObjects(cfg *config.Config, rt config.Runtime) []string {
	argo := cfg.ArgoNamespace(rt)
	want := []string{
		"Application " + argo + "/" + config.AppName(rt),
		"Application " + argo + "/" + config.InClusterAppName(rt),
		"ConfigMap " + argo + "/" + config.RuntimeTokenSecretName(rt),
	}
	for _, cl := range rt.ManagedClusters {
		want = append(want, "Application "+argo+"/"+config.ClusterAppName(rt, cl))
	}
	if !rt.RuntimeTokenAsUserToken {
		for _, u := range rt.Users {
			want = append(want, "ConfigMap "+rt.Namespace+"/"+config.UserTokenSecretName(rt, u))
		}
	}
	sort.Strings(want)
	return want
}

func checkRuntimeApp(t *testing.T, cfg *config.Config, rt config.Runtime, app map[string]any) {
	t.Helper()
	get := func(keys ...string) any {
		var cur any = app
		for _, k := range keys {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[k]
		}
		return cur
	}
	for _, c := range []struct {
		keys []string
		want any
	}{
		{[]string{"spec", "source", "path"}, "overlays/" + rt.Name},
		{[]string{"spec", "source", "repoURL"}, cfg.ArgoRepoURL()},
		{[]string{"spec", "source", "targetRevision"}, cfg.Repository.Revision},
		{[]string{"spec", "destination", "server"}, rt.Server},
		{[]string{"spec", "destination", "namespace"}, rt.Namespace},
		{[]string{"spec", "project"}, cfg.ArgoCD.Project},
		{[]string{"spec", "syncPolicy", "automated", "prune"}, true},
		{[]string{"spec", "syncPolicy", "automated", "selfHeal"}, true},
		{[]string{"metadata", "labels", "codefresh.io/entity"}, "runtime"},
		{[]string{"metadata", "labels", "codefresh.io/internal"}, "true"},
	} {
		if got := get(c.keys...); got != c.want {
			t.Errorf("runtime %s: Application %v = %v, want %v", rt.Name, c.keys, got, c.want)
		}
	}
}
