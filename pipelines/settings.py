"""The one place that names the project's paths.

`PLAN_RAW_DIR` and `PLAN_WAREHOUSE_DIR` are read here by Dagster, by dbt's
`profiles.yml` (through `env_var`) and by the tests. Relative values are taken
from the repository root, so a run behaves the same from any working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"

RAW_DIR_ENV = "PLAN_RAW_DIR"
WAREHOUSE_DIR_ENV = "PLAN_WAREHOUSE_DIR"
# The reference date of an as-of build (YYYY-MM-DD), read by dbt's `as_of` var.
AS_OF_ENV = "PLAN_AS_OF"
WAREHOUSE_FILE_NAME = "indicators.duckdb"


def _resolve(env_var: str, default: str) -> Path:
    path = Path(os.environ.get(env_var) or default).expanduser()
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path.resolve()


def raw_dir() -> Path:
    """The landing zone that departments' files are read from."""
    return _resolve(RAW_DIR_ENV, "raw")


def warehouse_dir() -> Path:
    """The generated directory holding the DuckDB file and everything derived from it."""
    return _resolve(WAREHOUSE_DIR_ENV, "warehouse")


def warehouse_path() -> Path:
    """The published DuckDB file that readers open: `$PLAN_WAREHOUSE_DIR/indicators.duckdb`.

    Runs never write to it: they build `work_database_path()` and, when every check and
    test has passed, replace this file with a copy of it in one atomic rename.
    """
    return warehouse_dir() / WAREHOUSE_FILE_NAME


def work_database_path() -> Path:
    """The pipeline's own DuckDB file, `$PLAN_WAREHOUSE_DIR/work/indicators.duckdb`.

    Only the pipeline opens it (one process at a time, under a lock); it keeps every
    vintage between runs.
    """
    return warehouse_dir() / "work" / WAREHOUSE_FILE_NAME


def exports_dir() -> Path:
    """Parquet and CSV copies of the marts: `$PLAN_WAREHOUSE_DIR/exports/`."""
    return warehouse_dir() / "exports"


def reports_dir() -> Path:
    """The static HTML attainment report: `$PLAN_WAREHOUSE_DIR/reports/`."""
    return warehouse_dir() / "reports"


def evaluations_dir() -> Path:
    """The evaluation tables officials file: `$PLAN_WAREHOUSE_DIR/evaluations/`."""
    return warehouse_dir() / "evaluations"


def snapshot_dir(as_of: str) -> Path:
    """The warehouse directory of a build as of a past date (`run --as-of`), inside the
    present one: `$PLAN_WAREHOUSE_DIR/snapshots/as_of_<date>/`, with its own working and
    published files, exports and report, so the present stays published."""
    return warehouse_dir() / "snapshots" / f"as_of_{as_of}"


def export_absolute_paths() -> None:
    """Write both paths back to the environment as absolute paths.

    dbt runs in a subprocess with `dbt/` as its working directory; giving it
    absolute paths keeps it pointed at the same files as the Python side.
    """
    os.environ[RAW_DIR_ENV] = str(raw_dir())
    os.environ[WAREHOUSE_DIR_ENV] = str(warehouse_dir())
