"""What every reader of the landing zone shares: the problem report (`Issue`), quoting cells
safely in it (`shown`), the limits checked before a file is parsed, and the grid a reader
hands back."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import polars as pl

# A grid is one sheet: (sheet name, rows of cleaned text cells, column letters).
Grid = tuple[str, list[list[str]], list[str]]

# What a file and its content may be, checked before it is parsed: variable -> (default, what
# it bounds in Chinese and English). Each is named in the error it causes.
READ_LIMITS: dict[str, tuple[int, str, str]] = {
    "PLAN_MAX_FILE_BYTES": (20 * 1024 * 1024, "文件的字节数", "bytes of a file"),
    "PLAN_MAX_FILE_ROWS": (100_000, "文件的行数", "rows of a file"),
    "PLAN_MAX_LINE_CHARS": (100_000, "一行的字符数", "characters in a line"),
    "PLAN_MAX_FIELD_CHARS": (10_000, "一个单元格的字符数", "characters in a cell"),
    "PLAN_MAX_COLUMNS": (1_000, "列数", "columns"),
    "PLAN_MAX_UNZIPPED_BYTES": (200 * 1024 * 1024, "工作簿解压后的字节数", "bytes of a workbook unzipped"),
    "PLAN_MAX_ZIP_RATIO": (200, "工作簿中一个部件的压缩比", "compression ratio of a part of a workbook"),
    "PLAN_MAX_CELLS": (5_000_000, "一个工作表的单元格数（从 A1 到最后一个单元格）", "cells of a sheet (from A1 to its last cell)"),
    "PLAN_MAX_READER_MEMORY": (4 * 1024**3, "读取一个工作簿的内存（字节）", "bytes of memory to read a workbook"),
    "PLAN_MAX_SECONDS_PER_FILE": (120, "读取一个工作簿的秒数", "seconds to read a workbook"),
}  # fmt: skip
# Characters of a cell echoed in a message; longer values are shortened.
SHOWN_CHARACTERS = 80

# Characters that would break a message's lines or reorder what a reader sees: control
# characters, line and paragraph separators, zero-width and bidirectional marks.
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def shown(text: object, limit: int = SHOWN_CHARACTERS) -> str:
    """Text from a file as a message may quote it: every unshowable character escaped
    (a newline as \\n), and at most `limit` characters, so no cell can forge a line."""
    raw = str(text)
    escaped = _UNSHOWABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), raw)
    if len(escaped) <= limit:
        return escaped
    return f"{escaped[:limit]}…（共 {len(raw)} 字符 / {len(raw)} characters）"


@dataclass(frozen=True)
class Issue:
    """One problem in a submission, worded for the clerk who can fix it."""

    file: str
    code: str
    problem_zh: str
    problem_en: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected_zh: str | None = None
    expected_en: str | None = None

    def message(self) -> str:
        file = shown(self.file, limit=200)
        where_zh, where_en = [file], [file]
        if self.sheet:
            where_zh.append(f"工作表「{shown(self.sheet)}」")
            where_en.append(f"sheet '{shown(self.sheet)}'")
        if self.row is not None:
            where_zh.append(f"第{self.row}行")
            where_en.append(f"row {self.row}")
        if self.column:
            where_zh.append(f"列「{shown(self.column)}」")
            where_en.append(f"column '{shown(self.column)}'")
        found_zh = f"：值「{shown(self.value)}」" if self.value is not None else ""
        found_en = f": value '{shown(self.value)}'" if self.value is not None else ""
        expected_zh = f"；应为{self.expected_zh}" if self.expected_zh else ""
        expected_en = f"; expected {self.expected_en}" if self.expected_en else ""
        return (
            f"{' '.join(where_zh)}{found_zh}，{self.problem_zh}{expected_zh}。\n"
            f"    {', '.join(where_en)}{found_en}: {self.problem_en}{expected_en}."
        )


class Collector(Protocol):
    """Where a reader records the problems of the file it reads."""

    file: str
    issues: list[Issue]


def decode_text(data: bytes) -> str | None:
    """CSV bytes as text: UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


@dataclass(frozen=True)
class ReadLimits:
    """The limits files are read within, each by the variable that sets it (READ_LIMITS);
    one not given has its default. The code location's landing-zone resource carries them
    (`pipelines/defs/resources.py`); `from_environment` serves the command line."""

    given: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in self.given.items():
            if name not in READ_LIMITS:
                raise ValueError(f"unknown limit {name}; the limits are {', '.join(READ_LIMITS)}")
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive whole number, not {value!r}")

    def __getitem__(self, name: str) -> int:
        return self.given.get(name, READ_LIMITS[name][0])

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ReadLimits:
        """The limits set in the environment (os.environ unless given), the rest defaults."""
        environ = os.environ if environ is None else environ
        given = {}
        for name in READ_LIMITS:
            if environ.get(name):
                try:
                    given[name] = int(environ[name])
                except ValueError:
                    raise ValueError(
                        f"{name} must be a positive whole number, not {environ[name]!r}"
                    ) from None
        return cls(given)


def read_reviewed_csv(
    path: Path, label: str, columns: Sequence[str], error: type[Exception]
) -> pl.DataFrame:
    """A small reviewed CSV (status overrides, target assignments), UTF-8 or GBK, every cell
    as text; `error` naming the file when it cannot be decoded or lacks one of `columns`."""
    import polars as pl

    text = decode_text(path.read_bytes())
    if text is None:
        raise error(f"{label}：无法识别文件编码 / cannot decode the file")
    try:
        frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
    except pl.exceptions.PolarsError as problem:
        first = str(problem).strip().splitlines()[0] if str(problem).strip() else ""
        raise error(f"{label}：不是有效的 CSV / not a valid CSV ({shown(first)})") from None
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise error(f"{label}：缺少列 / missing columns {missing}")
    return frame


def over_limit(
    result: Collector, name: str, found: int, limits: ReadLimits, sheet: str | None = None
) -> list:
    """Reject the file for going over limit `name`, saying which limit and how to raise it."""
    limit, zh, en = limits[name], READ_LIMITS[name][1], READ_LIMITS[name][2]
    result.issues.append(
        Issue(result.file, "over_limit", f"{zh}超过上限（{found:,}）", f"too many {en} ({found:,})",
              sheet=sheet, expected_zh=f"不超过 {limit:,}（上限由 {name} 设置）",
              expected_en=f"at most {limit:,} (the limit is set by {name})")
    )  # fmt: skip
    return []


def clean(text: object) -> str:
    """A cell as comparable text: Unicode NFKC (full-width digits and signs folded), trimmed."""
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: bytes | str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    number = 0
    for letter in letters.encode() if isinstance(letters, str) else letters:
        number = number * 26 + letter - 64
    return number - 1
