# socklab: the two commands are `make serve` and `make test`.
SHELL := /bin/bash
# CI runs with a plain environment: put cargo's and the npm tools' bin/ on PATH here.
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(CURDIR)/tools/node_modules/.bin:$(PATH)
PORT ?= 8080

.PHONY: serve test setup setup-test build bench clean

## Builds the page and serves it on http://127.0.0.1:$(PORT)/ (installs what is missing first).
serve: setup
	@echo "socklab: serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	trunk serve --address 127.0.0.1 --port $(PORT) --dist target/serve-dist

## Runs every check: fmt, clippy, cargo tests, browser tests, build + e2e, size report.
test: setup-test
	tools/test.sh

## Installs the tools `make serve` needs; skips what is already there.
setup:
	tools/setup.sh serve

## Installs the tools `make test` needs; skips what is already there.
setup-test:
	tools/setup.sh test

## The release build alone, into dist/ (a self-contained static site).
build: setup
	trunk build --release

## Runs the benchmark workloads and regenerates BENCHMARKS.md.
bench:
	tools/bench-report.sh

clean:
	cargo clean
	rm -rf dist
