package config

import (
	"regexp"
	"strings"
	"testing"
)

// TestParseRuleProblems covers configurations that are good YAML but break
// the schema or the rules checks.go adds to it.
func TestParseRuleProblems(t *testing.T) {
	runProblemCases(t, []problemCase{{
		name: "unknown field at top level; the required one it misspells is missing",
		in: text(`
repository:
  url: https://github.com/acme/shared
runtime:
  - name: a
    namespace: a
`),
		want: []Problem{{
			Position: Position{Line: 1, Column: 1},
			Message:  `missing required field "runtimes"`,
			Hint:     "add \"runtimes\"; see `rtconf schema`",
		}, {
			Position: Position{Line: 3, Column: 1},
			Field:    "runtime",
			Message:  `unknown field "runtime"`,
			Hint:     "remove it or correct its spelling; known fields here: argocd, ci, repository, runtimes, sealing",
		}},
	}, {
		name: "unknown fields inside a runtime",
		in: text(`
repository:
  url: https://github.com/acme/shared
runtimes:
  - name: a
    namespace: a
    serverr: https://k8s.example.com
    a/b~c: x
`),
		want: []Problem{{
			Position: Position{Line: 6, Column: 5},
			Field:    "runtimes[0].serverr",
			Message:  `unknown field "serverr"`,
			Hint:     "remove it or correct its spelling; known fields here: managedClusters, name, namespace, runtimeTokenAsUserToken, server, users",
		}, {
			Position: Position{Line: 7, Column: 5},
			Field:    "runtimes[0].a/b~c",
			Message:  `unknown field "a/b~c"`,
			Hint:     "remove it or correct its spelling; known fields here: managedClusters, name, namespace, runtimeTokenAsUserToken, server, users",
		}},
	}, {
		// BUG: a numeric key reads as a list index in the field path.
		name: "unknown numeric field",
		in:   "repository:\n  url: https://github.com/acme/shared\n  1: x\nruntimes: [{name: a, namespace: a}]\n",
		want: []Problem{{
			Position: Position{Line: 3, Column: 3},
			Field:    "repository[1]",
			Message:  `unknown field "1"`,
			Hint:     "remove it or correct its spelling; known fields here: apiURL, provider, revision, url",
		}},
	}, {
		name: "unknown field with a quote in its name",
		in:   "repository:\n  url: https://github.com/acme/shared\n  it's: x\nruntimes: [{name: a, namespace: a}]\n",
		want: []Problem{{
			Position: Position{Line: 3, Column: 3},
			Field:    `repository.it's`,
			Message:  `unknown field "it's"`,
			Hint:     "remove it or correct its spelling; known fields here: apiURL, provider, revision, url",
		}},
	}, {
		name: "missing repository url and runtime namespace",
		in: text(`
repository: {}
runtimes:
  - name: a
`),
		want: []Problem{{
			Position: Position{Line: 1, Column: 13},
			Field:    "repository",
			Message:  `missing required field "url"`,
			Hint:     "add \"url\"; see `rtconf schema`",
		}, {
			Position: Position{Line: 3, Column: 5},
			Field:    "runtimes[0]",
			Message:  `missing required field "namespace"`,
			Hint:     "add \"namespace\"; see `rtconf schema`",
		}},
	}, {
		name: "managed cluster without server",
		in:   "repository: {url: https://github.com/acme/shared}\nruntimes:\n  - {name: a, namespace: a, managedClusters: [{name: b}]}\n",
		want: []Problem{{
			Position: Position{Line: 3, Column: 47},
			Field:    "runtimes[0].managedClusters[0]",
			Message:  `missing required field "server"`,
			Hint:     "add \"server\"; see `rtconf schema`",
		}},
	}, {
		name: "no runtimes",
		in:   "repository:\n  url: https://github.com/acme/shared\nruntimes: []\n",
		want: []Problem{{
			Position: Position{Line: 3, Column: 11},
			Field:    "runtimes",
			Message:  "no runtimes defined",
			Hint:     "add at least one runtime with a name and a namespace",
		}},
	}, {
		name: "runtime names: duplicate, path-like, upper case",
		in: text(`
repository:
  url: https://github.com/acme/shared
runtimes:
  - name: a
    namespace: a
  - name: a
    namespace: b
  - name: ../x
    namespace: c
  - name: /etc
    namespace: d
  - name: Prod
    namespace: e
`),
		want: []Problem{{
			Position: Position{Line: 6, Column: 11},
			Field:    "runtimes[1].name",
			Message:  `duplicate runtime name "a" (first at line 4)`,
			Hint:     "runtime names must be unique; rename or remove one",
		}, {
			Position: Position{Line: 8, Column: 11},
			Field:    "runtimes[2].name",
			Message:  `"../x" must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit`,
		}, {
			Position: Position{Line: 10, Column: 11},
			Field:    "runtimes[3].name",
			Message:  `"/etc" must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit`,
		}, {
			Position: Position{Line: 12, Column: 11},
			Field:    "runtimes[4].name",
			Message:  `"Prod" must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit`,
		}},
	}, {
		// Weak: three problems for one cause, the first in the
		// validator's words.
		name: "runtime name over 63 characters",
		in:   "repository:\n  url: https://github.com/acme/shared\nruntimes:\n  - name: " + name64 + "\n    namespace: a\n",
		want: []Problem{{
			Position: Position{Line: 4, Column: 11},
			Field:    "runtimes[0].name",
			Message:  "length must be <= 63, but got 64",
		}},
	}, {
		name: "Application name of the in-cluster Application over 63 characters",
		in:   "repository:\n  url: https://github.com/acme/shared\nruntimes:\n  - name: " + name64[:60] + "\n    namespace: a\n",
		want: []Problem{{
			Position: Position{Line: 4, Column: 11},
			Field:    "runtimes[0].name",
			Message:  `Application name "` + name64[:60] + `-in-cluster" would be 71 characters, over the 63 Kubernetes allows in a label value`,
			Hint:     "shorten the runtime or cluster name",
		}},
	}, {
		// Weak: the length message does not say what the value is.
		name: "invalid GitHub logins and a login listed twice",
		in: text(`
repository:
  url: https://github.com/acme/shared
runtimes:
  - name: a
    namespace: a
    users:
      - -bad
      - a--b
      - abcdefghij-abcdefghij-abcdefghij-abcdefg
      - Alice
      - alice
`),
		want: []Problem{{
			Position: Position{Line: 7, Column: 9},
			Field:    "runtimes[0].users[0]",
			Message:  `"-bad" must be a GitHub login: letters, digits and single hyphens, not starting or ending with a hyphen`,
		}, {
			Position: Position{Line: 8, Column: 9},
			Field:    "runtimes[0].users[1]",
			Message:  `"a--b" must be a GitHub login: letters, digits and single hyphens, not starting or ending with a hyphen`,
		}, {
			Position: Position{Line: 9, Column: 9},
			Field:    "runtimes[0].users[2]",
			Message:  "length must be <= 39, but got 40",
		}, {
			Position: Position{Line: 11, Column: 9},
			Field:    "runtimes[0].users[4]",
			Message:  `user "alice" is listed twice in runtime "a" (first at line 10)`,
			Hint:     "remove one; GitHub logins are case-insensitive",
		}},
	}, {
		// BUG: the URL is echoed back, credentials included; see
		// TestParseDoesNotEchoCredentials.
		name: "http repository URL",
		in:   "repository:\n  url: http://github.com/acme/shared\nruntimes: [{name: a, namespace: a}]\n",
		want: []Problem{{
			Position: Position{Line: 2, Column: 8},
			Field:    "repository.url",
			Message:  `"http://github.com/acme/shared" must be an https:// URL`,
		}},
	}, {
		name: "repository URL with credentials",
		in:   "repository:\n  url: https://x-access-token:ghp_s3cr3t@github.com/acme/shared\nruntimes: [{name: a, namespace: a}]\n",
		want: []Problem{{
			Position: Position{Line: 2, Column: 8},
			Field:    "repository.url",
			Message:  "URL contains credentials",
			Hint:     "remove the user:password@ part; tokens are never written to rtconf.yaml, rtconf seals them",
		}},
	}, {
		name: "repository URLs without owner/repository",
		in: text(`
repository:
  url: https://github.com/acme
  apiURL: https://github.com/acme/.git
runtimes: [{name: a, namespace: a}]
`),
		want: []Problem{{
			Position: Position{Line: 2, Column: 8},
			Field:    "repository.url",
			Message:  `"https://github.com/acme" is not a repository URL`,
			Hint:     "write https://HOST/OWNER/REPOSITORY",
		}, {
			Position: Position{Line: 3, Column: 11},
			Field:    "repository.apiURL",
			Message:  `"https://github.com/acme/.git" is not the API of github.com, the host of repository.url: a token is only ever sent to the API of the host it belongs to`,
			Hint:     "remove repository.apiURL (rtconf uses https://api.github.com/), or pass --api-url on the command line",
		}},
	}, {
		name: "repository URL with a query, API URL without /api/v3",
		in: text(`
repository:
  url: https://github.com/acme/shared?ref=main
  apiURL: https://ghe.example.com/api
runtimes: [{name: a, namespace: a}]
`),
		want: []Problem{{
			Position: Position{Line: 2, Column: 8},
			Field:    "repository.url",
			Message:  `"https://github.com/acme/shared" is followed by a query or fragment, which may hold a token`,
			Hint:     "remove everything from '?' or '#' on",
		}, {
			Position: Position{Line: 3, Column: 11},
			Field:    "repository.apiURL",
			Message:  `"https://ghe.example.com/api" is not the API of github.com, the host of repository.url: a token is only ever sent to the API of the host it belongs to`,
			Hint:     "remove repository.apiURL (rtconf uses https://api.github.com/), or pass --api-url on the command line",
		}},
	}, {
		// A pull request that points the API elsewhere: the token would go
		// there. Every row is refused at the apiURL's line.
		name: "API URL on another host than the repository",
		in: text(`
repository:
  url: https://ghe.example.com/acme/shared
  apiURL: https://attacker.example/api/v3
runtimes: [{name: a, namespace: a}]
`),
		want: []Problem{{
			Position: Position{Line: 3, Column: 11},
			Field:    "repository.apiURL",
			Message:  `"https://attacker.example/api/v3" is not the API of ghe.example.com, the host of repository.url: a token is only ever sent to the API of the host it belongs to`,
			Hint:     "remove repository.apiURL (rtconf uses https://ghe.example.com/api/v3/), or pass --api-url on the command line",
		}},
	}, {
		name: "API URL on the repository's host but another port",
		in: text(`
repository:
  url: https://ghe.example.com/acme/shared
  apiURL: https://ghe.example.com:8443/api/v3
runtimes: [{name: a, namespace: a}]
`),
		want: []Problem{{
			Position: Position{Line: 3, Column: 11},
			Field:    "repository.apiURL",
			Message:  `"https://ghe.example.com:8443/api/v3" is not the API of ghe.example.com, the host of repository.url: a token is only ever sent to the API of the host it belongs to`,
			Hint:     "remove repository.apiURL (rtconf uses https://ghe.example.com/api/v3/), or pass --api-url on the command line",
		}},
	}, {
		name: "api.github.com for a repository elsewhere",
		in: text(`
repository:
  url: https://ghe.example.com/acme/shared
  apiURL: https://api.github.com
runtimes: [{name: a, namespace: a}]
`),
		want: []Problem{{
			Position: Position{Line: 3, Column: 11},
			Field:    "repository.apiURL",
			Message:  `"https://api.github.com" is not the API of ghe.example.com, the host of repository.url: a token is only ever sent to the API of the host it belongs to`,
			Hint:     "remove repository.apiURL (rtconf uses https://ghe.example.com/api/v3/), or pass --api-url on the command line",
		}},
	}, {
		// Weak: an empty server gets two problems.
		name: "provider, empty server, Argo CD namespace, fingerprint",
		in: text(`
repository:
  url: https://github.com/acme/shared
  provider: gitlub
argocd: {namespace: Argo}
sealing: {fingerprint: sha256:abc}
runtimes:
  - name: a
    namespace: a
    server: ""
`),
		want: []Problem{{
			Position: Position{Line: 3, Column: 13},
			Field:    "repository.provider",
			Message:  `value must be one of "github", "gitlab", "gitea", "bitbucket", "bitbucket-datacenter"`,
		}, {
			Position: Position{Line: 4, Column: 21},
			Field:    "argocd.namespace",
			Message:  `"Argo" must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit`,
		}, {
			Position: Position{Line: 5, Column: 24},
			Field:    "sealing.fingerprint",
			Message:  "\"sha256:abc\" must be sha256: followed by 64 lowercase hex digits; run `rtconf cert pin` to record it",
		}, {
			Position: Position{Line: 9, Column: 13},
			Field:    "runtimes[0].server",
			Message:  "length must be >= 1, but got 0",
		}, {
			Position: Position{Line: 9, Column: 13},
			Field:    "runtimes[0].server",
			Message:  `"" must be an https:// URL`,
		}},
	}, {
		// Weak: the duplicate cluster is reported twice.
		name: "managed clusters: reserved and duplicate names",
		in: text(`
repository:
  url: https://github.com/acme/shared
runtimes:
  - name: a
    namespace: a
    managedClusters:
      - name: in-cluster
        server: https://one.example.com
      - name: kustomization
        server: https://two.example.com
      - name: edge
        server: https://three.example.com
      - name: edge
        server: https://four.example.com
`),
		want: []Problem{{
			Position: Position{Line: 7, Column: 15},
			Field:    "runtimes[0].managedClusters[0].name",
			Message:  `cluster name "in-cluster" is reserved for the runtime's own cluster`,
			Hint:     "choose another name",
		}, {
			Position: Position{Line: 9, Column: 15},
			Field:    "runtimes[0].managedClusters[1].name",
			Message:  `cluster name "kustomization" is reserved: runtimes/a/kustomization.yaml is rtconf's`,
			Hint:     "choose another name",
		}, {
			Position: Position{Line: 13, Column: 15},
			Field:    "runtimes[0].managedClusters[3].name",
			Message:  `duplicate cluster name "edge" in runtime "a" (first at line 11)`,
			Hint:     "cluster names must be unique within a runtime",
		}, {
			Position: Position{Line: 13, Column: 15},
			Field:    "runtimes[0].managedClusters[3].name",
			Message:  `Application name "a-edge" in namespace "a" is also generated for the entry at line 11`,
			Hint:     "rename the runtime or the cluster",
		}},
	}, {
		name: "two runtimes in one namespace of one server",
		in: text(`
repository:
  url: https://github.com/acme/shared
runtimes:
  - name: a
    namespace: codefresh
  - name: b
    namespace: codefresh
    server: https://kubernetes.default.svc/
`),
		want: []Problem{{
			Position: Position{Line: 7, Column: 16},
			Field:    "runtimes[1].namespace",
			Message:  `namespace "codefresh" on https://kubernetes.default.svc/ is already used by the runtime at line 4`,
			Hint:     "give each runtime a namespace of its own",
		}},
	}, {
		name: "Application names collide in a shared Argo CD namespace",
		in: text(`
repository:
  url: https://github.com/acme/shared
argocd:
  namespace: argocd
runtimes:
  - name: a-b
    namespace: one
  - name: a
    namespace: two
    managedClusters:
      - name: b
        server: https://b.example.com
`),
		want: []Problem{{
			Position: Position{Line: 11, Column: 15},
			Field:    "runtimes[1].managedClusters[0].name",
			Message:  `Application name "a-b" in namespace "argocd" is also generated for the entry at line 6`,
			Hint:     "rename the runtime or the cluster",
		}},
	}, {
		// Weak: "/abs.pem" is reported twice, by the schema and by the
		// check, and the schema's problem has no hint.
		name: "sealing certificate outside the repository, scope not in the enum",
		in: text(`
repository:
  url: https://github.com/acme/shared
sealing:
  certificate: /abs.pem
  scope: loose
runtimes: [{name: a, namespace: a}]
`),
		want: []Problem{{
			Position: Position{Line: 4, Column: 16},
			Field:    "sealing.certificate",
			Message:  `"/abs.pem" must be a path relative to the repository root`,
		}, {
			Position: Position{Line: 4, Column: 16},
			Field:    "sealing.certificate",
			Message:  `"/abs.pem" is not a path inside the repository`,
			Hint:     "write a relative path without '..', e.g. certs/sealed-secrets.pem",
		}, {
			Position: Position{Line: 5, Column: 10},
			Field:    "sealing.scope",
			Message:  `value must be one of "strict", "namespace-wide", "cluster-wide"`,
		}},
	}, {
		name: "sealing certificate above the repository",
		in:   "repository:\n  url: https://github.com/acme/shared\nsealing:\n  certificate: ../cert.pem\nruntimes: [{name: a, namespace: a}]\n",
		want: []Problem{{
			Position: Position{Line: 4, Column: 16},
			Field:    "sealing.certificate",
			Message:  `"../cert.pem" is not a path inside the repository`,
			Hint:     "write a relative path without '..', e.g. certs/sealed-secrets.pem",
		}},
	}, {
		name: "schema and rule problems together, in line order",
		in: text(`
repository:
  url: http://github.com/acme/shared
sealing:
  certificate: certs/../../c.pem
runtimes:
  - name: a
    namespace: a
    users: [bob, Bob]
  - name: a
    namespace: b
    colour: blue
`),
		want: []Problem{{
			Position: Position{Line: 2, Column: 8},
			Field:    "repository.url",
			Message:  `"http://github.com/acme/shared" must be an https:// URL`,
		}, {
			Position: Position{Line: 4, Column: 16},
			Field:    "sealing.certificate",
			Message:  `"certs/../../c.pem" is not a path inside the repository`,
			Hint:     "write a relative path without '..', e.g. certs/sealed-secrets.pem",
		}, {
			Position: Position{Line: 8, Column: 18},
			Field:    "runtimes[0].users[1]",
			Message:  `user "Bob" is listed twice in runtime "a" (first at line 8)`,
			Hint:     "remove one; GitHub logins are case-insensitive",
		}, {
			Position: Position{Line: 9, Column: 11},
			Field:    "runtimes[1].name",
			Message:  `duplicate runtime name "a" (first at line 6)`,
			Hint:     "runtime names must be unique; rename or remove one",
		}, {
			Position: Position{Line: 11, Column: 5},
			Field:    "runtimes[1].colour",
			Message:  `unknown field "colour"`,
			Hint:     "remove it or correct its spelling; known fields here: managedClusters, name, namespace, runtimeTokenAsUserToken, server, users",
		}},
	}})
}

// name64 is a DNS-1123 label one character too long.
const name64 = "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghi"

// TestIsDNSLabel checks the loop against the regular expression it
// replaces.
func TestIsDNSLabel(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	for _, s := range []string{"", "a", "-", "a-", "-a", "a-b", "A", "rt-0001", "a.b", "a_b", "é",
		strings.Repeat("a", 63), strings.Repeat("a", 64), "a" + strings.Repeat("-", 61) + "b", "0", "9z"} {
		if got, want := isDNSLabel(s), re.MatchString(s); got != want {
			t.Errorf("isDNSLabel(%q) = %v, want %v", s, got, want)
		}
	}
}
