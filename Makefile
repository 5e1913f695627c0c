# Every target sets up the environment it needs first (a .venv from uv.lock).
SHELL := /bin/bash

PLAN_RAW_DIR ?= raw
PLAN_WAREHOUSE_DIR ?= warehouse
DAGSTER_HOME ?= $(abspath $(PLAN_WAREHOUSE_DIR))/dagster
export PLAN_RAW_DIR PLAN_WAREHOUSE_DIR DAGSTER_HOME
# Use the machine's Python; never download one.
export UV_PYTHON_DOWNLOADS := never
export GX_ANALYTICS_ENABLED := False
export DAGSTER_DISABLE_TELEMETRY := 1
export DO_NOT_TRACK := 1

UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-from-lock

.PHONY: help dev_install manifest run test test-fast dev status evaluate docs lint format sample-data bench clean

# `make help` lists every target with the text after its `##` (a test checks none is missing).
help: ## list the targets
	@grep -E '^[a-z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' \
		| awk -F'\t' '{ printf "make %-12s %s\n", $$1, $$2 }'

# --compile-bytecode: the libraries' .pyc files are written once here, so that no command
# compiles dagster, dbt or Great Expectations from source again (where PYTHONDONTWRITEBYTECODE
# is set, nothing else would write them). Measured in the README's Performance section.
$(INSTALLED): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode --quiet
	@touch $@

dev_install: $(INSTALLED) ## set up .venv from uv.lock (every target does this first)

# `dbt parse` only when the manifest is older than a dbt file (pipelines/dbt_project.py).
manifest: $(INSTALLED) ## prepare dbt's manifest (dbt parse), only when a dbt file changed
	$(PY) -m pipelines manifest

$(DAGSTER_HOME)/dagster.yaml: pipelines/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp $< $@

run: $(INSTALLED) $(DAGSTER_HOME)/dagster.yaml ## materialize every asset on PLAN_RAW_DIR, print the attainment table
	$(PY) -m pipelines run

status: $(INSTALLED) ## the attainment table of the last run (STATUS=, PILLAR=, DEPARTMENT= filter it)
	$(PY) -m pipelines status $(if $(STATUS),--status $(STATUS)) \
		$(if $(PILLAR),--pillar "$(PILLAR)") $(if $(DEPARTMENT),--department "$(DEPARTMENT)")

PLAN ?= zx_hqd_2021_2025
REGION ?= 420881
evaluate: $(INSTALLED) $(DAGSTER_HOME)/dagster.yaml ## write the evaluation table (PLAN=, REGION=, optional AS_OF=YYYY-MM-DD)
	$(PY) -m pipelines evaluate --plan $(PLAN) --region $(REGION) $(if $(AS_OF),--as-of $(AS_OF))

docs: $(INSTALLED) ## dbt's documentation site of the warehouse: PLAN_WAREHOUSE_DIR/docs/index.html
	$(PY) -m pipelines docs

# Test files run in parallel, one worker per core (pytest-xdist), each file on one worker.
test: $(INSTALLED) ## the whole test suite, one worker per core
	$(PY) -m pytest -n auto --dist loadfile

test-fast: $(INSTALLED) ## the tests that run no pipeline, dbt or Dagster
	$(PY) -m pytest -n auto --dist loadfile -m "not e2e"

dev: manifest $(DAGSTER_HOME)/dagster.yaml ## the Dagster UI (dagster dev) on http://127.0.0.1:3000
	$(VENV)/bin/dagster dev -w workspace.yaml

lint: manifest ## ruff (check and format) and dg check defs (the code location loads)
	$(VENV)/bin/ruff check pipelines tests
	$(VENV)/bin/ruff format --check pipelines tests
	$(VENV)/bin/dg check defs

format: $(INSTALLED) ## ruff format and ruff check --fix
	$(VENV)/bin/ruff format pipelines tests
	$(VENV)/bin/ruff check --fix pipelines tests

sample-data: $(INSTALLED) ## write the synthetic sample data under raw/ again
	$(PY) -m tests.tools.sample_data

# The benchmark (README, Performance): REGIONS synthetic regions, then the pipeline timed on them.
REGIONS ?= 100
bench: $(INSTALLED) ## the benchmark on REGIONS (default 100) synthetic regions
	$(PY) -m tests.tools.bench generate --regions $(REGIONS)
	$(PY) -m tests.tools.bench run

clean: ## remove dbt's target and logs and everything generated under PLAN_WAREHOUSE_DIR
	rm -rf dbt/target dbt/logs .pytest_cache
	find $(PLAN_WAREHOUSE_DIR) -mindepth 1 ! -name README.md -exec rm -rf {} +
