"""Exports: one Parquet and one CSV per mart and prefecture, rewritten only where rows changed."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.outputs.exports import EXPORTS_MANIFEST, export_marts

ROWS = [
    ("420881", "gdp", 801.5),  # 钟祥市, in 荆门市 (420800)
    ("420802", "gdp", 600.0),  # 东宝区, 荆门市
    ("420116", "gdp", 1000.0),  # 黄陂区, in 武汉市 (420100)
    ("420881001", "gdp", 10.0),  # a township of 钟祥市: its prefecture too
    (None, "gdp", 1.0),  # no region
    ("", "gdp", 2.0),  # a file outside any region
    ("42088", "gdp", 3.0),  # not a division code
]


def make_marts(database: Path, rows: list[tuple]) -> None:
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute(
            "create or replace table marts.mart_values "
            "(region_code varchar, indicator_code varchar, value double)"
        )
        if rows:
            connection.executemany("insert into marts.mart_values values (?, ?, ?)", rows)


def files(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_mart_is_one_file_per_prefecture(tmp_path: Path) -> None:
    database = tmp_path / "indicators.duckdb"
    make_marts(database, ROWS)

    export_marts(database, tmp_path / "exports")

    folder = tmp_path / "exports" / "mart_values"
    assert sorted(path.name for path in folder.iterdir()) == [
        "420100.csv",
        "420100.parquet",
        "420800.csv",
        "420800.parquet",
        "other.csv",
        "other.parquet",
    ]
    assert pl.read_parquet(folder / "420800.parquet")["region_code"].to_list() == [
        "420802",
        "420881",
        "420881001",
    ]
    other = pl.read_csv(folder / "other.csv", schema_overrides={"region_code": pl.String})
    assert sorted(other["value"].to_list()) == [1.0, 2.0, 3.0]
    # Together the files are the mart, every row once.
    with duckdb.connect(str(database), read_only=True) as connection:
        together = connection.execute(
            f"select count(*), sum(value) from read_parquet('{folder}/*.parquet')"
        ).fetchone()
    assert together == (len(ROWS), sum(row[2] for row in ROWS))


def test_only_the_prefectures_whose_rows_changed_are_written(tmp_path: Path) -> None:
    database = tmp_path / "indicators.duckdb"
    make_marts(database, ROWS)
    published = tmp_path / "published"
    export_marts(database, published)
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "update marts.mart_values set value = 802.0 where region_code = '420881'"
        )

    export_marts(database, tmp_path / "next", previous=published)

    def inode(folder: Path, name: str) -> int:
        return (folder / "mart_values" / name).stat().st_ino

    # 武汉市's files and the others are the published ones, linked; 荆门市's are new.
    for name in ("420100.parquet", "420100.csv", "other.csv"):
        assert inode(tmp_path / "next", name) == inode(published, name)
    for name in ("420800.parquet", "420800.csv"):
        assert inode(tmp_path / "next", name) != inode(published, name)
    assert "802.0" in (tmp_path / "next" / "mart_values" / "420800.csv").read_text("utf-8-sig")
    # The same as exporting from scratch, byte for byte.
    export_marts(database, tmp_path / "scratch")
    assert files(tmp_path / "next") == files(tmp_path / "scratch")


def test_a_manifest_that_does_not_match_the_files_is_not_trusted(tmp_path: Path) -> None:
    database = tmp_path / "indicators.duckdb"
    make_marts(database, ROWS)
    published = tmp_path / "published"
    export_marts(database, published)
    (published / "mart_values" / "420100.csv").unlink()
    (published / EXPORTS_MANIFEST).write_text("not json", encoding="utf-8")

    export_marts(database, tmp_path / "next", previous=published)
    export_marts(database, tmp_path / "scratch")

    assert files(tmp_path / "next") == files(tmp_path / "scratch")


def test_an_empty_mart_is_a_header_only(tmp_path: Path) -> None:
    database = tmp_path / "indicators.duckdb"
    make_marts(database, [])
    export_marts(database, tmp_path / "exports")
    text = (tmp_path / "exports" / "mart_values" / "other.csv").read_text("utf-8-sig")
    assert text.splitlines() == ["region_code,indicator_code,value"]


codes = st.one_of(
    st.none(),
    st.sampled_from(["420881", "420802", "420116", "110101", "420881001", "", "x", "4208"]),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
)
row = st.tuples(codes, st.sampled_from(["gdp", "=cmd", "城镇化率"]), st.floats(-1e6, 1e6))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=st.lists(row, max_size=30), after=st.lists(row, max_size=30))
def test_exports_after_any_change_equal_exports_from_scratch(
    tmp_path_factory, before: list[tuple], after: list[tuple]
) -> None:
    root = tmp_path_factory.mktemp("exports")
    database = root / "indicators.duckdb"
    make_marts(database, before)
    export_marts(database, root / "published")
    make_marts(database, after)

    export_marts(database, root / "next", previous=root / "published")
    shutil.rmtree(root / "published")  # linked files stay whole
    export_marts(database, root / "scratch")

    assert files(root / "next") == files(root / "scratch")
    with duckdb.connect(str(database), read_only=True) as connection:
        exported = connection.execute(
            f"select count(*) from read_parquet('{root / 'next'}/mart_values/*.parquet')"
        ).fetchone()
    assert exported == (len(after),)


def prefecture(code: str | None) -> str:
    """The file a region's rows go to, as the exports' docstring says (an oracle in Python)."""
    if code is not None and len(code) in (6, 9, 12) and code.isascii() and code.isdigit():
        return code[:4] + "00"
    return "other"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row, max_size=40), fetch_rows=st.integers(1, 9))
def test_files_do_not_depend_on_how_rows_are_fetched(
    tmp_path_factory, rows: list[tuple], fetch_rows: int
) -> None:
    """Rows arrive from DuckDB in batches, a group's rows across several: each group's files
    hold exactly its rows, the same bytes whatever the batches."""
    root = tmp_path_factory.mktemp("exports")
    database = root / "indicators.duckdb"
    make_marts(database, rows)

    export_marts(database, root / "batched", fetch_rows=fetch_rows)
    export_marts(database, root / "whole")

    assert files(root / "batched") == files(root / "whole")
    expected: dict[str, list[tuple]] = {}
    for values in rows:
        expected.setdefault(prefecture(values[0]), []).append(values)
    folder = root / "batched" / "mart_values"
    written = {path.stem for path in folder.glob("*.parquet")}
    assert written == (set(expected) or {"other"})
    for name in written:
        frame = pl.read_parquet(folder / f"{name}.parquet")
        assert sorted(frame.rows(), key=repr) == sorted(expected.get(name, []), key=repr)
