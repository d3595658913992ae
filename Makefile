# Two commands on a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The source texts the quote check reads; CI has ../shared beside the clone.
KG_SOURCES ?= $(if $(wildcard ../shared/seeds),../shared/seeds,)
export KG_SOURCES

.PHONY: build test lint clean bench bench-large

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

build: $(VENV)/.installed
	$(BIN)/kg build

test: $(VENV)/.installed
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/ruff format --check kg tests benchmarks

# Benchmarks (benchmarks/bench.py): 1k, 10k and 100k assertions; bench-large adds 250k.
# `kg flows` has its own benchmark (issue 5): run here when its target exists.
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)
	@if grep -q '^bench-flows:' Makefile; then $(MAKE) --no-print-directory bench-flows; \
	else echo "bench-flows: not in this tree yet (benchmarks/bench_flows.py, issue 5)"; fi

bench-large: BENCH_ARGS += --large
bench-large: bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
