"""Write the bundled sample submissions under `raw/submissions/`.

All figures are synthetic: invented to look plausible for Zhongxiang (420881),
not taken from any statistical release. Every target of the registry gets a series
for 2020-2025, from the department that owns it, in the layout and encoding such a
department might send: quarterly or monthly figures where the registry's cadence says
so, a few gaps and late figures, and one revised resubmission. Running this again
writes byte-identical files, so the sample data can always be regenerated and diffed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

import xlsxwriter

REGION = "420881"
NOTE = "合成样例数据 / synthetic sample"
YEARS = range(2020, 2026)

# A row as a department writes it: indicator (code or Chinese name), period, value, unit, note.
Row = tuple[str, str, object, str, str]

# ---- Synthetic annual series, by owning department -------------------------------------
# Values are year-end levels or stocks, except for cumulative and annual targets, whose
# values are the year's flow. `None` is a figure not available ("—" in the file).

# 统计局: GDP also by quarter (year to date), as quarterly accounts are published. Each row
# says when it was reported (报送日期): a year's GDP is verified (最终核实) in the December
# after it, 2025's is still the preliminary figure (初步核算); growth at comparable prices
# (可比价增速) comes beside GDP and incomes.
GDP = {2020: 560.0, 2021: 625.3, 2022: 668.0, 2023: 712.4, 2024: 756.9, 2025: 801.5}
COMPARABLE_GROWTH = {  # % on the year before, at comparable prices
    "gdp": {2021: 8.9, 2022: 4.6, 2023: 6.1, 2024: 5.8, 2025: 5.6},
    "urban_disposable_income": {2021: 7.4, 2022: 4.1, 2023: 6.4, 2024: 5.8, 2025: 5.4},
    "rural_disposable_income": {2021: 9.6, 2022: 5.0, 2023: 7.1, 2024: 6.4, 2025: 6.1},
}
# When each statistic of a year is reported, as (months, day) after the year ends.
REPORTED_AFTER_YEAR = {"urbanization_rate": (3, 15), "rd_spending_share_gdp": (9, 30),
                       "county_economy_top100": (7, 20), "urban_disposable_income": (1, 20),
                       "rural_disposable_income": (1, 20)}  # fmt: skip
GDP_YTD_SHARES = (0.226, 0.485, 0.737)  # Q1, H1 and Q1-Q3 as a share of the year
GDP_2025_YTD = (181.2, 388.6, 590.7)
STATISTICS: dict[str, tuple[str, dict[int, float | None], str]] = {
    "urbanization_rate": ("%", {2020: 55.2, 2021: 56.1, 2022: 57.0, 2023: 58.2, 2024: 59.3,
                                2025: 60.4}, ""),
    # R&D spending is published a year late: 2025 is not out yet.
    "rd_spending_share_gdp": ("%", {2020: 1.45, 2021: 1.62, 2022: 1.80, 2023: 1.96,
                                    2024: 2.12, 2025: None}, "2025年数据尚未发布"),
    # Outside the top 100 the list gives no rank: 未进入百强.
    "county_economy_top100": ("位", {2020: "未进入百强", 2021: "未进入百强", 2022: "未进入百强",
                                     2023: 98, 2024: 93, 2025: 89}, "未入围"),
    "urban_disposable_income": ("元", {2020: 37520, 2021: 40710, 2022: 43230, 2023: 46170,
                                       2024: 48940, 2025: 51680}, ""),
    "rural_disposable_income": ("元", {2020: 19860, 2021: 22025, 2022: 23570, 2023: 25360,
                                       2024: 27080, 2025: 28810}, ""),
}  # fmt: skip

# 市场监管局 (intellectual property): patents by quarter, 2020 as a whole year (the base).
PATENTS = {
    "patent_applications": (330, {2021: (82, 90, 95, 105), 2022: (88, 97, 104, 116),
                                  2023: (92, 101, 106, 119), 2024: (95, 104, 111, 126),
                                  2025: (99, 108, 116, 129)}),
    "patents_granted": (160, {2021: (41, 45, 47, 55), 2022: (45, 49, 52, 59),
                              2023: (47, 51, 55, 61), 2024: (50, 54, 57, 65),
                              2025: (51, 56, 59, 67)}),
}  # fmt: skip

# 科技局: new high-tech enterprises per year; the rest are stocks at year end.
SCIENCE_FLOWS = {"new_high_tech_enterprises": ("家", {2021: 7, 2022: 9, 2023: 8, 2024: 10,
                                                     2025: 9})}  # fmt: skip
SCIENCE_STOCKS = {
    "enterprise_school_centres": ("家", (3, 4, 5, 7, 8, 9)),
    "industry_innovation_consortia": ("个", (0, 1, 1, 2, 3, 3)),
    "registered_tech_smes": ("家", (86, 112, 140, 171, 188, 205)),
    "provincial_incubators": ("家", (1, 1, 1, 2, 2, 2)),
    "provincial_maker_spaces": ("家", (1, 1, 2, 2, 2, 3)),
    "provincial_star_innovation_bases": ("家", (2, 2, 3, 3, 4, 4)),
}

# 发改局: projects signed, year to date by quarter; 2025 only to September so far.
PROJECTS = {
    "projects_over_100m": {2021: (24, 51, 79, 104), 2022: (27, 55, 84, 112),
                           2023: (21, 44, 70, 97), 2024: (25, 53, 80, 108),
                           2025: (26, 55, 83, None)},
    "projects_over_500m": {2021: (5, 10, 15, 21), 2022: (6, 12, 18, 24), 2023: (4, 8, 13, 18),
                           2024: (5, 11, 16, 22), 2025: (5, 10, 14, None)},
    "projects_over_1bn": {2021: (1, 3, 4, 6), 2022: (2, 3, 5, 7), 2023: (1, 2, 4, 5),
                          2024: (1, 3, 4, 6), 2025: (1, 2, 4, None)},
}  # fmt: skip
ENERGY_INTENSITY = (0.62, 0.60, 0.58, 0.57, 0.55, 0.54)  # 吨标准煤/万元

# 经信局: enterprise counts by Chinese name (stocks at year end), output in 万元, tech upgrading.
ECONOMY_COUNTS = {
    "产业链领军企业、链主企业": ("家", (0, 0, 1, 1, 1, 1), "五大产业中最少的家数"),
    "销售收入过百亿元企业": ("家", (0, 0, 1, 1, 1, 2), ""),
    "全国制造业单项冠军企业": ("家", (0, 0, 0, 0, 1, 1), ""),
    "隐形冠军企业": ("家", (28, 36, 45, 52, 58, 63), ""),
    "国家级隐形冠军企业": ("家", (0, 0, 1, 1, 1, 1), ""),
    "省级以上专精特新“小巨人”企业": ("家", (12, 18, 26, 33, 40, 47), ""),
    "国家级专精特新“小巨人”企业": ("家", (0, 1, 1, 2, 3, 3), ""),
    "百亿级产业集群": ("个", (1, 1, 2, 2, 3, 3), ""),
}
ECONOMY_OUTPUT_WAN_YUAN = {  # 万元 under a unit line; the registry's unit is 亿元
    "绿色磷化产业产值": (2_680_000, 3_050_000, 3_520_000, 3_760_000, 4_020_000, 4_310_000),
    "长寿食品产业产值": (1_820_000, 2_100_000, 2_480_000, 2_760_000, 3_010_000, 3_300_000),
}
PARK_SHARE = (68.5, 71.2, 73.9, 75.8, 77.6, 78.9)
INDUSTRY_TOP100 = ("榜外", "榜外", 99, 95, 92, 90)
# Tech-upgrade investment growth (%), year to date, from 1-2月 (January and February are
# reported together) to 1-12月; 2025 to October so far.
TECH_UPGRADE_GROWTH = {
    2021: (31.5, 29.8, 28.2, 27.0, 26.4, 25.9, 25.5, 25.1, 24.9, 24.7, 24.6),
    2022: (25.2, 24.0, 23.1, 22.6, 22.0, 21.8, 21.6, 21.5, 21.4, 21.3, 21.3),
    2023: (15.1, 16.0, 16.8, 17.2, 17.5, 17.9, 18.0, 18.1, 18.2, 18.2, 18.2),
    2024: (19.0, 19.6, 19.9, 20.1, 20.3, 20.4, 20.6, 20.7, 20.7, 20.8, 20.8),
    2025: (14.2, 14.9, 15.3, 15.8, 16.0, 16.2, 16.3, 16.5, 16.5),
}
MAJOR_TECH_UPGRADE_DEMOS = {2021: 32, 2022: 35, 2023: 28, 2024: 31, 2025: 33}
TECH_UPGRADE_PROJECTS = {2021: 62, 2022: 71, 2023: 74}  # the three-year action, 2021-2023

# 文旅局: tourism revenue in 万元, year to date in 2025 (its own workbook).
TOURISM = {"2020年": "682,000", "2021年": "915,400", "2022年": "874,500", "2023年": "1,218,700",
           "2024年": "1,386,000", "2025年1-3月": "352,100", "2025年1-6月": "731,800",
           "2025年1-9月": "1,146,900", "2025年1-12月": "1,512,300"}  # fmt: skip
CULTURE_TOURISM = {
    "scenic_areas_4a_kept": ("个", (3, 3, 3, 3, 3, 3)),
    "reserve_a_scenic_areas": ("个", (0, 1, 2, 3, 4, 6)),
    "county_tourism_top100": ("位", (78, 74, 70, 66, 61, 58)),
    "township_festival_brands": ("个", (0, 0, 1, 1, 1, 1)),
    "cultural_industry_parks": ("个", (0, 0, 0, 1, 1, 1)),
}
CULTURE_MILESTONES = {  # 是/否 by year
    "scenic_area_5a": ("否", "否", "否", "否", "是", "是"),
    # Certified in December 2025, not yet in the statistics: see OVERRIDES.
    "fitness_circle_15min": ("否", "否", "否", "否", "否", None),
}

# 农业农村局: its own report layout, names instead of codes.
AGRICULTURE: dict[str, tuple[str, dict[str, str]]] = {
    "农机总动力": ("万千瓦", {"2020": "158.2", "2021": "161.9", "2022": "165.3",
                          "2023": "168.0", "2024": "170.6", "2025": "172.4"}),
    "主要农作物耕种收综合机械化率": ("%", {"2020": "—", "2021": "84.1", "2022": "85.6",
                                      "2023": "86.7", "2024": "87.9", "2025": "88.6"}),
    "粮食产量": ("亿斤", {"2020": "19.6", "2021": "20.1", "2022": "19.4", "2023": "20.6",
                      "2024": "20.2", "2025": "20.3"}),
    "农产品知名公用品牌": ("个", {"2020": "0", "2021": "0", "2022": "1", "2023": "1",
                             "2024": "2", "2025": "2"}),
    "全省农机第一大县地位": ("位", {"2020": "1", "2021": "1", "2022": "1", "2023": "1",
                               "2024": "1", "2025": "1"}),
}  # fmt: skip

# 自然资源和规划局, 住建局, 林业局, 生态环境分局.
BUILT_UP_AREA = (36.8, 37.5, 38.4, 39.6, 40.7, 42.3)  # 平方公里
HOUSING = {  # % under a 单位：% line
    "城市绿化率": (38.2, 38.9, 39.5, 40.3, 40.9, 41.5),
    "垃圾无害化处理率": (99.2, 100, 100, 100, 100, 100),
    "城区污水处理率": (92.1, 93.0, 94.2, 95.3, 96.0, 96.4),
}
FORESTRY = {  # flows per year, 2021-2025; afforestation sent in 亩, converted to 万亩
    "afforestation": ("亩", (9_200, 8_600, 7_900, 8_300, 7_100)),
    "forest_quality_improvement": ("公顷", (1_100, 1_250, 1_180, 1_220, None)),
    "wetland_restoration": ("公顷", (900, 1_100, 1_200, 1_250, 1_300)),
}
ECOLOGY = {
    "air_quality_good_days_ratio": (82.5, 85.2, 83.9, 86.1, 87.4, 88.0),
    "sewage_compliant_discharge_rate": (95.1, 96.0, 96.8, 97.5, 98.1, 98.6),
}
BUSINESS_ENVIRONMENT_TOP100 = (None, None, 96, 88, 85, 81)

COLUMNS_ZH = ["指标代码", "时期", "数值", "单位", "备注"]


def _format(value: object) -> str:
    """A value as a clerk types it: `—` for not available, no trailing zeros."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if float(value) == int(value):
        return f"{int(value)}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _by_year(code: str, unit: str, values: Iterable[object], missing_note: str = "") -> list[Row]:
    """One row per year 2020-2025; the note explains a missing value."""
    return [
        (code, f"{year}", value, unit, missing_note if value is None else "")
        for year, value in zip(YEARS, values, strict=True)
    ]


