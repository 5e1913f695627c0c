"""What the next dbt build has to redo: every region, or only the regions whose files changed.

A province's attainment is computed region by region: a region's marts depend on its own
registry rows, files and overrides only. So when a few counties resend files, the dbt
build recomputes those counties (the intermediate and mart models are incremental, keyed
by region, `dbt/macros/changed_regions.sql`) and tests their rows, and leaves the other
regions' rows as they are. This module keeps the two facts that decision needs, in the
working file:

- `meta.regions_to_rebuild`: the regions whose submissions changed since the last build
  of the whole project passed, marked by the ingest in the transaction that appends their
  files (a file with no region is marked as the region '').
- `meta.incremental_state`: the key of the last whole-project build that passed: a digest
  of everything else the marts depend on (the registry, the assigned targets, the
  overrides, the dbt project's files, the reference date). It is cleared before every
  build and written only after one passed, so an interrupted or failed build, or anything
  else that changed, makes the next build a full one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.warehouse.database import table_exists

META_SCHEMA = "meta"
REGIONS_TABLE = f"{META_SCHEMA}.regions_to_rebuild"
STATE_TABLE = f"{META_SCHEMA}.incremental_state"
# Tables every region's marts are built from besides its submissions: a change to any of them
# rebuilds everything.
SHARED_INPUTS = ("raw.plan_indicators", "raw.target_assignments", "raw.status_overrides")
# Beyond this share of the regions, rebuilding them one by one costs more than rebuilding all
# (README, Performance).
FULL_FROM_SHARE = 0.5
NO_REGION = ""


def _ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"create schema if not exists {META_SCHEMA}")
    connection.execute(
        f"create table if not exists {REGIONS_TABLE} (region_code varchar primary key)"
    )
    connection.execute(
        f"create table if not exists {STATE_TABLE} (build_key varchar, built_at timestamptz)"
    )


def mark_regions_changed(connection: duckdb.DuckDBPyConnection, regions: Iterable) -> None:
    """Mark regions (None: files without one) for the next build to redo. Call inside the
    transaction that appends their files."""
    codes = sorted({NO_REGION if code is None else str(code) for code in regions})
    _ensure_tables(connection)
    if codes:
        frame = pl.DataFrame({"region_code": codes})  # noqa: F841 - read by DuckDB below
        connection.execute(f"insert or ignore into {REGIONS_TABLE} select region_code from frame")


# What of the dbt project a build depends on (not `target/` or `logs/`, which dbt writes).
PROJECT_FOLDERS = ("models", "macros", "tests", "seeds", "snapshots", "analyses", "docs")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "selectors.yml")


def project_files(project_dir: Path) -> list[Path]:
    """The dbt project's own files, never what dbt writes (`target/`, `logs/`)."""
    paths = [project_dir / name for name in PROJECT_FILES]
    for folder in PROJECT_FOLDERS:
        paths += sorted((project_dir / folder).rglob("*"))
    return [path for path in paths if path.is_file()]


def project_digest(project_dir: Path) -> str:
    """A digest of the dbt project's own files (models, macros, tests, configuration)."""
    digest = hashlib.sha256()
    for path in project_files(project_dir):
        name = path.relative_to(project_dir).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_key(connection: duckdb.DuckDBPyConnection, project_dir: Path, as_of: str) -> str:
    """Everything besides the submissions that the marts depend on, as one digest: the shared
    input tables' contents, the dbt project's files and the reference date (`as_of`, else
    today: attainment is judged on the build date)."""
    digest = hashlib.sha256(project_digest(project_dir).encode())
    digest.update(f"as_of={as_of or dt.date.today().isoformat()}".encode())
    for table in SHARED_INPUTS:
        if not table_exists(connection, *table.split(".")):
            digest.update(f"{table}=absent".encode())
            continue
        rows, content = connection.execute(
            f"select count(*), coalesce(sum(hash(t)), 0) from {table} as t"
        ).fetchone()
        digest.update(f"{table}={rows}:{content}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class BuildPlan:
    """How the next dbt build runs: in full, or for `regions` only; `key` is recorded when it
    passes."""

    full: bool
    regions: int
    key: str
    reason: str


def plan_build(
    connection: duckdb.DuckDBPyConnection, project_dir: Path, as_of: str, force_full: bool
) -> BuildPlan:
    """Decide the next build, and clear the recorded state (written again when it passes)."""
    _ensure_tables(connection)
    key = build_key(connection, project_dir, as_of)
    recorded = connection.execute(f"select build_key from {STATE_TABLE}").fetchall()
    (changed,) = connection.execute(f"select count(*) from {REGIONS_TABLE}").fetchone()
    total = 0
    if table_exists(connection, "raw", "plan_indicators"):
        (total,) = connection.execute(
            "select count(distinct region_code) from raw.plan_indicators"
        ).fetchone()
    if force_full:
        reason = "a full build was asked for"
    elif not recorded:
        reason = "no earlier build of the whole project passed"
    elif recorded[0][0] != key:
        reason = "the registry, overrides, dbt project or reference date changed"
    elif changed > FULL_FROM_SHARE * max(total, 1):
        reason = f"{changed} of {total} regions changed: more than {FULL_FROM_SHARE:.0%}"
    else:
        reason = f"{changed} of {total} regions changed"
        return BuildPlan(full=False, regions=changed, key=key, reason=reason)
    connection.execute(f"delete from {STATE_TABLE}")
    return BuildPlan(full=True, regions=total, key=key, reason=reason)


def record_build(connection: duckdb.DuckDBPyConnection, plan: BuildPlan) -> None:
    """After a build of the whole project passed: its key, and no region left to redo."""
    _ensure_tables(connection)
    connection.execute("begin transaction")
    connection.execute(f"delete from {STATE_TABLE}")
    connection.execute(f"insert into {STATE_TABLE} values (?, now())", [plan.key])
    connection.execute(f"delete from {REGIONS_TABLE}")
    connection.execute("commit")
