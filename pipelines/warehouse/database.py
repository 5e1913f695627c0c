"""The DuckDB warehouse: one writer at a time, loading tables, and publishing.

DuckDB lets one process open a database file for writing, and a second process
cannot open it at all meanwhile. The pipeline therefore writes to its own working
file, and every step that opens it (ingest, checks, dbt, publishing) takes an
exclusive file lock beside it first, so two runs started together wait for each
other instead of failing on DuckDB's lock. Readers (analysts, BI tools, the CLI)
open the published file, which a run replaces by an atomic rename and never writes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from filelock import FileLock

LOCK_FILE_NAME = ".indicators.duckdb.lock"


@contextmanager
def exclusive_access(database: Path, timeout_seconds: float = 1800) -> Iterator[None]:
    """Hold the warehouse lock; waits up to `timeout_seconds` for another process. A working
    file that does not exist yet is created under it (`create_working_file`)."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(database.parent / LOCK_FILE_NAME), timeout=timeout_seconds):
        create_working_file(database)
        yield


def _arrow(frame: pl.DataFrame) -> Any:
    """The frame as Arrow for DuckDB to read, without copying its text: Polars keeps text as
    string views, which DuckDB reads as they are, where Arrow's older string type is a copy
    of every string (at province scale 0.5 GB more at the peak of the ingest, and slower)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def replace_table(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pl.DataFrame
) -> int:
    """Replace `schema.table` with `frame` in one transaction; returns the row count."""
    arrow_table = _arrow(frame)  # noqa: F841 - read by DuckDB's replacement scan below
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
    arrow_table = _arrow(frame)  # noqa: F841 - read by DuckDB's replacement scan below
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


# Readers with an older DuckDB (BI drivers often bundle one) can open files written in
# this storage version: DuckDB 1.0 and later.
PUBLISHED_STORAGE_VERSION = "v1.0.0"


class UnpublishableError(RuntimeError):
    """The working file's last dbt command did not pass: it is not published."""


def check_last_build(connection: duckdb.DuckDBPyConnection, catalog: str) -> tuple:
    """The last dbt command recorded in the working file (dbt's on-run hooks write
    `meta.dbt_invocations`): (command, as_of, finished_at). Raises UnpublishableError when
    none is recorded, or the last one failed or never ended (killed half-way)."""
    (recorded,) = connection.execute(
        "select count(*) from duckdb_tables() where database_name = ? "
        "and schema_name = 'meta' and table_name = 'dbt_invocations'",
        [catalog],
    ).fetchone()
    last = None
    if recorded:
        last = connection.execute(
            f"select command, as_of, finished_at, passed, failures "
            f"from {catalog}.meta.dbt_invocations order by started_at desc limit 1"
        ).fetchone()
    if last is None:
        raise UnpublishableError(
            "工作库中没有 dbt 构建记录，不予发布 / the working file records no dbt build: "
            "not published (run `python -m pipelines run`)"
        )
    command, as_of, finished_at, passed, failures = last
    if finished_at is None or not passed:
        how_zh = "未结束（被中断）" if finished_at is None else f"失败（{failures} 项未通过）"
        how_en = (
            "never ended (interrupted)" if finished_at is None else f"failed ({failures} failures)"
        )
        raise UnpublishableError(
            f"工作库最近一次 dbt {command} {how_zh}，不予发布；已发布的版本保持不变 / the working "
            f"file's last dbt {command} {how_en}: not published; the published file is unchanged"
        )
    return command, as_of, finished_at


def publish(work: Path, published: Path, storage_version: str = PUBLISHED_STORAGE_VERSION) -> int:
    """Copy the working file into a new file and rename it over `published` atomically.

    Readers holding the old file keep reading it; a failure or a kill before the rename
    leaves `published` exactly as it was. A working file whose last dbt command did not
    pass is refused (UnpublishableError). Call while holding the lock. Returns the number
    of tables and views published.
    """
    temporary = staging_path(published)
    count = copy_for_readers(work, temporary, storage_version)
    install(temporary, published)
    return count


def staging_path(published: Path) -> Path:
    """Where the next published file is written before it is renamed into place."""
    return published.with_name(f".{published.name}.{os.getpid()}.publishing")


def create_working_file(work: Path) -> None:
    """Create the working file, if there is none yet, in the storage version readers of the
    published file open: publishing then copies its bytes instead of its rows. Call holding
    the lock."""
    if work.exists():
        return
    work.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as connection:
        connection.execute(
            f"attach '{work}' as working (storage_version '{PUBLISHED_STORAGE_VERSION}')"
        )
        connection.execute("detach working")


def _copy_file(work: Path, temporary: Path) -> int | None:
    """Copy the working file byte for byte when it is in the published storage version (after
    a checkpoint, so the copy needs no write-ahead log); None when it is not (a file made
    before this storage version was chosen), and nothing was copied."""
    with duckdb.connect(str(work)) as connection:
        check_last_build(connection, work.stem)
        (tags,) = connection.execute(
            "select tags from duckdb_databases() where database_name = ?", [work.stem]
        ).fetchone()
        if tags.get("storage_version", "").rstrip("+") != PUBLISHED_STORAGE_VERSION:
            return None
        connection.execute("checkpoint")
    shutil.copyfile(work, temporary)
    with duckdb.connect(str(temporary), read_only=True) as connection:
        (catalog,) = connection.execute("select current_database()").fetchone()
        return _relation_count(connection, catalog)


def _relation_count(connection: duckdb.DuckDBPyConnection, catalog: str) -> int:
    (count,) = connection.execute(
        "select count(*) from duckdb_tables() where database_name = ?", [catalog]
    ).fetchone()
    (views,) = connection.execute(
        "select count(*) from duckdb_views() where database_name = ? and not internal", [catalog]
    ).fetchone()
    return int(count) + int(views)


def copy_for_readers(
    work: Path, temporary: Path, storage_version: str = PUBLISHED_STORAGE_VERSION
) -> int:
    """Copy the working file into `temporary`, in a storage version older readers open;
    refuse a working file whose last dbt command did not pass. Returns the number of tables
    and views copied; on any failure `temporary` is removed.

    A working file in that storage version (every one this project creates) is copied byte
    for byte, at the speed of the disk; an older one is copied table by table."""
    temporary.unlink(missing_ok=True)
    if storage_version == PUBLISHED_STORAGE_VERSION:
        try:
            copied = _copy_file(work, temporary)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        if copied is not None:
            return copied
    connection = duckdb.connect()
    try:
        # The working file is attached under its own catalog name, so the views dbt wrote
        # (`"indicators"."staging"...`) bind as they will for readers of the published file.
        connection.execute(f"attach '{work}' as {work.stem} (read_only)")
        check_last_build(connection, work.stem)
        connection.execute(
            f"attach '{temporary}' as published (storage_version '{storage_version}')"
        )
        connection.execute(f"copy from database {work.stem} to published")
        count = _relation_count(connection, "published")
        connection.execute("detach published")
    except BaseException:
        connection.close()
        temporary.unlink(missing_ok=True)
        raise
    connection.close()
    return count


def install(temporary: Path, published: Path) -> None:
    """Rename a finished file over `published` in one atomic step, durably."""
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, published)
    directory = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
