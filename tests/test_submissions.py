"""Reading submissions as departments send them, and rejecting what breaks the contract."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipelines.ingest import submissions
from pipelines.ingest.readers.base import ReadLimits
from pipelines.ingest.submissions import (
    OBSERVATION_SCHEMA,
    Catalog,
    FileResult,
    accepted_observations,
    find_submission_files,
    read_submission,
    read_submissions,
    submission_log,
)
from pipelines.plans.periods import parse_period
from pipelines.plans.registry import find_plan_folders, read_registry
from tests.conftest import REPO_ROOT, SAMPLE_RAW_DIR


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(read_registry(find_plan_folders(SAMPLE_RAW_DIR), SAMPLE_RAW_DIR))


def write(raw_dir: Path, relative: str, data: bytes) -> Path:
    path = raw_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def check(
    tmp_path: Path, catalog: Catalog, text: str, encoding: str = "utf-8", **limits: int
) -> FileResult:
    path = write(tmp_path, "submissions/420881/file.csv", text.encode(encoding))
    return read_submission(path, tmp_path, catalog, ReadLimits(limits))


def rows(result: FileResult, *columns: str) -> list[tuple]:
    return result.observations.select(columns).rows()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_give_the_same_rows(tmp_path: Path, catalog: Catalog, encoding: str) -> None:
    result = check(
        tmp_path, catalog, '指标代码,时期,数值,单位\ngdp,2023,"1,712.4",亿元\n', encoding
    )

    assert result.accepted, result.report()
    assert rows(result, "indicator_code", "period", "value", "value_text", "source_row") == [
        ("gdp", "2023", 1712.4, "1,712.4", 2)
    ]


@pytest.mark.parametrize(
    ("written", "period", "period_type"),
    [
        ("2023", "2023", "year"),
        ("2023年", "2023", "year"),
        ("2023-Q2", "2023-Q2", "quarter"),
        ("2023年二季度", "2023-Q2", "quarter"),
        ("2023-06", "2023-06", "month"),
        ("2023年6月", "2023-06", "month"),
        ("2023年1-6月", "2023-YTD-06", "ytd"),
        ("２０２３年６月", "2023-06", "month"),
    ],
)
def test_period_spellings(
    tmp_path: Path, catalog: Catalog, written: str, period: str, period_type: str
) -> None:
    result = check(tmp_path, catalog, f"指标代码,时期,数值,单位\ngdp,{written},100,亿元\n")

    assert rows(result, "period", "period_type") == [(period, period_type)]


def test_a_messy_workbook_is_read_like_a_clean_one(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "submissions" / "420881" / "统计月报.xlsx"
    path.parent.mkdir(parents=True)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("2023年报")
    sheet.merge_range("B1:E1", "钟祥市主要经济指标（合成样例）")
    sheet.write("B2", "单位：万元")
    sheet.merge_range("B3:B4", "指标名称")  # a header merged over two rows
    sheet.merge_range("C3:D3", "本期")
    sheet.write("C4", "时期")
    sheet.write("D4", "数值")
    sheet.write("E3", "备注")
    sheet.write_row("B5", ["地区生产总值", "2023年", "７，１２４，０００"])  # full-width digits
    sheet.write_row("B6", ["绿色磷化产业产值", "2023年", 3_760_000])
    sheet.write_row("B7", ["长寿食品产业产值", "2023年", "—", "暂无统计"])
    sheet.write("B9", "注：本表数据为合成样例。")
    sheet.write("B10", "填报人：张三")
    workbook.add_worksheet("说明").write("A1", "本工作簿的第一张表为数据表。")
    workbook.close()

    result = read_submission(path, tmp_path, catalog)

    assert result.accepted, result.report()
    assert rows(
        result, "indicator_code", "value", "unit", "value_original", "unit_original",
        "missing_reason", "source_sheet", "source_row",
    ) == [
        ("gdp", 712.4, "亿元", 7_124_000.0, "万元", None, "2023年报", 5),
        ("green_phosphorus_output", 376.0, "亿元", 3_760_000.0, "万元", None, "2023年报", 6),
        ("longevity_food_output", None, "亿元", None, "万元", "placeholder —", "2023年报", 7),
    ]  # fmt: skip


def test_units_of_the_same_family_are_converted(tmp_path: Path, catalog: Catalog) -> None:
    text = (
        "指标代码,时期,数值,单位\n"
        "afforestation,2023,8000,亩\n"
        "forest_quality_improvement,2023,12,平方公里\n"
        "hidden_champions,2023,12,个\n"
    )
    result = check(tmp_path, catalog, text)

    assert rows(result, "indicator_code", "value", "unit") == [
        ("afforestation", 0.8, "万亩"),
        ("forest_quality_improvement", 1200.0, "公顷"),
        ("hidden_champions", 12.0, "家"),
    ]


FILE = "submissions/420881/file.csv"
REJECTIONS = [
    (
        "gpd,2023,1,亿元",
        "unknown_indicator",
        f"{FILE} 第3行 列「指标代码(A)」：值「gpd」，规划登记表中没有这个指标；"
        "应为登记表中的指标代码或指标的中文全称（见 README 指标表）。\n"
        f"    {FILE}, row 3, column '指标代码(A)': value 'gpd': this indicator is not in the plan "
        "registry; expected an indicator code or the exact Chinese name from the registry (see "
        "the README).",
    ),
    (
        "gdp,2023,712,吨",
        "bad_unit",
        f"{FILE} 第3行 列「单位(D)」：值「吨」，单位无法换算为该指标的单位；应为与「亿元」同类的单位。\n"
        f"    {FILE}, row 3, column '单位(D)': value '吨': the unit cannot be converted to the "
        "indicator's unit 亿元; expected a unit of the same kind as '亿元'.",
    ),
    (
        "gdp,2023,712,",
        "bad_unit",
        f"{FILE} 第3行 列「单位(D)」，缺少单位；应为与「亿元」同类的单位。\n"
        f"    {FILE}, row 3, column '单位(D)': the unit is missing; expected a unit of the same "
        "kind as '亿元'.",
    ),
    (
        "gdp,2023,七百,亿元",
        "not_a_number",
        f"{FILE} 第3行 列「数值(C)」：值「七百」，数值不是数字；应为数字（可带千位分隔符），或用 — 表示暂无数据。\n"
        f"    {FILE}, row 3, column '数值(C)': value '七百': the value is not a number; expected a "
        "number (thousands separators allowed), or — for not available.",
    ),
    (
        "gdp,2023-13,1,亿元",
        "bad_period",
        f"{FILE} 第3行 列「时期(B)」：值「2023-13」，无法识别的时期；应为以下写法之一：2023, 2023-Q2, "
        "2023-06, 2023年, 2023年二季度, 2023年6月, 2023年1-6月（里程碑也可填日期：2023-06-18, "
        "2023年6月18日）。\n"
        f"    {FILE}, row 3, column '时期(B)': value '2023-13': the period cannot be read; "
        "expected one of 2023, 2023-Q2, 2023-06, 2023年, 2023年二季度, 2023年6月, 2023年1-6月 "
        "(for a milestone also a day: 2023-06-18, 2023年6月18日).",
    ),
    (
        "gdp,2040,1,亿元",
        "period_out_of_range",
        f"{FILE} 第3行 列「时期(B)」：值「2040」，时期超出范围；应为2015至2035年之间。\n"
        f"    {FILE}, row 3, column '时期(B)': value '2040': the period is outside the accepted "
        "years; expected a year from 2015 to 2035.",
    ),
    (
        "hidden_champions,2023,-3,家",
        "impossible_value",
        f"{FILE} 第3行 列「数值(C)」：值「-3」，数值不能为负数；应为不小于 0 的数。\n"
        f"    {FILE}, row 3, column '数值(C)': value '-3': the value cannot be negative; "
        "expected a number ≥ 0.",
    ),
    (
        "urbanization_rate,2023,160,%",
        "impossible_value",
        f"{FILE} 第3行 列「数值(C)」：值「160」，比重不能超出 0–100%；应为0 至 100 之间的数。\n"
        f"    {FILE}, row 3, column '数值(C)': value '160': a share cannot be outside 0–100%; "
        "expected a number from 0 to 100.",
    ),
    (
        "county_economy_top100,2023,0,位",
        "impossible_value",
        f"{FILE} 第3行 列「数值(C)」：值「0」，名次应从 1 开始；应为不小于 1 的整数。\n"
        f"    {FILE}, row 3, column '数值(C)': value '0': a rank starts at 1; expected a whole "
        "number ≥ 1.",
    ),
    (
        "scenic_area_5a,2023,2,是/否",
        "impossible_value",
        f"{FILE} 第3行 列「数值(C)」：值「2」，里程碑只能填“是”或“否”；应为是 / 1（已实现）或 否 / 0（未实现）。\n"
        f"    {FILE}, row 3, column '数值(C)': value '2': a milestone is either yes or no; "
        "expected 是 / 1 (achieved) or 否 / 0 (not yet).",
    ),
    (
        "scenic_area_5a,2023,也许,",
        "not_a_number",
        f"{FILE} 第3行 列「数值(C)」：值「也许」，数值不是数字；应为是、否、1 或 0，或用 — 表示暂无数据。\n"
        f"    {FILE}, row 3, column '数值(C)': value '也许': the value is not a number; expected "
        "是 (yes), 否 (no), 1 or 0, or — for not available.",
    ),
    (
        "gdp,2023,700,亿元\ngdp,2023年,701,亿元",
        "conflicting_duplicate",
        f"{FILE} 第4行 列「数值(C)」：值「701」，gdp 2023 在本文件中已有不同的数值（第3行：700）；"
        "应为每个指标每个时期只填一个数值。\n"
        f"    {FILE}, row 4, column '数值(C)': value '701': gdp 2023 already has a different "
        "value in this file (row 3: 700); expected one value per indicator and period.",
    ),
]


@pytest.mark.parametrize(
    ("row", "code", "message"), REJECTIONS, ids=[f"{r[1]}-{i}" for i, r in enumerate(REJECTIONS)]
)
def test_each_rejection_names_row_column_and_value(
    tmp_path: Path, catalog: Catalog, row: str, code: str, message: str
) -> None:
    result = check(
        tmp_path, catalog, f"指标代码,时期,数值,单位\nurbanization_rate,2022,57,%\n{row}\n"
    )

    assert not result.accepted
    assert [issue.code for issue in result.issues] == [code]
    assert result.issues[0].message() == message
    assert result.report() == (
        f"✘ {FILE}: 退回，共 1 个问题，请修改后重新报送 / rejected, 1 problem(s); please fix and "
        f"resend the whole file\n  1. {message}"
    )


def test_a_duplicate_in_another_sheet_names_that_sheet(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "submissions" / "420881" / "两张表.xlsx"
    path.parent.mkdir(parents=True)
    workbook = xlsxwriter.Workbook(str(path))
    for name, value in (("上半年", 700), ("全年", 701)):
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, ["指标代码", "时期", "数值", "单位"])
        sheet.write_row(1, 0, ["gdp", "2023", value, "亿元"])
    workbook.close()

    result = read_submission(path, tmp_path, catalog)

    assert [issue.message() for issue in result.issues] == [
        "submissions/420881/两张表.xlsx 工作表「全年」 第2行 列「数值(C)」：值「701」，gdp 2023 "
        "在本文件中已有不同的数值（工作表「上半年」第2行：700）；应为每个指标每个时期只填一个数值。\n"
        "    submissions/420881/两张表.xlsx, sheet '全年', row 2, column '数值(C)': value '701': "
        "gdp 2023 already has a different value in this file (sheet '上半年' row 2: 700); "
        "expected one value per indicator and period."
    ]


def test_milestones_may_be_answered_yes_or_no(tmp_path: Path, catalog: Catalog) -> None:
    text = (
        "指标名称,时期,数值\n"
        "明显陵·莫愁村5A级景区,2023年,否\n"
        "明显陵·莫愁村5A级景区,2024年,是\n"
        "市人民医院建成三甲综合医院,2024年11月,已实现\n"
    )
    result = check(tmp_path, catalog, text)

    assert result.accepted, result.report()
    assert rows(result, "indicator_code", "period", "value", "unit", "value_text") == [
        ("scenic_area_5a", "2023", 0.0, "是/否", "否"),
        ("scenic_area_5a", "2024", 1.0, "是/否", "是"),
        ("tertiary_hospital", "2024-11", 1.0, "是/否", "已实现"),
    ]


def test_a_year_column_headed_nian_du_is_the_period(tmp_path: Path, catalog: Catalog) -> None:
    result = check(
        tmp_path, catalog, "单位：%\n指标名称,年度,指标值\n城区污水处理率,2023年度,95.3\n"
    )

    assert result.accepted, result.report()
    assert rows(result, "indicator_code", "period", "value", "unit") == [
        ("urban_sewage_treatment_rate", "2023", 95.3, "%")
    ]


def test_every_problem_in_a_file_is_listed(tmp_path: Path, catalog: Catalog) -> None:
    result = check(
        tmp_path, catalog, "指标代码,时期,数值,单位\ngpd,2023,1,亿元\ngdp,2023,abc,亿元\n"
    )

    assert [(i.code, i.row) for i in result.issues] == [
        ("unknown_indicator", 2),
        ("not_a_number", 3),
    ]
    assert result.observations.height == 0 or not result.accepted


@pytest.mark.parametrize(
    ("name", "data", "code", "zh", "en"),
    [
        ("empty.csv", b"", "empty_file", "文件为空", "the file is empty"),
        (
            "fake.xlsx", b"this is not a workbook", "not_a_spreadsheet",
            "不是 Excel 工作簿", "not an Excel workbook (.xlsx)",
        ),
        (
            "locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "encrypted_or_xls",
            "工作簿已加密（设置了打开密码）或为旧版 .xls 格式，请取消密码并另存为 .xlsx",
            "the workbook is password-protected or an old .xls file; remove the password and "
            "save it as .xlsx",
        ),
        (
            "broken.xlsx", b"PK\x03\x04 truncated", "corrupt_workbook",
            "工作簿已损坏，无法读取（BadZipFile）",
            "the workbook is damaged and cannot be read (BadZipFile)",
        ),
        (
            "binary.csv", b"\xff\xfe\x00\x81\x00" * 10, "encoding", "无法识别文件编码",
            "cannot decode the file (expected UTF-8 or GBK/GB18030)",
        ),
        (
            "no_header.csv", "甲,乙\n1,2\n".encode(), "no_header",
            "在每个工作表的前 1,000 行中找不到表头（需要指标、时期、数值三列）；应为表头包含 "
            "指标代码（或指标名称）、时期、数值",
            "no header row found in the first 1,000 rows of any sheet (the indicator, period and "
            "value columns are required); expected a header with indicator, period, value",
        ),
        (
            "header_only.csv", "指标代码,时期,数值,单位\n".encode(), "no_data",
            "表中没有数据行", "the table has no data rows",
        ),
    ],
)  # fmt: skip
def test_unreadable_files_are_rejected_with_a_clear_error(
    tmp_path: Path, catalog: Catalog, name: str, data: bytes, code: str, zh: str, en: str
) -> None:
    path = write(tmp_path, f"submissions/420881/{name}", data)

    result = read_submission(path, tmp_path, catalog)

    assert [issue.code for issue in result.issues] == [code]
    file = f"submissions/420881/{name}"
    assert result.issues[0].message() == f"{file}，{zh}。\n    {file}: {en}."


def test_size_and_row_limits(tmp_path: Path, catalog: Catalog) -> None:
    text = "指标代码,时期,数值,单位\n" + "gdp,2023,1,亿元\n" * 50
    assert check(tmp_path, catalog, text, PLAN_MAX_FILE_ROWS=51).accepted
    assert [i.message() for i in check(tmp_path, catalog, text, PLAN_MAX_FILE_ROWS=10).issues] == [
        f"{FILE}，行数过多（51 行）；应为不超过 10 行（上限由 PLAN_MAX_FILE_ROWS 设置）。\n"
        f"    {FILE}: too many rows (51); expected at most 10 rows (the limit is set by "
        "PLAN_MAX_FILE_ROWS)."
    ]
    assert [
        i.message() for i in check(tmp_path, catalog, text, PLAN_MAX_FILE_BYTES=100).issues
    ] == [
        f"{FILE}，文件过大（934 字节）；应为不超过 100 字节（上限由 PLAN_MAX_FILE_BYTES 设置）。\n"
        f"    {FILE}: the file is too large (934 bytes); expected at most 100 bytes (the limit "
        "is set by PLAN_MAX_FILE_BYTES)."
    ]


def test_limits_come_from_the_environment_only_where_the_command_line_reads_them(
    monkeypatch,
) -> None:
    """The library never reads the environment: a run's limits come from its landing-zone
    resource, `check`'s from `ReadLimits.from_environment`; a bad value is an error."""
    monkeypatch.setenv("PLAN_MAX_FILE_ROWS", "10")
    assert ReadLimits()["PLAN_MAX_FILE_ROWS"] == 100_000
    assert ReadLimits.from_environment()["PLAN_MAX_FILE_ROWS"] == 10
    assert ReadLimits.from_environment({"PLAN_MAX_CELLS": "7"}).given == {"PLAN_MAX_CELLS": 7}
    for environ in ({"PLAN_MAX_CELLS": "many"}, {"PLAN_MAX_CELLS": "-1"}):
        with pytest.raises(ValueError, match="PLAN_MAX_CELLS must be a positive whole number"):
            ReadLimits.from_environment(environ)
    with pytest.raises(ValueError, match="unknown limit PLAN_MAX_ROWS"):
        ReadLimits({"PLAN_MAX_ROWS": 1})


