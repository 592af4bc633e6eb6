# Common tasks. `make dev` and `make test` are the two a newcomer needs (see README.md).
PYTHON ?= python3

.PHONY: clients install dev test test-unit test-integration test-e2e lint scan migrate seed spec bench bench-market bench-fitness bench-books bench-analysis build deploy

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

# Security scan of template.yaml: fails on any finding that is neither fixed nor suppressed with a reason in the
# template. checkov pins older boto3, botocore and packaging than the project uses, so it gets a virtualenv of
# its own (under build/) instead of a pyproject extra that would downgrade them.
CHECKOV_VERSION = 3.3.30
CHECKOV_VENV = build/checkov-venv

$(CHECKOV_VENV)/checkov-$(CHECKOV_VERSION):
	rm -rf $(CHECKOV_VENV)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov==$(CHECKOV_VERSION)'
	touch $@

scan: $(CHECKOV_VENV)/checkov-$(CHECKOV_VERSION)
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --compact --quiet --skip-download

migrate:
	momentum migrate

seed:
	momentum seed

# The schema tests read migrations/spec/schema.json; this rewrites it from the Markdown spec kept beside the clone.
SPEC_DIR ?= ../shared/spec
spec:
	PYTHONPATH=infra $(PYTHON) -m momentum_infra.schema_spec $(SPEC_DIR)

bench: install
	$(PYTHON) bench/bench_imports.py

bench-market: install
	$(PYTHON) bench/bench_market.py

bench-fitness: install
	$(PYTHON) bench/bench_fitness.py

bench-books: install
	$(PYTHON) bench/bench_books.py

bench-analysis: install
	$(PYTHON) -m pip install --quiet -e '.[bench]'
	$(PYTHON) bench/bench_analysis.py

clients: install     # a Python client and TypeScript types from the running local stack's /openapi.json
	mkdir -p clients/build
	curl -sf http://127.0.0.1:8000/openapi.json -o clients/build/openapi.json
	openapi-python-client generate --path clients/build/openapi.json --output-path clients/build/python --overwrite
	cd clients && npm ci --no-audit --no-fund && npx openapi-typescript build/openapi.json --output build/momentum.d.ts \
		&& npx tsc --noEmit --strict build/momentum.d.ts example.ts

build:
	sam build

deploy: build
	sam deploy --guided
