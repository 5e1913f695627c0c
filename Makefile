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

.PHONY: help dev_install manifest run test test-fast dev status evaluate lint format sample-data bench clean

help:
	@echo "make run        set up, materialize every asset on PLAN_RAW_DIR, print the attainment table"
	@echo "make test       set up and run the whole test suite"
	@echo "make test-fast  the tests that run no pipeline, dbt or Dagster (parsers, registry, limits)"
	@echo "make dev        open the Dagster UI (dagster dev) on http://127.0.0.1:3000"
	@echo "make status     print the attainment table of the last run"
	@echo "make evaluate   write the evaluation table (PLAN=..., REGION=..., optional AS_OF=YYYY-MM-DD)"
	@echo "make lint       ruff (check and format), and dg check defs (the code location loads)"

# --compile-bytecode: the libraries' .pyc files are written once here, so that no command
# compiles dagster, dbt or Great Expectations from source again (where PYTHONDONTWRITEBYTECODE
# is set, nothing else would write them). Measured in the README's Performance section.
$(INSTALLED): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode
	@touch $@

dev_install: $(INSTALLED)

# `dbt parse` only when the manifest is older than a dbt file (pipelines/dbt_project.py).
manifest: $(INSTALLED)
	$(PY) -m pipelines manifest

$(DAGSTER_HOME)/dagster.yaml: pipelines/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp $< $@

run: $(INSTALLED) $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pipelines run

status: $(INSTALLED)
	$(PY) -m pipelines status

PLAN ?= zx_hqd_2021_2025
REGION ?= 420881
evaluate: $(INSTALLED) $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pipelines evaluate --plan $(PLAN) --region $(REGION) $(if $(AS_OF),--as-of $(AS_OF))

# Test files run in parallel, one worker per core (pytest-xdist), each file on one worker.
test: $(INSTALLED)
	$(PY) -m pytest -n auto --dist loadfile

test-fast: $(INSTALLED)
	$(PY) -m pytest -n auto --dist loadfile -m "not e2e"

dev: manifest $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/dagster dev -w workspace.yaml

lint: manifest
	$(VENV)/bin/ruff check pipelines tests
	$(VENV)/bin/ruff format --check pipelines tests
	$(VENV)/bin/dg check defs

format: $(INSTALLED)
	$(VENV)/bin/ruff format pipelines tests
	$(VENV)/bin/ruff check --fix pipelines tests

sample-data: $(INSTALLED)
	$(PY) -m tests.tools.sample_data

# The benchmark (README, Performance): REGIONS synthetic regions, then the pipeline timed on them.
REGIONS ?= 100
bench: $(INSTALLED)
	$(PY) -m tests.tools.bench generate --regions $(REGIONS)
	$(PY) -m tests.tools.bench run

clean:
	rm -rf dbt/target dbt/logs .pytest_cache
	find $(PLAN_WAREHOUSE_DIR) -mindepth 1 ! -name README.md -exec rm -rf {} +
