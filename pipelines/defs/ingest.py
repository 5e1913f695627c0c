"""Ingest assets: files under PLAN_RAW_DIR -> validated -> the warehouse's `raw` schema.

Their keys (`raw/plan_indicators`, `raw/observations`) are the dbt sources' keys,
so Dagster draws one lineage from the files to the marts.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from pipelines.defs.metadata import markdown_preview
from pipelines.defs.resources import LandingZone, WarehouseResource
from pipelines.defs.validation import (
    contract_check_result,
    contract_check_spec,
    raise_if_failed,
)
from pipelines.ingest.landing import (
    LANDING_SCHEMA,
    landing_files,
    landing_frame,
    unchanged_since,
)
from pipelines.ingest.overrides import find_override_files, read_overrides
from pipelines.ingest.submissions import (
    PARALLEL_FROM_FILES,
    SUBMISSIONS_SUBDIR,
    Catalog,
    read_all_submissions,
    reject_failed_rows,
    submission_log,
    with_vintage,
)
from pipelines.plans.registry import (
    find_plan_folders,
    read_assignments,
    read_registry,
    registered_units,
)
from pipelines.processes import release_memory
from pipelines.progress import PROGRESS_PREFIX
from pipelines.validation import validate_frame
from pipelines.warehouse.changes import mark_regions_changed
from pipelines.warehouse.database import (
    append_rows,
    read_table,
    replace_table,
    table_exists,
)

RAW_SCHEMA = "raw"
PLAN_INDICATORS_KEY = dg.AssetKey([RAW_SCHEMA, "plan_indicators"])
OBSERVATIONS_KEY = dg.AssetKey([RAW_SCHEMA, "observations"])
SUBMISSION_LOG_KEY = dg.AssetKey([RAW_SCHEMA, "submission_log"])
STATUS_OVERRIDES_KEY = dg.AssetKey([RAW_SCHEMA, "status_overrides"])
TARGET_ASSIGNMENTS_KEY = dg.AssetKey([RAW_SCHEMA, "target_assignments"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            PLAN_INDICATORS_KEY,
            group_name="ingest",
            kinds={"polars", "duckdb"},
            description=(
                "The plan registry (raw/registry/<plan>/plan.yaml): every quantified target of "
                "each plan, with its quote, span, chapter and clause in the plan's text."
            ),
        ),
        dg.AssetSpec(
            TARGET_ASSIGNMENTS_KEY,
            group_name="ingest",
            kinds={"polars", "duckdb"},
            description=(
                "Reviewed values of targets a plan leaves to later (raw/registry/<plan>/"
                "assignments.csv): assigned by the level above, or set year by year."
            ),
        ),
    ],
    check_specs=[contract_check_spec(PLAN_INDICATORS_KEY, "raw_plan_indicators")],
)
def plan_indicators(
    landing_zone: LandingZone, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult | dg.Output]:
    raw_dir = landing_zone.path
    folders = find_plan_folders(raw_dir)
    frame = read_registry(folders, raw_dir)
    report = validate_frame(frame, "raw_plan_indicators", data_docs_dir=warehouse.layout.data_docs)
    yield contract_check_result(PLAN_INDICATORS_KEY, report)
    raise_if_failed(report)
    assignments = read_assignments(folders, raw_dir, frame)
    with warehouse.get_connection() as connection:
        rows = replace_table(connection, RAW_SCHEMA, "plan_indicators", frame)
        assigned = replace_table(connection, RAW_SCHEMA, "target_assignments", assignments)
    yield dg.MaterializeResult(
        asset_key=TARGET_ASSIGNMENTS_KEY,
        metadata={"dagster/row_count": assigned, "preview": markdown_preview(assignments)},
    )
    yield dg.MaterializeResult(
        asset_key=PLAN_INDICATORS_KEY,
        metadata={
            "dagster/row_count": rows,
            "plan_folders": [path.relative_to(raw_dir).as_posix() for path in folders],
            "plans": sorted(frame["plan_id"].unique().to_list()),
            "targets_by_kind": dict(frame.group_by("kind").len().sort("kind").rows()),
            "preview": markdown_preview(
                frame.select("plan_id", "indicator_code", "name_zh", "kind", "target_value", "unit")
            ),
        },
    )


VERSION_KEY = ["source_file", "source_checksum"]


def _logged_versions(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every file version already read, accepted or rejected: its path and checksum.

    A version is a path with its content: the same bytes under another path (two
    counties' identical one-line files, a file resent under a new name) are read again.
    """
    if not table_exists(connection, RAW_SCHEMA, "submission_log"):
        return pl.DataFrame(schema={name: pl.String() for name in VERSION_KEY})
    return read_table(connection, RAW_SCHEMA, "submission_log").select(VERSION_KEY).unique()