def _write_csv(
    path: Path, header: list[str], rows: Iterable[Iterable[object]], encoding: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_format(cell) for cell in row] for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def new_workbook(path: Path) -> xlsxwriter.Workbook:
    workbook = xlsxwriter.Workbook(str(path))
    # Fixed metadata so the file is byte-identical on every run.
    workbook.set_properties({"created": dt.datetime(2026, 1, 15), "author": "synthetic"})
    return workbook


def _titled_sheet(
    workbook: xlsxwriter.Workbook, name: str, title: str, header: list[str], lines: list[str]
) -> tuple[xlsxwriter.workbook.Worksheet, int]:
    """A sheet with a merged title, the lines under it, then the header; returns the next row."""
    sheet = workbook.add_worksheet(name)
    sheet.merge_range(0, 0, 0, len(header) - 1, title)
    for row, line in enumerate(lines, start=1):
        sheet.write(row, 0, line)
    sheet.write_row(len(lines) + 1, 0, header)
    return sheet, len(lines) + 2


def _write_rows(sheet, first_row: int, rows: Iterable[Row], numeric: bool = False) -> int:
    """Write rows from `first_row`; numbers as numeric cells or as text. Returns the next row."""
    row = first_row
    for indicator, period, value, unit, note in rows:
        cell = value if numeric and isinstance(value, int | float) else _format(value)
        sheet.write_row(row, 0, [indicator, period, cell, unit, note])
        row += 1
    return row


