"""The DuckDB warehouse: one writer at a time, and loading tables into it.

DuckDB lets one process open a database file for writing, and a second process
cannot open it at all meanwhile. Every step that opens the file (ingest, checks,
dbt, the CLI's reports) therefore takes an exclusive file lock beside it first,
so two runs started together wait for each other instead of failing on DuckDB's
lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl
from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource
from filelock import FileLock
from pydantic import Field

from pipelines import settings

LOCK_FILE_NAME = ".indicators.duckdb.lock"


@contextmanager
def exclusive_access(database: Path, timeout_seconds: float = 1800) -> Iterator[None]:
    """Hold the warehouse lock; waits up to `timeout_seconds` for another process."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(database.parent / LOCK_FILE_NAME), timeout=timeout_seconds):
        yield


class WarehouseResource(ConfigurableResource):
    """DuckDB connections to `$PLAN_WAREHOUSE_DIR/indicators.duckdb`, one process at a time.

    The path is read when a step runs, not when the code location loads, so a test
    or a run can point it elsewhere with the environment variable alone.
    """

    lock_timeout_seconds: float = Field(
        default=1800, description="How long a step waits for another writer to finish."
    )

    @property
    def path(self) -> Path:
        return settings.warehouse_path()

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


def replace_table(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pl.DataFrame
) -> int:
    """Replace `schema.table` with `frame` in one transaction; returns the row count."""
    arrow_table = frame.to_arrow()  # noqa: F841 - read by DuckDB's replacement scan below
    connection.execute("begin transaction")
    try:
        connection.execute(f'create schema if not exists "{schema}"')
        connection.execute(
            f'create or replace table "{schema}"."{table}" as select * from arrow_table'
        )
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    (count,) = connection.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0]
    return int(count)


def append_rows(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pl.DataFrame
) -> int:
    """Append `frame` to `schema.table`, creating it or adding new columns as needed.

    Call inside a transaction to make several appends atomic. Returns the rows appended.
    """
    arrow_table = frame.to_arrow()  # noqa: F841 - read by DuckDB's replacement scan below
    connection.execute(f'create schema if not exists "{schema}"')
    connection.execute(
        f'create table if not exists "{schema}"."{table}" as select * from arrow_table limit 0'
    )
    existing = {
        name
        for (name,) in connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    for name, dtype in zip(
        frame.columns, connection.sql("select * from arrow_table").dtypes, strict=True
    ):
        if name not in existing:
            connection.execute(f'alter table "{schema}"."{table}" add column "{name}" {dtype}')
    if frame.height:
        connection.execute(f'insert into "{schema}"."{table}" by name select * from arrow_table')
    return frame.height


def table_exists(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    (count,) = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()[0]
    return bool(count)


def read_table(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> pl.DataFrame:
    return connection.sql(f'select * from "{schema}"."{table}"').pl()
