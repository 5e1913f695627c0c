"""Write the bundled sample submissions under `raw/submissions/`.

All figures are synthetic: invented to look plausible for Zhongxiang (420881),
not taken from any statistical release. Running this again writes byte-identical
files, so the sample data can always be regenerated and diffed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import xlsxwriter

REGION = "420881"
NOTE = "合成样例数据 / synthetic sample"

# indicator_code -> (unit, {period: value}); synthetic.
SERIES: dict[str, tuple[str, dict[str, float]]] = {
    "gdp": (
        "亿元",
        {
            "2020": 560.0,
            "2021": 625.3,
            "2022": 668.0,
            "2023": 712.4,
            "2024": 756.9,
            "2025": 801.5,
            "2025-Q1": 181.2,
            "2025-Q2": 388.6,
            "2025-Q3": 590.7,
        },
    ),
    "urbanization_rate": (
        "%",
        {"2020": 55.2, "2021": 56.1, "2022": 57.0, "2023": 58.2, "2024": 59.3, "2025": 60.4},
    ),
    "rd_spending_share_gdp": (
        "%",
        {"2020": 1.45, "2021": 1.62, "2022": 1.80, "2023": 1.96, "2024": 2.12, "2025": 2.31},
    ),
    "patent_applications": (
        "件",
        {"2020": 330, "2021": 372, "2022": 405, "2023": 418, "2024": 436, "2025": 452},
    ),
    "patents_granted": (
        "件",
        {"2020": 160, "2021": 188, "2022": 205, "2023": 214, "2024": 226, "2025": 233},
    ),
    "new_high_tech_enterprises": ("家", {"2021": 7, "2022": 9, "2023": 8, "2024": 10, "2025": 9}),
    "built_up_area": (
        "平方公里",
        {"2020": 36.8, "2021": 37.5, "2022": 38.4, "2023": 39.6, "2024": 40.7, "2025": 42.3},
    ),
    "green_phosphorus_output": (
        "亿元",
        {"2020": 268, "2021": 305, "2022": 352, "2023": 376, "2024": 402, "2025": 431},
    ),
}


def _rows(codes: list[str]) -> list[tuple[str, str, float, str]]:
    return [
        (code, period, value, SERIES[code][0])
        for code in codes
        for period, value in SERIES[code][1].items()
    ]


def _format(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"


def _write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _write_xlsx(path: Path, sheets: dict[str, list[tuple[str, str, float, str]]]) -> None:
    workbook = _new_workbook(path)
    for sheet_name, rows in sheets.items():
        sheet = workbook.add_worksheet(sheet_name)
        sheet.write_row(0, 0, ["地区代码", "指标代码", "时期", "数值", "单位", "备注"])
        for index, (code, period, value, unit) in enumerate(rows, start=1):
            sheet.write_row(index, 0, [REGION, code, period, value, unit, NOTE])
    workbook.close()


# Series sent by name in messy workbooks; synthetic.
AGRICULTURE: dict[str, tuple[str, dict[str, str]]] = {
    "农机总动力": ("万千瓦", {"2020": "158.2", "2021": "161.9", "2022": "165.3",
                          "2023": "168.0", "2024": "170.6", "2025": "172.4"}),
    "主要农作物耕种收综合机械化率": ("%", {"2020": "—", "2021": "84.1", "2022": "85.6",
                                      "2023": "86.7", "2024": "87.9", "2025": "88.6"}),
    "粮食产量": ("亿斤", {"2020": "19.6", "2021": "20.1", "2022": "19.4", "2023": "20.6",
                      "2024": "20.2", "2025": "20.3"}),
    "农产品知名公用品牌": ("个", {"2020": "0", "2021": "0", "2022": "1", "2023": "1",
                             "2024": "2", "2025": "2"}),
}  # fmt: skip
# Tourism revenue in 万元 (converted to the registry's 亿元), year to date in 2025; synthetic.
TOURISM = {"2020年": "682,000", "2021年": "915,400", "2022年": "874,500", "2023年": "1,218,700",
           "2024年": "1,386,000", "2025年1-3月": "352,100", "2025年1-6月": "731,800",
           "2025年1-9月": "1,146,900", "2025年1-12月": "1,512,300"}  # fmt: skip


def _new_workbook(path: Path) -> xlsxwriter.Workbook:
    workbook = xlsxwriter.Workbook(str(path))
    # Fixed metadata so the file is byte-identical on every run.
    workbook.set_properties({"created": dt.datetime(2026, 1, 15), "author": "synthetic"})
    return workbook


def _write_agriculture_workbook(path: Path) -> None:
    """As a bureau's own report looks: a title, who filled it in, names not codes, notes."""
    workbook = _new_workbook(path)
    sheet = workbook.add_worksheet("农业主要指标")
    sheet.merge_range("A1:E1", "钟祥市农业主要指标完成情况表（2020—2025年，合成样例数据）")
    sheet.write("A2", "填报单位：市农业农村局")
    sheet.write_row("A3", ["指标名称", "时期", "数值", "单位", "备注"])
    row = 3
    for name, (unit, values) in AGRICULTURE.items():
        for year, value in values.items():
            note = "当年未统计" if value == "—" else ""
            sheet.write_row(row, 0, [name, f"{year}年", value, unit, note])
            row += 1
    sheet.write(row + 1, 0, "注：本表数据为合成样例数据，不是统计数据。")
    sheet.write(row + 2, 0, "填报人：（样例）    审核人：（样例）")
    workbook.add_worksheet("填表说明").write("A1", "数值保留一位小数；暂无数据填“—”。")
    workbook.close()