def _after(year: int, months: int, day: int) -> str:
    """The date `months` months after the end of `year`, on `day`."""
    return dt.date(year + 1 + (months - 1) // 12, (months - 1) % 12 + 1, day).isoformat()


def _statistics(folder: Path) -> list[Path]:
    """统计局: UTF-8 CSV with a region column; GDP also by quarter, year to date; when each
    figure was reported, whether it is preliminary or final, growth at comparable prices."""
    rows: list[list[object]] = []
    for year, value in GDP.items():
        ytd = GDP_2025_YTD if year == 2025 else (round(value * s, 1) for s in GDP_YTD_SHARES)
        for month, part in zip((3, 6, 9), ytd, strict=True):
            reported = dt.date(year, month + 1, 20).isoformat()
            rows.append([REGION, "gdp", f"{year}年1-{month}月", part, "亿元", "", "初步核算",
                         reported, NOTE])  # fmt: skip
        stage, reported = ("初步核算", _after(year, 1, 25)) if year == 2025 else (
            "最终核实", _after(year, 12, 20))  # fmt: skip
        growth = COMPARABLE_GROWTH["gdp"].get(year, "")
        rows.append([REGION, "gdp", f"{year}", value, "亿元", growth, stage, reported, NOTE])
    for code, (unit, values, missing_note) in STATISTICS.items():
        for year, value in values.items():
            note = missing_note if value is None or isinstance(value, str) else NOTE
            growth = COMPARABLE_GROWTH.get(code, {}).get(year, "")
            reported = _after(year, *REPORTED_AFTER_YEAR[code])
            rows.append([REGION, code, f"{year}", value, unit, growth, "", reported, note])
    path = folder / "stats_bureau_2020-2025.csv"
    header = ["地区代码", "指标代码", "时期", "数值", "单位", "可比价增速(%)", "数据性质", "报送日期",
              "备注"]  # fmt: skip
    _write_csv(path, header, rows, "utf-8")

    # A revised resubmission: the 2024 urbanization rate corrected after the census check.
    revision = folder / "stats_bureau_revision_2026-02-10.csv"
    _write_csv(
        revision,
        ["地区代码", *COLUMNS_ZH],
        [[REGION, "urbanization_rate", "2024", 59.5, "%", "修订 / revised; " + NOTE]],
        "utf-8",
    )
    return [path, revision]


def _market_regulation(folder: Path) -> list[Path]:
    """市场监管局: one sheet per year, patents by quarter (2020, the base year, as a whole)."""
    path = folder / "patents_2020-2025.xlsx"
    workbook = new_workbook(path)
    for year in YEARS:
        lines = ["填报单位：市市场监督管理局", f"报送日期：{_after(year, 1, 15)}"]
        rows: list[Row] = []
        for code, (base, by_year) in PATENTS.items():
            if year == 2020:
                rows.append((code, "2020年", base, "件", "全年"))
                continue
            for quarter, count in zip("一二三四", by_year[year], strict=True):
                rows.append((code, f"{year}年{quarter}季度", count, "件", ""))
        title = f"钟祥市专利申请与授权情况（{year}年，合成样例数据）"
        sheet, first = _titled_sheet(workbook, f"{year}年", title, COLUMNS_ZH, lines)
        _write_rows(sheet, first, rows, numeric=True)
    workbook.close()
    return [path]


def _science_tech(folder: Path) -> list[Path]:
    """科技局: a plain workbook with a region column, two sheets."""
    path = folder / "science_bureau_2020-2025.xlsx"
    workbook = new_workbook(path)
    flows = [
        (code, f"{year}", value, unit, NOTE)
        for code, (unit, values) in SCIENCE_FLOWS.items()
        for year, value in values.items()
    ]
    stocks = [
        (code, f"{year}", value, unit, NOTE)
        for code, (unit, values) in SCIENCE_STOCKS.items()
        for year, value in zip(YEARS, values, strict=True)
    ]
    for name, rows in (("高新技术企业", flows), ("创新平台", stocks)):
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, ["地区代码", *COLUMNS_ZH])
        for index, (code, period, value, unit, note) in enumerate(rows, start=1):
            sheet.write_row(index, 0, [REGION, code, period, value, unit, note])
    workbook.close()
    return [path]


