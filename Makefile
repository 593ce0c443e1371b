# `make run` and `make test` work on a fresh machine: each creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint clean bench bench-quick

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lodpub serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# lodpub against pyoxigraph, rdflib, Virtuoso and a bare WSGI ceiling in one run (Heidelberg, 10k, 100k,
# 1M triples; add BENCH_ARGS=--with-10m). Results: bench/results/. Needs wrk and virtuoso-opensource
# (Debian); a missing peer is skipped with the reason in the results.
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# About a minute: Heidelberg and 10k triples, four queries, 16 connections.
bench-quick: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run --quick $(BENCH_ARGS)
