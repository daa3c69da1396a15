# OrderLog — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := liblmdb-dev libssl-dev
DATA ?= ./data

.PHONY: deps build test run bench bench-compare clean

## deps: install the C libraries (LMDB, OpenSSL's libcrypto) from Debian when missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  (apt-get install -y -qq $$missing || (apt-get update -qq && apt-get install -y -qq $$missing)); \
	fi

## build: debug build of every target, tests included.
build: deps
	$(SWIFT) build --build-tests

## .venv: Python tools the tests use (openapi-spec-validator, schemathesis), from PyPI.
PYTHON_TOOLS := openapi-spec-validator pyyaml schemathesis
.venv/ready:
	python3 -m venv .venv
	.venv/bin/pip install -q $(PYTHON_TOOLS)
	touch .venv/ready

## test: every test, slow ones (crash, process, fuzz) included.
test: build .venv/ready
	ORDERLOG_BIN_DIR="$$($(SWIFT) build --show-bin-path)" ORDERLOG_PYTHON="$(CURDIR)/.venv/bin/python" $(SWIFT) test --skip-build

## run: build (release) and start the server on ./data with the demo catalog.
run: deps
	$(SWIFT) build -c release --product orderlog-server
	"$$($(SWIFT) build -c release --show-bin-path)/orderlog-server" --data $(DATA) --seed-demo

## bench: the in-process append benchmark (release build).
bench: deps
	$(SWIFT) build -c release --product orderlog-bench
	"$$($(SWIFT) build -c release --show-bin-path)/orderlog-bench" append --events 200000 --concurrency 256

## bench-compare: OrderLog's hot sku against PostgreSQL row locking and the /health ceiling,
## one run, this machine; prints the README's results table (installs wrk and PostgreSQL).
bench-compare: deps
	SWIFT=$(SWIFT) Benchmarks/compare.sh

clean:
	rm -rf .build
