"""The attainment report: one static HTML page per plan and region, readable offline.

Chinese comes first with English beside it. A page holds the status counts, a summary by
pillar and by responsible department, and one card per target with its chart: the actual
series, the expected path (or the yearly floor) and the target, in the colour of the
target's status. Charts are inline SVG drawn here, so the page needs no script library,
no font and no network; a few lines of inline script only filter the cards (by pillar,
department and status, kept in the address's `#` part so a filtered view can be shared).

Everything on the page is read from the published warehouse's marts, and the same marts
give the same page byte for byte.
"""

from __future__ import annotations

import html
import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import quote

import duckdb

from pipelines import vocabulary
from pipelines.evaluation import COLUMNS as EVALUATION_COLUMNS
from pipelines.evaluation import EvaluationTable, build_table
from pipelines.exports import temporary_beside
from pipelines.processes import cores, spawn_context

# status: (Chinese, English, colour); comparator: its sign (pipelines/vocabulary.py).
STATUSES: dict[str, tuple[str, str, str]] = {
    term.code: (term.zh, term.en, term.colour or "") for term in vocabulary.STATUSES
}
COMPARATORS = {term.code: term.symbol or "" for term in vocabulary.COMPARATORS}
WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 56, 14, 20, 26
INDEX_FILE = "index.html"


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    partial: bool = False


def page_name(plan_id: str, region_code: str) -> str:
    return f"attainment_{plan_id}_{region_code}.html"


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def format_number(value: float | None, unit: str | None = None) -> str:
    """Thousands separators and at most four significant decimals, as a statistician writes."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        text = "∞" if value > 0 else "-∞"
        return f"{text} {unit}" if unit and unit not in ("是/否",) else text
    magnitude = abs(value)
    decimals = 0 if magnitude >= 1000 else 1 if magnitude >= 100 else 2 if magnitude >= 1 else 4
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit and unit not in ("是/否",) else text


def format_share(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    return f"{'-' if value < 0 else ''}∞" if math.isinf(value) else f"{value * 100:.1f}%"


def _year_position(period_end) -> float:  # noqa: ANN001 - a datetime.date
    """Years as on the method's clock: the end of 2023 is 2023.0, the end of June 2023 2022.5."""
    return period_end.year - 1 + period_end.month / 12


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        high = low + (abs(low) or 1)
    raw_step = (high - low) / count
    power = 10 ** math.floor(math.log10(raw_step))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw_step)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


class _Canvas:
    """Maps data to SVG coordinates for one chart."""

    def __init__(self, x_range: tuple[float, float], values: list[float], invert: bool) -> None:
        self.x0, self.x1 = x_range
        self.ticks = _nice_ticks(min(values), max(values))
        self.y0, self.y1 = self.ticks[0], self.ticks[-1]
        self.invert = invert

    def x(self, value: float) -> float:
        share = (value - self.x0) / ((self.x1 - self.x0) or 1)
        return round(LEFT + share * (WIDTH - LEFT - RIGHT), 1)

    def y(self, value: float) -> float:
        share = (value - self.y0) / ((self.y1 - self.y0) or 1)
        if self.invert:
            share = 1 - share
        return round(HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM), 1)

    def axes(self, unit: str, percent: bool) -> list[str]:
        parts = []
        for tick in self.ticks:
            y = self.y(tick)
            label = f"{tick * 100:g}%" if percent else format_number(tick)
            parts.append(
                f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
                f'<text class="tick" x="{LEFT - 4}" y="{y + 3}" text-anchor="end">{_e(label)}</text>'
            )
        for year in range(math.ceil(self.x0), math.floor(self.x1) + 1):
            x = self.x(year)
            parts.append(
                f'<text class="tick" x="{x}" y="{HEIGHT - BOTTOM + 14}" '
                f'text-anchor="middle">{year}</text>'
            )
        parts.append(
            f'<text class="unit" x="4" y="{TOP - 9}">{_e("%" if percent else unit)}</text>'
        )
        return parts


def _polyline(canvas: _Canvas, points: list[Point], css: str, colour: str | None = None) -> str:
    coordinates = " ".join(f"{canvas.x(p.x)},{canvas.y(p.y)}" for p in points)
    stroke = f' stroke="{colour}"' if colour else ""
    return f'<polyline class="{css}"{stroke} points="{coordinates}"/>'


