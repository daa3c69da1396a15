# OrderLog — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := liblmdb-dev libssl-dev libjemalloc-dev
# What the tests drive besides our own binaries: nginx runs deploy/nginx, openssl makes certificates.
TEST_APT_PACKAGES := nginx-light openssl
DATA ?= ./data
# Release builds link Swift's runtime and Foundation into the binary, as deploy/Dockerfile does:
# calls into the runtime (every retain and release) then go straight, not through the dynamic
# linker's tables, and its thread-locals need no `__tls_get_addr` — 17 % less server CPU per
# HTTP order, +25 % `/health`, +15–40 % rebuild (README, Performance). Every release build uses the
# same flags, so the one build directory is not rebuilt from scratch between them.
RELEASE := -c release --static-swift-stdlib

.PHONY: deps test-deps build test run bench bench-compare bench-count clean

## deps: install the C libraries (LMDB, OpenSSL's libcrypto, jemalloc) from Debian when missing.
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

## run: build (release) and start the server on ./data with the demo catalog.
run: deps
	$(SWIFT) build $(RELEASE) --product orderlog-server
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/orderlog-server" --data $(DATA) --seed-demo

## bench: the in-process append benchmark (release build).
bench: deps
	$(SWIFT) build $(RELEASE) --product orderlog-bench
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/orderlog-bench" append --events 200000 --concurrency 256

## bench-compare: OrderLog's hot sku against PostgreSQL row locking and the /health ceiling,
## one run, this machine; prints the README's results table (installs wrk and PostgreSQL).
bench-compare: deps
	SWIFT=$(SWIFT) RELEASE="$(RELEASE)" Benchmarks/compare.sh

## bench-count: instructions per hot-sku order and per /health, per server thread, under callgrind —
## the measure that does not move with a noisy machine (installs valgrind and wrk).
bench-count: deps
	SWIFT=$(SWIFT) RELEASE="$(RELEASE)" Benchmarks/count-instructions.sh

clean:
	rm -rf .build