def _development_reform(folder: Path) -> list[Path]:
    """发改局: GBK CSV, no region column (taken from the folder), projects year to date."""
    rows: list[list[object]] = []
    for code, by_year in PROJECTS.items():
        for year, quarters in by_year.items():
            for month, count in zip((3, 6, 9, 12), quarters, strict=True):
                if count is not None:
                    reported = (dt.date(year, month, 1) + dt.timedelta(days=45)).isoformat()
                    rows.append([code, f"{year}年1-{month}月", count, "个", reported, NOTE])
    rows += [[*row[:4], _after(int(row[1]), 2, 28), row[4]]
             for row in _by_year("energy_intensity_gdp", "吨标准煤/万元", ENERGY_INTENSITY)]  # fmt: skip
    path = folder / "development_reform_bureau_2020-2025.csv"
    _write_csv(path, ["指标代码", "时期", "数值", "单位", "报送日期", "备注"], rows, "gbk")
    return [path]


def _economy_it(folder: Path) -> list[Path]:
    """经信局: a bureau's workbook with titles, names instead of codes, a 单位：万元 sheet."""
    path = folder / "economy_it_bureau_2020-2025.xlsx"
    workbook = new_workbook(path)
    lines = ["填报单位：市经济和信息化局"]
    counts = [
        row
        for name, (unit, values, note) in ECONOMY_COUNTS.items()
        for row in ((n, f"{p}年", v, u, note) for n, p, v, u, _ in _by_year(name, unit, values))
    ]
    sheet, first = _titled_sheet(workbook, "企业培育", "重点企业培育情况（合成样例数据）",
                                 ["指标名称", "时期", "数值", "单位", "备注"], lines)  # fmt: skip
    row = _write_rows(sheet, first, counts, numeric=True)
    sheet.write(row + 1, 0, "注：本表数据为合成样例数据。")

    header = ["指标名称", "时期", "本期数"]
    sheet, first = _titled_sheet(workbook, "产业产值", "重点产业产值（合成样例数据）", header,
                                 [*lines, "单位：万元"])  # fmt: skip
    for name, values in ECONOMY_OUTPUT_WAN_YUAN.items():
        for year, value in zip(YEARS, values, strict=True):
            sheet.write_row(first, 0, [name, f"{year}年", value])
            first += 1

    other = _by_year("park_industrial_output_share", "%", PARK_SHARE)
    other += _by_year("industry_top100", "位", INDUSTRY_TOP100, "未入围")
    other += [("major_tech_upgrade_demo_projects", f"{year}", count, "个", "")
              for year, count in MAJOR_TECH_UPGRADE_DEMOS.items()]  # fmt: skip
    other += [("tech_upgrade_projects_3yr", f"{year}", count, "个", "技改提能、制造焕新三年行动")
              for year, count in TECH_UPGRADE_PROJECTS.items()]  # fmt: skip
    for year, rates in TECH_UPGRADE_GROWTH.items():
        for month, rate in enumerate(rates, start=2):
            other.append(("tech_upgrade_investment_growth", f"{year}年1-{month}月", rate, "%", ""))
    sheet, first = _titled_sheet(workbook, "园区与技改", "园区、排名与技术改造（合成样例数据）",
                                 COLUMNS_ZH, lines)  # fmt: skip
    _write_rows(sheet, first, other)
    workbook.close()
    return [path]


