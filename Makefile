# OrderLog — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := liblmdb-dev libssl-dev libjemalloc-dev xz-utils
# What the tests drive besides our own binaries: nginx runs deploy/nginx, openssl makes certificates.
TEST_APT_PACKAGES := nginx-light openssl
DATA ?= ./data
# Release builds link Swift's runtime and Foundation into the binary, as deploy/Dockerfile does:
# calls into the runtime (every retain and release) then go straight, not through the dynamic
# linker's tables, and its thread-locals need no `__tls_get_addr` — 17 % less server CPU per
# HTTP order, +25 % `/health`, +15–40 % rebuild (README, Performance). Every release build uses the
# same flags, so the one build directory is not rebuilt from scratch between them.
# They are also profile-guided: LLVM optimizes with the execution counts of a training run
# (Benchmarks/pgo-train.sh, `make pgo-profile`), kept compressed in git and unpacked here — the
# server's CPU per HTTP request −4 to −10 %, orders and `/health` alike (README, Performance).
# The unpacked profile is named by its content, so a new profile changes the flags and rebuilds
# (SwiftPM relinks when its inputs change, not when only a -Xlinker flag does).
# And they are link-time optimized (full LTO): modules are compiled to LLVM bitcode and optimized
# once more as one program at the link — NIO's, Hummingbird's and ours — the server's CPU per HTTP
# order −10 to −14 %, per `/health` −11 to −19 % (README, Performance); each link takes ~5 min.
# SwiftPM marks the option experimental; `make run LTO=` builds without it. ThinLTO
# (`LTO=--experimental-lto-mode=thin`, ~2 % more instructions a request) maps the static runtime's
# archives ~68,000 times at the link, above Linux's default vm.max_map_count of 65,530 (full LTO
# ~13,000): raise that first, or its link fails with "cannot open …/libswiftCore.a: Cannot
# allocate memory".
PROFILE_XZ := Benchmarks/pgo/orderlog.profdata.xz
PROFILE := .build/pgo/orderlog-$(shell sha256sum $(PROFILE_XZ) 2>/dev/null | cut -c1-16).profdata
LTO ?= --experimental-lto-mode=full
# The profile's second round of counts, taken after LTO's cross-module inlining (context-sensitive),
# is read by the LTO link; each module's compile reads the first.
CS_PROFILE := $(if $(LTO),-Xlinker --lto-cs-profile-file=$(CURDIR)/$(PROFILE))
RELEASE := -c release --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -ir-profile-use=$(CURDIR)/$(PROFILE) $(LTO) $(CS_PROFILE)

.PHONY: deps test-deps build test run bench bench-compare bench-count pgo-profile release-flags clean

## deps: install the C libraries (LMDB, OpenSSL's libcrypto, jemalloc) and xz from Debian when missing.
deps:
	@$(call apt_install,$(APT_PACKAGES))

test-deps:
	@$(call apt_install,$(TEST_APT_PACKAGES))

# apt_install PACKAGES: apt-get install those of PACKAGES not installed yet.
define apt_install
missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then \
  echo "installing$$missing"; \
  (apt-get install -y -qq $$missing || (apt-get update -qq && apt-get install -y -qq $$missing)); \
fi
endef

## build: debug build of every target, tests included.
build: deps
	$(SWIFT) build --build-tests

## .venv: Python tools the tests use (openapi-spec-validator, schemathesis), from PyPI.
# Pinned: a new schemathesis release may generate differently and fail a green commit.
PYTHON_TOOLS := openapi-spec-validator==0.9.0 pyyaml==6.0.4 schemathesis==4.32.5 hypothesis==6.170.17
.venv/ready: Makefile
	python3 -m venv .venv
	.venv/bin/pip install -q --disable-pip-version-check $(PYTHON_TOOLS)
	touch .venv/ready

## test: every test, slow ones (crash, process, fuzz) included.
test: build test-deps .venv/ready
	ORDERLOG_BIN_DIR="$$($(SWIFT) build --show-bin-path)" ORDERLOG_PYTHON="$(CURDIR)/.venv/bin/python" $(SWIFT) test --skip-build

$(PROFILE): $(PROFILE_XZ)
	mkdir -p $(@D)
	xz -dc $< >$@

## release-flags: the release build's flags (for the scripts in Benchmarks/ run by hand).
release-flags: $(PROFILE)
	@echo '$(RELEASE)'

## run: build (release) and start the server on ./data with the demo catalog.
run: deps $(PROFILE)
	$(SWIFT) build $(RELEASE) --product orderlog-server
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/orderlog-server" --data $(DATA) --seed-demo

## bench: the in-process append benchmark (release build).
bench: deps $(PROFILE)
	$(SWIFT) build $(RELEASE) --product orderlog-bench
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/orderlog-bench" append --events 200000 --concurrency 256

## bench-compare: OrderLog's hot sku against PostgreSQL row locking and the /health ceiling,
## one run, this machine; prints the README's results table (installs wrk and PostgreSQL).
bench-compare: deps $(PROFILE)
	SWIFT=$(SWIFT) RELEASE="$(RELEASE)" Benchmarks/compare.sh

## bench-count: instructions per hot-sku order and per /health, per server thread, under callgrind —
## the measure that does not move with a noisy machine (installs valgrind and wrk).
bench-count: deps $(PROFILE)
	SWIFT=$(SWIFT) RELEASE="$(RELEASE)" Benchmarks/count-instructions.sh

## pgo-profile: build instrumented binaries, run them through a training workload and write
## Benchmarks/pgo/orderlog.profdata.xz (~45 minutes, two rounds; CONTEXT_SENSITIVE=0 runs only the
## first, ~10); regenerate after changing a hot path.
pgo-profile: deps
	SWIFT=$(SWIFT) Benchmarks/pgo-train.sh

clean:
	rm -rf .build
