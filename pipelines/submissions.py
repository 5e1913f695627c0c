"""Read departments' submission files (CSV and xlsx) into one long Polars table.

Every row keeps its provenance (file, sheet, row number as the clerk sees it in
the spreadsheet), so any problem found later can be traced back to a cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl

SUBMISSIONS_SUBDIR = "submissions"
SUPPORTED_SUFFIXES = (".csv", ".xlsx")

OBSERVATION_SCHEMA: dict[str, pl.DataType] = {
    "region_code": pl.String(),
    "indicator_code": pl.String(),
    "period": pl.String(),
    "value": pl.Float64(),
    "value_text": pl.String(),
    "unit": pl.String(),
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
}

# Canonical column -> header spellings accepted (compared after trimming, case-insensitive).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "region_code": ("region_code", "地区代码", "行政区划代码"),
    "indicator_code": ("indicator_code", "指标代码"),
    "period": ("period", "时期", "统计期", "期别"),
    "value": ("value", "数值", "指标值"),
    "unit": ("unit", "单位", "计量单位"),
}
REQUIRED_COLUMNS = ("indicator_code", "period", "value", "unit")

_REGION_DIR = re.compile(r"^\d{6}$")


class SubmissionError(ValueError):
    """A submission file cannot be read at all; the message names the file and the problem."""


def find_submission_files(raw_dir: Path) -> list[Path]:
    """All submission files under `raw_dir/submissions`, in a stable order."""
    root = raw_dir / SUBMISSIONS_SUBDIR
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUPPORTED_SUFFIXES
        and not path.name.startswith(("~$", "."))
    )


def decode_text(data: bytes, file_label: str) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SubmissionError(
        f"{file_label}: 无法识别文件编码（应为 UTF-8 或 GBK/GB18030） / "
        "cannot decode the file (expected UTF-8 or GBK/GB18030)"
    )


def _canonical_columns(frame: pl.DataFrame, file_label: str, sheet: str) -> pl.DataFrame:
    lookup = {
        alias.casefold(): canonical
        for canonical, aliases in HEADER_ALIASES.items()
        for alias in aliases
    }
    renames = {}
    for column in frame.columns:
        canonical = lookup.get(str(column).strip().casefold())
        if canonical is not None:
            renames[column] = canonical
    frame = frame.select(list(renames)).rename(renames)
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        expected = "; ".join(f"{c} ({'/'.join(HEADER_ALIASES[c][1:])})" for c in missing)
        raise SubmissionError(
            f"{file_label} [{sheet}]: 缺少必需的列 / missing required columns: {expected}"
        )
    return frame


def _region_from_path(path: Path) -> str | None:
    for part in reversed(path.parent.parts):
        if _REGION_DIR.match(part):
            return part
    return None


def _to_long(frame: pl.DataFrame, path: Path, file_label: str, sheet: str) -> pl.DataFrame:
    frame = _canonical_columns(frame, file_label, sheet)
    # The header is spreadsheet row 1, so the first data row is row 2.
    frame = frame.with_row_index("source_row", offset=2)
    if "region_code" not in frame.columns:
        frame = frame.with_columns(region_code=pl.lit(_region_from_path(path), pl.String))
    text = pl.col("value").cast(pl.String).str.strip_chars()
    return frame.select(
        region_code=pl.col("region_code").cast(pl.String).str.strip_chars(),
        indicator_code=pl.col("indicator_code").cast(pl.String).str.strip_chars(),
        period=pl.col("period").cast(pl.String).str.strip_chars(),
        value=text.str.replace_all(",", "").cast(pl.Float64, strict=False),
        value_text=text,
        unit=pl.col("unit").cast(pl.String).str.strip_chars(),
        source_file=pl.lit(file_label),
        source_sheet=pl.lit(sheet),
        source_row=pl.col("source_row").cast(pl.Int64),
    )


def read_submission(path: Path, raw_dir: Path) -> pl.DataFrame:
    """Read one CSV or xlsx submission into the long observation table."""
    file_label = path.relative_to(raw_dir).as_posix()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = decode_text(path.read_bytes(), file_label)
        try:
            frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
        except pl.exceptions.PolarsError as error:
            raise SubmissionError(
                f"{file_label}: 无法解析 CSV / cannot parse CSV: {error}"
            ) from error
        frames = [_to_long(frame, path, file_label, "csv")]
    elif suffix == ".xlsx":
        try:
            sheets = pl.read_excel(path, sheet_id=0, engine="calamine", infer_schema_length=0)
        except Exception as error:  # fastexcel raises its own exception types
            raise SubmissionError(
                f"{file_label}: 无法读取 Excel 工作簿 / cannot read the workbook: {error}"
            ) from error
        frames = [
            _to_long(frame, path, file_label, sheet)
            for sheet, frame in sheets.items()
            if frame.width > 0
        ]
    else:
        raise SubmissionError(f"{file_label}: 不支持的文件类型 / unsupported file type {suffix}")
    return pl.concat(frames, how="vertical") if frames else empty_observations()


def empty_observations() -> pl.DataFrame:
    return pl.DataFrame(schema=OBSERVATION_SCHEMA)


def read_submissions(paths: Iterable[Path], raw_dir: Path) -> pl.DataFrame:
    """Read many submissions into one table, in file order."""
    frames = [read_submission(path, raw_dir) for path in paths]
    if not frames:
        return empty_observations()
    return pl.concat(frames, how="vertical").cast(OBSERVATION_SCHEMA)
