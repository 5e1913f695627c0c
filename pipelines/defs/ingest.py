"""Ingest assets: files under PLAN_RAW_DIR -> validated -> the warehouse's `raw` schema.

Their keys (`raw/plan_indicators`, `raw/observations`) are the dbt sources' keys,
so Dagster draws one lineage from the files to the marts.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import polars as pl

from pipelines import settings
from pipelines.defs.validation import (
    contract_check_result,
    contract_check_spec,
    raise_if_failed,
)
from pipelines.registry import find_plan_folders, read_registry
from pipelines.submissions import find_submission_files, read_submissions
from pipelines.validation import validate_frame
from pipelines.warehouse import WarehouseResource, read_table, replace_table

RAW_SCHEMA = "raw"
PLAN_INDICATORS_KEY = dg.AssetKey([RAW_SCHEMA, "plan_indicators"])
OBSERVATIONS_KEY = dg.AssetKey([RAW_SCHEMA, "observations"])


def _preview(frame: pl.DataFrame, rows: int = 10) -> dg.MetadataValue:
    head = frame.head(rows)
    lines = [
        "| " + " | ".join(head.columns) + " |",
        "|" + "---|" * head.width,
        *(
            "| " + " | ".join("" if v is None else str(v) for v in row) + " |"
            for row in head.iter_rows()
        ),
    ]
    return dg.MetadataValue.md("\n".join(lines))


@dg.asset(
    key=PLAN_INDICATORS_KEY,
    group_name="ingest",
    kinds={"polars", "duckdb"},
    description=(
        "The plan registry (raw/registry/<plan>/plan.yaml): every quantified target of each "
        "plan, with its quote, span, chapter and clause in the plan's text."
    ),
    check_specs=[contract_check_spec(PLAN_INDICATORS_KEY, "raw_plan_indicators")],
)
def plan_indicators(warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult | dg.Output]:
    raw_dir = settings.raw_dir()
    folders = find_plan_folders(raw_dir)
    frame = read_registry(folders, raw_dir)
    report = validate_frame(frame, "raw_plan_indicators")
    yield contract_check_result(PLAN_INDICATORS_KEY, report)
    raise_if_failed(report)
    with warehouse.get_connection() as connection:
        rows = replace_table(connection, RAW_SCHEMA, "plan_indicators", frame)
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "plan_folders": [path.relative_to(raw_dir).as_posix() for path in folders],
            "plans": sorted(frame["plan_id"].unique().to_list()),
            "targets_by_kind": dict(frame.group_by("kind").len().sort("kind").rows()),
            "preview": _preview(
                frame.select("plan_id", "indicator_code", "name_zh", "kind", "target_value", "unit")
            ),
        }
    )


@dg.asset(
    key=OBSERVATIONS_KEY,
    group_name="ingest",
    kinds={"polars", "duckdb"},
    description=(
        "Departments' submissions (raw/submissions/**.csv|xlsx) as one long table with the "
        "file, sheet and row of every value. Known indicator and region codes come from "
        "the plan registry loaded before it."
    ),
    deps=[PLAN_INDICATORS_KEY],
    check_specs=[contract_check_spec(OBSERVATIONS_KEY, "raw_observations")],
)
def observations(warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult | dg.Output]:
    raw_dir = settings.raw_dir()
    files = find_submission_files(raw_dir)
    frame = read_submissions(files, raw_dir)
    with warehouse.get_connection() as connection:
        registry = read_table(connection, RAW_SCHEMA, "plan_indicators")
    parameters = {
        "known_indicator_codes": sorted(registry["indicator_code"].unique().to_list()),
        "known_region_codes": sorted(registry["region_code"].unique().to_list()),
    }
    report = validate_frame(frame, "raw_observations", parameters)
    yield contract_check_result(OBSERVATIONS_KEY, report)
    raise_if_failed(report)
    with warehouse.get_connection() as connection:
        rows = replace_table(connection, RAW_SCHEMA, "observations", frame)
    per_file = frame.group_by("source_file").len().sort("source_file")
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "files_read": len(files),
            "rows_per_file": dict(zip(per_file["source_file"], per_file["len"], strict=True)),
            "preview": _preview(frame),
        }
    )
