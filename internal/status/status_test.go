package status_test

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/status"
	"github.com/rtconf/rtconf/templates"
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

// TestStatusAgreesWithValidateOnCiphertext: after a re-pin to a
// certificate with another key size, the tokens sealed for the old key are
// ciphertext errors in rtconf validate; status does not count them as
// sealed, so the runtime is not complete. Values the pinned key can have
// made keep it complete.
func TestStatusAgreesWithValidateOnCiphertext(t *testing.T) {
	const conf = "repository:\n  url: https://github.com/acme/shared-config\nsealing:\n  certificate: certs/sealed-secrets.pem\nruntimes:\n  - name: prod\n    namespace: prod\n"
	cfg, err := config.Parse("rtconf.yaml", []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	certPEM := templates.DemoCertificate()
	cert, err := seal.ParseCertificate("demo", certPEM)
	if err != nil {
		t.Fatal(err)
	}
	// value is ciphertext shaped for a key of n bytes.
	value := func(n int) string {
		b := make([]byte, 2+n+32)
		b[0], b[1] = byte(n>>8), byte(n)
		return base64.StdEncoding.EncodeToString(b)
	}
	sealedWith := func(v string) string {
		return sealedRuntimeToken + "spec:\n  encryptedData:\n    password: " + v + "\n"
	}
	files, err := generator.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		value    string
		complete bool
		problem  string
	}{
		{"sealed for the pinned key", value(cert.Key.Size()), true, ""},
		{"sealed for another key size", value(cert.Key.Size() / 2), false,
			fmt.Sprintf("encryptedData.password was encrypted for a %d-bit key, but the pinned certificate's key has %d bits", cert.Key.Size()*4, cert.Key.Size()*8)},
		{"not base64", "not*base64", false, "encryptedData.password is not valid base64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree := fstest.MapFS{"certs/sealed-secrets.pem": &fstest.MapFile{Data: certPEM}}
			for _, f := range files {
				tree[f.Path] = &fstest.MapFile{Data: f.Data}
			}
			tree["overlays/prod/runtime-token.yaml"] = &fstest.MapFile{Data: []byte(sealedWith(tc.value))}
			rep, err := status.Compute(tree, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Complete != tc.complete {
				t.Errorf("complete = %v, want %v: %+v", rep.Complete, tc.complete, rep)
			}
			got := rep.Runtimes[0].RuntimeToken
			if got.Problem != tc.problem {
				t.Errorf("problem %q, want %q", got.Problem, tc.problem)
			}
			// validate's rule says the same of the value.
			if msg := seal.CheckCiphertext(tc.value, cert.Key.Size()); (msg == "") != tc.complete {
				t.Errorf("seal.CheckCiphertext = %q, but status says complete = %v", msg, rep.Complete)
			}
			if !tc.complete {
				var b bytes.Buffer
				if err := status.WriteText(&b, rep); err != nil {
					t.Fatal(err)
				}
				want := "UNUSABLE: " + tc.problem + ": rtconf seal runtime-token --runtime prod"
				if !strings.Contains(b.String(), want) {
					t.Errorf("text does not say %q:\n%s", want, b.String())
				}
			}
		})
	}
}

// TestStatusGitHubApp: App credentials in the runtime token's place make a
// runtime complete, but not one whose runtime token serves its users.
func TestStatusGitHubApp(t *testing.T) {
	const app = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  annotations:\n    rtconf.io/token-kind: github-app\n    rtconf.io/token-verification: verified\n  name: x\n"
	tree, cfg := partialRepo(t)
	tree["overlays/staging/runtime-token.yaml"] = &fstest.MapFile{Data: []byte(app)}
	tree["overlays/dev/runtime-token.yaml"] = &fstest.MapFile{Data: []byte(app)}
	tree["overlays/dev/user-tokens/carol.yaml"] = &fstest.MapFile{Data: []byte(sealedUserToken)}
	files, err := generator.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == "overlays/dev/application.yaml" {
			tree[f.Path] = &fstest.MapFile{Data: f.Data}
		}
	}
	rep, err := status.Compute(tree, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Runtimes {
		switch r.Name {
		case "dev":
			if !r.Complete || r.RuntimeToken.State != status.Sealed || r.RuntimeToken.Kind != "github-app" {
				t.Errorf("dev with an App: %+v", r)
			}
		case "staging":
			if r.Complete || r.RuntimeToken.State != status.Unusable || !strings.Contains(r.RuntimeToken.Problem, "runtimeTokenAsUserToken") {
				t.Errorf("staging, an App as users' tokens: %+v", r)
			}
		}
	}
}