def test_sample_data_covers_every_target_from_its_department(catalog: Catalog) -> None:
    registry = read_registry(find_plan_folders(SAMPLE_RAW_DIR), SAMPLE_RAW_DIR)
    results = read_submissions(find_submission_files(SAMPLE_RAW_DIR), SAMPLE_RAW_DIR, catalog)

    assert [r.report() for r in results if not r.accepted] == []
    frame = accepted_observations(results)
    assert frame.schema == pl.Schema(OBSERVATION_SCHEMA)
    # Every registered target has a series, sent by the department the registry names.
    owners = dict(registry.select("indicator_code", "department_code").iter_rows())
    sent = frame.select("indicator_code", "department_code").unique()
    assert dict(sent.iter_rows()) == owners
    assert sent.height == len(owners) == 59
    # Indicators reported quarterly or monthly come with quarterly or monthly figures.
    sub_annual = set(frame.filter(pl.col("period_type") != "year")["indicator_code"])
    frequent = registry.filter(pl.col("cadence").is_in(["quarterly", "monthly"]))
    assert set(frequent["indicator_code"]) <= sub_annual
    assert frame.filter(pl.col("indicator_code") == "tech_upgrade_investment_growth")[
        "period"
    ].to_list()[:3] == ["2021-YTD-02", "2021-YTD-03", "2021-YTD-04"]
    years = frame.filter(pl.col("period_type") == "year")["period_year"]
    assert (years.min(), years.max()) == (2020, 2025)
    assert frame.height == 478
    assert dict(frame.group_by("source_file").len().rows()) == {
        "submissions/420881/agriculture/agriculture_bureau_2020-2025.xlsx": 30,
        "submissions/420881/culture_tourism/culture_tourism_bureau_2020-2025.csv": 42,
        "submissions/420881/culture_tourism/tourism_revenue_2020-2025.xlsx": 9,
        "submissions/420881/development_reform/development_reform_bureau_2020-2025.csv": 63,
        "submissions/420881/ecology/ecology_bureau_2020-2025.csv": 12,
        "submissions/420881/economy_it/economy_it_bureau_2020-2025.xlsx": 133,
        "submissions/420881/finance/finance_bureau_2021-2025.csv": 5,
        "submissions/420881/forestry/forestry_bureau_2021-2025.xlsx": 15,
        "submissions/420881/government_services/government_services_2020-2025.csv": 6,
        "submissions/420881/health/health_commission_2024-11-28.csv": 1,
        "submissions/420881/housing/housing_bureau_2020-2025.xlsx": 18,
        "submissions/420881/market_regulation/patents_2020-2025.xlsx": 42,
        "submissions/420881/natural_resources/natural_resources_bureau_2020-2025.csv": 6,
        "submissions/420881/science_tech/science_bureau_2020-2025.xlsx": 41,
        "submissions/420881/statistics/stats_bureau_2020-2025.csv": 54,
        "submissions/420881/statistics/stats_bureau_revision_2026-02-10.csv": 1,
    }


