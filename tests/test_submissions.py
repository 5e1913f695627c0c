"""Reading submissions as departments send them, and rejecting what breaks the contract."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from pipelines.registry import find_plan_folders, read_registry
from pipelines.submissions import (
    OBSERVATION_SCHEMA,
    Catalog,
    FileResult,
    accepted_observations,
    find_submission_files,
    read_submission,
    read_submissions,
)
from tests.conftest import SAMPLE_RAW_DIR


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(read_registry(find_plan_folders(SAMPLE_RAW_DIR), SAMPLE_RAW_DIR))


def write(raw_dir: Path, relative: str, data: bytes) -> Path:
    path = raw_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def check(tmp_path: Path, catalog: Catalog, text: str, encoding: str = "utf-8") -> FileResult:
    path = write(tmp_path, "submissions/420881/file.csv", text.encode(encoding))
    return read_submission(path, tmp_path, catalog)


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


REJECTIONS = [
    (
        "gpd,2023,1,亿元",
        "unknown_indicator",
        "submissions/420881/file.csv 第3行 列「指标代码(A)」：值「gpd」，规划登记表中没有这个指标",
        "row 3, column '指标代码(A)': value 'gpd': this indicator is not in the plan registry",
    ),
    (
        "gdp,2023,712,吨",
        "bad_unit",
        "第3行 列「单位(D)」：值「吨」，单位无法换算为该指标的单位；应为与「亿元」同类的单位",
        "value '吨': the unit cannot be converted to the indicator's unit 亿元",
    ),
    (
        "gdp,2023,七百,亿元",
        "not_a_number",
        "第3行 列「数值(C)」：值「七百」，数值不是数字",
        "value '七百': the value is not a number",
    ),
    (
        "gdp,2023-13,1,亿元",
        "bad_period",
        "第3行 列「时期(B)」：值「2023-13」，无法识别的时期",
        "value '2023-13': the period cannot be read",
    ),
    (
        "gdp,2040,1,亿元",
        "period_out_of_range",
        "值「2040」，时期超出范围；应为2015–2035 年之间",
        "the period is outside the accepted years; expected a year from 2015 to 2035",
    ),
    (
        "hidden_champions,2023,-3,家",
        "impossible_value",
        "值「-3」，数值不能为负数",
        "value '-3': the value cannot be negative",
    ),
    (
        "urbanization_rate,2023,160,%",
        "impossible_value",
        "值「160」，比重不能超出 0–100%",
        "a share cannot be outside 0–100%",
    ),
    (
        "gdp,2023,700,亿元\ngdp,2023年,701,亿元",
        "conflicting_duplicate",
        "第4行 列「数值 / value (gdp, 2023)」：值「701」，同一指标同一时期出现两个不同数值（另见工作表「csv」第3行：700）",
        "a second, different value for the same indicator and period",
    ),
]


@pytest.mark.parametrize(("row", "code", "zh", "en"), REJECTIONS, ids=[r[1] for r in REJECTIONS])
def test_each_rejection_names_row_column_and_value(
    tmp_path: Path, catalog: Catalog, row: str, code: str, zh: str, en: str
) -> None:
    result = check(
        tmp_path, catalog, f"指标代码,时期,数值,单位\nurbanization_rate,2022,57,%\n{row}\n"
    )

    assert not result.accepted
    assert [issue.code for issue in result.issues] == [code]
    message = result.issues[0].message()
    assert zh in message and en in message, message
    assert result.report().startswith("✘ submissions/420881/file.csv: 退回，共 1 个问题")


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
    ("name", "data", "code", "zh"),
    [
        ("empty.csv", b"", "empty_file", "文件为空"),
        ("fake.xlsx", b"this is not a workbook", "not_a_spreadsheet", "不是 Excel 工作簿"),
        (
            "locked.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "encrypted_or_xls",
            "已加密",
        ),
        ("broken.xlsx", b"PK\x03\x04 truncated", "corrupt_workbook", "工作簿已损坏"),
        ("binary.csv", b"\xff\xfe\x00\x81\x00" * 10, "encoding", "无法识别文件编码"),
        ("no_header.csv", "甲,乙\n1,2\n".encode(), "no_header", "找不到表头"),
        ("header_only.csv", "指标代码,时期,数值,单位\n".encode(), "no_data", "没有数据行"),
    ],
)
def test_unreadable_files_are_rejected_with_a_clear_error(
    tmp_path: Path, catalog: Catalog, name: str, data: bytes, code: str, zh: str
) -> None:
    path = write(tmp_path, f"submissions/420881/{name}", data)

    result = read_submission(path, tmp_path, catalog)

    assert [issue.code for issue in result.issues] == [code]
    assert zh in result.report() and f"submissions/420881/{name}" in result.report()


def test_size_and_row_limits(tmp_path: Path, catalog: Catalog, monkeypatch) -> None:
    text = "指标代码,时期,数值,单位\n" + "gdp,2023,1,亿元\n" * 50
    monkeypatch.setenv("PLAN_MAX_FILE_ROWS", "10")
    assert [i.code for i in check(tmp_path, catalog, text).issues] == ["too_many_rows"]
    monkeypatch.setenv("PLAN_MAX_FILE_BYTES", "100")
    assert [i.code for i in check(tmp_path, catalog, text).issues] == ["file_too_large"]


def test_sample_data_is_accepted_whole(catalog: Catalog) -> None:
    results = read_submissions(find_submission_files(SAMPLE_RAW_DIR), SAMPLE_RAW_DIR, catalog)

    assert [r.report() for r in results if not r.accepted] == []
    assert [r.department_code for r in results] == [
        "agriculture", "culture_tourism", "development_reform", "housing", "science_tech",
        "statistics", "statistics",
    ]  # fmt: skip
    frame = accepted_observations(results)
    assert frame.schema == pl.Schema(OBSERVATION_SCHEMA)
    assert frame.height == 84
    assert dict(frame.group_by("source_file").len().rows()) == {
        "submissions/420881/development_reform/development_reform_bureau_2020-2025.csv": 6,
        "submissions/420881/housing/housing_bureau_2020-2025.csv": 6,
        "submissions/420881/science_tech/science_bureau_2020-2025.xlsx": 17,
        "submissions/420881/statistics/stats_bureau_2020-2025.csv": 21,
        "submissions/420881/statistics/stats_bureau_revision_2026-02-10.csv": 1,
        "submissions/420881/agriculture/agriculture_bureau_2020-2025.xlsx": 24,
        "submissions/420881/culture_tourism/tourism_revenue_2020-2025.xlsx": 9,
    }


@pytest.mark.parametrize("name", ["submission_template.csv", "submission_template.xlsx"])
def test_templates_pass_the_check(tmp_path: Path, catalog: Catalog, name: str) -> None:
    template = SAMPLE_RAW_DIR / "templates" / name
    path = write(tmp_path, f"submissions/420881/statistics/{name}", template.read_bytes())

    result = read_submission(path, tmp_path, catalog)

    assert result.accepted, result.report()
    assert rows(result, "indicator_code", "period", "value", "missing_reason") == [
        ("gdp", "2025-Q2", 388.6, None),
        ("gdp", "2025-YTD-06", 388.6, None),
        ("tourism_revenue", "2025-06", None, "placeholder —"),
    ]
