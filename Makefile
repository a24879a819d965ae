# rtconf's development tasks. `make test` is what CI runs.
GO          ?= go
BIN         := $(CURDIR)/bin
STATICCHECK := $(BIN)/staticcheck
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK := $(BIN)/govulncheck
GOVULNCHECK_VERSION := v1.9.0
GORELEASER  := $(BIN)/goreleaser
GORELEASER_VERSION := v2.15.1
SYFT        := $(BIN)/syft
SYFT_VERSION := v1.57.1

.PHONY: test tools-check clock-check vet fmt-check lint unit fuzz vuln demo clean release-check release-snapshot

## test: the tools the suite needs, formatting, go vet, staticcheck, the
## wall-clock check and the race-enabled test suite
test: tools-check fmt-check vet lint clock-check unit

## tools-check: one clear line, instead of a long failure, when git or a C
## compiler (cgo, which go test -race needs) is missing
tools-check:
	@command -v git >/dev/null 2>&1 || { echo "make test: git is not installed; the suite runs real Git repositories: install git (Debian: apt-get install git)"; exit 2; }
	@cc="$$($(GO) env CC)"; cc="$${cc%% *}"; \
	if [ "$$($(GO) env CGO_ENABLED)" != 1 ] || ! command -v "$${cc:-gcc}" >/dev/null 2>&1; then \
		echo "make test: no C compiler ($${cc:-gcc}) or CGO_ENABLED=0; go test -race needs cgo: install gcc (Debian: apt-get install gcc) and unset CGO_ENABLED"; exit 2; \
	fi

## clock-check: no code, test helper or fake reads the wall clock outside
## cmd/rtconf/main.go (and the benchmark harness); see internal/testclock
clock-check:
	$(GO) test -count=1 -run '^TestNoWallClock$$' ./internal/testclock

fmt-check:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

lint: $(STATICCHECK)
	$(STATICCHECK) ./...

$(STATICCHECK):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

unit:
	$(GO) test -race -timeout 30m ./...

## fuzz: run each fuzz target in turn for FUZZTIME (FUZZTIME=10m for a long run);
## not part of `make test`. Seeds are in each package's testdata/fuzz/<target>.
FUZZTIME    ?= 20s
FUZZFLAGS   ?= -parallel=1
FUZZTARGETS := internal/config:FuzzParse internal/config:FuzzPositions internal/forge/github:FuzzParseScopes \
	internal/forge/github:FuzzParseAcceptedPermissions internal/validator:FuzzValidate \
	internal/validator:FuzzDirectRender generator:FuzzMarshalYAML
fuzz:
	@status=0; for t in $(FUZZTARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $(FUZZFLAGS) ./$$pkg || status=1; \
	done; exit $$status

## vuln: govulncheck against the Go vulnerability database (online; not part of
## `make test`). Exit 3 with one line when the database cannot be reached.
vuln: $(GOVULNCHECK)
	@out="$$(mktemp)"; status=0; \
	$(GOVULNCHECK) ./... >"$$out" 2>&1 || status=$$?; \
	if [ $$status -ne 0 ] && grep -q 'fetching vulnerabilities' "$$out"; then \
		echo "make vuln: cannot reach the vulnerability database ($${GOVULNDB:-https://vuln.go.dev}); run it where the network allows it (CI's vuln job does), or set GOVULNDB to a mirror"; \
		rm -f "$$out"; exit 3; \
	fi; \
	cat "$$out"; rm -f "$$out"; exit $$status

$(GOVULNCHECK):
	GOBIN=$(BIN) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)

## release-check: `goreleaser check` of .goreleaser.yaml, and the tests that
## compare it with the generated workflow (goreleaser installed into ./bin;
## building it takes minutes the first time). Not part of `make test`.
release-check: $(GORELEASER)
	$(GORELEASER) check
	$(GO) test -count=1 -run '^(TestReleaseNames|TestGoreleaserCheck)$$' ./templates

## release-snapshot: a whole release into dist/ (archives, checksums, SBOMs
## made by syft from ./bin), published nowhere
release-snapshot: $(GORELEASER) $(SYFT)
	PATH="$(BIN):$$PATH" $(GORELEASER) release --snapshot --clean

$(GORELEASER):
	GOBIN=$(BIN) $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)

$(SYFT):
	GOBIN=$(BIN) $(GO) install github.com/anchore/syft/cmd/syft@$(SYFT_VERSION)

## demo: the README's first commands: a demo repository, generated again
## (0 files changed) and validated (exit 0, one demo-certificate warning)
demo:
	$(GO) run ./cmd/rtconf init --demo ./demo-config
	$(GO) run ./cmd/rtconf generate --dir ./demo-config
	$(GO) run ./cmd/rtconf validate --dir ./demo-config

clean:
	rm -rf $(BIN) ./demo-config ./dist

## schemas: regenerate schemas/manifests from the real definitions in the Go module cache
## (Argo CD and sealed-secrets CRDs, Kubernetes' swagger.json; see schemas/manifests/SOURCES.md)
## schemas-check: regenerate in memory and fail if schemas/manifests differs
.PHONY: schemas schemas-check
schemas:
	$(GO) run ./schemas/internal/schemagen -go $(GO)