def test_sample_data_comes_in_every_accepted_encoding() -> None:
    starts = {
        path.name: path.read_bytes() for path in (SAMPLE_RAW_DIR / "submissions").rglob("*.csv")
    }
    assert starts["natural_resources_bureau_2020-2025.csv"].startswith(b"\xef\xbb\xbf")
    starts["stats_bureau_2020-2025.csv"].decode("utf-8")
    gbk = starts["development_reform_bureau_2020-2025.csv"]
    gb18030 = starts["ecology_bureau_2020-2025.csv"]
    for data, encoding in ((gbk, "gbk"), (gb18030, "gb18030")):
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert "指标代码" in data.decode(encoding)


@pytest.mark.parametrize("name", ["submission_template.csv", "submission_template.xlsx"])
def test_templates_pass_the_check_as_shipped(catalog: Catalog, name: str) -> None:
    # Where they are, outside submissions/<region>/: their region column names the region.
    result = read_submission(SAMPLE_RAW_DIR / "templates" / name, SAMPLE_RAW_DIR, catalog)

    assert result.accepted, result.report()
    assert {r["region_code"] for r in result.records} == {"420881"}
    assert rows(result, "indicator_code", "period", "value", "missing_reason") == [
        ("gdp", "2025-Q2", 388.6, None),
        ("gdp", "2025-YTD-06", 388.6, None),
        ("tourism_revenue", "2025-06", None, "placeholder —"),
    ]


