# oauthconf — see README.md. `make run` and `make test` are the two commands a newcomer needs.
GO       ?= go
BIN      := bin/oauthconf
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
OUT      ?= reports/out
ADDR     ?= 127.0.0.1:8080

.PHONY: all build run test bench fuzz serve vet fmt clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/oauthconf

# The main job: the conformance suite (every built-in profile) against the embedded
# reference server, two short load runs, and the HTML report of it all in $(OUT).
# The exit code is verify's; the load runs and the report happen either way.
run: build
	@rm -rf $(OUT); rc=0; \
	$(BIN) verify --report-dir $(OUT) || rc=$$?; \
	$(BIN) load --profile shopware --scenario client_credentials --rate 200 --duration 3s --out $(OUT) --quiet >/dev/null || rc=$$?; \
	$(BIN) load --profile ucommerce --scenario authorization_code --rate 100 --duration 3s --out $(OUT) --quiet >/dev/null || rc=$$?; \
	$(BIN) report --in $(OUT) || rc=$$?; \
	echo "report: $(OUT)/report.html  summary: $(OUT)/summary.md"; \
	exit $$rc

# The report's browser test renders report.html in headless chromium (installed here
# if missing and root; OAUTHCONF_SKIP_BROWSER=1 skips both).
.PHONY: chromium xmllint
chromium:
	./scripts/ensure-chromium.sh

# The JUnit test validates junit.xml against steps/testdata/junit-10.xsd with xmllint.
xmllint:
	./scripts/ensure-xmllint.sh

# staticcheck is pinned in go.mod (tool directive, honnef.co/go/tools v0.8.2).
test: chromium xmllint
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) test -race -timeout 20m ./...
	$(MAKE) --no-print-directory defects
	$(MAKE) --no-print-directory fuzz FUZZTIME=2s

# The mutation proof (steps/testdata/defects.golden): every defect of the
# reference against every built-in profile. Without -race: under the race
# detector it takes over 8 minutes on 2 cores.
.PHONY: defects
defects:
	$(GO) test -count=1 -run 'TestDefects$$' ./steps/

# Each fuzz target briefly (README: Fuzzing says how to run one long). Findings
# are written to <pkg>/testdata/fuzz/<Target>/ and then fail `go test` for good.
FUZZTIME     ?= 5s
FUZZ_TARGETS := reference:FuzzShopwareToken reference:FuzzElasticPathToken reference:FuzzUcommerceToken \
	reference:FuzzRFC6749Token reference:FuzzAuthorize reference:FuzzConfig profile:FuzzLoad
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $$t ($(FUZZTIME))"; \
		out=$$($(GO) test ./$${t%%:*}/ -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s -parallel 2 2>&1) || \
			{ echo "$$out"; exit 1; }; \
	done

# Prints ratios against baselines measured in the same run (see README: Benchmarks).
bench:
	$(GO) test -run '^$$' -bench 'Issuance' -benchtime 1x ./reference/
	$(GO) test -run '^$$' -bench 'HarnessOverhead|ReferenceUnderLoad' -benchtime 1x ./load/

# Only the load ratios: oauthconf load vs plain vegeta, reference vs bare handler.
.PHONY: bench-load
bench-load:
	$(GO) test -run '^$$' -bench 'HarnessOverhead|ReferenceUnderLoad' -benchtime 1x ./load/

serve: build
	$(BIN) serve --addr $(ADDR) --test-clock

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin $(OUT)
