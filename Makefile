# Common tasks. `make dev` and `make test` are the two a newcomer needs (see README.md).
PYTHON ?= python3

.PHONY: install dev test test-unit test-integration test-e2e lint migrate seed bench bench-market bench-fitness bench-platform bench-analysis build deploy

install:
	$(PYTHON) -m pip install --quiet -e '.[dev]'

dev: install
	momentum dev

test: install
	$(PYTHON) -m pytest

test-unit: install
	$(PYTHON) -m pytest tests/unit

test-integration: install
	$(PYTHON) -m pytest tests/integration

test-e2e: install
	$(PYTHON) -m pytest tests/e2e

lint:
	ruff check .

migrate:
	momentum migrate

seed:
	momentum seed

bench: install
	$(PYTHON) bench/bench_imports.py

bench-market: install
	$(PYTHON) bench/bench_market.py

bench-fitness: install
	$(PYTHON) bench/bench_fitness.py

bench-platform: install
	$(PYTHON) bench/bench_platform.py

bench-analysis: install
	$(PYTHON) -m pip install --quiet -e '.[bench]'
	$(PYTHON) bench/bench_analysis.py

build:
	sam build

deploy: build
	sam deploy --guided