def _dots(canvas: _Canvas, points: list[Point], colour: str, unit: str, percent: bool) -> str:
    dots = []
    for p in points:
        value = format_share(p.y) if percent else format_number(p.y, unit)
        fill = "#fff" if p.partial else colour
        dots.append(
            f'<circle class="actual-point" cx="{canvas.x(p.x)}" cy="{canvas.y(p.y)}" r="3.2" '
            f'fill="{fill}" stroke="{colour}"><title>{_e(p.label)}: {_e(value)}</title></circle>'
        )
    return "".join(dots)


def _svg(parts: list[str], title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{_e(title)}" xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>"
    )


def _target_line(canvas: _Canvas, value: float, label: str) -> str:
    y = canvas.y(value)
    return (
        f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
        f'<text class="target-label" x="{LEFT + 4}" y="{y - 3}">'
        f"{_e(label)}</text>"
    )


# Beyond this magnitude a chart's scale cannot be computed in floating point.
CHARTABLE = 1e150


def chart(indicator: dict, history: list[dict]) -> str | None:
    """The SVG chart of one target, or None for targets a chart cannot show (milestones).
    A figure too large to draw (the warehouse keeps what was reported) gives a note in
    place of the chart, never a failed report."""
    figures = [
        row.get(name)
        for row in [indicator, *history]
        for name in ("actual_value", "growth_rate", "reference_growth_rate", "target_value")
    ]
    if any(v is not None and not abs(v) <= CHARTABLE for v in figures):
        return (
            '<div class="milestone"><p>数值超出可绘制的范围，未作图<br>'
            "<small>A figure is too large to draw; no chart</small></p></div>"
        )
    return _chart(indicator, history)


