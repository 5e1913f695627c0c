"""The benchmark at a tiny scale: the generator's files pass the contract, and the floor
agrees with the pipeline it is measured against."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import settings
from pipelines.ingest.submissions import Catalog, find_submission_files, read_submissions
from pipelines.outputs.report import build_reports
from pipelines.plans.registry import find_plan_folders, read_registry
from tests.tools import bench


def files_of(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_the_generator_writes_every_target_for_every_region_deterministically(
    tmp_path: Path,
) -> None:
    counts = bench.generate(tmp_path / "a", 2, xlsx_share=0.25, gbk_share=0.25)
    bench.generate(tmp_path / "b", 2, xlsx_share=0.25, gbk_share=0.25)
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")

    raw = tmp_path / "a"
    registry = read_registry(find_plan_folders(raw), raw)
    assert registry.group_by("region_code").len().sort("region_code").rows() == [
        ("980001", 59),
        ("980002", 59),
    ]
    files = find_submission_files(raw)
    # One file per region, department and year, in all three formats.
    groups = bench.baseline().select("department_code", "period_year").unique()
    assert groups["department_code"].n_unique() == registry["department_code"].n_unique() == 14
    assert set(groups["period_year"]) == set(range(2020, 2026))
    assert len(files) == counts["files"] == 2 * groups.height
    assert {p.suffix for p in files} == {".csv", ".xlsx"} and 0 < counts["gbk"] < counts["files"]
    results = read_submissions(files, raw, Catalog(registry))
    assert [r.file for r in results if not r.accepted] == []
    rows = pl.concat([r.observations for r in results])
    assert rows.height == counts["rows"]
    # Every registered target of every region has figures, with months or quarters where
    # the sample reports them so.
    reported = set(rows.select("region_code", "indicator_code").unique().rows())
    assert reported == set(registry.select("region_code", "indicator_code").rows())
    assert {"ytd", "quarter", "year"} <= set(rows["period_type"])

    # A revision (`bench run --incremental`) changes a figure and leaves the file valid:
    # a milestone's yes or no is never scaled.
    csv_files = [p for p in files if p.suffix == ".csv"]
    revised = bench.change_files(raw, len(csv_files))
    assert sum(path.read_bytes() != files_of(tmp_path / "b")[path.relative_to(raw).as_posix()]
               for path in revised) >= len(csv_files) // 2  # GBK files are left as they are  # fmt: skip
    results = read_submissions(revised, raw, Catalog(registry))
    assert [r.file for r in results if not r.accepted] == []


def test_the_benchmark_run_and_its_floor_agree_with_the_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest: Path
) -> None:
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    # bench.run points the environment at its own directories; restore it afterwards.
    monkeypatch.setenv(settings.RAW_DIR_ENV, str(raw))
    monkeypatch.setenv(settings.WAREHOUSE_DIR_ENV, str(warehouse))
    bench.generate(raw, 2)

    result = bench.run(raw, warehouse, incremental=[1, 3])

    assert result.success
    # One revised file, then three: the sensor starts the submissions job for each, which
    # opens the revised files only and rebuilds their regions (one, then both).
    first, second = result.incremental
    assert (first.files, first.job, first.files_opened) == (1, "load_submissions", 1)
    assert first.build == "incremental, 1 region(s) (1 of 2 regions changed)"
    assert second.files == 3 and second.job == "load_submissions"
    assert second.build.startswith("full (2 of 2 regions changed")
    for step in result.incremental:
        assert 0 <= step.sensor_seconds <= step.run_seconds and step.peak_mib > 0
    assert [stage.name for stage in result.stages] == list(bench.STAGES)
    assert all(stage.seconds >= 0 and stage.peak_mib > 0 for stage in result.stages), result.stages
    assert result.total_seconds >= sum(stage.seconds for stage in result.stages) * 0.99
    assert result.floor_files == result.files and result.floor_observations == result.observations
    with duckdb.connect(str(warehouse / "indicators.duckdb"), read_only=True) as connection:
        pipeline = {
            (region, code, period): (actual, met)
            for region, code, period, actual, met in connection.execute(
                "select region_code, indicator_code, period, actual_value, is_met "
                "from marts.mart_attainment_history"
            ).fetchall()
        }
    assert len(result.floor_attainment) > 2 * 20
    for region, code, period, actual, met in result.floor_attainment:
        assert pipeline[(region, code, period)] == (pytest.approx(actual), met), (region, code)
    assert (warehouse / "bench.json").exists()
    # The report's pages for a province are shared among processes: the same pages.
    published = warehouse / "indicators.duckdb"
    one = build_reports(published, tmp_path / "one", processes=1)
    two = build_reports(published, tmp_path / "two", processes=2, parallel_from_pages=1)
    # More shares than processes: a process draws several in turn.
    shares = build_reports(published, tmp_path / "shares", processes=1, share_pages=1)
    assert len(one) == 3 and [p.name for p in one] == [p.name for p in two]
    assert [p.name for p in shares] == [p.name for p in one]
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")
    assert files_of(tmp_path / "one") == files_of(tmp_path / "shares")
