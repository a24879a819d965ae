package config

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"
)

// FuzzParse checks that Parse never panics, that every problem it reports
// names the file and a sane position, and that a configuration it accepts
// survives being written back as YAML and read again. More seeds are in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(validConfig))
	f.Add([]byte(billionLaughs))
	f.Add([]byte("x: &x {a: 1, a: 2}\ny: *x\n"))
	f.Add([]byte("repository:\n  url: https://x-access-token:ghp_s3cr3t@github.com/acme/shared\n  it's: x\nruntimes: [{name: a, namespace: a}]\n"))
	f.Add([]byte("repository: {url: https://github.com/acme/shared}\nargocd: {namespace: argocd}\nruntimes:\n  - {name: a-b, namespace: one}\n  - {name: a, namespace: two, managedClusters: [{name: b, server: https://b.example.com}]}\n"))
	f.Add([]byte("repository:\n  url: https://github.com/acme/shared\nruntimes:\n  - name: a\xff\n    namespace: a\n---\n"))
	f.Add([]byte("\ufeffrepository: {url: \"https://github.com/acme/shared\", revision: \"\\u2028\"}\r\nruntimes: [{name: a, namespace: a, users: [A, a]}]\r\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data)
		if err != nil {
			if cfg != nil {
				t.Errorf("Parse returned a config beside its error")
			}
			var e *Error
			if !errors.As(err, &e) {
				// A Parse of bytes in memory has nothing to fail but
				// their content.
				t.Fatalf("Parse error is %T, want *config.Error: %v", err, err)
			}
			if len(e.Problems) == 0 {
				t.Fatal("*config.Error without problems")
			}
			for _, p := range e.Problems {
				if p.File != "fuzz.yaml" || p.Line < 0 || p.Column < 0 {
					t.Errorf("bad problem %#v", p)
				}
			}
			return
		}
		out, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("yaml.Marshal: %v", err)
		}
		again, err := Parse("fuzz.yaml", out)
		if err != nil {
			t.Fatalf("Parse of the marshalled config failed: %v\ninput:\n%q\nmarshalled:\n%s", err, data, out)
		}
		// An empty list and no list mean the same; YAML writes neither.
		if diff := cmp.Diff(cfg, again, cmpopts.IgnoreUnexported(Config{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("the config changed on its way through YAML (-before +after):\n%s\ninput:\n%q\nmarshalled:\n%s", diff, data, out)
		}
	})
}