def _chart(indicator: dict, history: list[dict]) -> str | None:
    method = indicator["method"]
    if method == "milestone" or (method is None and indicator["kind"] != "qualitative"):
        return None
    if not history:
        return None
    colour = STATUSES.get(indicator["status"], STATUSES["no_data"])[2]
    unit = indicator["unit"] or ""
    target, upper = indicator["target_value"], indicator["target_upper"]
    target_year = indicator["target_year"]
    base_year = indicator["base_period_year"] or min(row["period_year"] for row in history) - 1
    x_range = (float(min(base_year, target_year - 1)), float(target_year))
    rows = sorted(history, key=lambda row: row["period_end_date"])
    last_full = max((row["period_end_date"] for row in rows if row["is_full_year"]), default=None)
    title = f"{indicator['name_zh']} {indicator['name_en'] or ''}"

    def point(row: dict, value: float) -> Point:
        return Point(
            _year_position(row["period_end_date"]), value, row["period"], not row["is_full_year"]
        )

    if method == "relational":
        actual = [point(r, r["growth_rate"]) for r in rows if r["growth_rate"] is not None]
        reference = [
            point(r, r["reference_growth_rate"])
            for r in rows
            if r["reference_growth_rate"] is not None
        ]
        values = [p.y for p in actual + reference] + [0.0]
        canvas = _Canvas(x_range, values, invert=False)
        parts = canvas.axes(unit, percent=True)
        if reference:
            parts.append(_polyline(canvas, reference, "reference"))
        if actual:
            parts.append(_polyline(canvas, actual, "actual", colour))
            parts.append(_dots(canvas, actual, colour, unit, percent=True))
        return _svg(parts, title)

    if method in ("annual", "each_year"):
        # Each year against its floor: full years as bars, the year in progress hollow.
        bars = [
            point(r, r["actual_value"])
            for r in rows
            if r["actual_value"] is not None
            and (r["is_full_year"] or last_full is None or r["period_end_date"] > last_full)
        ]
        bars = [b for i, b in enumerate(bars) if not b.partial or i == len(bars) - 1]
        values = [b.y for b in bars] + [target or 0.0, upper or 0.0, 0.0]
        canvas = _Canvas(x_range, values, invert=False)
        parts = canvas.axes(unit, percent=False)
        slot = (canvas.x(1) - canvas.x(0)) * 0.55
        for bar in bars:
            center = canvas.x(math.ceil(bar.x - 1e-9) - 0.5)
            top, floor = canvas.y(bar.y), canvas.y(max(canvas.y0, 0))
            fill = "none" if bar.partial else colour
            parts.append(
                f'<rect class="actual-bar" x="{round(center - slot / 2, 1)}" '
                f'y="{min(top, floor)}" width="{round(slot, 1)}" height="{round(abs(floor - top), 1)}" '
                f'fill="{fill}" stroke="{colour}"><title>{_e(bar.label)}: '
                f"{_e(format_number(bar.y, unit))}</title></rect>"
            )
        if target is not None:
            parts.append(_target_line(canvas, target, f"目标 Target {format_number(target)}"))
        return _svg(parts, title)

    # A path toward a level, a rank, a range or a five-year total.
    cumulative = method == "cumulative"
    measure = "cumulative_value" if cumulative else "actual_value"
    actual = [
        point(r, r[measure])
        for r in rows
        if r[measure] is not None
        and (
            cumulative
            or r["is_full_year"]
            or (last_full is None or r["period_end_date"] > last_full)
        )
    ]
    base_value = 0.0 if cumulative else indicator["base_value"]
    if indicator["kind"] == "qualitative":
        # No number to reach: the series alone, from the reported figures.
        target = upper = base_value = None
    base = [Point(float(base_year), base_value, str(base_year))] if base_value is not None else []
    expected = base + [
        point(r, r["expected_value"])
        for r in rows
        if r.get("expected_value") is not None and (cumulative or r["is_full_year"])
    ]
    if target is not None:
        expected.append(Point(float(target_year), target, str(target_year)))
    expected = sorted({p.x: p for p in expected}.values(), key=lambda p: p.x)
    values = [p.y for p in actual + expected] + [v for v in (target, upper) if v is not None]
    if not values:
        return None
    canvas = _Canvas(x_range, values, invert=indicator["kind"] == "rank")
    parts = canvas.axes(unit, percent=False)
    if upper is not None and target is not None:
        top, bottom = sorted((canvas.y(upper), canvas.y(target)))
        parts.append(
            f'<rect class="target-band" x="{LEFT}" y="{top}" width="{WIDTH - LEFT - RIGHT}" '
            f'height="{round(bottom - top, 1)}"/>'
        )
    if target is not None:
        label = (
            f"{format_number(target)}–{format_number(upper)}" if upper else format_number(target)
        )
        parts.append(_target_line(canvas, target, f"目标 Target {label}"))
    if len(expected) > 1:
        parts.append(_polyline(canvas, expected, "expected"))
    # The line starts at the base year's figure (a total starts from nothing).
    joined = base and (cumulative or (actual and actual[0].x > base[0].x))
    line = base + actual if joined else actual
    if line:
        parts.append(_polyline(canvas, line, "actual", colour))
        parts.append(_dots(canvas, actual, colour, unit, percent=False))
    return _svg(parts, title)


def _target_text(row: dict) -> str:
    unit = row["unit"] or ""
    if row["kind"] == "milestone":
        return f"{row['target_year']} 年前实现 / by {row['target_year']}"
    if row["kind"] == "relational":
        return "与经济增长同步 / in step with GDP growth"
    if row["target_upper"] is not None:
        value = f"{format_number(row['target_value'])}–{format_number(row['target_upper'], unit)}"
    else:
        sign = COMPARATORS.get(row["comparator"] or "", "")
        value = f"{sign} {format_number(row['target_value'], unit)}".strip()
    scope = {"cumulative": "五年累计 / five-year total", "annual": "每年 / every year"}.get(
        row["method"] or "", ""
    )
    suffix = f"（{scope}）" if scope else ""
    return f"{value}{suffix}，{row['target_year']}"


def _badge(status: str) -> str:
    zh, en, colour = STATUSES.get(status, STATUSES["no_data"])
    return f'<span class="badge" style="background:{colour}">{zh} <small>{en}</small></span>'


def _stacked_bar(counts: dict[str, int]) -> str:
    total = sum(counts.values()) or 1
    cells = []
    for status, (zh, en, colour) in STATUSES.items():
        n = counts.get(status, 0)
        if n:
            cells.append(
                f'<span style="width:{n / total * 100:.2f}%;background:{colour}" '
                f'title="{zh} {en}: {n}"></span>'
            )
    return f'<div class="stack">{"".join(cells)}</div>'