schemas-check:
	$(GO) run ./schemas/internal/schemagen -go $(GO) -check

## bench: rtconf against kustomize + kubeconform on synthetic repositories;
## writes BENCHMARKS.md (BENCH_SIZES=10,100 BENCH_RUNS=3 for a quick run;
## BENCH_SIZES=10,100,1000,5000 adds the size of the linear-growth target,
## with BENCH_BIG_RUNS runs of each figure over 1,000 runtimes)
BENCH_SIZES          ?= 10,100,1000
BENCH_RUNS           ?= 5
BENCH_BIG_RUNS       ?= 3
BENCH_PIPELINE_RUNS  ?= 3
KUSTOMIZE            := $(BIN)/kustomize
KUSTOMIZE_VERSION    := v5.8.2
KUBECONFORM          := $(BIN)/kubeconform
KUBECONFORM_VERSION  := v0.8.0
.PHONY: bench
bench: $(KUSTOMIZE) $(KUBECONFORM)
	$(GO) build -o $(BIN)/rtconf ./cmd/rtconf
	$(GO) run ./internal/benchrun -bin $(BIN) -sizes $(BENCH_SIZES) -runs $(BENCH_RUNS) -big-runs $(BENCH_BIG_RUNS) -go $(GO) \
		-pipeline-runs $(BENCH_PIPELINE_RUNS) -out BENCHMARKS.md \
		-reproduce "make bench BENCH_SIZES=$(BENCH_SIZES) BENCH_RUNS=$(BENCH_RUNS) BENCH_BIG_RUNS=$(BENCH_BIG_RUNS) BENCH_PIPELINE_RUNS=$(BENCH_PIPELINE_RUNS)"

$(KUSTOMIZE):
	GOBIN=$(BIN) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

$(KUBECONFORM):
	GOBIN=$(BIN) $(GO) install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)

## e2e-tools: the real-cluster test binaries in ./bin: kube-apiserver and
## kube-controller-manager (built from tools/kube, its own module) and the
## sealed-secrets controller. Reuses what is there; rebuilds only when a
## binary is missing or the stamp (tools/kube/go.mod, versions, Go) differs.
## etcd comes from the system (Debian: apt-get install etcd-server).
## e2e: the cluster tests (internal/testcluster and whatever uses it)
SEALED_SECRETS_VERSION := v0.27.1
# the module internal/testcluster reads the Application and AppProject CRDs from
ARGOCD_CRDS_VERSION    := v3.5.7
KUBE_VERSION := $(shell awk '$$1 == "k8s.io/kubernetes" && $$2 ~ /^v/ {print $$2; exit}' tools/kube/go.mod)
E2E_STAMP    := $(BIN)/.e2e-tools.stamp
E2E_BINS     := $(BIN)/kube-apiserver $(BIN)/kube-controller-manager $(BIN)/sealed-secrets-controller
E2E_PKGS     ?= ./internal/testcluster/... $(if $(wildcard internal/cluster),./internal/cluster/...)
.PHONY: e2e-tools e2e
e2e-tools:
	@want="$$(cat tools/kube/go.mod | sha256sum | cut -c1-16) kubernetes=$(KUBE_VERSION) sealed-secrets=$(SEALED_SECRETS_VERSION) $$($(GO) env GOVERSION)"; \
	ok=1; for b in $(E2E_BINS); do [ -x "$$b" ] || ok=0; done; \
	if [ $$ok = 1 ] && [ "$$(cat $(E2E_STAMP) 2>/dev/null)" = "$$want" ]; then echo "make e2e-tools: up to date ($$want)"; exit 0; fi; \
	echo "make e2e-tools: building kube-apiserver, kube-controller-manager $(KUBE_VERSION) and sealed-secrets-controller $(SEALED_SECRETS_VERSION) into $(BIN) (about 20 minutes the first time)"; \
	rm -f $(E2E_STAMP); mkdir -p $(BIN)/.sealed-secrets && \
	(cd tools/kube && $(GO) build -trimpath -ldflags "-X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) -X k8s.io/component-base/version.gitTreeState=clean" -o $(BIN)/ k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager) && \
	GOBIN=$(BIN)/.sealed-secrets $(GO) install github.com/bitnami-labs/sealed-secrets/cmd/controller@$(SEALED_SECRETS_VERSION) && \
	mv $(BIN)/.sealed-secrets/controller $(BIN)/sealed-secrets-controller && rmdir $(BIN)/.sealed-secrets && \
	echo "$$want" > $(E2E_STAMP)
	@$(GO) mod download github.com/argoproj/argo-cd/v3@$(ARGOCD_CRDS_VERSION) github.com/bitnami-labs/sealed-secrets@$(SEALED_SECRETS_VERSION)
	@command -v etcd >/dev/null 2>&1 || echo "make e2e-tools: etcd is not installed; the cluster tests need it: apt-get install etcd-server"

e2e: e2e-tools
	RTCONF_E2E=1 $(GO) test -count=1 $(E2E_PKGS)
	RTCONF_E2E=1 $(GO) test -count=1 -run '^TestCluster' ./cmd/rtconf
