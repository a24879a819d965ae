package config

import (
	"strings"
	"testing"
)

const editBase = `# top comment
repository:
  url: https://github.com/acme/shared   # the repo
runtimes:
  # first runtime
  - name: prod
    namespace: prod # ns
    users: [alice, bob]
  # second runtime
  - name: staging
    namespace: staging
    users:
      - carol
    managedClusters:
      - name: eu
        server: https://eu.example.com
# trailing comment
`

func TestListEdits(t *testing.T) {
	tests := []struct {
		name string
		edit func([]byte) ([]byte, error)
		want string // the whole file after the edit
	}{
		{"add runtime", func(b []byte) ([]byte, error) {
			return AddRuntime(b, Runtime{Name: "dev", Namespace: "dev-ns", Users: []string{"dave"}})
		}, strings.Replace(editBase, "# trailing comment\n", "  - name: dev\n    namespace: dev-ns\n    users:\n      - dave\n# trailing comment\n", 1)},
		{"remove first runtime keeps the next one's comment", func(b []byte) ([]byte, error) { return RemoveRuntime(b, "prod") },
			strings.Replace(editBase, "  - name: prod\n    namespace: prod # ns\n    users: [alice, bob]\n", "", 1)},
		{"remove last runtime", func(b []byte) ([]byte, error) { return RemoveRuntime(b, "staging") },
			strings.Replace(editBase, "  - name: staging\n    namespace: staging\n    users:\n      - carol\n    managedClusters:\n      - name: eu\n        server: https://eu.example.com\n", "", 1)},
		{"add user to a flow list", func(b []byte) ([]byte, error) { return AddToRuntime(b, "prod", "users", "erin") },
			strings.Replace(editBase, "[alice, bob]", "[alice, bob, erin]", 1)},
		{"add user to a block list", func(b []byte) ([]byte, error) { return AddToRuntime(b, "staging", "users", "erin") },
			strings.Replace(editBase, "      - carol\n", "      - carol\n      - erin\n", 1)},
		{"remove user from a flow list", func(b []byte) ([]byte, error) {
			return RemoveFromRuntime(b, "prod", "users", MatchScalar("ALICE"))
		}, strings.Replace(editBase, "[alice, bob]", "[bob]", 1)},
		{"remove the only user of a block list, with its key", func(b []byte) ([]byte, error) {
			return RemoveFromRuntime(b, "staging", "users", MatchScalar("carol"))
		}, strings.Replace(editBase, "    users:\n      - carol\n", "", 1)},
		{"remove the only cluster, the last key of the runtime", func(b []byte) ([]byte, error) {
			return RemoveFromRuntime(b, "staging", "managedClusters", MatchField("name", "eu"))
		}, strings.Replace(editBase, "    managedClusters:\n      - name: eu\n        server: https://eu.example.com\n", "", 1)},
		{"add the first cluster", func(b []byte) ([]byte, error) {
			return AddToRuntime(b, "prod", "managedClusters", Cluster{Name: "us", Server: "https://us.example.com"})
		}, strings.Replace(editBase, "    users: [alice, bob]\n", "    users: [alice, bob]\n    managedClusters:\n      - name: us\n        server: https://us.example.com\n", 1)},
		{"add another cluster", func(b []byte) ([]byte, error) {
			return AddToRuntime(b, "staging", "managedClusters", Cluster{Name: "us", Server: "https://us.example.com"})
		}, strings.Replace(editBase, "        server: https://eu.example.com\n", "        server: https://eu.example.com\n      - name: us\n        server: https://us.example.com\n", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.edit([]byte(editBase))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestListEditErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func([]byte) ([]byte, error)
		want string
	}{
		{"unknown runtime", func(b []byte) ([]byte, error) { return RemoveRuntime(b, "nope") }, `edit: no runtime "nope"`},
		{"unknown user", func(b []byte) ([]byte, error) { return RemoveFromRuntime(b, "prod", "users", MatchScalar("zed")) }, "edit runtimes[prod].users: no such item"},
		{"not yaml", func([]byte) ([]byte, error) { return AddRuntime([]byte("a: [\n"), Runtime{Name: "x"}) }, "edit: yaml: line 1: did not find expected node content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.edit([]byte(editBase))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}
