"""The evaluation table officials file: 主要指标完成情况表, one per plan and region.

Once every target's year has ended on the reference date it is the final evaluation
(终期评估): the target-year figure of each target and its verdict (完成, 超额完成, 基本完成,
未完成, 无终期数据, 不可量化评估). Before, it is the mid-term table (中期评估) as of that date:
the latest figure and its grade (提前实现, 快于预期, 基本符合预期, 滞后 ...). Everything is
read from the marts; `python -m pipelines evaluate` writes it as xlsx and CSV, and the HTML
report shows the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.outputs.exports import escape_formulas, temporary_beside
from pipelines.vocabulary import COMPARATORS, by_code

COLUMNS = (
    "序号",
    "领域",
    "指标",
    "单位",
    "属性",
    "基期值",
    "目标值",
    "目标年实际值",
    "完成情况",
    "完成率",
    "责任单位",
    "备注",
)
MIDTERM_VALUE_COLUMN = "最新实际值"
NATURE_ZH = {"anticipatory": "预期性", "binding": "约束性"}
GROWTH_BASIS_ZH = {"comparable_price": "可比价", "nominal": "现价"}
# The signs a review table writes before a target (pipelines/vocabulary.py).
SIGNS = {
    code: by_code(COMPARATORS)[code].symbol for code in ("at_least", "above", "at_most", "below")
}

# The columns of the marts a table is made from (the report reads the same ones).
ROW_QUERY = """
select attainment.*, indicator.base_year, indicator.source_start, indicator.notes as registry_notes,
    indicator.plan_title_zh, indicator.region_name_zh, indicator.tolerance,
    reference.name_zh as reference_name_zh
from marts.mart_indicator_attainment as attainment
join marts.dim_indicator as indicator using (plan_id, region_code, indicator_code)
left join marts.dim_indicator as reference
    on reference.plan_id = indicator.plan_id and reference.region_code = indicator.region_code
    and reference.indicator_code = indicator.reference_indicator_code
"""
SUMMARY_QUERY = """
select summary_zh, midterm_summary_zh from marts.mart_evaluation_summary
where plan_id = ? and region_code = ? and group_type = 'all'
"""


@dataclass(frozen=True)
class EvaluationTable:
    """One plan and region's table, with what its title says."""

    plan_id: str
    region_code: str
    plan_title_zh: str
    region_name_zh: str
    evaluated_on: dt.date
    is_final: bool
    rows: list[dict]
    summary_zh: str | None

    @property
    def kind_zh(self) -> str:
        return "终期评估" if self.is_final else "中期评估"

    @property
    def columns(self) -> tuple[str, ...]:
        if self.is_final:
            return COLUMNS
        return tuple(MIDTERM_VALUE_COLUMN if c == "目标年实际值" else c for c in COLUMNS)

    @property
    def title(self) -> str:
        return f"{self.plan_title_zh}主要指标完成情况表（{self.kind_zh}）"

    @property
    def file_stem(self) -> str:
        kind = "final" if self.is_final else "midterm"
        return f"evaluation_{self.plan_id}_{self.region_code}_{kind}_{self.evaluated_on}"