def test_reading_many_files_reports_its_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.tools import bench

    raw = tmp_path / "raw"
    bench.generate(raw, 2)
    catalog = Catalog(read_registry(find_plan_folders(raw), raw))
    files = find_submission_files(raw)
    chunk = len(files) // 3 + 1
    monkeypatch.setattr(submissions, "CHUNK_FILES", chunk)
    for processes, parallel_from in ((1, 4_000), (2, 1)):
        told: list[tuple[int, int]] = []
        read = submissions.read_all_submissions(
            files, raw, catalog, processes=processes, parallel_from=parallel_from,
            progress=lambda done, total: told.append((done, total)),  # noqa: B023
        )  # fmt: skip
        assert len(read.results) == len(files)
        assert told == [(chunk, len(files)), (2 * chunk, len(files)), (len(files), len(files))]


def test_reading_in_worker_processes_gives_what_one_process_gives(tmp_path: Path) -> None:
    from tests.tools import bench

    raw = tmp_path / "raw"
    bench.generate(raw, 2, xlsx_share=0.25, gbk_share=0.25)
    bad = write(
        raw, "submissions/980002/bad.csv", "指标代码,时期,数值,单位\ngdp,2025,abc,亿元\n".encode()
    )
    catalog = Catalog(read_registry(find_plan_folders(raw), raw))
    files = find_submission_files(raw)
    skipped = files[3]
    skip = {(skipped.relative_to(raw).as_posix(), hashlib.sha256(skipped.read_bytes()).hexdigest())}

    one = submissions.read_all_submissions(files, raw, catalog, skip, processes=1)
    many = submissions.read_all_submissions(files, raw, catalog, skip, processes=2, parallel_from=1)
    # The paths as text, as the ingest asset gives them: the same.
    text = [str(path) for path in files]
    as_text = submissions.read_all_submissions(
        text, raw, catalog, skip, processes=2, parallel_from=1
    )

    assert len(one.results) == len(files) - 1 and one.observations.height > 0
    for other in (many, as_text):
        assert [r.report() for r in other.results] == [r.report() for r in one.results]
        assert other.observations.equals(one.observations)
        assert submission_log(other.results).equals(submission_log(one.results))
        assert other.checksums == one.checksums
    assert [r.file for r in many.results if not r.accepted] == [bad.relative_to(raw).as_posix()]


def test_workers_start_when_the_package_was_found_only_while_loading(tmp_path: Path) -> None:
    # Dagster puts the working directory on sys.path only while it loads the code location
    # (`dagster job execute -m pipelines.definitions`, a run the daemon launches): the
    # spawned workers import the installed package, from any working directory.
    from tests.tools import bench

    raw = tmp_path / "raw"
    counts = bench.generate(raw, 1)
    script = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(REPO_ROOT)!r})
from pipelines.ingest import submissions
from pipelines.ingest.readers.base import ReadLimits
from pipelines.plans.periods import parse_period
from pipelines.plans.registry import find_plan_folders, read_registry
sys.path.remove({str(REPO_ROOT)!r})
raw = Path({str(raw)!r})
catalog = submissions.Catalog(read_registry(find_plan_folders(raw), raw))
files = submissions.find_submission_files(raw)
read = submissions.read_all_submissions(files, raw, catalog, processes=2, parallel_from=1)
print(len(read.results), read.observations.height)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(counts["files"]), str(counts["rows"])]


@pytest.mark.parametrize(
    "text", ["未进入百强", "未进入", "榜外", "未上榜", ">100", "＞100", "100名以外"]
)
def test_a_rank_outside_the_list_is_kept_as_such(
    tmp_path: Path, catalog: Catalog, text: str
) -> None:
    result = check(
        tmp_path, catalog, f"指标代码,时期,数值,单位\ncounty_economy_top100,2025,{text},位\n"
    )

    assert result.accepted, result.report()
    assert rows(result, "value", "is_outside_list", "missing_reason", "value_text") == [
        (None, True, None, text.replace("＞", ">"))
    ]


def test_outside_the_list_is_only_for_ranks(tmp_path: Path, catalog: Catalog) -> None:
    result = check(tmp_path, catalog, "指标代码,时期,数值,单位\ngdp,2025,榜外,亿元\n")

    assert not result.accepted
    (issue,) = result.issues
    assert (issue.code, issue.row, issue.value) == ("outside_list_not_rank", 2, "榜外")
    assert "只有排名类指标可以填“未上榜”" in issue.message()


def test_an_event_may_be_reported_for_its_day_and_nothing_else(
    tmp_path: Path, catalog: Catalog
) -> None:
    result = check(
        tmp_path,
        catalog,
        "指标代码,时期,数值,单位\ntertiary_hospital,2024年11月28日,是,\nscenic_area_5a,2024-02-06,1,\n"
        "gdp,2024-02-06,100,亿元\n",
    )

    assert [(i.code, i.row, i.value) for i in result.issues] == [("day_period", 4, "2024-02-06")]
    first = check(
        tmp_path, catalog, "指标代码,时期,数值\ntertiary_hospital,2024年11月28日,是\n"
    ).observations
    assert first.select("period", "period_type", "period_end_date").rows() == [
        ("2024-11-28", "day", dt.date(2024, 11, 28))
    ]


def test_the_submission_date_comes_from_the_row_the_line_or_the_name(
    tmp_path: Path, catalog: Catalog
) -> None:
    dated = write(
        tmp_path,
        "submissions/420881/stats_2023-12-01.csv",
        "报送日期：2024年1月15日\n指标代码,时期,数值,单位,报送日期\n"
        "gdp,2022,668,亿元,2023-01-20\ngdp,2023,712.4,亿元,\n".encode(),
    )
    named = write(
        tmp_path,
        "submissions/420881/stats_2023-12-01_b.csv",
        "指标代码,时期,数值,单位\ngdp,2021,625.3,亿元\n".encode(),
    )
    undated = write(
        tmp_path,
        "submissions/420881/stats.csv",
        "指标代码,时期,数值,单位\ngdp,2020,560,亿元\n".encode(),
    )

    results = read_submissions([dated, named, undated], tmp_path, catalog)

    assert [r.accepted for r in results] == [True, True, True]
    assert [row for r in results for row in rows(r, "period", "submitted_on")] == [
        ("2022", dt.date(2023, 1, 20)),
        ("2023", dt.date(2024, 1, 15)),
        ("2021", dt.date(2023, 12, 1)),
        ("2020", None),
    ]