def _summary_table(kind: str, heading: str, groups: list[dict]) -> str:
    head = "".join(
        f'<th title="{en}">{zh}<br><small>{en}</small></th>' for zh, en, _ in STATUSES.values()
    )
    body = []
    for group in groups:
        counts = group["counts"]
        cells = "".join(f"<td>{counts.get(status, '') or ''}</td>" for status in STATUSES)
        body.append(
            f'<tr data-{kind}="{_e(group["code"])}"><th scope="row">{_e(group["zh"])}'
            f"<br><small>{_e(group['en'])}</small></th><td>{group['total']}</td>"
            f"<td>{_stacked_bar(counts)}</td>{cells}</tr>"
        )
    return (
        f'<section class="summary" id="by-{kind}"><h2>{heading}</h2><table>'
        f"<thead><tr><th></th><th>目标数<br><small>Targets</small></th><th>状态分布<br>"
        f"<small>Status mix</small></th>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
        "</table></section>"
    )


def _fact(label_zh: str, label_en: str, value: str) -> str:
    return f"<div><dt>{label_zh} <small>{label_en}</small></dt><dd>{_e(value)}</dd></div>"


def _milestone_text(row: dict) -> str:
    """What a card without a chart says: when a milestone was reached, or why nothing is drawn."""
    year = row["target_year"]
    if row["reached_on"]:
        return f"已于 {row['reached_on']} 实现<br><small>Reached on {row['reached_on']}</small>"
    if row["kind"] == "qualitative":
        return "目标未量化，不作评估<br><small>No number is set: not assessed</small>"
    if row["status"] == "achieved":
        return "经核定已实现<br><small>Achieved, as reviewed</small>"
    if row["status"] == "pending":
        return f"待实现，期限 {year} 年<br><small>Pending, due by {year}</small>"
    if row["status"] == "no_data":
        return "暂无数据<br><small>No data reported</small>"
    return f"{year} 年底前未实现<br><small>Not reached by the end of {year}</small>"


def _card(row: dict, history: list[dict]) -> str:
    unit = row["unit"] or ""
    svg = chart(row, history)
    if svg is None:
        svg = f'<div class="milestone"><p>{_milestone_text(row)}</p></div>'
    facts = [
        _fact("目标", "Target", _target_text(row)),
        _fact("最新时期", "Latest period", row["latest_period"] or "—"),
        _fact("实际值", "Actual", format_number(row["actual_value"], unit)),
        _fact("预期值", "Expected", format_number(row["expected_value"], unit)),
        _fact("进度比", "Progress ratio", format_number(row["progress_ratio"])),
        _fact("评价", "Grade", row["grade_zh"] or "—"),
    ]
    if row["final_verdict_zh"]:
        facts.append(_fact("终期评估", "Final verdict", row["final_verdict_zh"]))
    if row["method"] == "cumulative":
        facts.append(_fact("累计完成", "Completion", format_share(row["completion_ratio"])))
    if row["projected_value"] is not None:
        facts.append(
            _fact("按现速度预计", "Projected", format_number(row["projected_value"], unit))
        )
    if row["required_annual_growth"] is not None:
        facts.append(
            _fact("尚需年均增长", "Growth needed", format_share(row["required_annual_growth"]))
        )
    elif row["required_annual_amount"] is not None:
        facts.append(
            _fact("尚需年均", "Needed per year", format_number(row["required_annual_amount"], unit))
        )
    notes = []
    if row["kind"] == "qualitative" and row.get("registry_notes"):
        notes.append(f"说明 Note: {_e(row['registry_notes'])}")
    if row["is_overridden"]:
        notes.append(
            f"人工核定 Override: {_e(row['override_reason'])}（{_e(row['override_reviewed_by'])}，"
            f"{_e(row['override_reviewed_on'])}；测算 calculated: {_e(row['calculated_status'])}）"
        )
    if row["is_overdue"]:
        due = _e(str(row["next_figure_due_on"])[:10])
        notes.append(
            f"数据逾期：应于 {due} 前报送 <small>Overdue: the next figure was due by {due}</small>"
        )
    note_html = "".join(f'<p class="note">{note}</p>' for note in notes)
    colour = STATUSES.get(row["status"], STATUSES["no_data"])[2]
    return (
        f'<article class="card" id="{_e(row["indicator_code"])}" style="border-top-color:{colour}" '
        f'data-status="{_e(row["status"])}" data-pillar="{_e(row["pillar_zh"])}" '
        f'data-department="{_e(row["department_code"])}">'
        f"<header><h3>{_e(row['name_zh'])}</h3><p>{_e(row['name_en'])} · "
        f"<code>{_e(row['indicator_code'])}</code></p>{_badge(row['status'])}</header>"
        f"{svg}<dl>{''.join(facts)}</dl>{note_html}"
        f'<p class="owner">{_e(row["department_zh"])} {_e(row["department_en"])}</p></article>'
    )