def _finance(folder: Path) -> list[Path]:
    """地方金融工作局: a milestone answered 是/否, no unit column."""
    rows = [
        ("本土上市公司零的突破", f"{year}年", "否", "辅导备案中" if year >= 2024 else "")
        for year in range(2021, 2026)
    ]
    path = folder / "finance_bureau_2021-2025.csv"
    _write_csv(path, ["指标名称", "时期", "数值", "备注"], rows, "utf-8")
    return [path]


def _culture_tourism(folder: Path) -> list[Path]:
    """文旅局: tourism revenue in 万元 in its own workbook; the rest in a GB18030 CSV."""
    path = folder / "tourism_revenue_2020-2025.xlsx"
    workbook = new_workbook(path)
    sheet, first = _titled_sheet(workbook, "旅游收入", "钟祥市旅游总收入（合成样例数据）",
                                 ["指标", "统计期", "本期数"], [""])  # fmt: skip
    sheet.write("C2", "单位：万元")  # the unit line at the right, above the values
    for row, (period, value) in enumerate(TOURISM.items(), start=first):
        sheet.write_row(row, 0, ["旅游总收入", period, value])
    workbook.close()

    rows: list[Row] = []
    for code, (unit, values) in CULTURE_TOURISM.items():
        rows += _by_year(code, unit, values)
    for code, answers in CULTURE_MILESTONES.items():
        rows += _by_year(code, "是/否", answers)
    dated = [[*row[:4], _after(int(row[1]), 1, 10), row[4]] for row in rows]
    csv_path = folder / "culture_tourism_bureau_2020-2025.csv"
    _write_csv(csv_path, ["指标代码", "时期", "数值", "单位", "报送日期", "备注"], dated, "gb18030")
    return [path, csv_path]


