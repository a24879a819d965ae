# rtconf's development tasks. `make test` is what CI runs.
GO          ?= go
BIN         := $(CURDIR)/bin
STATICCHECK := $(BIN)/staticcheck
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK := $(BIN)/govulncheck
GOVULNCHECK_VERSION := v1.9.0

.PHONY: test vet fmt-check lint unit fuzz vuln demo clean

## test: formatting, go vet, staticcheck and the race-enabled test suite
test: fmt-check vet lint unit

fmt-check:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

lint: $(STATICCHECK)
	$(STATICCHECK) ./...

$(STATICCHECK):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

unit:
	$(GO) test -race ./...

## fuzz: run each fuzz target in turn for FUZZTIME (FUZZTIME=10m for a long run);
## not part of `make test`. Seeds are in each package's testdata/fuzz/<target>.
FUZZTIME    ?= 20s
FUZZFLAGS   ?= -parallel=1
FUZZTARGETS := config:FuzzParse config:FuzzPositions ghcheck:FuzzParseScopes \
	ghcheck:FuzzParseAcceptedPermissions validator:FuzzValidate
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

## demo: the README's first command
demo:
	$(GO) run ./cmd/rtconf init --demo ./demo-config

clean:
	rm -rf $(BIN) ./demo-config

## schemas: regenerate schemas/manifests from the real definitions in the Go module cache
## (Argo CD and sealed-secrets CRDs, Kubernetes' swagger.json; see schemas/manifests/SOURCES.md)
## schemas-check: regenerate in memory and fail if schemas/manifests differs
.PHONY: schemas schemas-check
schemas:
	$(GO) run ./schemas/internal/schemagen -go $(GO)

schemas-check:
	$(GO) run ./schemas/internal/schemagen -go $(GO) -check
