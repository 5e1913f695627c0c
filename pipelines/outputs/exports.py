"""Parquet and CSV copies of the marts, for BI tools and spreadsheets.

Each mart is a folder, `<mart>/`, with one Parquet and one CSV file per prefecture-level
division (地级市): `<mart>/420800.parquet` holds the rows of every region whose code starts
420800's four digits (Zhongxiang, 420881, is in 荆门市, 420800). Rows with no region, or a
region code that is not six to twelve digits, are in `<mart>/other.*`. So a province's
marts are a few dozen files each, every CSV fits in a spreadsheet (Excel stops at 1,048,576
rows; a province's observations are more), and a county's resubmission rewrites its
prefecture's files only: a file whose rows did not change is linked from the published
exports (`pipelines.outputs.reuse`, digests in `.exports.json`). Read a whole mart as one
table with a glob: `read_parquet('exports/mart_indicator_attainment/*.parquet')` in DuckDB,
a folder source in Power BI.

CSV files are UTF-8 with a byte-order mark, so Excel opens the Chinese text, and text
cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
carriage return: the text comes from departments' files) are prefixed with a single
quote. Parquet files keep the values as they are. Rows are sorted on every column, so the
same marts give the same files, however they were built (in full, or region by region).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from pipelines.outputs.reuse import code_digest, link_unchanged, write_manifest

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORTED_SCHEMA = "marts"
EXPORTS_MANIFEST = ".exports.json"
OTHER_GROUP = "other"
GROUP_COLUMN = "__export_group"
# The prefecture-level division (地级市) a region belongs to: its code's first four digits
# and 00. County (6 digits), township (9) and village (12) codes share their prefecture's.
PREFECTURE = (
    "case when regexp_full_match(region_code, '[0-9]{6}|[0-9]{9}|[0-9]{12}') "
    f"then substr(region_code, 1, 4) || '00' else '{OTHER_GROUP}' end"
)


def escape_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells starting like a formula, prefixed with `'` so spreadsheets show them as text."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    pattern = "^[" + "".join({"\t": "\\t", "\r": "\\r", "-": "\\-", "+": "\\+"}.get(p, p)
                             for p in FORMULA_PREFIXES) + "]"  # fmt: skip
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(pattern))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def temporary_beside(final: Path) -> Path:
    """Where to write a file before renaming it over `final` in one atomic step."""
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


def _files(entry: str) -> list[str]:
    """The files of one mart's group, relative to the exports folder."""
    return [f"{entry}.parquet", f"{entry}.csv"]


def _grouping(connection: duckdb.DuckDBPyConnection, table: str) -> tuple[str, str]:
    """The expression that groups a mart's rows into files, and the mart's schema."""
    columns = connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [EXPORTED_SCHEMA, table],
    ).fetchall()
    group = PREFECTURE if "region_code" in {name for name, _ in columns} else f"'{OTHER_GROUP}'"
    return group, "|".join(f"{name} {kind}" for name, kind in columns)


def export_digests(connection: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """For every mart, each group's digest of its rows, the mart's schema and the writer's
    code and libraries: the same digest, the same files byte for byte."""
    writer = code_digest([Path(__file__)], (".py",), duckdb.__version__, pl.__version__)
    tables = [
        name
        for (name,) in connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? order by table_name",
            [EXPORTED_SCHEMA],
        ).fetchall()
    ]
    digests: dict[str, dict[str, str]] = {}
    for table in tables:
        group, schema = _grouping(connection, table)
        rows = connection.execute(
            f"select {group}, count(*), sum(hash(export_rows)) "
            f'from "{EXPORTED_SCHEMA}"."{table}" as export_rows group by all order by 1'
        ).fetchall()
        digests[table] = {
            name: hashlib.sha256(f"{writer}|{schema}|{count}|{content}".encode()).hexdigest()
            for name, count, content in rows
        }
        if not rows:
            # An empty mart is still a folder with its header: one file of no rows.
            digests[table] = {
                OTHER_GROUP: hashlib.sha256(f"{writer}|{schema}|0".encode()).hexdigest()
            }
    return digests


# Rows fetched from DuckDB at a time: a mart is written a prefecture at a time, never held
# whole (a province's observations are 1.4 million rows), while the report is drawn beside
# it. DuckDB sorts a mart within EXPORT_MEMORY_LIMIT, spilling to disk beyond it: at
# province scale the exports then peak at about 1 GB instead of 1.7 GB, as fast.
FETCH_ROWS = 65_536
EXPORT_MEMORY_LIMIT = "500MB"


def _runs(reader: pa.RecordBatchReader) -> Iterator[tuple[str, pl.DataFrame]]:
    """Each group's rows, whole and in one chunk, from batches sorted by group first."""
    current, parts = None, []
    for batch in reader:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        start = 0
        for length, name in frame.get_column(GROUP_COLUMN).rle().struct.unnest().iter_rows():
            if name != current and parts:
                yield current, pl.concat(parts, rechunk=True)
                parts = []
            current = name
            parts.append(frame.slice(start, length))
            start += length
    if parts:
        yield current, pl.concat(parts, rechunk=True)


def _write_groups(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    groups: list[str],
    folder: Path,
    fetch_rows: int = FETCH_ROWS,
) -> None:
    """Write the Parquet and CSV files of these groups of one mart into `folder/<table>/`,
    one group at a time, as its rows arrive in order."""
    group, _ = _grouping(connection, table)
    relation = f'"{EXPORTED_SCHEMA}"."{table}"'
    reader = connection.sql(
        f"select * from (select {group} as {GROUP_COLUMN}, * from {relation}) "
        f"where {GROUP_COLUMN} in (select unnest($groups)) order by all",
        params={"groups": groups},
    ).to_arrow_reader(fetch_rows)
    (folder / table).mkdir(parents=True, exist_ok=True)

    def write(name: str, part: pl.DataFrame) -> None:
        part = part.drop(GROUP_COLUMN)
        parquet, csv = (folder / path for path in _files(f"{table}/{name}"))
        part.write_parquet(parquet)
        escape_formulas(part).write_csv(csv, include_bom=True)

    written = set()
    for name, part in _runs(reader):
        write(name, part)
        written.add(name)
    # A group with no rows (an empty mart's one group) is a file of its header.
    empty = pl.from_arrow(reader.schema.empty_table())
    assert isinstance(empty, pl.DataFrame)
    for name in groups:
        if name not in written:
            write(name, empty)


def export_marts(
    database: Path, folder: Path, previous: Path | None = None, fetch_rows: int = FETCH_ROWS
) -> list[Path]:
    """Write `<table>/<group>.parquet` and `.csv` for every table in the marts schema, and
    `.exports.json`; return the files. With `previous` (the exports published before), a
    group whose digest is unchanged is linked from there instead of written again."""
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database), read_only=True) as connection:
        # A setting, not the connection's configuration: the report opens the same file in
        # this process meanwhile, and DuckDB refuses a second configuration of one file.
        connection.execute(f"set memory_limit = '{EXPORT_MEMORY_LIMIT}'")
        digests = export_digests(connection)
        entries = {
            f"{table}/{name}": digest
            for table, groups in digests.items()
            for name, digest in groups.items()
        }
        kept = link_unchanged(previous, folder, EXPORTS_MANIFEST, entries, files=_files)
        for table, groups in digests.items():
            changed = [name for name in groups if f"{table}/{name}" not in kept]
            if changed:
                _write_groups(connection, table, changed, folder, fetch_rows)
    write_manifest(folder, EXPORTS_MANIFEST, entries)
    return [folder / path for entry in sorted(entries) for path in _files(entry)]