def _agriculture(folder: Path) -> list[Path]:
    """农业农村局: a title, who filled it in, names not codes, notes, an instructions sheet."""
    path = folder / "agriculture_bureau_2020-2025.xlsx"
    workbook = new_workbook(path)
    title = "钟祥市农业主要指标完成情况表（2020—2025年，合成样例数据）"
    sheet, first = _titled_sheet(workbook, "农业主要指标", title,
                                 ["指标名称", "时期", "数值", "单位", "备注"],
                                 ["填报单位：市农业农村局"])  # fmt: skip
    rows = [
        (name, f"{year}年", value, unit, "当年未统计" if value == "—" else "")
        for name, (unit, values) in AGRICULTURE.items()
        for year, value in values.items()
    ]
    row = _write_rows(sheet, first, rows)
    sheet.write(row + 1, 0, "注：本表数据为合成样例数据，不是统计数据。")
    sheet.write(row + 2, 0, "填报人：（样例）    审核人：（样例）")
    workbook.add_worksheet("填表说明").write("A1", "数值保留一位小数；暂无数据填“—”。")
    workbook.close()
    return [path]


def _natural_resources(folder: Path) -> list[Path]:
    """自然资源和规划局: UTF-8 with BOM, English headers."""
    path = folder / "natural_resources_bureau_2020-2025.csv"
    rows = [
        [REGION, "built_up_area", period, value, unit, "synthetic sample"]
        for _, period, value, unit, _ in _by_year("built_up_area", "平方公里", BUILT_UP_AREA)
    ]
    _write_csv(path, ["region_code", "indicator_code", "period", "value", "unit", "note"], rows,
               "utf-8-sig")  # fmt: skip
    return [path]


