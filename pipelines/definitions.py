"""The Dagster code location (`workspace.yaml` loads `defs` from here)."""

from __future__ import annotations

import dagster as dg

from pipelines.dbt_project import dbt_cli
from pipelines.defs import automation, ingest, jobs, publish, transform
from pipelines.warehouse import WarehouseResource

defs = dg.Definitions(
    assets=[
        ingest.plan_indicators,
        ingest.observations,
        ingest.status_overrides,
        transform.dbt_models,
        publish.published_warehouse,
    ],
    jobs=[jobs.refresh_all, automation.load_submissions, automation.load_overrides],
    sensors=[automation.raw_files_sensor],
    schedules=[automation.monthly_schedule, automation.annual_schedule],
    resources={
        "warehouse": WarehouseResource(),
        "dbt": dbt_cli(),
    },
    # One process per run: the expensive imports (Great Expectations, dagster-dbt)
    # are paid once, and the run's steps never contend for DuckDB's single writer.
    executor=dg.in_process_executor,
)