def _write_tourism_workbook(path: Path) -> None:
    """A unit line above the table for every row, year-to-date periods, no unit column."""
    workbook = _new_workbook(path)
    sheet = workbook.add_worksheet("旅游收入")
    sheet.merge_range("A1:C1", "钟祥市旅游总收入（合成样例数据）")
    sheet.write("C2", "单位：万元")
    sheet.write_row("A3", ["指标", "统计期", "本期数"])
    for row, (period, value) in enumerate(TOURISM.items(), start=3):
        sheet.write_row(row, 0, ["旅游总收入", period, value])
    workbook.close()


TEMPLATE_HEADER = ["指标代码", "时期", "数值", "单位", "备注"]
TEMPLATE_ROWS = [
    ["gdp", "2025年二季度", "388.6", "亿元", "示例行，请删除 / example row, delete it"],
    [
        "地区生产总值",
        "2025年1-6月",
        "3,886,000",
        "万元",
        "也可填指标中文全称 / or the Chinese name",
    ],
    ["tourism_revenue", "2025-06", "—", "亿元", "暂无数据填 — / — for not available"],
]


def write_templates(raw_dir: Path) -> list[Path]:
    """One template per accepted format, for departments to copy."""
    folder = raw_dir / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / "submission_template.csv"
    # UTF-8 with BOM, so Excel opens the Chinese headers correctly.
    _write_csv(csv_path, TEMPLATE_HEADER, TEMPLATE_ROWS, "utf-8-sig")
    xlsx_path = folder / "submission_template.xlsx"
    workbook = _new_workbook(xlsx_path)
    sheet = workbook.add_worksheet("数据")
    sheet.merge_range("A1:E1", "钟祥市规划指标数据报送表（模板）")
    sheet.write("A2", "填报单位：市统计局")
    sheet.write_row("A3", TEMPLATE_HEADER)
    for row, values in enumerate(TEMPLATE_ROWS, start=3):
        sheet.write_row(row, 0, values)
    sheet.write(
        len(TEMPLATE_ROWS) + 4,
        0,
        "注：单位可用同类单位（元/万元/亿元，亩/万亩/公顷）；详见 raw/README.md。",
    )
    workbook.close()
    return [csv_path, xlsx_path]


def write_sample_data(raw_dir: Path) -> list[Path]:
    """Write every sample submission file; returns the paths written."""
    region = raw_dir / "submissions" / REGION
    written = []

    def folder(department: str) -> Path:
        # The folder under the region names the sending department (a code from plan.yaml).
        path = region / department
        path.mkdir(parents=True, exist_ok=True)
        return path

    # Statistics bureau: UTF-8 CSV with Chinese headers, quarterly GDP year-to-date.
    path = folder("statistics") / "stats_bureau_2020-2025.csv"
    rows = _rows(["gdp", "urbanization_rate", "rd_spending_share_gdp"])
    _write_csv(
        path,
        ["地区代码", "指标代码", "时期", "数值", "单位", "备注"],
        [[REGION, code, period, _format(value), unit, NOTE] for code, period, value, unit in rows],
        "utf-8",
    )
    written.append(path)

    # Science and technology bureau: a workbook with two sheets.
    path = folder("science_tech") / "science_bureau_2020-2025.xlsx"
    _write_xlsx(
        path,
        {
            "专利": _rows(["patent_applications", "patents_granted"]),
            "高新技术企业": _rows(["new_high_tech_enterprises"]),
        },
    )
    written.append(path)

    # Development and reform bureau: GBK CSV, region taken from the folder name.
    path = folder("development_reform") / "development_reform_bureau_2020-2025.csv"
    _write_csv(
        path,
        ["指标代码", "时期", "数值", "单位", "备注"],
        [
            [code, period, _format(value), unit, NOTE]
            for code, period, value, unit in _rows(["green_phosphorus_output"])
        ],
        "gbk",
    )
    written.append(path)

    # Housing and urban-rural development bureau: UTF-8 with BOM, English headers.
    path = folder("housing") / "housing_bureau_2020-2025.csv"
    _write_csv(
        path,
        ["region_code", "indicator_code", "period", "value", "unit", "note"],
        [
            [REGION, code, period, _format(value), unit, "synthetic sample"]
            for code, period, value, unit in _rows(["built_up_area"])
        ],
        "utf-8-sig",
    )
    written.append(path)
    # Agriculture and rural affairs bureau: its own report layout.
    path = folder("agriculture") / "agriculture_bureau_2020-2025.xlsx"
    _write_agriculture_workbook(path)
    written.append(path)

    # Culture and tourism bureau: amounts in 万元 under a unit line.
    path = folder("culture_tourism") / "tourism_revenue_2020-2025.xlsx"
    _write_tourism_workbook(path)
    written.append(path)

    # A revised resubmission: the statistics bureau corrects 2024's urbanization rate.
    path = folder("statistics") / "stats_bureau_revision_2026-02-10.csv"
    _write_csv(
        path,
        ["地区代码", "指标代码", "时期", "数值", "单位", "备注"],
        [[REGION, "urbanization_rate", "2024", "59.5", "%", "修订 / revised; " + NOTE]],
        "utf-8",
    )
    written.append(path)
    return written + write_templates(raw_dir)
