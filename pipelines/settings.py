"""The one place that names the project's paths.

`PLAN_RAW_DIR` and `PLAN_WAREHOUSE_DIR` are read here by Dagster, by dbt's
`profiles.yml` (through `env_var`) and by the tests. Relative values are taken
from the repository root, so a run behaves the same from any working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"

RAW_DIR_ENV = "PLAN_RAW_DIR"
WAREHOUSE_DIR_ENV = "PLAN_WAREHOUSE_DIR"
# The reference date of an as-of build (YYYY-MM-DD), read by dbt's `as_of` var.
AS_OF_ENV = "PLAN_AS_OF"
WAREHOUSE_FILE_NAME = "indicators.duckdb"


def resolve(path_text: str) -> Path:
    """A configured path: `~` expanded, relative paths taken from the repository root."""
    path = Path(path_text).expanduser()
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path.resolve()


def raw_dir() -> Path:
    """The landing zone that departments' files are read from."""
    return resolve(os.environ.get(RAW_DIR_ENV) or "raw")


def warehouse_dir() -> Path:
    """The generated directory holding the DuckDB file and everything derived from it."""
    return resolve(os.environ.get(WAREHOUSE_DIR_ENV) or "warehouse")


@dataclass(frozen=True)
class WarehouseLayout:
    """What lives in a warehouse directory."""

    root: Path

    @property
    def published(self) -> Path:
        """The published DuckDB file that readers open: `indicators.duckdb`. Runs never write
        to it: they build `work` and, when every check and test has passed, replace this
        file with a copy of it in one atomic rename."""
        return self.root / WAREHOUSE_FILE_NAME

    @property
    def work(self) -> Path:
        """The pipeline's own DuckDB file, `work/indicators.duckdb`: only the pipeline opens
        it (one process at a time, under a lock); it keeps every vintage between runs."""
        return self.root / "work" / WAREHOUSE_FILE_NAME

    @property
    def dbt_parse_state(self) -> Path:
        """dbt's saved parse state for this warehouse's profile,
        `work/dbt_partial_parse.msgpack`: the next dbt command here starts from it instead of
        parsing the whole project."""
        return self.root / "work" / "dbt_partial_parse.msgpack"

    def dbt_log(self, run_id: str) -> Path:
        """dbt's log of a run's build, as text: `logs/dbt_<run_id>.log`."""
        return self.root / "logs" / f"dbt_{run_id}.log"

    @property
    def docs(self) -> Path:
        """dbt's documentation site of this warehouse, one offline page: `docs/index.html`
        (`python -m pipelines docs`)."""
        return self.root / "docs"

    @property
    def exports(self) -> Path:
        """Parquet and CSV copies of the marts: `exports/`."""
        return self.root / "exports"

    @property
    def reports(self) -> Path:
        """The static HTML attainment report: `reports/`."""
        return self.root / "reports"

    @property
    def evaluations(self) -> Path:
        """The evaluation tables officials file: `evaluations/`."""
        return self.root / "evaluations"

    @property
    def data_docs(self) -> Path:
        """Great Expectations Data Docs, rendered after each validation: `data_docs/`."""
        return self.root / "data_docs"


def layout() -> WarehouseLayout:
    """The layout of `$PLAN_WAREHOUSE_DIR`."""
    return WarehouseLayout(warehouse_dir())


def warehouse_path() -> Path:
    """The published DuckDB file: `$PLAN_WAREHOUSE_DIR/indicators.duckdb`."""
    return layout().published


def work_database_path() -> Path:
    """The pipeline's working DuckDB file: `$PLAN_WAREHOUSE_DIR/work/indicators.duckdb`."""
    return layout().work


def evaluations_dir() -> Path:
    return layout().evaluations


def snapshot_dir(as_of: str) -> Path:
    """The warehouse directory of a build as of a past date (`run --as-of`), inside the
    present one: `$PLAN_WAREHOUSE_DIR/snapshots/as_of_<date>/`, with its own working and
    published files, exports and report, so the present stays published."""
    return warehouse_dir() / "snapshots" / f"as_of_{as_of}"


def use_default_paths() -> None:
    """Give PLAN_RAW_DIR and PLAN_WAREHOUSE_DIR their documented defaults where unset, so
    that the resources configured from them (`pipelines/defs/resources.py`) and dbt find
    `raw/` and `warehouse/`."""
    os.environ.setdefault(RAW_DIR_ENV, "raw")
    os.environ.setdefault(WAREHOUSE_DIR_ENV, "warehouse")


def export_absolute_paths() -> None:
    """Write both paths back to the environment as absolute paths.

    dbt runs in a subprocess with `dbt/` as its working directory; giving it
    absolute paths keeps it pointed at the same files as the Python side.
    """
    os.environ[RAW_DIR_ENV] = str(raw_dir())
    os.environ[WAREHOUSE_DIR_ENV] = str(warehouse_dir())
