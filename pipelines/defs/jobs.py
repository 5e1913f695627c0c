"""Jobs: what `python -m pipelines run` and the Dagster UI launch."""

from __future__ import annotations

import dagster as dg

refresh_all = dg.define_asset_job(
    name="refresh_all",
    selection=dg.AssetSelection.all(),
    description="Ingest every file in PLAN_RAW_DIR, validate it and rebuild every dbt model.",
)