STYLE = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei",sans-serif;
margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1280px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:24px;margin:8px 0 2px}h1 small,h2 small{font-weight:normal;color:#57606a}
h2{font-size:18px;margin:28px 0 8px}small{color:#57606a}
.meta{color:#57606a;margin:0 0 16px}
.tiles{display:flex;flex-wrap:wrap;gap:8px}
.tile{background:#fff;border-left:6px solid;padding:8px 14px;min-width:110px;border-radius:4px}
.tile b{display:block;font-size:26px}
table{border-collapse:collapse;background:#fff;width:100%;font-size:13px}
th,td{border-bottom:1px solid #d0d7de;padding:4px 6px;text-align:center}
tbody th{text-align:left;font-weight:normal}
.stack{display:flex;width:180px;height:12px;background:#eaeef2}
.stack span{display:block;height:12px}
.filters{display:flex;flex-wrap:wrap;gap:12px;margin:20px 0 8px;align-items:center}
.filters select{font-size:14px;padding:2px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:12px}
.card{background:#fff;border-top:5px solid;border-radius:4px;padding:10px 12px}
.card[hidden]{display:none}
.card h3{font-size:16px;margin:0}.card header p{margin:2px 0 6px;color:#57606a;font-size:12px}
.badge{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px}.badge small{color:#fff}
.chart{width:100%;height:auto;margin-top:6px}
.grid{stroke:#eaeef2}.tick,.unit,.target-label{font-size:10px;fill:#57606a}
.target{stroke:#1f2328;stroke-dasharray:2 3}.target-band{fill:#1a7f37;opacity:.08}
.expected{fill:none;stroke:#8c959f;stroke-width:1.5;stroke-dasharray:6 4}
.reference{fill:none;stroke:#8c959f;stroke-width:1.5;stroke-dasharray:6 4}
.actual{fill:none;stroke-width:2.2}
.milestone{height:120px;display:flex;align-items:center;justify-content:center;text-align:center;
background:#f6f8fa;margin-top:6px}
dl{display:grid;grid-template-columns:1fr 1fr;gap:2px 12px;margin:8px 0 0;font-size:12px}
dt{color:#57606a}dd{margin:0 0 4px}
.note{font-size:12px;background:#fff8c5;padding:4px 6px;margin:6px 0 0}
.owner{font-size:12px;color:#57606a;margin:6px 0 0}
.evaluation td{white-space:nowrap}
.evaluation td:nth-child(3),.evaluation td:last-child{white-space:normal;text-align:left}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:18px;height:0;border-top:2px solid;vertical-align:middle;
margin-right:4px}
"""

SCRIPT = """
(function(){
  var keys=["pillar","department","status"];
  function read(){var out={};location.hash.replace(/^#/,"").split("&").forEach(function(p){
    var kv=p.split("=");if(kv.length==2&&keys.indexOf(kv[0])>=0){out[kv[0]]=decodeURIComponent(kv[1]);}});
    return out;}
  function apply(){var f=read(),shown=0;
    keys.forEach(function(k){document.getElementById("filter-"+k).value=f[k]||"";});
    document.querySelectorAll(".card").forEach(function(card){
      var ok=keys.every(function(k){return !f[k]||card.dataset[k]===f[k];});
      card.hidden=!ok;if(ok){shown++;}});
    document.getElementById("shown").textContent=shown;document.body.dataset.shown=shown;}
  keys.forEach(function(k){document.getElementById("filter-"+k).addEventListener("change",function(){
    var parts=[];keys.forEach(function(j){var v=document.getElementById("filter-"+j).value;
      if(v){parts.push(j+"="+encodeURIComponent(v));}});location.hash=parts.join("&");});});
  window.addEventListener("hashchange",apply);apply();
  var drawn=0;document.querySelectorAll("svg.chart").forEach(function(svg){
    var marks=svg.querySelectorAll("polyline.actual,rect.actual-bar,circle.actual-point");
    var box=svg.getBoundingClientRect();
    if(marks.length&&box.width>0&&box.height>0&&marks[0].getBBox().width+marks[0].getBBox().height>0){drawn++;}});
  document.body.dataset.chartsDrawn=drawn;document.body.dataset.ready="1";
})();
"""


def _select(key: str, label: str, options: list[tuple[str, str]]) -> str:
    items = "".join(f'<option value="{_e(v)}">{_e(text)}</option>' for v, text in options)
    return (
        f'<label>{label} <select id="filter-{key}"><option value="">全部 All</option>'
        f"{items}</select></label>"
    )


def status_counts(rows: list[dict]) -> Counter[str]:
    return Counter(row["status"] for row in rows)


def _groups(rows: list[dict], code: str, zh: str, en: str) -> list[dict]:
    groups: dict[str, dict] = {}
    for row in rows:
        group = groups.setdefault(
            row[code] or "", {"code": row[code], "zh": row[zh], "en": row[en], "counts": Counter()}
        )
        group["counts"][row["status"]] += 1
    for group in groups.values():
        group["total"] = group["counts"].total()
    return list(groups.values())


def _evaluation_cell(name: str, value: object) -> str:
    if value is None:
        return "—"
    if name == "完成率":
        return format_share(value)
    if isinstance(value, float):
        return format_number(value)
    return _e(value)


def evaluation_section(table: EvaluationTable) -> str:
    """The evaluation table officials file (as `python -m pipelines evaluate` writes it)."""
    kind_en = "Final evaluation" if table.is_final else "Mid-term evaluation"
    head = "".join(f"<th>{_e(name)}</th>" for name in table.columns)
    body = "".join(
        f'<tr data-indicator="{_e(row["indicator_code"])}">'
        + "".join(f"<td>{_evaluation_cell(name, row[name])}</td>" for name in EVALUATION_COLUMNS)
        + "</tr>"
        for row in table.rows
    )
    summary = f'<p class="meta">{_e(table.summary_zh)}</p>' if table.summary_zh else ""
    return (
        f'<section class="evaluation" id="evaluation"><h2>主要指标完成情况表（{table.kind_zh}）'
        f" <small>{kind_en}, as of {table.evaluated_on}</small></h2>{summary}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>"
    )


def render_page(
    plan: dict,
    rows: list[dict],
    history: dict[str, list[dict]],
    evaluation: EvaluationTable | None = None,
) -> str:
    """One plan and region's report: status tiles, summaries, the evaluation table, filters
    and a card per target."""
    counts = status_counts(rows)
    tiles = "".join(
        f'<div class="tile" style="border-color:{colour}" data-status="{status}">'
        f"<b>{counts.get(status, 0)}</b>{zh} <small>{en}</small></div>"
        for status, (zh, en, colour) in STATUSES.items()
        if counts.get(status)
    )
    pillars = _groups(rows, "pillar_zh", "pillar_zh", "pillar_en")
    departments = _groups(rows, "department_code", "department_zh", "department_en")
    cards = []
    for pillar in pillars:
        cards.append(
            f'<h2 class="pillar">{_e(pillar["zh"])} <small>{_e(pillar["en"])}</small></h2>'
        )
        cards.append('<div class="cards">')
        cards.extend(
            _card(row, history.get(row["indicator_code"], []))
            for row in rows
            if row["pillar_zh"] == pillar["zh"]
        )
        cards.append("</div>")
    filters = (
        '<div class="filters">'
        + _select("pillar", "领域 Pillar", [(p["code"], f"{p['zh']} {p['en']}") for p in pillars])
        + _select(
            "department",
            "责任部门 Department",
            [(d["code"], f"{d['zh']} {d['en']}") for d in departments],
        )
        + _select(
            "status", "状态 Status", [(s, f"{zh} {en}") for s, (zh, en, _) in STATUSES.items()]
        )
        + f'<span>显示 Showing <b id="shown">{len(rows)}</b> / {len(rows)}</span></div>'
    )
    legend = (
        '<p class="legend"><span><i style="border-color:#1f2328"></i>实际值 Actual '
        "(空心点为年内累计 hollow: year to date)</span>"
        '<span><i style="border-top-style:dashed;border-color:#8c959f"></i>预期路径 Expected path'
        ' / 对比指标 Reference</span><span><i style="border-top-style:dotted;border-color:#1f2328">'
        "</i>目标 Target</span></p>"
    )
    as_of = rows[0]["freshness_checked_on"] if rows else ""
    title = f"{plan['plan_title_zh']} · {plan['region_name_zh']}"
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f"<title>目标实现情况 Target attainment · {_e(title)}</title><style>{STYLE}</style></head>"
        f'<body data-ready="0" data-shown="{len(rows)}"><main>'
        f"<h1>规划目标实现情况 <small>Plan target attainment</small></h1>"
        f'<p class="meta">{_e(plan["plan_title_zh"])}（<code>{_e(plan["plan_id"])}</code>）· '
        f"{_e(plan['region_name_zh'])}（{_e(plan['region_code'])}）· 数据截至 Data checked on "
        f"{_e(as_of)} · {len(rows)} 项目标 targets</p>"
        f'<section class="tiles">{tiles}</section>'
        + _summary_table("pillar", "按领域 <small>By pillar</small>", pillars)
        + _summary_table(
            "department", "按责任部门 <small>By responsible department</small>", departments
        )
        + (evaluation_section(evaluation) if evaluation else "")
        + f"<h2>各项指标 <small>Targets</small></h2>{legend}{filters}"
        + "".join(cards)
        + f"</main><script>{SCRIPT}</script></body></html>\n"
    )


def _write(path: Path, text: str) -> None:
    temporary = temporary_beside(path)
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _groups_of(
    connection: duckdb.DuckDBPyConnection, query: str, batch: int = 10_000
) -> Iterator[tuple[tuple[str, str], list[dict]]]:
    """Rows of a query ordered by plan and region, handed out one (plan, region) at a time,
    so that a province's thousands of regions never sit in memory together."""
    cursor = connection.cursor()
    result = cursor.execute(query)
    names = [column[0] for column in result.description]
    key, group = None, []
    while chunk := result.fetchmany(batch):
        for values in chunk:
            row = dict(zip(names, values, strict=True))
            row_key = (row["plan_id"], row["region_code"])
            if row_key != key and group:
                yield key, group
                group = []
            key = row_key
            group.append(row)
    if group:
        yield key, group
    cursor.close()


class _Follower:
    """Walks a grouped query alongside another one with the same (plan, region) order."""

    def __init__(self, groups: Iterator[tuple[tuple[str, str], list[dict]]]) -> None:
        self._groups = groups
        self._next = next(groups, None)

    def rows_for(self, key: tuple[str, str]) -> list[dict]:
        while self._next is not None and self._next[0] < key:
            self._next = next(self._groups, None)
        if self._next is not None and self._next[0] == key:
            return self._next[1]
        return []


ATTAINMENT_QUERY = """
select attainment.*, indicator.notes as registry_notes, indicator.plan_title_zh,
    indicator.region_name_zh, indicator.base_year, indicator.source_start, indicator.tolerance
from marts.mart_indicator_attainment as attainment
join marts.dim_indicator as indicator using (plan_id, region_code, indicator_code)
where {share}
order by plan_id, region_code, pillar_zh, indicator_code
"""
HISTORY_QUERY = """
select * from marts.mart_attainment_history
where {share}
order by plan_id, region_code, indicator_code, period_end_date, period
"""
# Qualitative targets are not assessed; their reported figures are still drawn.
QUALITATIVE_QUERY = """
select indicator.plan_id, observation.region_code, observation.indicator_code,
    observation.period, observation.period_year, observation.period_end_date,
    observation.period_type = 'year' as is_full_year, observation.value as actual_value
from marts.fct_indicator_observation as observation
join marts.dim_indicator as indicator using (region_code, indicator_code)
where indicator.kind = 'qualitative' and observation.value is not null and {share}
order by indicator.plan_id, observation.region_code, observation.indicator_code,
    observation.period_end_date, observation.period
"""


EVALUATION_SUMMARY_QUERY = """
select plan_id, region_code, summary_zh, midterm_summary_zh from marts.mart_evaluation_summary
where group_type = 'all' and {share}
order by plan_id, region_code
"""


# Pages per process below which starting another (about a second) is not worth it.
PARALLEL_FROM_PAGES = 200


def _share(plan_column: str, region_column: str, part: int, parts: int) -> str:
    """The SQL condition picking one of `parts` shares of the (plan, region) pages."""
    return "true" if parts == 1 else f"hash({plan_column}, {region_column}) % {parts} = {part}"


def _write_pages(
    database: Path, folder: Path, part: int = 0, parts: int = 1
) -> list[tuple[dict, Counter[str]]]:
    """Write the pages of one share of the plans and regions; return each page's plan and
    status counts."""
    pages = []
    with duckdb.connect(str(database), read_only=True) as connection:

        def groups(query: str, plan_column: str, region_column: str):  # noqa: ANN202
            share = _share(plan_column, region_column, part, parts)
            return _groups_of(connection, query.format(share=share))

        history = _Follower(groups(HISTORY_QUERY, "plan_id", "region_code"))
        qualitative = _Follower(
            groups(QUALITATIVE_QUERY, "indicator.plan_id", "observation.region_code")
        )
        summaries = _Follower(groups(EVALUATION_SUMMARY_QUERY, "plan_id", "region_code"))
        for key, rows in groups(ATTAINMENT_QUERY, "plan_id", "region_code"):
            series: dict[str, list[dict]] = defaultdict(list)
            for row in history.rows_for(key) + qualitative.rows_for(key):
                series[row["indicator_code"]].append(row)
            plan = {
                "plan_id": key[0],
                "region_code": key[1],
                "plan_title_zh": rows[0]["plan_title_zh"],
                "region_name_zh": rows[0]["region_name_zh"],
            }
            summary = summaries.rows_for(key)
            evaluation = build_table(
                rows,
                (summary[0]["summary_zh"], summary[0]["midterm_summary_zh"]) if summary else None,
            )
            _write(folder / page_name(*key), render_page(plan, rows, series, evaluation))
            pages.append((plan, status_counts(rows)))
    return pages


def build_reports(
    database: Path,
    folder: Path,
    processes: int | None = None,
    parallel_from_pages: int = PARALLEL_FROM_PAGES,
) -> list[Path]:
    """Write one page per plan and region, and an index of them, from the published marts.

    A province's thousands of pages are shared among one process per core, each reading
    the published file (read-only) for its share; the pages are the same either way.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database), read_only=True) as connection:
        (count,) = connection.execute(
            "select count(*) from (select distinct plan_id, region_code "
            "from marts.mart_indicator_attainment)"
        ).fetchall()[0]
    processes = processes or cores()
    parts = max(1, min(processes, count // parallel_from_pages))
    if parts == 1:
        pages = _write_pages(database, folder)
    else:
        with ProcessPoolExecutor(parts, mp_context=spawn_context()) as pool:
            shares = pool.map(partial(_write_pages, database, folder, parts=parts), range(parts))
            pages = [page for share in shares for page in share]
    pages.sort(key=lambda page: (page[0]["plan_id"], page[0]["region_code"]))
    _write(folder / INDEX_FILE, render_index(pages))
    return [
        folder / INDEX_FILE,
        *(folder / page_name(p["plan_id"], p["region_code"]) for p, _ in pages),
    ]


def render_index(pages: list[tuple[dict, dict[str, int]]]) -> str:
    items = []
    for plan, counts in pages:
        href = quote(page_name(plan["plan_id"], plan["region_code"]))
        items.append(
            f'<tr><td><a href="{href}">{_e(plan["plan_title_zh"])}</a><br><small>'
            f"{_e(plan['plan_id'])}</small></td><td>{_e(plan['region_name_zh'])} "
            f"{_e(plan['region_code'])}</td><td>{sum(counts.values())}</td>"
            f"<td>{_stacked_bar(counts)}</td></tr>"
        )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>目标实现情况 Target attainment</title><style>{STYLE}</style></head><body><main>"
        "<h1>规划目标实现情况 <small>Plan target attainment</small></h1><table><thead><tr>"
        "<th>规划 Plan</th><th>地区 Region</th><th>目标数 Targets</th><th>状态 Status</th>"
        f"</tr></thead><tbody>{''.join(items)}</tbody></table></main></body></html>\n"
    )