def _number(value: float | None) -> float | None:
    """A figure for the table: rounded; None for not-a-number and for infinities (a ratio
    over a zero target), which no spreadsheet cell holds."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 4)


def _plain(value: float | None) -> str:
    """A number as a statistician writes it: no trailing zeros."""
    if value is None:
        return "—"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text or "0"


# What a target whose value is left to later says until the value arrives.
AWAITING_ZH = {"higher_level": "待上级下达", "yearly": "各年度视情提出"}


def target_text(row: dict) -> str:
    """The target as a review table writes it: ≥860, 4–5, ≈20（±5%）每年, 实现, 年均增长≈6,
    累计降低≥13.5%, 增速高于地区生产总值."""
    kind, value = row["kind"], row["target_value"]
    if kind == "qualitative":
        return "定性目标（未量化）"
    if kind == "milestone":
        return f"{row['target_year']}年前实现"
    if kind == "relational":
        reference = row.get("reference_name_zh") or "经济增长"
        if row["comparator"] == "above":
            return f"增速高于{reference}"
        return f"与{reference}基本同步"
    if value is None:
        return AWAITING_ZH.get(row.get("target_source") or "", "—")
    assigned = "（上级下达）" if row.get("target_source") == "higher_level" else ""
    if kind == "average_growth":
        if row["comparator"] == "about":
            return f"年均增长≈{_plain(value)}%（±{(row['tolerance'] or 0.05) * 100:g}%）{assigned}"
        return f"年均增长{SIGNS.get(row['comparator'], '')}{_plain(value)}%{assigned}"
    if kind == "change":
        words = "降低" if row.get("change_direction") == "down" else "提高"
        if row.get("change_basis") == "percent":
            return f"累计{words}{SIGNS.get(row['comparator'], '')}{_plain(value)}%{assigned}"
        unit = "个百分点" if row["unit"] in ("%", "％") else row["unit"]
        return f"{words}{SIGNS.get(row['comparator'], '')}{_plain(value)}{unit}{assigned}"
    if kind == "range":
        text = f"{_plain(value)}–{_plain(row['target_upper'])}"
    elif kind == "approximate":
        text = f"≈{_plain(value)}（±{(row['tolerance'] or 0.05) * 100:g}%）"
    else:
        text = f"{SIGNS.get(row['comparator'], '')}{_plain(value)}"
    if kind == "cumulative":
        return f"累计{text}"
    if row["years_required"] is not None:
        return f"每年{text}{assigned}"
    return f"{text}{assigned}"


def display_unit(row: dict) -> str:
    """The unit of the figure judged: % for an average growth or a change in percent, points
    for a change of a percentage."""
    if row["kind"] == "average_growth" or (
        row["kind"] == "change" and row.get("change_basis") == "percent"
    ):
        return "%"
    if row["kind"] == "change" and row["unit"] in ("%", "％"):
        return "个百分点"
    return row["unit"]


def _judged_value(row: dict, final: bool) -> float | str | None:
    value = row["target_year_value"] if final else row["actual_value"]
    if row["is_outside_list"]:
        return "未上榜"
    if row["kind"] == "milestone" and value is not None:
        return "是" if value >= 1 else "否"
    if row["kind"] == "qualitative":
        value = row["latest_value"]
    return _number(value)


def _verdict_text(row: dict) -> str:
    verdict = row["final_verdict_zh"] or "—"
    if row["final_verdict"] == "met" and row["is_exceeded"]:
        return "超额完成"
    if row["final_verdict"] == "partly_met" and row["years_required"] is not None:
        return f"{verdict}（{row['years_met']}/{row['years_required']} 年达到）"
    return verdict


def _remarks(row: dict, final: bool) -> str:
    remarks = []
    period = row["target_year_period"] if final else row["latest_period"]
    if final and period and period != str(row["target_year"]):
        remarks.append(f"依据 {period} 数据" if row["kind"] != "milestone" else f"于 {period} 实现")
    if not final and period:
        remarks.append(f"数据期 {period}")
    if row.get("not_assessable_reason") in ("awaiting_assignment", "awaiting_yearly_target"):
        remarks.append("目标值待上级下达，暂不评估" if row["not_assessable_reason"] ==
                       "awaiting_assignment" else "年度目标尚未确定，暂不评估")  # fmt: skip
    if row.get("target_document"):
        remarks.append(f"目标值依据：{row['target_document']}")
    if row["kind"] in ("average_growth", "change") and row["base_value"] is not None:
        remarks.append(f"基期值 {_plain(row['base_value'])}{row['unit']}")
    if row["base_period_year"] and row["base_period_year"] != row["base_year"]:
        remarks.append(f"基期值为 {row['base_period_year']} 年数据")
    if row.get("base_value_source") == "plan":
        remarks.append("基期值取自规划文本")
    if row.get("base_difference_from_plan"):
        remarks.append(
            f"部门报送基期值与规划所列相差 {_plain(row['base_difference_from_plan'])}，以部门数据为准"
        )
    if row["kind"] == "average_growth" and row.get("growth_basis"):
        remarks.append(f"按{GROWTH_BASIS_ZH.get(row['growth_basis'], row['growth_basis'])}计算")
    if row["years_required"] is not None and row["years_met"] is not None:
        if final:
            remarks.append(f"每年均须达到，{row['years_met']}/{row['years_required']} 年达到")
        else:
            remarks.append(
                f"每年均须达到，已评估 {row['years_assessed']} 年中 {row['years_met']} 年达到"
            )
    if row["kind"] == "relational" and row["growth_rate"] is not None:
        basis = GROWTH_BASIS_ZH.get(row["growth_basis"] or "", "")
        reference = row["reference_growth_rate"]
        remarks.append(
            f"增速 {row['growth_rate'] * 100:.1f}%，地区生产总值增速 "
            f"{'—' if reference is None else f'{reference * 100:.1f}%'}（{basis}）"
        )
    if row["is_preliminary"]:
        remarks.append("初步核算数")
    if row["is_overridden"]:
        remarks.append(
            f"人工核定：{row['override_reason']}（{row['override_reviewed_by']}，"
            f"{row['override_reviewed_on']}）"
        )
    if row["kind"] == "milestone" and row["is_past_deadline"]:
        remarks.append("逾期未实现")
    if row["is_overdue"]:
        remarks.append("数据逾期未报")
    if row["kind"] == "qualitative" and row.get("registry_notes"):
        remarks.append(str(row["registry_notes"]))
    return "；".join(remarks)


def table_rows(records: list[dict], final: bool) -> list[dict]:
    """The table's rows (one per target, in the plan's order) from mart rows (ROW_QUERY)."""
    rows = []
    # Binding (约束性) targets first, then the plan's order.
    ordered = sorted(
        records,
        key=lambda r: (r["nature"] != "binding", r["source_start"] or 0, r["indicator_code"]),
    )
    for number, record in enumerate(ordered, start=1):
        ratio = None if record["kind"] == "qualitative" else _number(record["completion_ratio"])
        # A growth or change is judged in %, not in the indicator's unit: its base is a remark.
        base = (
            None
            if record["kind"] in ("average_growth", "change")
            else _number(record["base_value"])
        )
        if record["kind"] == "milestone" and base is not None:
            base = "是" if base >= 1 else "否"
        rows.append(
            {
                "序号": number,
                "领域": record["pillar_zh"] or "—",
                "指标": record["name_zh"],
                "单位": display_unit(record),
                "属性": NATURE_ZH.get(record["nature"] or "", "—"),
                "基期值": base,
                "目标值": target_text(record),
                "目标年实际值": _judged_value(record, final),
                "完成情况": _verdict_text(record) if final else record["grade_zh"],
                "完成率": ratio,
                "责任单位": record["department_zh"] or "—",
                "备注": _remarks(record, final),
                "indicator_code": record["indicator_code"],
            }
        )
    return rows


def evaluation_table(
    connection: duckdb.DuckDBPyConnection, plan_id: str, region_code: str
) -> EvaluationTable:
    """The table of one plan and region from a warehouse's marts."""
    cursor = connection.execute(
        ROW_QUERY + " where plan_id = ? and region_code = ?", [plan_id, region_code]
    )
    names = [column[0] for column in cursor.description]
    records = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    if not records:
        known = connection.execute(
            "select distinct plan_id || ' ' || region_code from marts.dim_indicator order by 1"
        ).fetchall()
        raise LookupError(
            f"没有规划 {plan_id} 在地区 {region_code} 的指标 / no targets for plan {plan_id} in "
            f"region {region_code}; registered: {', '.join(k for (k,) in known)}"
        )
    summary = connection.execute(SUMMARY_QUERY, [plan_id, region_code]).fetchone()
    return build_table(records, summary)


