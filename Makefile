# The two commands: `make run` (the whole service with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Embedded servers come from local binaries where they exist, else from pip wheels.
HAVE_SERVERS := $(shell command -v redis-server >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && echo yes)
comma  := ,
EXTRAS := dev$(if $(HAVE_SERVERS),,$(comma)embedded)

# Browser tests: Debian's Chromium driven by Playwright (no browser download), axe-core from npm.
CHROMIUM := /usr/bin/chromium
AXE      := node_modules/axe-core/axe.min.js

.PHONY: run test install browser-deps bench lint migrate revision docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	touch $(STAMP)

install: $(STAMP)

## Run API and worker (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set), with demo data.
## npm ci (the $(AXE) rule) also brings the OpenID provider the demo staff sign in at.
run: $(STAMP) $(AXE)
	$(BIN)/erkenning dev

## Run the whole test suite against real PostgreSQL and Redis (and headless Chromium), after the linters,
## in TEST_WORKERS processes (pytest-xdist, a test file at a time each), each with its own database, queue
## and inbox; TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= 2
test: $(STAMP) lint browser-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## ruff (pyflakes, import order, bug rules) and mypy (strict on core/, default elsewhere; see pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/mypy

## Chromium from the distribution where missing (needs root and Debian's repositories), axe-core from npm.
## When either cannot be had, the browser tests say so and are skipped; nothing else depends on them.
browser-deps: $(AXE)
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -qq chromium >/dev/null 2>&1 || \
		  { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; }; } || \
		echo "warning: $(CHROMIUM) could not be installed; the browser tests will be skipped"

$(AXE): package.json package-lock.json
	@command -v npm >/dev/null && npm ci --no-audit --no-fund --loglevel=error && touch $(AXE) || \
		echo "warning: axe-core could not be installed with npm; the accessibility check will be skipped"

## Benchmark (not a test): writes bench/RESULTS.md. BENCH_ARGS=--quick for a smoke run.
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk >/dev/null 2>&1 \
		|| (apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1) \
		|| echo "wrk is missing and could not be installed (apt-get install wrk, as root): HTTP figures will be skipped"
	$(BIN)/python -m bench $(BENCH_ARGS)

## Rewrite the docs' generated tables (transitions, settings) from the code; tests/unit/test_docs.py checks them.
docs: $(STAMP)
	$(BIN)/python -m erkenning.devtools.docs

migrate: $(STAMP)
	$(BIN)/erkenning migrate

## New migration: make revision m="what changed" (needs DATABASE_URL at head)
revision: $(STAMP)
	$(BIN)/alembic -c pyproject.toml revision --autogenerate -m "$(m)"

clean:
	rm -rf $(VENV) .pytest_cache node_modules artifacts
