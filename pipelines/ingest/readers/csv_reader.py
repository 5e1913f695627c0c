"""CSV files: UTF-8 (with or without BOM), GBK or GB18030; line, cell and column limits
checked before the text is parsed."""

from __future__ import annotations

import csv
import io

from pipelines.ingest.readers.base import (
    Collector,
    Grid,
    Issue,
    ReadLimits,
    clean,
    column_letter,
    decode_text,
    over_limit,
    shown,
)

SUFFIX = ".csv"


def read(data: bytes, result: Collector, limits: ReadLimits) -> list[Grid]:
    """The file as one grid named `csv`; problems are recorded on `result`."""
    text = decode_text(data)
    if text is None:
        result.issues.append(
            Issue(result.file, "encoding", "无法识别文件编码",
                  "cannot decode the file (expected UTF-8 or GBK/GB18030)")
        )  # fmt: skip
        return []
    if "\x00" in text:
        result.issues.append(
            Issue(result.file, "not_a_spreadsheet", "不是 CSV 文本文件", "not a CSV text file")
        )
        return []
    longest = max(map(len, text.splitlines()), default=0)
    if longest > limits["PLAN_MAX_LINE_CHARS"]:
        return over_limit(result, "PLAN_MAX_LINE_CHARS", longest, limits)
    field_limit = limits["PLAN_MAX_FIELD_CHARS"]
    csv.field_size_limit(field_limit)
    try:
        rows = [[clean(cell) for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        if "field larger" in str(error):
            return over_limit(result, "PLAN_MAX_FIELD_CHARS", field_limit + 1, limits)
        result.issues.append(
            Issue(result.file, "bad_csv", f"不是有效的 CSV（{shown(error)}）", f"not a valid CSV file ({shown(error)})")
        )  # fmt: skip
        return []
    width = max((len(row) for row in rows), default=0)
    if width > limits["PLAN_MAX_COLUMNS"]:
        return over_limit(result, "PLAN_MAX_COLUMNS", width, limits)
    return [("csv", rows, [column_letter(i) for i in range(width)])]
