"""The resources every asset, sensor and schedule of the code location receives, configured
from the environment (`PLAN_RAW_DIR`, `PLAN_WAREHOUSE_DIR`, read when a run starts), and how
runs execute."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import Field

from pipelines import settings
from pipelines.dbt_project import dbt_cli
from pipelines.warehouse.database import exclusive_access


class LandingZone(dg.ConfigurableResource):
    """The landing zone departments' files arrive in (`raw/` by default)."""

    raw_dir: str = Field(
        description="The folder; a relative path is taken from the repository root."
    )

    @property
    def path(self) -> Path:
        return settings.resolve(self.raw_dir)


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
            "landing_zone": LandingZone(raw_dir=dg.EnvVar(settings.RAW_DIR_ENV)),
            "warehouse": WarehouseResource(warehouse_dir=dg.EnvVar(settings.WAREHOUSE_DIR_ENV)),
            "dbt": dbt_cli(),
        },
        # One process per run: the expensive imports (Great Expectations, dagster-dbt) are
        # paid once, and the run's steps never contend for DuckDB's single writer.
        executor=dg.in_process_executor,
    )
