# Common tasks. `make dev` and `make test` are the two a newcomer needs (see README.md).
PYTHON ?= python3

.PHONY: clients install dev test test-unit test-integration test-e2e fuzz lint migrate seed spec bench bench-market bench-fitness bench-analysis build deploy

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

# The OpenAPI fuzzer alone, with its figures (FUZZ_MAX_EXAMPLES, FUZZ_PHASES, FUZZ_SEED: see the test's docstring).
fuzz: install
	$(PYTHON) -m pytest tests/e2e/test_fuzz_openapi.py -s

lint:
	ruff check .

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
