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
# The unpacked profile is named by its content, so a new profile changes the flags and rebuilds.
# And they are link-time optimized (ThinLTO): modules are compiled to LLVM bitcode and optimized
# once more across each other at the link — NIO's, Hummingbird's and ours — the server's CPU per
# HTTP order −8 to −12 %, per `/health` −9 to −17 % (README, Performance); each link takes ~4 min.
PROFILE_XZ := Benchmarks/pgo/orderlog.profdata.xz
PROFILE := .build/pgo/orderlog-$(shell sha256sum $(PROFILE_XZ) 2>/dev/null | cut -c1-16).profdata
# (SwiftPM marks the option experimental; `make run LTO=` builds without it.)
LTO ?= --experimental-lto-mode=thin
RELEASE := -c release --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -ir-profile-use=$(CURDIR)/$(PROFILE) $(LTO)
# lld's LTO link maps the static Swift runtime's archives thousands of times over (~68,000
# mappings at its peak linking the server), above Linux's default limit of 65,530 — the link
# then fails with "cannot open …/libswiftCore.a: Cannot allocate memory". `map-limit` raises
# vm.max_map_count (until the next boot) when it is lower, or says how.
MAP_COUNT := 262144
# What every release build needs before it starts: the unpacked profile and the mapping limit.
RELEASE_PREREQUISITES := $(PROFILE) map-limit

.PHONY: deps test-deps map-limit build test run bench bench-compare bench-count pgo-profile release-flags clean

## deps: install the C libraries (LMDB, OpenSSL's libcrypto, jemalloc) and xz from Debian when missing.
deps:
	@$(call apt_install,$(APT_PACKAGES))

test-deps:
	@$(call apt_install,$(TEST_APT_PACKAGES))

## map-limit: let the release build's LTO link map what it needs (vm.max_map_count ≥ $(MAP_COUNT)).
map-limit:
	@[ -z "$(LTO)" ] && exit 0; current=$$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo $(MAP_COUNT)); \
	if [ "$$current" -lt $(MAP_COUNT) ]; then \
	  if [ -w /proc/sys/vm/max_map_count ]; then \
	    echo "raising vm.max_map_count from $$current to $(MAP_COUNT): the LTO link needs ~68,000 mappings" >&2; \
	    echo $(MAP_COUNT) 2>/dev/null >/proc/sys/vm/max_map_count || echo "warning: could not raise it; the link may fail" >&2; \
	  else \
	    echo "warning: vm.max_map_count is $$current and the LTO link needs ~68,000 mappings:" \
	         "run 'sysctl -w vm.max_map_count=$(MAP_COUNT)' as root, or build without LTO: make … LTO=" >&2; \
	  fi; \
	fi

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
release-flags: $(RELEASE_PREREQUISITES)
	@echo '$(RELEASE)'

## run: build (release) and start the server on ./data with the demo catalog.
run: deps $(RELEASE_PREREQUISITES)
	$(SWIFT) build $(RELEASE) --product orderlog-server
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/orderlog-server" --data $(DATA) --seed-demo

## bench: the in-process append benchmark (release build).
bench: deps $(RELEASE_PREREQUISITES)
	$(SWIFT) build $(RELEASE) --product orderlog-bench
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/orderlog-bench" append --events 200000 --concurrency 256

## bench-compare: OrderLog's hot sku against PostgreSQL row locking and the /health ceiling,
## one run, this machine; prints the README's results table (installs wrk and PostgreSQL).
bench-compare: deps $(RELEASE_PREREQUISITES)
	SWIFT=$(SWIFT) RELEASE="$(RELEASE)" Benchmarks/compare.sh

## bench-count: instructions per hot-sku order and per /health, per server thread, under callgrind —
## the measure that does not move with a noisy machine (installs valgrind and wrk).
bench-count: deps $(RELEASE_PREREQUISITES)
	SWIFT=$(SWIFT) RELEASE="$(RELEASE)" Benchmarks/count-instructions.sh

## pgo-profile: build instrumented binaries, run them through a training workload and write
## Benchmarks/pgo/orderlog.profdata.xz (several minutes); regenerate after changing a hot path.
pgo-profile: deps
	SWIFT=$(SWIFT) Benchmarks/pgo-train.sh

clean:
	rm -rf .build
