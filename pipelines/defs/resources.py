"""The resources every asset, sensor and schedule of the code location receives, configured
from the environment through `dg.EnvVar` (`PLAN_RAW_DIR`, `PLAN_WAREHOUSE_DIR` and any of the
reading limits `PLAN_MAX_...` that is set; values are read when a run starts), and how runs
execute."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import Field

from pipelines import settings
from pipelines.dbt_project import dbt_cli
from pipelines.ingest.readers.base import READ_LIMITS, ReadLimits
from pipelines.warehouse.database import exclusive_access


def _limit(name: str) -> int | None:
    default, zh, en = READ_LIMITS[name]
    return Field(
        default=None, description=f"{name}: at most this many {en} ({zh}); default {default:,}."
    )


class LandingZone(dg.ConfigurableResource):
    """The landing zone departments' files arrive in (`raw/` by default), and the limits
    its files are read within (README, "Limits"); a limit left unset has its default."""

    raw_dir: str = Field(
        description="The folder; a relative path is taken from the repository root."
    )
    max_file_bytes: int | None = _limit("PLAN_MAX_FILE_BYTES")
    max_file_rows: int | None = _limit("PLAN_MAX_FILE_ROWS")
    max_line_chars: int | None = _limit("PLAN_MAX_LINE_CHARS")
    max_field_chars: int | None = _limit("PLAN_MAX_FIELD_CHARS")
    max_columns: int | None = _limit("PLAN_MAX_COLUMNS")
    max_unzipped_bytes: int | None = _limit("PLAN_MAX_UNZIPPED_BYTES")
    max_zip_ratio: int | None = _limit("PLAN_MAX_ZIP_RATIO")
    max_cells: int | None = _limit("PLAN_MAX_CELLS")
    max_reader_memory: int | None = _limit("PLAN_MAX_READER_MEMORY")
    max_seconds_per_file: int | None = _limit("PLAN_MAX_SECONDS_PER_FILE")

    @property
    def path(self) -> Path:
        return settings.resolve(self.raw_dir)

    @property
    def limits(self) -> ReadLimits:
        return ReadLimits(
            {name: value for name in READ_LIMITS
             if (value := getattr(self, limit_field(name))) is not None}
        )  # fmt: skip


def limit_field(name: str) -> str:
    """The landing zone's field for a limit: PLAN_MAX_CELLS -> max_cells."""
    return name.removeprefix("PLAN_").lower()


def limits_from_environment() -> dict[str, dg.EnvVar]:
    """Each reading limit set in the environment, as the landing zone's configuration (its
    value read when a run starts, like the paths)."""
    return {limit_field(name): dg.EnvVar.int(name) for name in READ_LIMITS if os.environ.get(name)}


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse directory, and DuckDB connections to its working file
    (`work/indicators.duckdb`), one process at a time. Readers never open the working file:
    they open the published copy."""

    warehouse_dir: str = Field(
        description="The folder; a relative path is taken from the repository root."
    )
    lock_timeout_seconds: float = Field(
        default=1800, description="How long a step waits for another writer to finish."
    )

    @property
    def layout(self) -> settings.WarehouseLayout:
        return settings.WarehouseLayout(settings.resolve(self.warehouse_dir))

    @property
    def path(self) -> Path:
        return self.layout.work

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """The lock alone, for work that opens the file in a subprocess (dbt)."""
        with exclusive_access(self.path, self.lock_timeout_seconds):
            yield

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection, held under the lock."""
        with self.exclusive(), DuckDBResource(database=str(self.path)).get_connection() as conn:
            try:
                yield conn
            finally:
                # DuckDBResource closes only on success; an open handle left behind
                # would stop this process from reopening the file read-only.
                conn.close()


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "landing_zone": LandingZone(
                raw_dir=dg.EnvVar(settings.RAW_DIR_ENV), **limits_from_environment()
            ),
            "warehouse": WarehouseResource(warehouse_dir=dg.EnvVar(settings.WAREHOUSE_DIR_ENV)),
            "dbt": dbt_cli(),
        },
        # One process per run: the expensive imports (Great Expectations, dagster-dbt) are
        # paid once, and the run's steps never contend for DuckDB's single writer.
        executor=dg.in_process_executor,
    )
