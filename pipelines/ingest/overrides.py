"""Reviewed status overrides: where officials know better than the numbers so far.

An override sets the attainment status of one target at one period on top of the
calculated one (a milestone certified but not yet in the statistics). The files live in
`raw/overrides/*.csv` (UTF-8 or GBK), one row per override, and every row must say why,
who reviewed it and when. The marts keep the calculated status beside the overridden one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipelines import vocabulary
from pipelines.ingest.readers.base import read_reviewed_csv
from pipelines.plans.periods import parse_period

OVERRIDES_SUBDIR = "overrides"
STATUSES = vocabulary.codes(vocabulary.STATUSES)
OVERRIDE_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.String(),
    "region_code": pl.String(),
    "indicator_code": pl.String(),
    "period": pl.String(),
    "period_year": pl.Int64(),
    "period_end_month": pl.Int64(),
    "status": pl.String(),
    "reason": pl.String(),
    "reviewed_by": pl.String(),
    "reviewed_on": pl.Date(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
}
COLUMNS = ("plan_id", "region_code", "indicator_code", "period", "status", "reason",
           "reviewed_by", "reviewed_on")  # fmt: skip


class OverrideFileError(ValueError):
    """An overrides file that cannot be read as a table of overrides."""


def find_override_files(raw_dir: Path) -> list[Path]:
    folder = raw_dir / OVERRIDES_SUBDIR
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def read_overrides(paths: list[Path], raw_dir: Path) -> pl.DataFrame:
    """Every override of every file, periods in canonical form; unreadable cells become null
    (and fail the `raw_status_overrides` suite, which names the file and row)."""
    records = []
    for path in paths:
        name = path.relative_to(raw_dir).as_posix()
        frame = read_reviewed_csv(path, name, COLUMNS, OverrideFileError)
        for row_number, row in enumerate(frame.iter_rows(named=True), start=2):
            period = parse_period(row["period"] or "")
            records.append(
                {
                    "plan_id": row["plan_id"],
                    "region_code": row["region_code"],
                    "indicator_code": row["indicator_code"],
                    # The canonical year-to-date form the attainment marts use.
                    "period": None if period is None else (
                        f"{period.year}" if period.end_month == 12
                        else f"{period.year}-YTD-{period.end_month:02d}"
                    ),
                    "period_year": None if period is None else period.year,
                    "period_end_month": None if period is None else period.end_month,
                    "status": row["status"],
                    "reason": row["reason"],
                    "reviewed_by": row["reviewed_by"],
                    "reviewed_on": _date(row["reviewed_on"] or ""),
                    "source_file": name,
                    "source_row": row_number,
                }
            )  # fmt: skip
    return pl.DataFrame(records, schema=OVERRIDE_SCHEMA)
