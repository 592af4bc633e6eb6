# Common tasks. `make dev` and `make test` are the two a newcomer needs (see README.md).
#
# Everything runs in the project's virtual environment, .venv, made on first use (with uv when it is installed,
# otherwise with `python3 -m venv` and pip), so nothing is installed into the system Python. Each set of packages
# is installed again only when pyproject.toml changes: a stamp file in .venv records the last install.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null)

ifdef UV
NEW_VENV = $(UV) venv --quiet --python $(PYTHON) $(VENV)
INSTALL = $(UV) pip install --python $(BIN)/python
else
NEW_VENV = $(PYTHON) -m venv $(VENV)
INSTALL = $(BIN)/python -m pip install
endif

# What the stack needs (`make dev`), and that plus the test and lint tools (`make test`, `make check`).
RUNTIME := $(VENV)/.installed-runtime
TOOLS := $(VENV)/.installed-tools
BENCH := $(VENV)/.installed-bench

.PHONY: install dev test test-unit test-slow test-integration test-e2e check lint format typecheck migrate seed \
	bench bench-market bench-fitness bench-analysis build deploy clean-venv

$(BIN)/python:
	@echo "==> Creating the virtual environment $(VENV)"
	$(NEW_VENV)

$(RUNTIME): pyproject.toml | $(BIN)/python
	@echo "==> Installing what the local stack needs into $(VENV) (the first time takes a few minutes)"
	$(INSTALL) -e .
	@touch $@

# The tools' set includes the runtime's, so it satisfies the runtime stamp too.
$(TOOLS): pyproject.toml | $(BIN)/python
	@echo "==> Installing the stack, test and lint tools into $(VENV) (the first time takes a few minutes)"
	$(INSTALL) -e '.[test,lint]'
	@touch $@ $(RUNTIME)

$(BENCH): pyproject.toml | $(BIN)/python
	@echo "==> Installing the benchmark comparisons into $(VENV)"
	$(INSTALL) -e '.[bench]'
	@touch $@

install: $(TOOLS)

dev: $(RUNTIME)
	$(BIN)/momentum dev

# The whole suite: unit (slow ones included), integration and end-to-end.
test: $(TOOLS)
	$(BIN)/python -m pytest

# The fast inner loop: lint, format, types, then the unit tests without the slow ones (template checks included).
check: lint typecheck test-unit

lint: $(TOOLS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TOOLS)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The paths and strictness come from [tool.mypy] in pyproject.toml.
typecheck: $(TOOLS)
	$(BIN)/mypy

test-unit: $(TOOLS)
	$(BIN)/python -m pytest tests/unit -m "not slow"

test-slow: $(TOOLS)
	$(BIN)/python -m pytest -m slow

test-integration: $(TOOLS)
	$(BIN)/python -m pytest tests/integration

test-e2e: $(TOOLS)
	$(BIN)/python -m pytest tests/e2e

migrate: $(RUNTIME)
	$(BIN)/momentum migrate

seed: $(RUNTIME)
	$(BIN)/momentum seed

bench: $(RUNTIME)
	$(BIN)/python bench/bench_imports.py

bench-market: $(RUNTIME)
	$(BIN)/python bench/bench_market.py

bench-fitness: $(RUNTIME)
	$(BIN)/python bench/bench_fitness.py

bench-analysis: $(BENCH)
	$(BIN)/python bench/bench_analysis.py

clean-venv:
	rm -rf $(VENV)

build:
	sam build

deploy: build
	sam deploy --guided
