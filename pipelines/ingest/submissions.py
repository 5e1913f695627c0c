"""Read departments' submission files (CSV and xlsx) against the submission contract.

A file is read into a grid of text cells, the header row is found below any title and unit
lines, and every data row is checked against the plan registry: the indicator (code or exact
Chinese name), the period, the value, the unit (converted to the indicator's canonical unit)
and the value's plausibility. Every problem becomes an `Issue` that names the file, sheet,
row, column and value, in Chinese and English; a file with any issue is rejected whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import re
import stat
from collections.abc import Callable, Collection, Container, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.ingest.landing import printable, scan
from pipelines.ingest.readers import SUPPORTED_SUFFIXES, read_grids
from pipelines.ingest.readers.base import Issue, ReadLimits, clean, shown
from pipelines.ingest.readers.xlsx_cells import EXCEL_ERRORS, plain_number
from pipelines.plans.periods import (
    EXPECTED_DAY_FORMATS,
    EXPECTED_FORMATS,
    FIRST_YEAR,
    LAST_YEAR,
    parse_date,
    parse_period,
)
from pipelines.plans.registry import PLAUSIBLE_FACTOR
from pipelines.plans.units import BUNDLED, UnitTable, normalize_unit
from pipelines.processes import cores, release_memory, spawn_context
from pipelines.validation import ValidationReport

SUBMISSIONS_SUBDIR = "submissions"
# Rows searched for the header: instructions (填表说明) above a table can run long.
HEADER_SEARCH_ROWS = 1000
OBSERVATION_SCHEMA: dict[str, pl.DataType] = {
    "region_code": pl.String(),
    "department_code": pl.String(),
    "indicator_code": pl.String(),
    "period": pl.String(),
    "period_type": pl.String(),
    "period_year": pl.Int64(),
    "period_end_month": pl.Int64(),
    "period_end_date": pl.Date(),
    "value": pl.Float64(),
    "is_outside_list": pl.Boolean(),
    "comparable_growth_pct": pl.Float64(),
    "estimate_stage": pl.String(),
    "unit": pl.String(),
    "unit_family": pl.String(),
    "value_original": pl.Float64(),
    "unit_original": pl.String(),
    "value_text": pl.String(),
    "missing_reason": pl.String(),
    "note": pl.String(),
    "source_file": pl.String(),
    "source_checksum": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "submitted_on": pl.Date(),
}

# Canonical column -> header spellings accepted (compared after NFKC, case-insensitive).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator_code", "indicator", "指标代码", "指标名称", "指标", "指标名"),
    "period": (
        "period",
        "时期",
        "统计期",
        "期别",
        "报告期",
        "统计时期",
        "年度",
        "年份",
        "统计年度",
    ),
    "value": ("value", "数值", "指标值", "本期数", "数据", "本期值"),
    "unit": ("unit", "单位", "计量单位"),
    "note": ("note", "备注", "说明"),
    "region": ("region_code", "region", "地区代码", "行政区划代码"),
    "department": ("department", "department_code", "填报单位", "部门"),
    "submitted": ("submitted_on", "报送日期", "报送时间"),
    "estimate": ("estimate_stage", "数据性质", "数据状态", "核算状态", "核算阶段"),
    "growth": (
        "comparable_growth",
        "real_growth",
        "可比价增速",
        "可比价增长",
        "按可比价格计算增长",
        "按可比价计算增长",
        "实际增长",
        "实际增速",
    ),
}
REQUIRED_COLUMNS = ("indicator", "period", "value")
COLUMN_NAMES_ZH = {"indicator": "指标", "period": "时期", "value": "数值", "unit": "单位"}

# Cells that mean "not available": kept as missing with this reason, never as zero.
PLACEHOLDERS = {"—", "——", "-", "--", "－", "…", "……", "...", "/", "／", "无", "N/A", "NA", "n/a"}
# Milestones may be answered in words.
YES_NO = {"是": 1.0, "已实现": 1.0, "已完成": 1.0, "yes": 1.0, "y": 1.0, "true": 1.0,
          "否": 0.0, "未实现": 0.0, "未完成": 0.0, "no": 0.0, "n": 0.0, "false": 0.0}  # fmt: skip
NOTE_MARKERS = ("注", "说明", "备注", "填报人", "审核人", "负责人", "制表", "填报日期", "数据来源")
# A rank outside a published list (a top-100 list gives no rank below 100): kept as such,
# neither a number nor missing.
_OUTSIDE_LIST = re.compile(
    r"^(?:未进入\S*|未入围\S*|未入选\S*|未上榜|榜外|落榜|>\d+(?:名|位)?|\d+(?:名|位)?(?:以外|之外|开外))$"
)
# Whether a figure is preliminary or final, as statistical offices mark it.
ESTIMATE_STAGES = {
    "初步核算": "preliminary", "初步核算数": "preliminary", "初步": "preliminary",
    "初步数": "preliminary", "预计": "preliminary", "预计数": "preliminary",
    "快报": "preliminary", "快报数": "preliminary", "preliminary": "preliminary",
    "最终核实": "final", "最终核实数": "final", "最终": "final", "核实数": "final",
    "正式": "final", "正式数": "final", "final": "final",
}  # fmt: skip
_UNIT_LINE = re.compile(r"^(?:计量)?单位[:：]\s*(\S+)")
_SUBMITTED_LINE = re.compile(r"(?:报送|填报)日期[:：]\s*(\S+(?:\s+00:00:00)?)")
# A unit after a header, as in 可比价增速(%): ignored when matching headers.
_HEADER_UNIT = re.compile(r"[(（]\s*%\s*[)）]$|%$")
_DEPARTMENT_LINE = re.compile(r"填报单位[:：]\s*(\S+)")
_REGION_DIR = re.compile(r"^\d{6}$")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Target:
    """What the registry says about one indicator of one region."""

    indicator_code: str
    name_zh: str
    unit: str
    kind: str
    plausible_max: float | None = None
    unit_family: str | None = None
    nonnegative: bool = False


CATALOG_COLUMNS = (
    "region_code", "indicator_code", "name_zh", "unit", "kind", "plausible_max", "unit_family",
    "department_code", "department_zh",
)  # fmt: skip


class Catalog:
    """The registry seen from a submission: indicators by region, by code or Chinese name,
    and the units figures may come in (the bundled ones and the plans' own, `units`)."""

    def __init__(self, registry: pl.DataFrame, units: UnitTable = BUNDLED) -> None:
        self.units = units
        self._by_region: dict[str, dict[str, Target]] = {}
        self.departments: dict[str, str] = {}
        columns = [
            pl.col(name) if name in registry.columns else pl.lit(None).alias(name)
            for name in CATALOG_COLUMNS
        ]
        # A province's regions mostly register the same plan: each distinct target and
        # department is made once (a registry of 168,150 rows in a fraction of a second).
        targets: dict[tuple, tuple[Target, str]] = {}
        departments: set[tuple] = set()
        for row in registry.select(columns).iter_rows():
            region, code, name, unit, kind, plausible_max, family, department, zh = row
            key = (code, name, unit, kind, plausible_max, family)
            made = targets.get(key)
            if made is None:
                unit_family = units.family_of(unit)
                made = targets[key] = (
                    Target(
                        code, name, unit, kind, plausible_max,
                        unit_family.code if unit_family else family,
                        bool(unit_family and unit_family.nonnegative),
                    ),
                    clean(name),
                )  # fmt: skip
            target, cleaned_name = made
            names = self._by_region.setdefault(str(region), {})
            names.setdefault(code, target)
            names.setdefault(cleaned_name, target)
            if department and (department, zh) not in departments:
                departments.add((department, zh))
                self.departments[department] = department
                if zh:
                    self.departments[clean(zh)] = department

    @property
    def regions(self) -> list[str]:
        return sorted(self._by_region)

    def knows_region(self, region_code: str) -> bool:
        return region_code in self._by_region

    def regions_hint(self, shown: int = 10) -> str:
        """The registered region codes, the first few of them when there are many."""
        codes = self.regions
        more = f" … (+{len(codes) - shown})" if len(codes) > shown else ""
        return ", ".join(codes[:shown]) + more

    def resolve(self, region_code: str, text: str) -> Target | None:
        return self._by_region.get(region_code, {}).get(clean(text))

    def department(self, text: str | None) -> str | None:
        return self.departments.get(clean(text)) if text else None


@dataclass
class FileResult:
    """The outcome of reading one file: its observations, or why it was rejected."""

    file: str
    checksum: str
    size_bytes: int
    region_code: str | None = None
    department_code: str | None = None
    rows_read: int = 0
    # One dict per observation (OBSERVATION_SCHEMA's keys); tables are built from many
    # files at once, since building a small table per file costs more than reading it.
    records: list[dict] = field(default_factory=list)
    # How many observations the file gave; kept when `records` are handed over to a table.
    observation_count: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def observations(self) -> pl.DataFrame:
        return _records_frame(self.records)

    @property
    def accepted(self) -> bool:
        return not self.issues

    @property
    def status(self) -> str:
        return "accepted" if self.accepted else "rejected"

    def report(self) -> str:
        """What the clerk reads: the verdict, then every problem."""
        if self.accepted:
            return (
                f"✔ {shown(self.file, limit=200)}: 通过，{self.observation_count} 条数据 / accepted, "
                f"{self.observation_count} value(s)"
            )
        lines = [
            f"✘ {shown(self.file, limit=200)}: 退回，共 {len(self.issues)} 个问题，请修改后重新报送 / rejected, "
            f"{len(self.issues)} problem(s); please fix and resend the whole file"
        ]
        lines.extend(f"  {n}. {issue.message()}" for n, issue in enumerate(self.issues, start=1))
        return "\n".join(lines)


def empty_observations() -> pl.DataFrame:
    return pl.DataFrame(schema=OBSERVATION_SCHEMA)


def files_under(root: Path, hidden: bool = False) -> list[Path]:
    """Every entry below `root` that is not a folder (hidden files and Office lock files left
    out unless `hidden`), ordered as sorted paths are: by folder and name parts. A walk of
    directory entries, never following a link (`landing.scan`): a landing zone can hold
    hundreds of thousands of files."""
    return [root / entry.label for entry in scan(root, hidden=hidden)]


def find_submission_files(raw_dir: Path) -> list[Path]:
    """Every entry under `raw_dir/submissions`, in a stable order: each is either read or
    given a verdict saying why not (`not_read_because`), so no department goes untold."""
    root = raw_dir / SUBMISSIONS_SUBDIR
    if not root.is_dir():
        return []
    return files_under(root, hidden=True)


def not_read_because(path: Path, max_bytes: int) -> tuple[str, ...] | None:
    """Why an entry of the landing zone is not opened at all (code, Chinese, English and
    what is expected, if anything), or
    None when it is a regular file to read. The run and `check` both ask this first: a link,
    a pipe or a device is never opened (it could point anywhere, or block for ever)."""
    name = path.name
    if printable(name) != name or (b"\\x" in name.encode() and not path.exists()):
        # Its bytes as they are, or as the listing wrote them (`landing.printable`).
        return (
            "name_not_utf8",
            "文件名不是 UTF-8 编码（可能是 GBK 压缩包解压所致），不予读取；请重命名后重新报送",
            "the file name is not UTF-8 (perhaps unzipped from a GBK archive); not read: "
            "rename the file and send it again",
        )
    try:
        entry = path.lstat()
    except OSError:
        return ("not_found", "找不到文件", "the file cannot be found")
    if stat.S_ISLNK(entry.st_mode):
        return (
            "symlink",
            "是符号链接（快捷方式），不予读取；请放入文件本身",
            "is a symbolic link, which is never followed; put the file itself here",
        )
    if stat.S_ISDIR(entry.st_mode):
        return ("folder", "是文件夹，不是文件", "is a folder, not a file")
    if not stat.S_ISREG(entry.st_mode):
        return (
            "not_a_file",
            "不是普通文件（管道或设备），不予读取",
            "is not a regular file (a pipe or a device); not read",
        )
    if name.startswith("~$"):
        return (
            "office_lock",
            "是 Office 的临时锁文件（工作簿正在 Excel 中打开），不予读取",
            "is an Office lock file (the workbook is open in Excel); not read",
        )
    if name.startswith("."):
        return (
            "hidden",
            "是隐藏文件，不予读取；请去掉文件名开头的“.”",
            "is a hidden file; not read (remove the leading '.')",
        )
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return (
            "old_excel",
            "是旧版 .xls 格式，不予读取；请另存为 .xlsx",
            "is an old .xls workbook; not read (save it as .xlsx)",
        )
    if suffix not in SUPPORTED_SUFFIXES:
        return (
            "unsupported_type",
            f"文件类型「{shown(suffix or name)}」不受支持，不予读取；请报送 .csv 或 .xlsx",
            f"the file type '{shown(suffix or name)}' is not supported; not read (send .csv or .xlsx)",
        )
    if entry.st_size > max_bytes:
        return _too_large(entry.st_size, max_bytes)
    return None


def _too_large(size: int, max_bytes: int) -> tuple[str, str, str, str, str]:
    return (
        "file_too_large", f"文件过大（{size:,} 字节）", f"the file is too large ({size:,} bytes)",
        f"不超过 {max_bytes:,} 字节（上限由 PLAN_MAX_FILE_BYTES 设置）",
        f"at most {max_bytes:,} bytes (the limit is set by PLAN_MAX_FILE_BYTES)",
    )  # fmt: skip


def _unread(path: Path, label: str, reason: tuple[str, ...]) -> FileResult:
    """The verdict on an entry that is not opened. Its version is its kind, size and
    modification time, so a changed entry is judged again."""
    try:
        entry = path.lstat()
        signature = f"{reason[0]}|{entry.st_mode}|{entry.st_size}|{entry.st_mtime_ns}"
        size = entry.st_size
    except OSError:
        signature, size = reason[0], 0
    result = FileResult(file=label, checksum=_checksum(signature.encode()), size_bytes=size)
    code, zh, en, *expected = reason
    result.issues.append(Issue(label, code, zh, en, None, None, None, None, *expected))
    return result


# A grid is one sheet: (sheet name, rows of cleaned text cells, column letters).


# Each spelling, case-folded, and its canonical column (the first that lists it).
_HEADER_KEYS: dict[str, str] = {}
for _canonical, _aliases in HEADER_ALIASES.items():
    for _alias in _aliases:
        _HEADER_KEYS.setdefault(_alias.casefold(), _canonical)


def _match_header(cell: str) -> str | None:
    return _HEADER_KEYS.get(_HEADER_UNIT.sub("", cell.casefold().replace(" ", "")))


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    """The header row's index and the column of each canonical field.

    A header may span two rows (merged cells above sub-headers): the row below fills
    the gaps of the row above.
    """
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = _match_header(cell)
            if name and name not in columns:
                columns[name] = col
        if not all(name in columns for name in REQUIRED_COLUMNS):
            if index + 1 < len(rows) and len(columns) >= 1:
                below = rows[index + 1]
                merged = dict(columns)
                for col, cell in enumerate(below):
                    name = _match_header(cell)
                    if name and name not in merged:
                        merged[name] = col
                if all(name in merged for name in REQUIRED_COLUMNS):
                    return index + 1, merged
            continue
        return index, columns
    return None


def _region_from_path(path: Path) -> str | None:
    for part in reversed(path.parent.parts):
        if _REGION_DIR.match(part):
            return part
    return None


def _department_from_path(path: Path, catalog: Catalog) -> str | None:
    for part in reversed(path.parent.parts):
        found = catalog.department(part)
        if found:
            return found
    return None


def source_label(path: Path, raw_dir: Path) -> str:
    """How a file is named everywhere: its path relative to the landing zone."""
    # As text first: a province's 220,000 files spent 6% of their reading in the path
    # arithmetic below (both paths' text is normalised by `Path`, so the prefix is the same
    # test as `is_relative_to` for a path under the landing zone).
    text, root = str(path), str(raw_dir)
    if text.startswith(root) and text[len(root) : len(root) + 1] == os.sep and root != os.sep:
        label = text[len(root) + 1 :]
        return printable(label if os.sep == "/" else label.replace(os.sep, "/"))
    label = path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else path.name
    return printable(label)


def read_submission(
    path: Path,
    raw_dir: Path,
    catalog: Catalog,
    limits: ReadLimits | None = None,
    region: str | None = None,
) -> FileResult:
    """Read and check one file; never raises for a bad file, it returns its issues. `region`,
    when given, is the region its rows are for unless a row names its own (as the folder
    `submissions/<region>/` would say)."""
    (result,) = read_submissions([path], raw_dir, catalog, limits=limits, region=region)
    return result


def _checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_file(
    path: Path,
    label: str,
    data: bytes,
    checksum: str,
    catalog: Catalog,
    limits: ReadLimits,
    region: str | None = None,
) -> FileResult:
    result = FileResult(file=label, checksum=checksum, size_bytes=len(data))
    max_bytes, max_rows = limits["PLAN_MAX_FILE_BYTES"], limits["PLAN_MAX_FILE_ROWS"]
    if not data:
        result.issues.append(Issue(label, "empty_file", "文件为空", "the file is empty"))
        return result
    if len(data) > max_bytes:
        code, zh, en, expected_zh, expected_en = _too_large(len(data), max_bytes)
        result.issues.append(
            Issue(label, code, zh, en, expected_zh=expected_zh, expected_en=expected_en)
        )
        return result
    grids = read_grids(path, data, result, limits)
    if result.issues:
        return result
    total_rows = sum(len(rows) for _, rows, _ in grids)
    if total_rows > max_rows:
        result.issues.append(
            Issue(
                label, "too_many_rows",
                f"行数过多（{total_rows:,} 行）", f"too many rows ({total_rows:,})",
                expected_zh=f"不超过 {max_rows:,} 行（上限由 PLAN_MAX_FILE_ROWS 设置）",
                expected_en=f"at most {max_rows:,} rows (the limit is set by PLAN_MAX_FILE_ROWS)",
            )
        )  # fmt: skip
        return result

    result.region_code = region or _region_from_path(path)
    result.department_code = _department_from_path(path, catalog)
    records: list[dict] = []
    found_header = False
    for sheet, rows, letters in grids:
        header = _find_header(rows)
        if header is None:
            continue
        found_header = True
        records.extend(_read_rows(sheet, rows, letters, header, result, catalog))
    if not found_header:
        names = "指标代码（或指标名称）、时期、数值"
        result.issues.append(
            Issue(
                label, "no_header",
                f"在每个工作表的前 {HEADER_SEARCH_ROWS:,} 行中找不到表头（需要指标、时期、数值三列）",
                f"no header row found in the first {HEADER_SEARCH_ROWS:,} rows of any sheet (the "
                "indicator, period and value columns are required)",
                expected_zh=f"表头包含 {names}", expected_en="a header with indicator, period, value",
            )
        )  # fmt: skip
        return result
    result.rows_read = len(records)
    if not records and not result.issues:
        result.issues.append(
            Issue(label, "no_data", "表中没有数据行", "the table has no data rows")
        )
    _check_duplicates(records, result)
    # A value repeated unchanged is kept once (a different one is an error, above).
    seen: set[tuple] = set()
    for record in records:
        key = (record["region_code"], record["indicator_code"], record["period"])
        if key not in seen:
            seen.add(key)
            # As read: the table is built from the schema's keys (`_records_frame`).
            result.records.append(record)
    result.observation_count = len(result.records)
    return result


def _read_rows(
    sheet: str,
    rows: list[list[str]],
    letters: list[str],
    header: tuple[int, dict[str, int]],
    result: FileResult,
    catalog: Catalog,
) -> Iterable[dict]:
    header_index, columns = header
    sheet_label = None if sheet == "csv" else sheet
    default_unit = None
    # The submission date: a 报送日期 column, else a 报送日期 line above the table, else a
    # date in the file's name; none means the vintage is the time the file is loaded.
    sheet_submitted_on = submitted_on(result.file)
    for line_number, row in enumerate(rows[:header_index], start=1):
        for cell in row:
            if match := _UNIT_LINE.match(cell):
                default_unit = normalize_unit(match.group(1))
            if (match := _DEPARTMENT_LINE.search(cell)) and result.department_code is None:
                result.department_code = catalog.department(match.group(1))
            if match := _SUBMITTED_LINE.search(cell):
                declared = parse_date(match.group(1))
                if declared is None:
                    result.issues.append(
                        Issue(result.file, "bad_submission_date", "报送日期无法识别",
                              "the submission date cannot be read", sheet=sheet_label,
                              row=line_number, value=match.group(1),
                              expected_zh="日期，如 2024-01-15 或 2024年1月15日",
                              expected_en="a date such as 2024-01-15 or 2024年1月15日")
                    )  # fmt: skip
                else:
                    sheet_submitted_on = declared
    header_row = rows[header_index]

    def cell(row: list[str], name: str) -> str:
        col = columns.get(name)
        return row[col] if col is not None and col < len(row) else ""

    def column_label(name: str) -> str:
        if name not in columns:
            return "单位行 / unit line above the header" if name == "unit" else name
        col = columns[name]
        title = header_row[col] if col < len(header_row) and header_row[col] else name
        return f"{title}({letters[col] if col < len(letters) else col + 1})"

    data_cells = _data_cells(columns)
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        indicator_text, value_text = cell(row, "indicator"), cell(row, "value")
        if not any(row):
            continue
        if not indicator_text or indicator_text.startswith(NOTE_MARKERS):
            # Subtitles and notes under the table ("注：...", "填报人：...") carry no value.
            if not value_text or not indicator_text:
                continue

        def issue(
            name: str,
            value: str | None,
            code: str,
            zh: str,
            en: str,
            exp_zh: str,
            exp_en: str,
            row_number: int = offset,
        ) -> None:
            result.issues.append(
                Issue(result.file, code, zh, en, sheet=sheet_label, row=row_number,
                      column=column_label(name), value=value,
                      expected_zh=exp_zh, expected_en=exp_en)
            )  # fmt: skip

        if unreadable := _unreadable_cell(row, data_cells):
            name, text = unreadable
            if text.startswith("="):
                issue(
                    name, text, "formula_without_value",
                    "单元格是公式，但文件中没有保存计算结果",
                    "the cell is a formula saved without its result",
                    "数值本身；或在 Excel 中打开、重新计算并保存后再报送",
                    "the value itself, or open the file in Excel, recalculate and save it",
                )  # fmt: skip
            else:
                issue(
                    name, text, "excel_error",
                    f"单元格是 Excel 错误值 {text}（公式出错），不能当作空白",
                    f"the cell holds the Excel error {text} (a formula that failed); it is not a blank",
                    "改正公式或填入数值；暂无数据请填 —",
                    "fix the formula or enter the value; — for not available",
                )  # fmt: skip
            continue
        region = cell(row, "region") or result.region_code
        if region and not catalog.knows_region(region) and "region" not in columns:
            # The folder names the region: one problem for the file, named as the folder.
            if not any(i.code == "unknown_region_folder" for i in result.issues):
                result.issues.append(
                    Issue(result.file, "unknown_region_folder",
                          f"文件夹 submissions/{region}/ 的地区没有登记的规划",
                          f"the folder submissions/{region}/ names a region with no registered plan",
                          expected_zh=f"已登记的地区代码之一：{catalog.regions_hint()}",
                          expected_en=f"one of the registered region codes: {catalog.regions_hint()}")
                )  # fmt: skip
            continue
        if region and not catalog.knows_region(region):
            issue(
                "region", region, "unknown_region",
                "该地区没有登记的规划", "no plan is registered for this region",
                f"已登记的地区代码之一：{catalog.regions_hint()}",
                f"one of the registered region codes: {catalog.regions_hint()}",
            )  # fmt: skip
            continue
        if not region:
            result.issues.append(
                Issue(result.file, "no_region", "无法确定地区", "the region is not given",
                      sheet=sheet_label, row=offset,
                      expected_zh="地区代码列，或放在 submissions/<地区代码>/ 文件夹下"
                                  "（检查时也可用 --region 指定）",
                      expected_en="a region_code column, or the file in submissions/<region_code>/ "
                                  "(when checking, also --region CODE)")
            )  # fmt: skip
            continue
        department = catalog.department(cell(row, "department")) or result.department_code
        target = catalog.resolve(region, indicator_text)
        if target is None:
            issue(
                "indicator", indicator_text, "unknown_indicator",
                "规划登记表中没有这个指标", "this indicator is not in the plan registry",
                "登记表中的指标代码或指标的中文全称（见 README 指标表）",
                "an indicator code or the exact Chinese name from the registry (see the README)",
            )  # fmt: skip
            continue
        period_text = cell(row, "period")
        period = parse_period(period_text)
        if period is None:
            issue(
                "period", period_text, "bad_period", "无法识别的时期", "the period cannot be read",
                f"以下写法之一：{EXPECTED_FORMATS}（里程碑也可填日期：{EXPECTED_DAY_FORMATS}）",
                f"one of {EXPECTED_FORMATS} (for a milestone also a day: {EXPECTED_DAY_FORMATS})",
            )  # fmt: skip
            continue
        if period.period_type == "day" and target.kind != "milestone":
            issue(
                "period", period_text, "day_period",
                "只有里程碑（是/否）指标可以按日期填报", "only a milestone (yes/no) can be reported for a day",
                "年、季度或月份，如 2023、2023年二季度、2023年1-6月",
                "a year, quarter or month such as 2023, 2023-Q2, 2023年1-6月",
            )  # fmt: skip
            continue
        if not FIRST_YEAR <= period.year <= LAST_YEAR:
            issue(
                "period", period_text, "period_out_of_range",
                "时期超出范围", "the period is outside the accepted years",
                f"{FIRST_YEAR}至{LAST_YEAR}年之间", f"a year from {FIRST_YEAR} to {LAST_YEAR}",
            )  # fmt: skip
            continue
        unit_text = normalize_unit(cell(row, "unit")) or default_unit
        is_yes_no = target.unit_family == "boolean"
        if is_yes_no and not unit_text:
            unit_text = target.unit  # 是/否 needs no unit
        missing_reason = None
        value_original = None
        is_outside_list = False
        if value_text == "" or value_text in PLACEHOLDERS:
            missing_reason = "blank" if value_text == "" else f"placeholder {value_text}"
        elif _OUTSIDE_LIST.match(value_text.replace(" ", "")):
            if target.unit_family != "rank":
                issue(
                    "value", value_text, "outside_list_not_rank",
                    "只有排名类指标可以填“未上榜”", "only a rank can be outside the list",
                    "数字，或用 — 表示暂无数据", "a number, or — for not available",
                )  # fmt: skip
                continue
            is_outside_list = True
        elif is_yes_no and value_text.lower() in YES_NO:
            value_original = YES_NO[value_text.lower()]
        else:
            number = value_text.replace(",", "").replace(" ", "")
            if number.endswith("%") and _NUMBER.match(number[:-1]):
                # Shown as a percentage (typed 50.3%, or a cell formatted as one).
                if (
                    catalog.units.family(unit_text) if unit_text else target.unit_family
                ) != "percent":
                    issue(
                        "value", value_text, "percent_for_other_unit",
                        f"数值是百分数，但单位是「{unit_text or target.unit}」",
                        f"the value is a percentage but the unit is '{unit_text or target.unit}'",
                        f"以「{unit_text or target.unit}」为单位的数字（单元格不要设为百分比格式）",
                        f"a number in '{unit_text or target.unit}' (not a percentage-formatted cell)",
                    )  # fmt: skip
                    continue
                number = number[:-1]
                unit_text = unit_text or "%"
            if not _NUMBER.match(number):
                if is_yes_no:
                    expected = (
                        "是、否、1 或 0，或用 — 表示暂无数据",
                        "是 (yes), 否 (no), 1 or 0, or — for not available",
                    )
                else:
                    expected = (
                        "数字（可带千位分隔符），或用 — 表示暂无数据"
                        + ("；排名在榜外填“未上榜”" if target.unit_family == "rank" else ""),
                        "a number (thousands separators allowed), or — for not available"
                        + ("; 未上榜 for a rank outside the list"
                           if target.unit_family == "rank" else ""),
                    )  # fmt: skip
                issue(
                    "value", value_text, "not_a_number", "数值不是数字", "the value is not a number",
                    *expected,
                )  # fmt: skip
                continue
            value_original = float(number)
            if not math.isfinite(value_original):
                issue(
                    "value", value_text, "not_finite",
                    "数值超出可表示的范围", "the value is too large to be a number",
                    "一个有限的数", "a finite number",
                )  # fmt: skip
                continue
        factor = catalog.units.conversion_factor(unit_text, target.unit) if unit_text else None
        if factor is None:
            issue(
                "unit", unit_text or None, "bad_unit",
                "单位无法换算为该指标的单位" if unit_text else "缺少单位",
                f"the unit cannot be converted to the indicator's unit {target.unit}"
                if unit_text else "the unit is missing",
                f"与「{target.unit}」同类的单位", f"a unit of the same kind as '{target.unit}'",
            )  # fmt: skip
            continue
        value = None if value_original is None else value_original * factor
        extras = _row_extras(row, cell, issue, sheet_submitted_on)
        if extras is None:
            continue
        problem = _impossible(value, target)
        if problem:
            issue("value", value_text, *problem)
            continue
        yield {
            "region_code": region,
            "department_code": department,
            "indicator_code": target.indicator_code,
            "period": period.code,
            "period_type": period.period_type,
            "period_year": period.year,
            "period_end_month": period.end_month,
            "period_end_date": period.end_date,
            "value": None if value is None else round(value, 10),
            "is_outside_list": is_outside_list,
            **extras,
            "unit": target.unit,
            "unit_family": target.unit_family,
            "value_original": value_original,
            "unit_original": unit_text,
            "value_text": value_text,
            "missing_reason": missing_reason,
            "note": cell(row, "note") or None,
            "source_file": result.file,
            "source_checksum": result.checksum,
            "source_sheet": sheet,
            "source_row": offset,
            "_value_column": column_label("value"),
        }


# Columns whose cells are read as data; a note may say anything.
_DATA_COLUMNS = ("indicator", "period", "value", "unit", "region", "department", "growth",
                 "estimate", "submitted")  # fmt: skip


def _data_cells(columns: dict[str, int]) -> list[tuple[str, int]]:
    """The data columns a sheet has, in the order `_unreadable_cell` looks at them."""
    return [(name, columns[name]) for name in _DATA_COLUMNS if name in columns]


def _unreadable_cell(row: list[str], cells: list[tuple[str, int]]) -> tuple[str, str] | None:
    """The first data cell (`_data_cells`) holding an Excel error value or a formula without
    its result."""
    for name, col in cells:
        text = row[col] if col < len(row) else ""
        if text[:1] == "=" or (text[:1] == "#" and EXCEL_ERRORS.match(text)):
            return name, text
    return None


def _row_extras(
    row: list[str], cell: Callable, issue: Callable, sheet_submitted_on: dt.date | None
) -> dict | None:
    """The optional columns of a row: submission date, estimate stage and comparable-price
    growth. None when one of them cannot be read (the issue is recorded)."""
    submitted_text = cell(row, "submitted")
    declared = parse_date(submitted_text) if submitted_text else sheet_submitted_on
    if submitted_text and declared is None:
        issue(
            "submitted", submitted_text, "bad_submission_date",
            "报送日期无法识别", "the submission date cannot be read",
            "日期，如 2024-01-15 或 2024年1月15日", "a date such as 2024-01-15 or 2024年1月15日",
        )  # fmt: skip
        return None
    stage_text = cell(row, "estimate")
    stage = ESTIMATE_STAGES.get(stage_text.casefold()) if stage_text else None
    if stage_text and stage is None:
        issue(
            "estimate", stage_text, "bad_estimate_stage",
            "无法识别的数据性质", "the estimate stage cannot be read",
            "初步核算、预计、快报（初步数）或 最终核实（最终数），或留空",
            "初步核算, 预计 or 快报 (preliminary), 最终核实 (final), or blank",
        )  # fmt: skip
        return None
    growth_text = cell(row, "growth").replace(",", "").removesuffix("%")
    if growth_text and growth_text not in PLACEHOLDERS and not _NUMBER.match(growth_text):
        issue(
            "growth", cell(row, "growth"), "bad_growth",
            "可比价增速不是数字", "the comparable-price growth rate is not a number",
            "百分数，如 7.5 表示增长 7.5%", "a percentage, such as 7.5 for 7.5% growth",
        )  # fmt: skip
        return None
    growth = float(growth_text) if growth_text and growth_text not in PLACEHOLDERS else None
    if growth is not None and not -100 < growth < 1000:
        issue(
            "growth", cell(row, "growth"), "impossible_growth",
            "可比价增速超出合理范围", "the comparable-price growth rate is implausible",
            "-100 至 1000 之间的百分数", "a percentage between -100 and 1000",
        )  # fmt: skip
        return None
    return {"comparable_growth_pct": growth, "estimate_stage": stage, "submitted_on": declared}


def _impossible(value: float | None, target: Target) -> tuple[str, ...] | None:
    """Values no indicator of this kind can take (negative counts, shares above 100%)."""
    if value is None:
        return None
    fam = target.unit_family
    if target.nonnegative and value < 0:
        return (
            "impossible_value",
            "数值不能为负数",
            "the value cannot be negative",
            "不小于 0 的数",
            "a number ≥ 0",
        )
    if fam == "rank" and value < 1:
        return (
            "impossible_value",
            "名次应从 1 开始",
            "a rank starts at 1",
            "不小于 1 的整数",
            "a whole number ≥ 1",
        )
    is_growth = target.indicator_code.endswith("_growth")
    if fam == "percent" and not is_growth and not 0 <= value <= 100:
        return (
            "impossible_value",
            "比重不能超出 0–100%",
            "a share cannot be outside 0–100%",
            "0 至 100 之间的数",
            "a number from 0 to 100",
        )
    if fam == "percent" and is_growth and value < -100:
        return ("impossible_value", "下降不能超过 100%", "a fall cannot exceed 100%", "不小于 -100 的百分数",
                "a percentage ≥ -100")  # fmt: skip
    bound = target.plausible_max
    if bound is not None and abs(value) > bound:
        limit = f"{plain_number(bound)} {target.unit}"
        return (
            "implausible_value",
            f"数值 {plain_number(value)} {target.unit} 超出该指标的合理范围，可能是单位或小数点有误",
            f"{plain_number(value)} {target.unit} is beyond what this indicator can plausibly be: "
            "check the unit and the decimal point",
            f"绝对值不超过 {limit}（目标值的 {PLAUSIBLE_FACTOR} 倍；确属实的，请在 plan.yaml 中为该指标设 max_value）",
            f"a magnitude up to {limit} ({PLAUSIBLE_FACTOR} times the target; if the figure is "
            "right, set max_value for the indicator in plan.yaml)",
        )
    if target.kind == "milestone" and value not in (0, 1):
        return ("impossible_value", "里程碑只能填“是”或“否”", "a milestone is either yes or no",
                "是 / 1（已实现）或 否 / 0（未实现）", "是 / 1 (achieved) or 否 / 0 (not yet)")  # fmt: skip
    return None


def _check_duplicates(records: list[dict], result: FileResult) -> None:
    """Two different values for one indicator and period in one file."""
    seen: dict[tuple, dict] = {}
    for record in records:
        key = (record["region_code"], record["indicator_code"], record["period"])
        first = seen.setdefault(key, record)
        if first is record or first["value"] == record["value"]:
            continue
        where_zh, where_en = f"第{first['source_row']}行", f"row {first['source_row']}"
        if first["source_sheet"] != "csv":
            where_zh = f"工作表「{shown(first['source_sheet'])}」{where_zh}"
            where_en = f"sheet '{shown(first['source_sheet'])}' {where_en}"
        result.issues.append(
            Issue(
                result.file, "conflicting_duplicate",
                f"{record['indicator_code']} {record['period']} 在本文件中已有不同的数值"
                f"（{where_zh}：{shown(first['value_text'])}）",
                f"{record['indicator_code']} {record['period']} already has a different value "
                f"in this file ({where_en}: {shown(first['value_text'])})",
                sheet=None if record["source_sheet"] == "csv" else record["source_sheet"],
                row=record["source_row"],
                column=record["_value_column"],
                value=record["value_text"],
                expected_zh="每个指标每个时期只填一个数值",
                expected_en="one value per indicator and period",
            )
        )  # fmt: skip


def read_submissions(
    paths: Iterable[Path],
    raw_dir: Path,
    catalog: Catalog,
    skip: Container[tuple[str, str]] = (),
    limits: ReadLimits | None = None,
    region: str | None = None,
    checksums: dict[str, str] | None = None,
) -> list[FileResult]:
    """Read and check many files, one result each, in file order, within `limits` (the
    defaults unless given).

    A file version in `skip`, a (path relative to `raw_dir`, SHA-256) pair, was read
    before and is passed over; each file is read from disk once either way. `checksums`,
    if given, receives the version's checksum of every file looked at, passed over or not.
    """
    results = []
    limits = limits or ReadLimits()
    max_bytes = limits["PLAN_MAX_FILE_BYTES"]
    for path in paths:
        label = source_label(path, raw_dir)
        reason = not_read_because(path, max_bytes)
        if reason is not None:
            result = _unread(path, label, reason)
            if checksums is not None:
                checksums[label] = result.checksum
            if (label, result.checksum) not in skip:
                results.append(result)
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            results.append(
                _unread(
                    path,
                    label,
                    (
                        "unreadable",
                        f"无法读取（{type(error).__name__}）",
                        f"cannot be read ({type(error).__name__})",
                    ),
                )
            )
            continue
        checksum = _checksum(data)
        if checksums is not None:
            checksums[label] = checksum
        if (label, checksum) in skip:
            continue
        try:
            results.append(_check_file(path, label, data, checksum, catalog, limits, region))
        except Exception as error:  # noqa: BLE001 - whatever breaks, it breaks one file only
            result = FileResult(file=label, checksum=checksum, size_bytes=len(data))
            result.issues.append(
                Issue(label, "reading_failed", f"读取时出错，文件未载入（{type(error).__name__}）",
                      f"reading the file failed, nothing was loaded ({type(error).__name__}: "
                      f"{shown(error)})")
            )  # fmt: skip
            results.append(result)
    return results


@dataclass
class Submissions:
    """Many files read: one result each, in file order, and one table of the observations
    of every file that had no problem when read."""

    results: list[FileResult]
    observations: pl.DataFrame
    # The checksum of the version found at every path looked at, read or passed over.
    checksums: dict[str, str] = field(default_factory=dict)

    def accepted_observations(self) -> pl.DataFrame:
        """The observations of the files still accepted (validation may reject more). The
        rejected files' rows are dropped from `observations` too: one table, not two."""
        rejected = [r.file for r in self.results if not r.accepted]
        if rejected:
            self.observations = self.observations.filter(~pl.col("source_file").is_in(rejected))
        return self.observations


# Files per task: each task hands back one table, not Python records (sending records
# between processes costs as much as reading the files).
CHUNK_FILES = 2_000
# Below this many files not read before, starting worker processes (each imports Polars and
# this module) costs more than it saves (README, Performance).
PARALLEL_FROM_FILES = 4_000


def _read_chunk(
    paths: list[str],
    raw_dir: Path,
    catalog: Catalog,
    skip: Container[tuple[str, str]],
    limits: ReadLimits | None,
) -> Submissions:
    checksums: dict[str, str] = {}
    results = read_submissions(
        map(Path, paths), raw_dir, catalog, skip, limits, checksums=checksums
    )
    observations = accepted_observations(results)
    for result in results:
        result.records = []
    return Submissions(results, observations, checksums)


_worker_arguments: tuple = ()


def _start_worker(
    raw_dir: Path, catalog: Catalog, skip: Container[tuple[str, str]], limits: ReadLimits | None
) -> None:
    global _worker_arguments  # noqa: PLW0603 - one worker process, one landing zone
    _worker_arguments = (raw_dir, catalog, skip, limits)


def _read_chunk_in_worker(paths: list[str]) -> Submissions:
    part = _read_chunk(paths, *_worker_arguments)
    # The chunk's records are garbage once its table is built: a worker that kept the freed
    # heap of every chunk it read would hold as much as the parent by the end.
    release_memory()
    return part


def read_all_submissions(
    paths: Iterable[Path | str],
    raw_dir: Path,
    catalog: Catalog,
    skip: Collection[tuple[str, str]] = (),
    processes: int | None = None,
    parallel_from: int = PARALLEL_FROM_FILES,
    limits: ReadLimits | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Submissions:
    """`read_submissions` for a landing zone of any size, in one process per core when
    many files are new (by path: a revised file at a known path is found by its checksum
    in any case). The same files give the same results and table either way. `progress`,
    if given, is told (files done, files in all) after each chunk of files. Paths may be
    given as text: each chunk's are made `Path`s where it is read (at province scale,
    220,000 of them cost the parent 1.7 s before any worker started)."""
    paths = [str(path) for path in paths]
    processes = processes or cores()
    chunks = [paths[start : start + CHUNK_FILES] for start in range(0, len(paths), CHUNK_FILES)]
    known_paths = {path for path, _ in skip}
    new = (
        sum(1 for path in paths if source_label(Path(path), raw_dir) not in known_paths)
        if skip
        else len(paths)
    )
    parts: list[Submissions] = []

    def done(part: Submissions) -> None:
        parts.append(part)
        if progress is not None:
            progress(min(len(parts) * CHUNK_FILES, len(paths)), len(paths))

    if processes < 2 or new < parallel_from:
        for chunk in chunks:
            done(_read_chunk(chunk, raw_dir, catalog, skip, limits))
    else:
        with ProcessPoolExecutor(
            processes,
            mp_context=spawn_context(),
            initializer=_start_worker,
            initargs=(raw_dir, catalog, skip, limits),
        ) as pool:
            for part in pool.map(_read_chunk_in_worker, chunks):
                done(part)
    return Submissions(
        results=[result for part in parts for result in part.results],
        observations=pl.concat([part.observations for part in parts])
        if parts
        else empty_observations(),
        checksums={label: sum_ for part in parts for label, sum_ in part.checksums.items()},
    )


def accepted_observations(results: Iterable[FileResult]) -> pl.DataFrame:
    """The observations of every accepted file, in one table."""
    return _records_frame([record for r in results if r.accepted for record in r.records])


def _records_frame(records: list[dict]) -> pl.DataFrame:
    if not records:
        return empty_observations()
    return pl.DataFrame(records, schema=OBSERVATION_SCHEMA, orient="row")


LOG_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_checksum": pl.String(),
    "size_bytes": pl.Int64(),
    "region_code": pl.String(),
    "department_code": pl.String(),
    "status": pl.String(),
    "rows_read": pl.Int64(),
    "rows_accepted": pl.Int64(),
    "rows_rejected": pl.Int64(),
    "issue_count": pl.Int64(),
    "errors": pl.String(),
}


def submission_log(results: Iterable[FileResult]) -> pl.DataFrame:
    """One row per file read: its checksum, department, counts and every error message."""
    rows = []
    for r in results:
        bad_rows = {(i.sheet, i.row) for i in r.issues if i.row is not None}
        rows.append(
            {
                "source_file": r.file,
                "source_checksum": r.checksum,
                "size_bytes": r.size_bytes,
                "region_code": r.region_code,
                "department_code": r.department_code,
                "status": r.status,
                "rows_read": r.rows_read + len(bad_rows),
                "rows_accepted": r.observation_count if r.accepted else 0,
                "rows_rejected": len(bad_rows),
                "issue_count": len(r.issues),
                "errors": "\n".join(i.message() for i in r.issues) or None,
            }
        )
    return pl.DataFrame(rows, schema=LOG_SCHEMA, orient="row")


_FILE_DATE = re.compile(r"(20\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])")


def submitted_on(file: str) -> dt.date | None:
    """The submission date a file's name carries (`..._2024-03-15.csv`), if any."""
    match = _FILE_DATE.search(file.rpartition("/")[2])
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def with_vintage(frame: pl.DataFrame, loaded_at: dt.datetime) -> pl.DataFrame:
    """Stamp each observation with when it was loaded. Its vintage date is the submission
    date the file declares (`submitted_on`), else this time."""
    return frame.with_columns(loaded_at=pl.lit(loaded_at, dtype=pl.Datetime("us", "UTC")))


def reject_failed_rows(results: list[FileResult], report: ValidationReport) -> None:
    """Reject the files whose rows failed the Great Expectations suite, naming each row."""
    by_file = {r.file: r for r in results}
    for failure in report.failed:
        for row in failure.failing_rows:
            result = by_file.get(row.get("source_file"))
            if result is None:
                continue
            result.issues.append(
                Issue(
                    result.file, "contract",
                    f"未通过数据契约校验（{failure.expectation}）",
                    f"fails the data contract ({failure.expectation}"
                    f"{' on ' + failure.column if failure.column else ''})",
                    sheet=None if row.get("source_sheet") == "csv" else row.get("source_sheet"),
                    row=row.get("source_row"), column=failure.column,
                    value=None if failure.column is None else str(row.get(failure.column)),
                    expected_zh=failure.notes, expected_en=failure.notes,
                )
            )  # fmt: skip
        if not failure.failing_rows:
            for result in results:
                if result.accepted and result.observation_count:
                    result.issues.append(
                        Issue(result.file, "contract", f"未通过数据契约校验（{failure.expectation}）",
                              f"fails the data contract ({failure.describe()})")
                    )  # fmt: skip
