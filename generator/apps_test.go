package generator_test

import (
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/argocd"
)

// TestApplicationsOnAFreshCluster: every Application rtconf writes can sync
// on a cluster where only Argo CD's namespace exists (it creates its
// destination namespace), and the self-managing one has no
// resources-finalizer, so deleting it never deletes Argo CD's credentials.
func TestApplicationsOnAFreshCluster(t *testing.T) {
	apps := 0
	for _, name := range goldenCases(t) {
		files, err := generator.Generate(loadCase(t, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !strings.Contains(string(f.Data), "kind: Application\n") {
				continue
			}
			var app argocd.Application
			if err := yaml.Unmarshal(f.Data, &app); err != nil {
				t.Fatalf("%s: %s: %v", name, f.Path, err)
			}
			apps++
			if len(app.Finalizers) != 0 {
				t.Errorf("%s: %s: finalizers %v, want none", name, f.Path, app.Finalizers)
			}
			var opts []string
			if app.Spec.SyncPolicy != nil {
				opts = app.Spec.SyncPolicy.SyncOptions
			}
			if want := app.Spec.Destination.Namespace != ""; slices.Contains(opts, argocd.SyncOptionCreateNamespace) != want {
				t.Errorf("%s: %s: destination namespace %q, syncOptions %v: want %s exactly when there is a namespace",
					name, f.Path, app.Spec.Destination.Namespace, opts, argocd.SyncOptionCreateNamespace)
			}
		}
	}
	if apps < 10 {
		t.Fatalf("checked only %d Applications: the test is broken", apps)
	}
}
