"""Blocking Great Expectations checks on the ingested tables.

A failing suite fails the check with ERROR severity, and since the checks are
blocking, nothing downstream of the table is built in that run. The check's
metadata lists each failed expectation with its counts, sample values and the
file, sheet and row of the offending values.
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs.ingest import OBSERVATIONS_KEY, PLAN_INDICATORS_KEY, RAW_SCHEMA
from pipelines.validation import ValidationReport, validate_frame
from pipelines.warehouse import WarehouseResource, read_table


def _result(report: ValidationReport) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=report.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if report.success else "; ".join(f.describe() for f in report.failed),
        metadata=report.metadata(),
    )


@dg.asset_check(
    asset=PLAN_INDICATORS_KEY,
    name="gx_raw_plan_indicators",
    blocking=True,
    description="Great Expectations suite expectations/raw_plan_indicators.json.",
)
def plan_indicators_contract(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as connection:
        frame = read_table(connection, RAW_SCHEMA, "plan_indicators")
    return _result(validate_frame(frame, "raw_plan_indicators"))


@dg.asset_check(
    asset=OBSERVATIONS_KEY,
    name="gx_raw_observations",
    blocking=True,
    additional_deps=[PLAN_INDICATORS_KEY],
    description=(
        "Great Expectations suite expectations/raw_observations.json; known indicator and "
        "region codes come from the plan registry."
    ),
)
def observations_contract(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as connection:
        frame = read_table(connection, RAW_SCHEMA, "observations")
        registry = read_table(connection, RAW_SCHEMA, "plan_indicators")
    parameters = {
        "known_indicator_codes": sorted(registry["indicator_code"].unique().to_list()),
        "known_region_codes": sorted(registry["region_code"].unique().to_list()),
    }
    return _result(validate_frame(frame, "raw_observations", parameters))
