"""Excel workbooks (.xlsx). Before anything parses a workbook, its zip parts are looked at:
their size unzipped, compression ratios and each sheet's extent, so that a zip bomb or a
sheet of billions of cells is rejected unexpanded. The workbook is then parsed in an isolated
worker process (`pipelines.ingest.isolation`), where a crash, an allocation beyond the memory cap or
a hang costs this one file. `xlsx_cells` reads the cells as Excel displays them."""

from __future__ import annotations

import io
import re

from pipelines.ingest.isolation import IsolatedFailure, IsolatedWorker
from pipelines.ingest.readers.base import (
    Collector,
    Grid,
    Issue,
    ReadLimits,
    column_index,
    column_letter,
    over_limit,
    shown,
)
from pipelines.ingest.readers.xlsx_cells import load_workbook

SUFFIX = ".xlsx"

_CELL_REF = re.compile(rb'<(?:\w+:)?c [^>]*?r="([A-Z]{1,3})([0-9]{1,7})"')
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def _check_workbook_parts(data: bytes, result: Collector, limits: ReadLimits) -> bool:
    """Look inside a workbook before it is parsed: the zip's parts unzipped, their
    compression ratios and each sheet's extent (from A1 to its last cell), so that a zip
    bomb or a sheet of billions of cells is rejected without being expanded."""
    import zipfile
    import zlib

    def damaged(error: Exception) -> bool:
        name = type(error).__name__
        result.issues.append(
            Issue(result.file, "corrupt_workbook", f"工作簿已损坏，无法读取（{name}）",
                  f"the workbook is damaged and cannot be read ({name})")
        )  # fmt: skip
        return False

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        return damaged(error)
    unzipped = sum(part.file_size for part in parts)
    if unzipped > limits["PLAN_MAX_UNZIPPED_BYTES"]:
        over_limit(result, "PLAN_MAX_UNZIPPED_BYTES", unzipped, limits)
        return False
    for part in parts:
        ratio = part.file_size // max(part.compress_size, 1)
        if part.file_size > 1024 * 1024 and ratio > limits["PLAN_MAX_ZIP_RATIO"]:
            over_limit(result, "PLAN_MAX_ZIP_RATIO", ratio, limits, sheet=shown(part.filename))
            return False
    for part in parts:
        if not _SHEET_PART.match(part.filename):
            continue
        columns = rows = 0
        tail = b""
        try:
            with archive.open(part) as stream:
                while chunk := stream.read(1 << 20):
                    block = tail + chunk
                    for letters, number in _CELL_REF.findall(block):
                        columns = max(columns, column_index(letters) + 1)
                        rows = max(rows, int(number))
                    tail = block[-64:]
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as error:
            return damaged(error)
        if columns * rows > limits["PLAN_MAX_CELLS"]:
            last = f"{column_letter(columns - 1)}{rows}"
            over_limit(
                result, "PLAN_MAX_CELLS", columns * rows, limits, sheet=f"{part.filename} A1:{last}"
            )
            return False
    return True


def read(data: bytes, result: Collector, limits: ReadLimits) -> list[Grid]:
    """Every non-empty sheet of the workbook; problems are recorded on `result`."""

    def reject(code: str, zh: str, en: str) -> list[Grid]:
        result.issues.append(Issue(result.file, code, zh, en))
        return []

    if data[:4] == b"\xd0\xcf\x11\xe0":
        return reject(
            "encrypted_or_xls",
            "工作簿已加密（设置了打开密码）或为旧版 .xls 格式，请取消密码并另存为 .xlsx",
            "the workbook is password-protected or an old .xls file; remove the password "
            "and save it as .xlsx",
        )
    if data[:2] != b"PK":
        return reject("not_a_spreadsheet", "不是 Excel 工作簿", "not an Excel workbook (.xlsx)")
    if not _check_workbook_parts(data, result, limits):
        return []
    try:
        return _workbook_worker(limits).call(data)
    except IsolatedFailure as failure:
        if failure.kind == "error":  # fastexcel's own exception: a damaged workbook
            name, _, text = failure.detail.partition(": ")
            first = text.strip().splitlines()[0] if text.strip() else ""
            return reject(
                "corrupt_workbook",
                f"工作簿已损坏，无法读取（{name}）",
                f"the workbook is damaged and cannot be read ({name}: {shown(first)})",
            )
        how_zh, how_en = {
            "timed_out": (f"超过 {failure.detail} 仍未读完", f"took longer than {failure.detail}"),
            "out_of_memory": ("所需内存超过上限", "needed more memory than allowed"),
        }.get(
            failure.kind,
            (f"读取程序崩溃（{failure.detail}）", f"crashed the reader ({failure.detail})"),
        )
        result.issues.append(
            Issue(result.file, f"reader_{failure.kind}", f"工作簿{how_zh}，未载入",
                  f"the workbook {how_en}; nothing was loaded",
                  expected_zh=f"正常的 .xlsx 工作簿（上限由 {MEMORY} 与 {SECONDS} 设置）",
                  expected_en=f"an ordinary .xlsx workbook (limits set by {MEMORY} and {SECONDS})")
        )  # fmt: skip
        return []


MEMORY, SECONDS = "PLAN_MAX_READER_MEMORY", "PLAN_MAX_SECONDS_PER_FILE"
_WORKBOOK_WORKER: IsolatedWorker | None = None


def _workbook_worker(limits: ReadLimits) -> IsolatedWorker:
    """This process's workbook reader, started on the first workbook and reused while the
    limits stay the same."""
    global _WORKBOOK_WORKER  # noqa: PLW0603 - one reader per process
    memory, seconds = limits[MEMORY], limits[SECONDS]
    worker = _WORKBOOK_WORKER
    if worker is None or (worker.memory_bytes, worker.seconds) != (memory, seconds):
        if worker is not None:
            worker.close()
        _WORKBOOK_WORKER = worker = IsolatedWorker(load_workbook, memory, seconds)
    return worker
