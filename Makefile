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

.PHONY: install dev test test-unit test-slow test-integration test-e2e check lint format typecheck scan fuzz migrate seed \
	spec clients bench bench-imports bench-cpu bench-recommend bench-market bench-fitness bench-books bench-platform bench-today bench-analysis bench-scale seed-large \
	build deploy clean-venv

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

# The OpenAPI fuzzer alone, with its figures (FUZZ_MAX_EXAMPLES, FUZZ_PHASES, FUZZ_SEED: see the test's docstring).
fuzz: $(TOOLS)
	$(BIN)/python -m pytest tests/e2e/test_fuzz_openapi.py -s

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

migrate: $(RUNTIME)
	$(BIN)/momentum migrate

seed: $(RUNTIME)
	$(BIN)/momentum seed

# The schema tests read migrations/spec/schema.json; this rewrites it from the Markdown spec kept beside the clone.
SPEC_DIR ?= ../shared/spec
spec: $(RUNTIME)
	$(BIN)/python -m momentum_infra.schema_spec $(SPEC_DIR)

# A Python client and TypeScript types from the running local stack's /openapi.json, into clients/build/.
clients: $(TOOLS)
	mkdir -p clients/build
	curl -sf http://127.0.0.1:8000/openapi.json -o clients/build/openapi.json
	$(BIN)/openapi-python-client generate --path clients/build/openapi.json --output-path clients/build/python \
		--overwrite --config clients/openapi-python-client.yaml
	cd clients && npm ci --no-audit --no-fund && npx openapi-typescript build/openapi.json --output build/momentum.d.ts \
		&& npx tsc --noEmit --strict build/momentum.d.ts example.ts

bench: $(RUNTIME)
	$(BIN)/python bench/bench_all.py

bench-imports: $(RUNTIME)
	$(BIN)/python bench/bench_imports.py

bench-cpu: $(RUNTIME)
	$(BIN)/python bench/bench_cpu.py

bench-market: $(RUNTIME)
	$(BIN)/python bench/bench_market.py

bench-recommend: $(RUNTIME)
	$(BIN)/python bench/bench_recommend.py

bench-fitness: $(RUNTIME)
	$(BIN)/python bench/bench_fitness.py

bench-books: $(RUNTIME)
	$(BIN)/python bench/bench_books.py

bench-platform: $(RUNTIME)
	$(BIN)/python bench/bench_platform.py

bench-today: $(RUNTIME)
	$(BIN)/python bench/bench_today.py

# The large data set (1M users, 10M ledger rows, 20M sets …) in the database momentum_scale, kept between runs;
# SCALE=0.01 for a hundredth.
SCALE ?= 1
seed-large: $(RUNTIME)
	$(BIN)/python bench/seed_large.py --scale $(SCALE)

bench-scale: $(RUNTIME)
	$(BIN)/python bench/bench_scale.py --scale $(SCALE)

# Renders its material first (cached under ~/.cache/momentum-analysis-eval): bench/analysis_corpus.py and
# bench/analysis_real.py install the Debian packages they render with (fluidsynth, soundfonts, hydrogen, lmms,
# musescore3) when they are missing. SETS=projects,compositions runs some of the four sets; DRIFT=2 plays every
# file with its tempo swaying +-2 %; CUT=7.77 starts every file that far in, as an excerpt cut mid-music;
# REVERB=1.5 plays every file in a hall of that reverberation time; OTHER_SOUNDFONT=1 renders each work through
# a soundfont its set is not rendered with; MP3=128 encodes every file as an MP3 of that bitrate; RATE=48000
# resamples every file; MASTER=10 drives every file that many dB into a mastering limiter.
SETS ?= renders,scores,projects,compositions
bench-analysis: $(BENCH)
	$(BIN)/python bench/bench_analysis.py --set $(SETS) $(if $(DRIFT),--drift $(DRIFT)) $(if $(CUT),--cut $(CUT)) \
		$(if $(REVERB),--reverb $(REVERB)) $(if $(OTHER_SOUNDFONT),--other-soundfont) $(if $(MP3),--mp3 $(MP3)) \
		$(if $(RATE),--rate $(RATE)) $(if $(MASTER),--master $(MASTER))

clean-venv:
	rm -rf $(VENV)

build:
	sam build

deploy: build
	sam deploy --guided
