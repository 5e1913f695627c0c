"""Parquet and CSV copies of the marts, for BI tools and spreadsheets.

CSV files are UTF-8 with a byte-order mark, so Excel opens the Chinese text, and text
cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
carriage return: the text comes from departments' files) are prefixed with a single
quote. Parquet files keep the values as they are. Files are written beside their final
names and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORTED_SCHEMA = "marts"


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


def export_marts(database: Path, folder: Path) -> list[Path]:
    """Write `<table>.parquet` and `<table>.csv` for every table in the marts schema."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? order by table_name",
                [EXPORTED_SCHEMA],
            ).fetchall()
        ]
        for table in tables:
            relation = f'"{EXPORTED_SCHEMA}"."{table}"'
            parquet = folder / f"{table}.parquet"
            temporary = temporary_beside(parquet)
            # Rows in a fixed order: the same marts give the same files, however they were
            # built (in full, or region by region). Sorted once, for both files.
            rows = connection.sql(f"from {relation} order by all").to_arrow_table()
            connection.execute(f"copy (from rows) to '{temporary}' (format parquet)")
            os.replace(temporary, parquet)
            frame = pl.from_arrow(rows)
            csv_path = folder / f"{table}.csv"
            temporary = temporary_beside(csv_path)
            escape_formulas(frame).write_csv(temporary, include_bom=True)
            os.replace(temporary, csv_path)
            written += [parquet, csv_path]
    return written