def test_unreadable_dates_stages_and_growth_rates_are_rejected(
    tmp_path: Path, catalog: Catalog
) -> None:
    result = check(
        tmp_path,
        catalog,
        "指标代码,时期,数值,单位,报送日期,数据性质,可比价增速(%)\n"
        "gdp,2023,712.4,亿元,2024-13-45,,\n"
        "gdp,2024,756.9,亿元,,大概,\n"
        "gdp,2025,801.5,亿元,,,五点六\n"
        "urban_disposable_income,2025,51680,元,2026-01-20,最终核实,5.4%\n",
    )

    assert [(i.code, i.row, i.column, i.value) for i in result.issues] == [
        ("bad_submission_date", 2, "报送日期(E)", "2024-13-45"),
        ("bad_estimate_stage", 3, "数据性质(F)", "大概"),
        ("bad_growth", 4, "可比价增速(%)(G)", "五点六"),
    ]
    good = check(
        tmp_path,
        catalog,
        "指标代码,时期,数值,单位,报送日期,数据性质,可比价增速(%)\n"
        "urban_disposable_income,2025,51680,元,2026-01-20,最终核实,5.4%\n"
        "gdp,2025,801.5,亿元,2026-01-25,初步核算,5.6\n",
    )
    assert good.accepted, good.report()
    assert rows(good, "estimate_stage", "comparable_growth_pct", "submitted_on") == [
        ("final", 5.4, dt.date(2026, 1, 20)),
        ("preliminary", 5.6, dt.date(2026, 1, 25)),
    ]


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31)))
def test_any_day_in_any_spelling_is_that_day(day: dt.date) -> None:
    spellings = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.isoformat()} 00:00:00",
    ]
    for text in spellings:
        period = parse_period(text)
        assert period is not None, text
        assert (period.code, period.period_type, period.end_date) == (
            day.isoformat(),
            "day",
            day,
        )


@settings(max_examples=100, deadline=None)
@given(
    rank=st.integers(min_value=1, max_value=100_000),
    form=st.sampled_from([">{}", "＞{}", "{}名以外", "{}位之外"]),
)
def test_any_bound_written_as_outside_the_list_is_outside_it(rank: int, form: str) -> None:
    text = unicodedata.normalize("NFKC", form.format(rank))
    assert submissions._OUTSIDE_LIST.match(text)
    assert not submissions._OUTSIDE_LIST.match(str(rank))


@settings(max_examples=150, deadline=None)
@given(cell=st.text(max_size=12))
def test_no_value_cell_breaks_the_reader(tmp_path_factory, catalog: Catalog, cell: str) -> None:
    folder = tmp_path_factory.mktemp("cell")
    text = cell.replace('"', '""')
    result = check(
        folder, catalog, f'指标代码,时期,数值,单位\ncounty_economy_top100,2025,"{text}",位\n'
    )
    # Every cell is a number, a placeholder, outside the list, or a named rejection (of
    # the row, or of the whole file for a byte no text file holds).
    if result.accepted:
        (row,) = rows(result, "value", "is_outside_list", "missing_reason")
        assert (row[0] is not None) + row[1] + (row[2] is not None) == 1
    else:
        assert result.issues
        assert all(issue.row in (2, None) and issue.message() for issue in result.issues)


def test_a_cell_cannot_forge_a_line_of_the_verdict(tmp_path: Path, catalog: Catalog) -> None:
    forged = "gdp\n✔ submissions/420881/file.csv: 通过，1 条数据 / accepted"
    long = "x" * 500
    result = check(
        tmp_path,
        catalog,
        f'指标代码,时期,数值,单位\n"{forged}",2025,1,亿元\ngdp,2025,"{long}",亿元\n'
        'gdp,2024,"1\u202e0",亿元\n',
    )

    report = result.report()
    assert not result.accepted
    # One line for the verdict and two per problem: nothing a cell says adds a line.
    assert len(report.splitlines()) == 1 + 2 * len(result.issues) == 7
    assert "「gdp\\n✔ submissions/420881/file.csv: 通过" in report
    assert "\\u202e" in report
    assert "x" * 80 + "…（共 500 字符 / 500 characters）" in report
    assert "x" * 81 not in report


@pytest.mark.parametrize("text", ["1e309", "-1e309", "1E400"])
def test_numbers_too_large_to_be_numbers_are_rejected(
    tmp_path: Path, catalog: Catalog, text: str
) -> None:
    result = check(tmp_path, catalog, f"指标代码,时期,数值,单位\ngdp,2025,{text},亿元\n")

    assert [(i.code, i.row, i.value) for i in result.issues] == [("not_finite", 2, text)]


def test_an_unregistered_region_folder_is_one_problem_named_as_the_folder(
    tmp_path: Path, catalog: Catalog
) -> None:
    path = write(
        tmp_path,
        "submissions/999999/statistics/file.csv",
        "指标代码,时期,数值,单位\ngdp,2024,756.9,亿元\ngdp,2025,801.5,亿元\n".encode(),
    )

    result = read_submission(path, tmp_path, catalog)

    (issue,) = result.issues
    assert (issue.code, issue.row, issue.column) == ("unknown_region_folder", None, None)
    assert "submissions/999999/" in issue.message()


def test_a_header_below_long_instructions_is_found(tmp_path: Path, catalog: Catalog) -> None:
    instructions = "".join(f"填报说明第{n}条：按要求填写\n" for n in range(1, 41))
    result = check(
        tmp_path, catalog, f"{instructions}指标代码,时期,数值,单位\ngdp,2025,801.5,亿元\n"
    )

    assert result.accepted, result.report()
    assert rows(result, "source_row") == [(42,)]


