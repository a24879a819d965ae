package status_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/status"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const partialConfig = `repository:
  url: https://github.com/acme/shared-config
runtimes:
  - name: prod
    namespace: codefresh
    managedClusters:
      - name: edge
        server: https://edge.example.com
    users: [alice, Bob]
  - name: staging
    namespace: staging
    runtimeTokenAsUserToken: true
    users: [alice]
  - name: dev
    namespace: dev
    users: [carol]
`

const sealedRuntimeToken = `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  annotations:
    rtconf.io/token-kind: fine-grained
    rtconf.io/token-expires-at: "2027-01-31T00:00:00Z"
  name: prod-git-runtime-token
`

const sealedUserToken = `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  annotations:
    rtconf.io/token-kind: classic
  name: x
`

// partialRepo is a generated repository in which some tokens are sealed,
// one file is missing and one holds something unexpected.
func partialRepo(t *testing.T) (fstest.MapFS, *config.Config) {
	t.Helper()
	cfg, err := config.Parse("rtconf.yaml", []byte(partialConfig))
	if err != nil {
		t.Fatal(err)
	}
	files, err := generator.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tree := fstest.MapFS{}
	for _, f := range files {
		tree[f.Path] = &fstest.MapFile{Data: f.Data}
	}
	// prod: runtime token and alice sealed, bob pending, edge app deleted.
	tree["overlays/prod/runtime-token.yaml"] = &fstest.MapFile{Data: []byte(sealedRuntimeToken)}
	tree["overlays/prod/user-tokens/alice.yaml"] = &fstest.MapFile{Data: []byte(sealedUserToken)}
	delete(tree, "runtimes/prod/edge.yaml")
	// staging: complete, its users are covered by the runtime token.
	tree["overlays/staging/runtime-token.yaml"] = &fstest.MapFile{Data: []byte(sealedUserToken)}
	// dev: a hand-written file in place of carol's token, app missing.
	tree["overlays/dev/user-tokens/carol.yaml"] = &fstest.MapFile{Data: []byte("kind: Secret\n")}
	delete(tree, "overlays/dev/application.yaml")
	return tree, cfg
}

func TestStatusGolden(t *testing.T) {
	tree, cfg := partialRepo(t)
	rep, err := status.Compute(tree, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Complete {
		t.Error("report is complete, want incomplete")
	}
	var complete []string
	for _, r := range rep.Runtimes {
		if r.Complete {
			complete = append(complete, r.Name)
		}
	}
	if diff := cmp.Diff([]string{"staging"}, complete); diff != "" {
		t.Errorf("complete runtimes (-want +got):\n%s", diff)
	}
	for _, format := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"partial.txt", func(b *bytes.Buffer) error { return status.WriteText(b, rep) }},
		{"partial.json", func(b *bytes.Buffer) error { return status.WriteJSON(b, rep) }},
	} {
		var b bytes.Buffer
		if err := format.write(&b); err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", format.file)
		if *update {
			if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), b.String()); diff != "" {
			t.Errorf("%s (-want +got); go test ./status -update if intended:\n%s", golden, diff)
		}
	}
}

func TestStatusCompleteWhenAllSealed(t *testing.T) {
	cfg, err := config.Parse("rtconf.yaml", []byte(partialConfig))
	if err != nil {
		t.Fatal(err)
	}
	files, err := generator.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tree := fstest.MapFS{}
	for _, f := range files {
		data := f.Data
		if f.Slot != nil {
			data = []byte(sealedUserToken)
		}
		tree[f.Path] = &fstest.MapFile{Data: data}
	}
	rep, err := status.Compute(tree, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Complete {
		t.Errorf("report incomplete with every token sealed: %+v", rep)
	}
}
