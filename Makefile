# Two commands on a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The source texts the quote check reads; CI has ../shared beside the clone.
KG_SOURCES ?= $(if $(wildcard ../shared/seeds),../shared/seeds,)
export KG_SOURCES

.PHONY: build test test-virtuoso virtuoso lint clean bench bench-large bench-flows bench-draft

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

build: $(VENV)/.installed
	$(BIN)/kg build
	$(BIN)/kg flows report

test: $(VENV)/.installed virtuoso
	$(BIN)/ruff check kg tests $(wildcard benchmarks)
	$(BIN)/ruff format --check kg tests $(wildcard benchmarks)
	@# the real seeds as a release takes them: every quote checked against its text
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  { $(BIN)/kg build --strict --out "$$tmp/exports" >"$$tmp/log" 2>&1 || \
	    { cat "$$tmp/log"; exit 1; }; }
	$(BIN)/python -m pytest -q

# Virtuoso Open Source 7 for tests/test_virtuoso.py (Debian's package, as root; ~15 s).
virtuoso:
	@command -v virtuoso-t >/dev/null || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	  virtuoso-opensource-7-bin; }

test-virtuoso: $(VENV)/.installed virtuoso
	$(BIN)/python -m pytest -q tests/test_virtuoso.py

lint: $(VENV)/.installed
	$(BIN)/ruff check kg tests $(wildcard benchmarks)
	$(BIN)/ruff format --check kg tests $(wildcard benchmarks)

bench-flows: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_flows.py

# Benchmarks (benchmarks/bench.py): 1k, 10k and 100k assertions; bench-large adds 250k.
# `kg flows` on a 200-country graph runs after it (benchmarks/bench_flows.py).
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_flows.py

bench-large: BENCH_ARGS += --large
bench-large: bench

# Scores `kg draft --format json` against the hand labels of benchmarks/draft/labels/ (issue 15),
# reading the texts from ../shared/narratives and ../shared/seeds; not part of `make test`.
bench-draft: $(VENV)/.installed
	$(BIN)/python benchmarks/draft/score.py $(DRAFT_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
