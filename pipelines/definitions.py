"""The Dagster code location (`workspace.yaml` loads `defs` from here)."""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.defs import ingest, jobs, transform, validation
from pipelines.warehouse import WarehouseResource

defs = dg.Definitions(
    assets=[ingest.plan_indicators, ingest.observations, transform.dbt_models],
    asset_checks=[validation.plan_indicators_contract, validation.observations_contract],
    jobs=[jobs.refresh_all],
    resources={
        "warehouse": WarehouseResource(),
        # The dbt installed beside this interpreter, whether or not the venv is activated.
        "dbt": DbtCliResource(
            project_dir=transform.dbt_project,
            dbt_executable=str(Path(sys.executable).with_name("dbt")),
        ),
    },
    # One process per run: the expensive imports (Great Expectations, dagster-dbt)
    # are paid once, and the run's steps never contend for DuckDB's single writer.
    executor=dg.in_process_executor,
)
