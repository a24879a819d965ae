package seal_test

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"sigs.k8s.io/yaml"

	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/token"
)

func TestMarshalShowsNoToken(t *testing.T) {
	cert := demoCert(t)
	cfg := parseConfig(t, "")
	rt := cfg.Runtimes[0]
	for _, tc := range []struct {
		name, value string
		seal        func(token.Token) (*ssv1alpha1.SealedSecret, error)
	}{
		{"runtime", runtimeValue, func(tok token.Token) (*ssv1alpha1.SealedSecret, error) {
			return seal.RuntimeToken(cfg, rt, tok, cert, sealedAt)
		}},
		{"user", userValue, func(tok token.Token) (*ssv1alpha1.SealedSecret, error) {
			return seal.UserToken(cfg, rt, "bob", tok, cert, sealedAt)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss, err := tc.seal(mustToken(t, tc.value))
			if err != nil {
				t.Fatal(err)
			}
			out, err := seal.Marshal(ss, "# HEADER\n", "\nfirst line\n\nsecond line\n")
			if err != nil {
				t.Fatal(err)
			}
			text := string(out)
			if want := "# HEADER\n# first line\n# second line\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n"; !strings.HasPrefix(text, want) {
				t.Errorf("Marshal output starts:\n%s\nwant:\n%s", text[:min(len(text), len(want))], want)
			}
			for _, f := range []string{
				tc.value,
				tc.value[len(tc.value)-20:],
				base64.StdEncoding.EncodeToString([]byte(tc.value)),
				base64.RawStdEncoding.EncodeToString([]byte(tc.value)),
				base64.URLEncoding.EncodeToString([]byte(tc.value)),
				hex.EncodeToString([]byte(tc.value)),
			} {
				if strings.Contains(text, f) {
					t.Errorf("marshalled SealedSecret contains %q:\n%s", f, text)
				}
			}
			// What is written still opens, and holds the token.
			var back ssv1alpha1.SealedSecret
			if err := yaml.UnmarshalStrict(out, &back); err != nil {
				t.Fatalf("unmarshal what Marshal wrote: %v", err)
			}
			got, err := unseal(t, &back)
			if err != nil {
				t.Fatalf("Unseal what Marshal wrote: %v", err)
			}
			key := map[string]string{"runtime": "password", "user": "token"}[tc.name]
			if got.Data[key] != tc.value {
				t.Errorf("unsealed %s = %q, want the token", key, got.Data[key])
			}
		})
	}
}

func TestMarshalWithoutComment(t *testing.T) {
	cfg := parseConfig(t, "")
	ss, err := seal.UserToken(cfg, cfg.Runtimes[0], "bob", mustToken(t, userValue), demoCert(t), sealedAt)
	if err != nil {
		t.Fatal(err)
	}
	out, err := seal.Marshal(ss, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "apiVersion: bitnami.com/v1alpha1\n") {
		t.Errorf("Marshal without header or comment starts:\n%.80s", out)
	}
	if strings.Contains(string(out), "creationTimestamp") {
		t.Errorf("Marshal writes creationTimestamp:\n%s", out)
	}
}