LANDING_FILES = "landing_files"


def _seen_files(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """What the last run saw at each path of the landing zone (`raw.landing_files`)."""
    if not table_exists(connection, RAW_SCHEMA, LANDING_FILES):
        return pl.DataFrame(schema=LANDING_SCHEMA)
    return connection.sql(
        f"select * from {RAW_SCHEMA}.{LANDING_FILES} where source_checksum is not null"
    ).pl()


def _registry_parameters(registry: pl.DataFrame) -> dict[str, list[str]]:
    return {
        "known_indicator_codes": sorted(registry["indicator_code"].unique().to_list()),
        "known_region_codes": sorted(registry["region_code"].unique().to_list()),
    }


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            OBSERVATIONS_KEY,
            group_name="ingest",
            kinds={"polars", "duckdb"},
            deps=[PLAN_INDICATORS_KEY],
            description=(
                "Departments' submissions (raw/submissions/**.csv|xlsx), every vintage kept: "
                "each new file version (path and checksum) is checked against the contract "
                "and the registry; accepted files are appended, files already loaded are skipped."
            ),
        ),
        dg.AssetSpec(
            SUBMISSION_LOG_KEY,
            group_name="ingest",
            kinds={"duckdb"},
            deps=[PLAN_INDICATORS_KEY],
            description="Every file version read, accepted or rejected, with every problem found.",
        ),
    ],
    check_specs=[contract_check_spec(OBSERVATIONS_KEY, "raw_observations")],
)
def observations(
    context,
    landing_zone: LandingZone,
    warehouse: WarehouseResource,
) -> Iterator[dg.AssetCheckResult | dg.Output]:
    raw_dir = landing_zone.path
    with warehouse.get_connection() as connection:
        registry = read_table(connection, RAW_SCHEMA, "plan_indicators")
        known = _logged_versions(connection)
        seen = _seen_files(connection)
    catalog = Catalog(registry, registered_units(raw_dir))
    # A file whose path, size and modification time are those of a version already read is
    # not opened: a province's landing zone is checked in seconds, not read whole.
    scanned_ns = time.time_ns()
    current = landing_frame(raw_dir / SUBMISSIONS_SUBDIR, SUBMISSIONS_SUBDIR)
    unchanged = unchanged_since(current, seen, known)
    passed_over = set(unchanged["source_file"])
    # As text: `read_all_submissions` makes each a `Path` where it is read.
    files = [f"{raw_dir}/{label}" for label in current["source_file"] if label not in passed_over]
    versions = set(known.iter_rows())
    submissions = read_all_submissions(
        files,
        raw_dir,
        catalog,
        skip=versions,
        limits=landing_zone.limits,
        progress=lambda done, total: context.log.info(
            f"{PROGRESS_PREFIX}{done:,} of {total:,} files read"
        ),
    )
    results = submissions.results
    frame = submissions.observations
    report = validate_frame(
        frame,
        "raw_observations",
        _registry_parameters(registry),
        data_docs_dir=warehouse.layout.data_docs,
    )
    reject_failed_rows(results, report)
    frame = with_vintage(submissions.accepted_observations(), loaded_at=dt.datetime.now(dt.UTC))
    log = submission_log(results).with_columns(checked_at=pl.lit(dt.datetime.now(dt.UTC)))
    checksums = pl.concat([unchanged, pl.DataFrame(
        list(submissions.checksums.items()), schema=VERSION_KEY, orient="row")])  # fmt: skip
    seen_now = landing_files(current, checksums, scanned_ns)
    with warehouse.get_connection() as connection:
        # Another run may have loaded some of these files while this one was reading them:
        # under the lock, append only what is still unknown.
        loaded_meanwhile = _logged_versions(connection).join(known, on=VERSION_KEY, how="anti")
        if loaded_meanwhile.height:
            frame = frame.join(loaded_meanwhile, on=VERSION_KEY, how="anti", maintain_order="left")
            log = log.join(loaded_meanwhile, on=VERSION_KEY, how="anti", maintain_order="left")
        connection.execute("begin transaction")
        appended = append_rows(connection, RAW_SCHEMA, "observations", frame)
        append_rows(connection, RAW_SCHEMA, "submission_log", log)
        # The regions whose files changed, for the next dbt build to rebuild (dbt_models).
        mark_regions_changed(connection, log["region_code"])
        connection.execute("commit")
        replace_table(connection, RAW_SCHEMA, LANDING_FILES, seen_now)
        (total,) = connection.execute(f"select count(*) from {RAW_SCHEMA}.observations").fetchall()[
            0
        ]
    rejected = [r for r in results if not r.accepted]
    preview = markdown_preview(frame.drop("source_checksum"))
    large = len(files) >= PARALLEL_FROM_FILES
    del submissions, frame
    if large:
        # Many files read: hand their memory back before dbt starts (a collection of a run
        # process's heap costs half a second, worth it only then).
        release_memory()
    yield dg.AssetCheckResult(
        asset_key=OBSERVATIONS_KEY,
        check_name="gx_raw_observations",
        passed=not rejected,
        # A rejected file is the department's to fix; the other files still load.
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            None
            if not rejected
            else f"{len(rejected)} file(s) rejected: " + "; ".join(r.file for r in rejected)
        ),
        metadata={
            **report.metadata(),
            "files_found": current.height,
            "files_opened": len(files),
            "files_unchanged": current.height - len(results),
            "files_accepted": len(results) - len(rejected),
            "files_rejected": len(rejected),
            "rejections": dg.MetadataValue.md(
                "\n\n".join(f"```\n{r.report()}\n```" for r in rejected) or "none"
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=SUBMISSION_LOG_KEY,
        metadata={"files_logged": log.height, "files_rejected": len(rejected)},
    )
    yield dg.MaterializeResult(
        asset_key=OBSERVATIONS_KEY,
        metadata={
            "dagster/row_count": int(total),
            "rows_appended": appended,
            "files_found": current.height,
            "files_opened": len(files),
            "files_unchanged": current.height - len(results),
            "files_accepted": len(results) - len(rejected),
            "files_rejected": len(rejected),
            "preview": preview,
        },
    )


def _registered_targets(warehouse: WarehouseResource, raw_dir: Path) -> pl.DataFrame:
    """The registered targets (plan, region, indicator) as the registry asset last loaded
    them, which is what the marts join the overrides to; read from the registry's files when
    the warehouse has none yet. (At province scale reading the files again took 1.2 s.)"""
    columns = ["plan_id", "region_code", "indicator_code"]
    with warehouse.get_connection() as connection:
        if table_exists(connection, RAW_SCHEMA, "plan_indicators"):
            return connection.sql(
                f"select {', '.join(columns)} from {RAW_SCHEMA}.plan_indicators"
            ).pl()
    return read_registry(find_plan_folders(raw_dir), raw_dir).select(columns)


@dg.asset(
    key=STATUS_OVERRIDES_KEY,
    # Overrides name registered targets: checked against the registry, after it.
    deps=[PLAN_INDICATORS_KEY],
    group_name="ingest",
    kinds={"polars", "duckdb"},
    description=(
        "Reviewed status overrides (raw/overrides/*.csv): a status set by officials on top of "
        "the calculated one, with the reason, the reviewer and the date."
    ),
    check_specs=[contract_check_spec(STATUS_OVERRIDES_KEY, "raw_status_overrides")],
)
def status_overrides(
    landing_zone: LandingZone, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult | dg.Output]:
    raw_dir = landing_zone.path
    files = find_override_files(raw_dir)
    frame = read_overrides(files, raw_dir)
    registry = _registered_targets(warehouse, raw_dir)
    # The registered targets of the plans and regions the overrides name: the same verdict
    # as the whole registry, in a list short enough for a province of counties.
    known = (
        registry.join(
            frame.select("plan_id", "region_code").unique(), on=["plan_id", "region_code"]
        )
        .select(pl.concat_str(["plan_id", "region_code", "indicator_code"], separator="|"))
        .to_series()
    )
    checked = frame.with_columns(
        target_key=pl.concat_str(["plan_id", "region_code", "indicator_code"], separator="|")
    )
    report = validate_frame(
        checked,
        "raw_status_overrides",
        {"known_targets": sorted(known.to_list())},
        data_docs_dir=warehouse.layout.data_docs,
    )
    yield contract_check_result(STATUS_OVERRIDES_KEY, report)
    raise_if_failed(report)
    with warehouse.get_connection() as connection:
        rows = replace_table(connection, RAW_SCHEMA, "status_overrides", frame)
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "files": [path.relative_to(raw_dir).as_posix() for path in files],
            "preview": markdown_preview(frame.drop("source_file", "source_row")),
        }
    )