def _housing(folder: Path) -> list[Path]:
    """住建局: a workbook with a 单位：% line and no unit column."""
    path = folder / "housing_bureau_2020-2025.xlsx"
    workbook = new_workbook(path)
    sheet, first = _titled_sheet(workbook, "城建指标", "城市建设主要指标（合成样例数据）",
                                 ["指标名称", "年度", "指标值"], ["单位：%"])  # fmt: skip
    for name, values in HOUSING.items():
        for year, value in zip(YEARS, values, strict=True):
            sheet.write_row(first, 0, [name, f"{year}年度", value])
            first += 1
    workbook.close()
    return [path]


def _forestry(folder: Path) -> list[Path]:
    """林业局: flows per year since the base year, afforestation in 亩."""
    path = folder / "forestry_bureau_2021-2025.xlsx"
    workbook = new_workbook(path)
    rows = [
        (code, f"{year}年", value, unit, "年度汇总未完成" if value is None else "")
        for code, (unit, values) in FORESTRY.items()
        for year, value in zip(range(2021, 2026), values, strict=True)
    ]
    sheet, first = _titled_sheet(workbook, "林业生态", "林业生态建设年度完成量（合成样例数据）",
                                 COLUMNS_ZH, ["填报单位：市林业局"])  # fmt: skip
    _write_rows(sheet, first, rows, numeric=True)
    workbook.close()
    return [path]


def _ecology(folder: Path) -> list[Path]:
    """生态环境分局: GB18030 CSV."""
    rows: list[Row] = []
    for code, values in ECOLOGY.items():
        rows += _by_year(code, "%", values)
    path = folder / "ecology_bureau_2020-2025.csv"
    _write_csv(path, COLUMNS_ZH, rows, "gb18030")
    return [path]


def _health(folder: Path) -> list[Path]:
    """卫健局: a milestone reported for the day it was reached."""
    path = folder / "health_commission_2024-11-28.csv"
    _write_csv(
        path,
        COLUMNS_ZH,
        [
            (
                "tertiary_hospital",
                "2024年11月28日",
                "是",
                "",
                "市人民医院通过三级甲等综合医院评审（样例）",
            )
        ],
        "utf-8",
    )
    return [path]


def _government_services(folder: Path) -> list[Path]:
    """政务服务和大数据管理局: UTF-8 with BOM, a rank outside the list left blank."""
    path = folder / "government_services_2020-2025.csv"
    rows = _by_year("business_environment_top100", "位", BUSINESS_ENVIRONMENT_TOP100, "未入围")
    _write_csv(path, COLUMNS_ZH, [(c, p, "" if v is None else v, u, n) for c, p, v, u, n in rows],
               "utf-8-sig")  # fmt: skip
    return [path]