def build_table(records: list[dict], summary: tuple | None) -> EvaluationTable:
    """The table from one plan and region's mart rows and its evaluation summary row."""
    final = all(record["is_final"] for record in records)
    first = records[0]
    return EvaluationTable(
        plan_id=first["plan_id"],
        region_code=first["region_code"],
        plan_title_zh=first["plan_title_zh"],
        region_name_zh=first["region_name_zh"],
        evaluated_on=first["freshness_checked_on"],
        is_final=final,
        rows=table_rows(records, final),
        summary_zh=None if summary is None else summary[0 if final else 1],
    )


def _cell_text(name: str, value: object) -> str:
    if value is None:
        return "—"
    if name == "完成率":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return _plain(value)
    return str(value)


def write_csv(table: EvaluationTable, path: Path) -> Path:
    """The table alone as CSV (UTF-8 with BOM, formula-escaped), for Excel and scripts."""
    frame = pl.DataFrame(
        [[_cell_text(name, row[name]) for name in COLUMNS] for row in table.rows],
        schema=list(table.columns),
        orient="row",
    )
    temporary = temporary_beside(path)
    escape_formulas(frame).write_csv(temporary, include_bom=True)
    os.replace(temporary, path)
    return path


def write_xlsx(table: EvaluationTable, path: Path) -> Path:
    """The table as a workbook: a title, the plan and region, the reference date, the table
    and the summary sentence under it."""
    import xlsxwriter

    temporary = temporary_beside(path)
    workbook = xlsxwriter.Workbook(str(temporary))
    # The same marts give the same bytes: no clock in the file.
    stamp = dt.datetime.combine(table.evaluated_on, dt.time())
    workbook.set_properties({"created": stamp, "title": table.title})
    sheet = workbook.add_worksheet(table.kind_zh)
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    header = workbook.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    text = workbook.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    number = workbook.add_format({"border": 1, "valign": "vcenter", "num_format": "#,##0.####"})
    percent = workbook.add_format({"border": 1, "valign": "vcenter", "num_format": "0.0%"})
    last = len(COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last, table.title, title)
    sheet.write(
        1, 0, f"地区：{table.region_name_zh}（{table.region_code}）　规划：{table.plan_id}　"
        f"评估基准日：{table.evaluated_on}"
    )  # fmt: skip
    sheet.write_row(2, 0, table.columns, header)
    for offset, row in enumerate(table.rows, start=3):
        for column, name in enumerate(COLUMNS):
            value = row[name]
            if value is None:
                sheet.write_string(offset, column, "—", text)
            elif name == "完成率":
                sheet.write_number(offset, column, value, percent)
            elif isinstance(value, int | float) and name != "序号":
                sheet.write_number(offset, column, value, number)
            elif isinstance(value, int):
                sheet.write_number(offset, column, value, text)
            else:
                sheet.write_string(offset, column, str(value), text)
    end = 3 + len(table.rows)
    if table.summary_zh:
        sheet.write(end + 1, 0, f"小结：{table.summary_zh}。")
    sheet.write(end + 2, 0, "注：完成率为实际值 ÷ 目标值（“≤”类目标为目标值 ÷ 实际值）。")
    for column, width in enumerate((5, 10, 30, 9, 7, 11, 16, 12, 16, 8, 20, 50)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(3, 0)
    workbook.close()
    os.replace(temporary, path)
    return path


def write_evaluation(table: EvaluationTable, folder: Path) -> list[Path]:
    """Write `<stem>.xlsx` and `<stem>.csv` into `folder`; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_xlsx(table, folder / f"{table.file_stem}.xlsx"),
        write_csv(table, folder / f"{table.file_stem}.csv"),
    ]
