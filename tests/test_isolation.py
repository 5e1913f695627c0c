"""Native readers in a worker process: a crash, a hang or a runaway allocation costs one file."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import xlsxwriter

from pipelines.ingest.isolation import IsolatedFailure, IsolatedWorker
from pipelines.ingest.readers.base import ReadLimits
from pipelines.ingest.submissions import Catalog, read_submissions
from pipelines.plans.registry import find_plan_folders, read_registry
from tests.conftest import SAMPLE_RAW_DIR


def double_or_abort(value: int) -> int:
    if value == 0:
        os.abort()  # as a native library does when an allocation fails
    return 2 * value


def sleep_long(_: object) -> None:
    time.sleep(60)


def allocate(_: object) -> int:
    return len(bytearray(8 * 1024**3))


def test_a_worker_that_dies_or_hangs_fails_that_call_only() -> None:
    worker = IsolatedWorker(double_or_abort, memory_bytes=2 * 1024**3, seconds=20)
    try:
        assert worker.call(21) == 42
        with pytest.raises(IsolatedFailure) as crashed:
            worker.call(0)
        assert crashed.value.kind == "crashed"
        assert worker.call(1) == 2  # a new worker took over
    finally:
        worker.close()

    slow = IsolatedWorker(sleep_long, memory_bytes=2 * 1024**3, seconds=2)
    started = time.monotonic()
    with pytest.raises(IsolatedFailure) as hung:
        slow.call(None)
    assert hung.value.kind == "timed_out" and time.monotonic() - started < 30
    slow.close()

    greedy = IsolatedWorker(allocate, memory_bytes=2 * 1024**3, seconds=60)
    with pytest.raises(IsolatedFailure) as greedy_failure:
        greedy.call(None)
    assert greedy_failure.value.kind == "out_of_memory"
    greedy.close()


def test_a_workbook_that_crashes_the_reader_is_rejected_and_the_others_load(
    tmp_path: Path,
) -> None:
    catalog = Catalog(read_registry(find_plan_folders(SAMPLE_RAW_DIR), SAMPLE_RAW_DIR))
    folder = tmp_path / "submissions" / "420881"
    folder.mkdir(parents=True)
    # One cell at XFD1048576: the reader allocates the whole grid from A1 and aborts.
    crashing = folder / "far_cell.xlsx"
    workbook = xlsxwriter.Workbook(str(crashing))
    sheet = workbook.add_worksheet("数据")
    sheet.write_row(0, 0, ["指标代码", "时期", "数值", "单位"])
    sheet.write(1_048_575, 16_383, "x")
    workbook.close()
    good = folder / "good.xlsx"
    workbook = xlsxwriter.Workbook(str(good))
    sheet = workbook.add_worksheet("数据")
    sheet.write_row(0, 0, ["指标代码", "时期", "数值", "单位"])
    sheet.write_row(1, 0, ["gdp", "2025", 801.5, "亿元"])
    workbook.close()
    # Let it past the check of the sheet's extent, to reach the native reader.
    limits = ReadLimits({"PLAN_MAX_CELLS": 10**12})

    results = read_submissions([crashing, good], tmp_path, catalog, limits=limits)

    assert [(Path(r.file).name, r.accepted) for r in results] == [
        ("far_cell.xlsx", False), ("good.xlsx", True),
    ]  # fmt: skip
    (issue,) = results[0].issues
    assert issue.code in {"reader_crashed", "reader_out_of_memory"}, issue.message()
    assert "PLAN_MAX_READER_MEMORY" in issue.message()
    assert results[1].observations.select("value").rows() == [(801.5,)]