DEPARTMENTS = {
    "statistics": _statistics,
    "market_regulation": _market_regulation,
    "science_tech": _science_tech,
    "development_reform": _development_reform,
    "economy_it": _economy_it,
    "finance": _finance,
    "culture_tourism": _culture_tourism,
    "agriculture": _agriculture,
    "natural_resources": _natural_resources,
    "housing": _housing,
    "forestry": _forestry,
    "ecology": _ecology,
    "health": _health,
    "government_services": _government_services,
}

OVERRIDES_HEADER = ["plan_id", "region_code", "indicator_code", "period", "status", "reason",
                    "reviewed_by", "reviewed_on"]  # fmt: skip
OVERRIDES = [
    ["zx_hqd_2021_2025", REGION, "fitness_circle_15min", "2025", "achieved",
     "2025年12月通过省级验收，统计年报尚未更新（样例） / certified in December 2025, not yet in "
     "the statistics (sample)", "市发展和改革局规划科（样例）", "2026-01-20"],
]  # fmt: skip


def write_overrides(raw_dir: Path) -> list[Path]:
    """The reviewed status overrides (a sample; the reviewer is fictitious)."""
    folder = raw_dir / "overrides"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "status_overrides.csv"
    _write_csv(path, OVERRIDES_HEADER, OVERRIDES, "utf-8")
    return [path]


# The region column lets a file be checked and sent from anywhere (`check` names the region
# otherwise with --region; in the landing zone the folder submissions/<region>/ does).
TEMPLATE_COLUMNS = ["地区代码", *COLUMNS_ZH]
TEMPLATE_ROWS = [
    [REGION, "gdp", "2025年二季度", "388.6", "亿元", "示例行，请删除 / example row, delete it"],
    [REGION, "地区生产总值", "2025年1-6月", "3,886,000", "万元",
     "也可填指标中文全称 / or the Chinese name"],
    [REGION, "tourism_revenue", "2025-06", "—", "亿元", "暂无数据填 — / — for not available"],
]  # fmt: skip


def write_templates(raw_dir: Path) -> list[Path]:
    """One template per accepted format, for departments to copy."""
    folder = raw_dir / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / "submission_template.csv"
    # UTF-8 with BOM, so Excel opens the Chinese headers correctly.
    _write_csv(csv_path, TEMPLATE_COLUMNS, TEMPLATE_ROWS, "utf-8-sig")
    xlsx_path = folder / "submission_template.xlsx"
    workbook = new_workbook(xlsx_path)
    sheet, first = _titled_sheet(workbook, "数据", "钟祥市规划指标数据报送表（模板）", TEMPLATE_COLUMNS,
                                 ["填报单位：市统计局"])  # fmt: skip
    for row, values in enumerate(TEMPLATE_ROWS, start=first):
        sheet.write_row(row, 0, values)
    sheet.write(
        first + len(TEMPLATE_ROWS) + 1,
        0,
        "注：单位可用同类单位（元/万元/亿元，亩/万亩/公顷）；详见 raw/README.md。",
    )
    workbook.close()
    return [csv_path, xlsx_path]


def write_sample_data(raw_dir: Path) -> list[Path]:
    """Write every sample submission file; returns the paths written."""
    written = []
    for department, write in DEPARTMENTS.items():
        # The folder under the region names the sending department (a code from plan.yaml).
        folder = raw_dir / "submissions" / REGION / department
        folder.mkdir(parents=True, exist_ok=True)
        written += write(folder)
    return written + write_overrides(raw_dir) + write_templates(raw_dir)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from pipelines import settings

    parser = argparse.ArgumentParser(
        prog="python -m tests.tools.sample_data",
        description="Write the synthetic sample submissions, overrides and templates again. "
        "Example: python -m tests.tools.sample_data --raw-dir /tmp/raw",
    )
    parser.add_argument("--raw-dir", help="where to write them (default: PLAN_RAW_DIR, else raw/)")
    args = parser.parse_args(argv)
    for path in write_sample_data(Path(args.raw_dir) if args.raw_dir else settings.raw_dir()):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