def test_entries_that_are_not_regular_files_get_a_verdict_and_are_never_opened(
    tmp_path: Path, catalog: Catalog
) -> None:
    folder = tmp_path / "submissions" / "420881"
    good = write(
        tmp_path,
        "submissions/420881/good.csv",
        "指标代码,时期,数值,单位\ngdp,2025,801.5,亿元\n".encode(),
    )
    outside = tmp_path.parent / f"{tmp_path.name}-outside.csv"
    outside.write_bytes(good.read_bytes())
    os.mkfifo(folder / "pipe.csv")  # opening it would block for ever
    (folder / "zero.csv").symlink_to("/dev/zero")  # reading it would never end
    (folder / "outside.csv").symlink_to(outside)
    (folder / "dangling.csv").symlink_to(folder / "gone.csv")
    write(tmp_path, "submissions/420881/old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    write(tmp_path, "submissions/420881/.hidden.csv", good.read_bytes())
    write(tmp_path, "submissions/420881/~$good.xlsx", b"lock")
    write(tmp_path, "submissions/420881/notes.txt", b"notes")
    write(tmp_path, "submissions/420881/huge.csv", b"x" * 2048)
    limits = ReadLimits({"PLAN_MAX_FILE_BYTES": 1024})

    results = read_submissions(find_submission_files(tmp_path), tmp_path, catalog, limits=limits)

    verdicts = {Path(r.file).name: [i.code for i in r.issues] for r in results}
    assert verdicts == {
        ".hidden.csv": ["hidden"], "dangling.csv": ["symlink"], "good.csv": [],
        "huge.csv": ["file_too_large"], "notes.txt": ["unsupported_type"],
        "old.xls": ["old_excel"], "outside.csv": ["symlink"], "pipe.csv": ["not_a_file"],
        "zero.csv": ["symlink"], "~$good.xlsx": ["office_lock"],
    }  # fmt: skip
    assert rows(results[verdicts_index(results, "good.csv")], "value") == [(801.5,)]
    # `check` judges a file by the same rule, and never follows the link either.
    report = read_submission(folder / "zero.csv", tmp_path, catalog).report()
    assert "zero.csv: 退回" in report and "symbolic link" in report
    # Judged once: the same entries are passed over next time, a changed one judged again.
    skip = {(r.file, r.checksum) for r in results}
    assert read_submissions(find_submission_files(tmp_path), tmp_path, catalog, skip, limits) == []


def verdicts_index(results: list[FileResult], name: str) -> int:
    return next(i for i, r in enumerate(results) if Path(r.file).name == name)


def zip_with(parts: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_limits_are_checked_before_reading_and_named_in_the_error(
    tmp_path: Path, catalog: Catalog, monkeypatch
) -> None:
    good = "指标代码,时期,数值,单位\ngdp,2025,801.5,亿元\n"
    files = {
        # A cell of 200,000 characters over short lines (Python's csv module raises on one
        # over 128 KiB): one rejection naming the limit.
        "long_field.csv": f'指标代码,时期,数值,单位\ngdp,2025,"{("9" * 999 + chr(10)) * 200}",亿元\n'.encode(),
        "wide_line.csv": ("," * 2_000_000 + "\n").encode(),
        "wide.csv": (",".join(f"c{i}" for i in range(1_500)) + "\n").encode(),
        "good.csv": good.encode(),
    }
    for name, data in files.items():
        write(tmp_path, f"submissions/420881/{name}", data)
    # One cell at XFD1048576: 17 billion cells from A1, which the reader would allocate.
    far = tmp_path / "submissions/420881/far_cell.xlsx"
    workbook = xlsxwriter.Workbook(str(far))
    workbook.add_worksheet("数据").write(1_048_575, 16_383, "x")
    workbook.close()
    # A zip bomb: 64 MiB of one byte in a sheet.
    write(
        tmp_path,
        "submissions/420881/bomb.xlsx",
        zip_with({"xl/worksheets/sheet1.xml": b" " * (64 << 20), "[Content_Types].xml": b"<x/>"}),
    )

    results = read_submissions(find_submission_files(tmp_path), tmp_path, catalog)

    verdicts = {Path(r.file).name: r for r in results}
    assert verdicts["good.csv"].accepted
    expected = {
        "long_field.csv": ("PLAN_MAX_FIELD_CHARS", "一个单元格的字符数超过上限"),
        "wide_line.csv": ("PLAN_MAX_LINE_CHARS", "一行的字符数超过上限（2,000,000）"),
        "wide.csv": ("PLAN_MAX_COLUMNS", "列数超过上限（1,500）"),
        "far_cell.xlsx": ("PLAN_MAX_CELLS", "A1:XFD1048576"),
        "bomb.xlsx": ("PLAN_MAX_ZIP_RATIO", "压缩比超过上限"),
    }
    for name, (limit, words) in expected.items():
        (issue,) = verdicts[name].issues
        assert issue.code == "over_limit" and limit in issue.message() and words in issue.message(), (
            name, issue.message(),
        )  # fmt: skip
    # The total unzipped size has its own limit.
    limits = ReadLimits({"PLAN_MAX_UNZIPPED_BYTES": 1 << 20, "PLAN_MAX_ZIP_RATIO": 1 << 30})
    bomb = tmp_path / "submissions/420881/bomb.xlsx"
    (issue,) = read_submission(bomb, tmp_path, catalog, limits).issues
    assert "PLAN_MAX_UNZIPPED_BYTES" in issue.message()


@settings(max_examples=120, deadline=None)
@given(data=st.binary(max_size=2_000), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes_are_accepted_or_rejected_with_a_message(
    tmp_path_factory, catalog: Catalog, data: bytes, suffix: str
) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    path = write(folder, f"submissions/420881/random{suffix}", data)

    (result,) = read_submissions([path], folder, catalog)

    assert result.accepted or all(issue.message() for issue in result.issues)


@settings(max_examples=120, deadline=None)
@given(
    cells=st.lists(
        st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=8), max_size=6),
        max_size=8,
    ),
    header=st.booleans(),
)
def test_random_csv_shapes_are_accepted_or_rejected_with_a_message(
    tmp_path_factory, catalog: Catalog, cells: list[list[str]], header: bool
) -> None:
    import csv as csv_module
    import io

    buffer = io.StringIO()
    writer = csv_module.writer(buffer)
    if header:
        writer.writerow(["指标代码", "时期", "数值", "单位"])
    writer.writerows(cells)
    folder = tmp_path_factory.mktemp("shapes")
    path = write(folder, "submissions/420881/shape.csv", buffer.getvalue().encode())

    (result,) = read_submissions([path], folder, catalog)

    if result.accepted:
        assert result.observation_count >= 1
    else:
        assert result.issues and all(issue.message() for issue in result.issues)
        # Nothing a cell holds breaks the verdict's lines.
        assert len(result.report().splitlines()) == 1 + 2 * len(result.issues)


def test_a_run_with_a_file_the_reader_cannot_handle_loads_the_others(
    tmp_path: Path, catalog: Catalog, monkeypatch
) -> None:
    good = write(
        tmp_path,
        "submissions/420881/good.csv",
        "指标代码,时期,数值,单位\ngdp,2025,801.5,亿元\n".encode(),
    )
    bad = write(
        tmp_path,
        "submissions/420881/bad.csv",
        "指标代码,时期,数值,单位\ngdp,2024,756.9,亿元\n".encode(),
    )

    def broken_reader(path: Path, *args):  # noqa: ANN002, ANN202
        if path.name == "bad.csv":
            raise MemoryError("the reader gave up")
        return original(path, *args)

    original = submissions.read_grids
    monkeypatch.setattr(submissions, "read_grids", broken_reader)

    results = read_submissions([bad, good], tmp_path, catalog)

    assert [(Path(r.file).name, r.accepted) for r in results] == [
        ("bad.csv", False),
        ("good.csv", True),
    ]
    assert results[0].issues[0].code == "reading_failed"
    assert "MemoryError" in results[0].report()


def test_a_workbook_whose_compressed_sheet_is_damaged_is_rejected(
    tmp_path: Path, catalog: Catalog
) -> None:
    sheet = b'<worksheet><sheetData><row r="1"><c r="A1"/></row></sheetData></worksheet>' * 50
    data = bytearray(zip_with({"xl/worksheets/sheet1.xml": sheet, "[Content_Types].xml": b"<x/>"}))
    start = data.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    data[start + 5 : start + 25] = b"\xff" * 20  # the deflated stream, not the directory
    path = write(tmp_path, "submissions/420881/damaged.xlsx", bytes(data))

    (result,) = read_submissions([path], tmp_path, catalog)

    assert [i.code for i in result.issues] == ["corrupt_workbook"], result.report()


def displayed_workbook(path: Path, rows_: list[list], formats: dict[int, str]) -> Path:
    """A workbook with a 指标代码/时期/数值/单位 header and `rows_`; `formats` gives a
    number format to the cells of a column (0-based) that hold a number or a date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("数据")
    styles = {col: workbook.add_format({"num_format": code}) for col, code in formats.items()}
    sheet.write_row(0, 0, ["指标代码", "时期", "数值", "单位"])
    for number, values in enumerate(rows_, start=1):
        for col, value in enumerate(values):
            style = styles.get(col)
            if isinstance(value, dt.date):
                sheet.write_datetime(number, col, dt.datetime.combine(value, dt.time()), style)
            elif isinstance(value, tuple):  # (formula, cached result)
                sheet.write_formula(number, col, value[0], style, value[1])
            else:
                sheet.write(number, col, value, style)
    workbook.close()
    return path


def test_a_workbook_is_read_as_the_clerk_sees_it(tmp_path: Path, catalog: Catalog) -> None:
    percent = displayed_workbook(
        tmp_path / "submissions/420881/rates.xlsx",
        [
            ["urbanization_rate", dt.date(2023, 1, 1), 0.6031, "%"],  # shows 2023, 60.3%
            ["urban_sewage_treatment_rate", dt.date(2023, 1, 1), 0.96, None],  # no unit: %
        ],
        {1: "yyyy", 2: "0.0%"},
    )
    months = displayed_workbook(
        tmp_path / "submissions/420881/months.xlsx",
        [
            ["gdp", dt.date(2023, 6, 1), 412.5, "亿元"],  # typed 2023-06, shows 2023年6月
            ["gdp", dt.date(2023, 9, 1), 640, "亿元"],
        ],
        {1: 'yyyy"年"m"月"'},
    )
    days = displayed_workbook(
        tmp_path / "submissions/420881/milestone.xlsx",
        [["tertiary_hospital", dt.date(2024, 11, 28), "是", None]],
        {1: "yyyy/m/d"},
    )

    results = {r.file.rsplit("/", 1)[-1]: r for r in read_submissions(
        [percent, months, days], tmp_path, catalog
    )}  # fmt: skip

    assert all(r.accepted for r in results.values()), [r.report() for r in results.values()]
    assert rows(results["rates.xlsx"], "indicator_code", "period", "value", "value_text", "unit") == [
        ("urbanization_rate", "2023", 60.31, "60.31%", "%"),
        ("urban_sewage_treatment_rate", "2023", 96.0, "96%", "%"),
    ]  # fmt: skip
    assert rows(results["months.xlsx"], "period", "period_type", "value") == [
        ("2023-06", "month", 412.5),
        ("2023-09", "month", 640.0),
    ]
    assert rows(results["milestone.xlsx"], "period", "period_type", "value") == [
        ("2024-11-28", "day", 1.0)
    ]


def test_error_values_and_formulas_without_results_are_errors_not_blanks(
    tmp_path: Path, catalog: Catalog
) -> None:
    path = displayed_workbook(
        tmp_path / "submissions/420881/broken.xlsx",
        [
            ["gdp", "2023", ("=B9/0", "#DIV/0!"), "亿元"],
            ["gdp", "2024", ("=SUM(C10:C12)", ""), "亿元"],  # saved by a script: no result
            [("=VLOOKUP(A1,Z:Z,2,0)", "#N/A"), "2024", 5, "家"],
            ["gdp", "2025", 0.5, "亿元"],  # a percentage under 亿元
            ["gdp", dt.date(2025, 3, 1), 100, "亿元"],  # shows 2025年3月1日: a day
        ],
        {2: "0%", 1: "yyyy年m月d日"},
    )

    result = read_submission(path, tmp_path, catalog)

    assert not result.accepted
    found = [(i.code, i.row, i.column, i.value) for i in result.issues]
    assert found == [
        ("excel_error", 2, "数值(C)", "#DIV/0!"),
        ("formula_without_value", 3, "数值(C)", "=SUM(C10:C12)"),
        ("excel_error", 4, "指标代码(A)", "#N/A"),
        ("percent_for_other_unit", 5, "数值(C)", "50%"),
        ("day_period", 6, "时期(B)", "2025年3月1日"),
    ]
    messages = [issue.message() for issue in result.issues]
    assert "Excel 错误值 #DIV/0!" in messages[0] and "not a blank" in messages[0]
    assert "没有保存计算结果" in messages[1] and "recalculate" in messages[1]


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=dt.date(1901, 3, 1), max_value=dt.date(2099, 12, 31)),
    code=st.sampled_from(
        [
            ("yyyy", "year"),
            ('yyyy"年"m"月"', "month"),
            ("mmm-yy", "month"),
            ("m/d/yyyy", "day"),
            ('[$-804]yyyy"年"m"月"d"日";@', "day"),
            ("yyyy-mm-dd hh:mm", "day"),
        ]
    ),  # fmt: skip
    fraction=st.floats(min_value=-10, max_value=10, allow_nan=False).map(lambda x: round(x, 6)),
    date1904=st.booleans(),
)
def test_any_date_or_percentage_cell_is_read_as_displayed(
    tmp_path_factory, day: dt.date, code: tuple[str, str], fraction: float, date1904: bool
) -> None:
    from pipelines.ingest.readers.xlsx_cells import load_workbook, shown_date

    assume(not date1904 or day.year >= 1904)  # the 1904 system has no earlier days

    path = tmp_path_factory.mktemp("shown") / "cells.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    sheet = workbook.add_worksheet()
    sheet.write_datetime(0, 0, dt.datetime.combine(day, dt.time(13, 5)),
                         workbook.add_format({"num_format": code[0]}))  # fmt: skip
    sheet.write_number(0, 1, fraction, workbook.add_format({"num_format": "0.00%"}))
    workbook.close()

    ((_, grid, letters),) = load_workbook(path.read_bytes())

    assert letters == ["A", "B"]
    assert grid[0][0] == shown_date(day, code[1])
    assert grid[0][1].endswith("%")
    assert float(grid[0][1][:-1]) == pytest.approx(fraction * 100, abs=1e-9)


def test_a_figure_beyond_the_plausible_bound_is_a_slip(tmp_path: Path, catalog: Catalog) -> None:
    result = check(
        tmp_path,
        catalog,
        "指标代码,时期,数值,单位\n"
        "gdp,2023,1e308,亿元\n"  # finite, but no county's GDP
        "gdp,2024,7124000,亿元\n"  # 万元 written as 亿元
        "gdp,2025,7124000,万元\n"  # the same figure in its unit: 712.4 亿元
        "tech_upgrade_investment_growth,2023,-120,%\n"  # a fall of more than 100%
        "tech_upgrade_investment_growth,2024,2500,%\n"  # bound: 100 x 20%
        "county_economy_top100,2023,20000,位\n",  # bound: 100 x 100th,
    )

    assert [(i.code, i.row, i.value) for i in result.issues] == [
        ("implausible_value", 2, "1e308"),
        ("implausible_value", 3, "7124000"),
        ("impossible_value", 5, "-120"),
        ("implausible_value", 6, "2500"),
        ("implausible_value", 7, "20000"),
    ]
    message = result.issues[1].message()
    assert "7124000 亿元" in message and "86000 亿元" in message and "max_value" in message


@settings(max_examples=100, deadline=None)
@given(value=st.floats(min_value=0, max_value=1e300, allow_nan=False))
def test_a_gdp_figure_loads_exactly_when_it_is_within_its_bound(
    tmp_path_factory, catalog: Catalog, value: float
) -> None:
    folder = tmp_path_factory.mktemp("bound")
    result = check(folder, catalog, f"指标代码,时期,数值,单位\ngdp,2023,{value!r},亿元\n")

    assert result.accepted == (value <= 86_000), result.report()


HEADER = ["指标代码", "时期", "数值", "单位"]
CELL_FORMATS = [None, "0.0%", "yyyy", 'yyyy"年"m"月"', "yyyy/m/d", "#,##0.00", "@", "h:mm"]
CELLS = st.one_of(
    st.text(max_size=10),
    st.sampled_from(
        [
            "gdp",
            "urbanization_rate",
            "tertiary_hospital",
            "2023",
            "2024年6月",
            "亿元",
            "%",
            "是",
            "—",
            "#N/A",
            "=A1",
        ]
    ),  # fmt: skip
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.tuples(
        st.sampled_from(["=1/0", "=SUM(A1:A3)", "=NA()", '="x"']),
        st.sampled_from(["", "#DIV/0!", "#N/A", "0", "x"]),
    ),  # fmt: skip
)
SHEETS = st.lists(
    st.tuples(
        st.booleans(),  # a header row
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=40),  # row
                st.integers(min_value=0, max_value=12),  # column
                CELLS,
                st.sampled_from(CELL_FORMATS),
            ),
            max_size=25,
        ),
    ),
    min_size=1,
    max_size=3,
)


def random_workbook(path: Path, sheets: list, date1904: bool) -> bytes:
    workbook = xlsxwriter.Workbook(str(path), {"date_1904": date1904, "nan_inf_to_errors": True,
                                               "strings_to_formulas": False})  # fmt: skip
    for number, (header, cells) in enumerate(sheets):
        sheet = workbook.add_worksheet(f"表{number}")
        if header:
            sheet.write_row(0, 0, HEADER)
        for row, col, value, code in cells:
            style = workbook.add_format({"num_format": code}) if code else None
            row += header
            if isinstance(value, tuple):
                sheet.write_formula(row, col, value[0], style, value[1])
            elif isinstance(value, dt.date):
                sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), style)
            elif isinstance(value, str):
                sheet.write_string(row, col, value, style)
            else:
                sheet.write(row, col, value, style)
    workbook.close()
    return path.read_bytes()


def assert_verdict(result: FileResult) -> None:
    """Accepted with rows, or rejected with messages; no cell adds a line to the verdict."""
    if result.accepted:
        assert result.observation_count >= 1
    else:
        assert result.issues and all(issue.message() for issue in result.issues)
    assert len(result.report().splitlines()) == 1 + (
        0 if result.accepted else 2 * len(result.issues)
    )


@settings(max_examples=80, deadline=None)
@given(sheets=SHEETS, date1904=st.booleans())
def test_random_workbooks_are_accepted_or_rejected_with_a_message(
    tmp_path_factory, catalog: Catalog, sheets: list, date1904: bool
) -> None:
    folder = tmp_path_factory.mktemp("workbooks")
    path = folder / "submissions" / "420881" / "random.xlsx"
    path.parent.mkdir(parents=True)
    random_workbook(path, sheets, date1904)
    good = write(
        folder,
        "submissions/420881/good.csv",
        "指标代码,时期,数值,单位\ngdp,2025,801.5,亿元\n".encode(),
    )

    results = read_submissions([path, good], folder, catalog)

    assert_verdict(results[0])
    assert results[1].accepted and results[1].observation_count == 1


@settings(max_examples=80, deadline=None)
@given(
    sheets=SHEETS,
    damage=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1), st.integers(0, 255)), min_size=1, max_size=8
    ),  # fmt: skip
)
def test_damaged_workbooks_are_accepted_or_rejected_with_a_message(
    tmp_path_factory, catalog: Catalog, sheets: list, damage: list
) -> None:
    folder = tmp_path_factory.mktemp("damaged")
    path = folder / "submissions" / "420881" / "damaged.xlsx"
    path.parent.mkdir(parents=True)
    data = bytearray(random_workbook(path, sheets, date1904=False))
    for where, byte in damage:
        data[min(int(where * len(data)), len(data) - 1)] = byte
    path.write_bytes(bytes(data))

    (result,) = read_submissions([path], folder, catalog)

    assert_verdict(result)


_SEGMENT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1,
    max_size=12,
).filter(lambda part: part not in (".", ".."))


@settings(max_examples=200, deadline=None)
@given(
    root=st.lists(_SEGMENT, min_size=1, max_size=3),
    inside=st.lists(_SEGMENT, min_size=1, max_size=4),
    where=st.sampled_from(["inside", "elsewhere", "sibling"]),
    relative_root=st.booleans(),
)
def test_a_files_label_is_its_path_under_the_landing_zone(
    root: list[str], inside: list[str], where: str, relative_root: bool
) -> None:
    from pathlib import PurePosixPath

    from pipelines.ingest.landing import printable
    from pipelines.ingest.submissions import source_label

    raw_dir = Path(*root) if relative_root else Path("/", *root)
    base = {
        "inside": raw_dir,
        "elsewhere": Path("/other"),
        # A folder whose name starts with the landing zone's: not under it.
        "sibling": raw_dir.with_name(raw_dir.name + "x"),
    }[where]
    path = base.joinpath(*inside)
    # The rule, with paths: relative to the landing zone, else the file's name.
    assert source_label(path, raw_dir) == printable(
        path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else path.name
    )
    if where == "inside":
        assert source_label(path, raw_dir) == printable(PurePosixPath(*inside).as_posix())
    else:
        assert source_label(path, raw_dir) == printable(inside[-1])


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    case=st.sampled_from(["upper", "lower", "asis"]),
    spaces=st.booleans(),
)
def test_every_header_spelling_names_the_column_that_lists_it_first(
    data, case: str, spaces: bool
) -> None:
    from pipelines.ingest.submissions import HEADER_ALIASES, _match_header

    spellings = [alias for aliases in HEADER_ALIASES.values() for alias in aliases]
    spelling = data.draw(st.sampled_from(spellings) | st.text(max_size=8))
    cell = {"upper": spelling.upper(), "lower": spelling.lower(), "asis": spelling}[case]
    if spaces:
        cell = " ".join(cell)
    # The rule as a loop over the table, in its order: the first column listing the spelling.
    key = cell.casefold().replace(" ", "")
    expected = next(
        (
            canonical
            for canonical, aliases in HEADER_ALIASES.items()
            if any(key == alias.casefold() for alias in aliases)
        ),
        None,
    )
    if expected is not None:
        assert _match_header(cell) == expected
    elif not any(marker in cell for marker in "(（"):
        assert _match_header(cell) is None
