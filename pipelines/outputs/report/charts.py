"""The charts of the report: inline SVG drawn here, so a page needs no script library, no
font and no network. One chart per target: the actual series, the expected path (or the
yearly floor) and the target, in the colour of the target's status."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipelines.outputs.report.formatting import STATUSES, _e, format_number, format_share

WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 56, 14, 20, 26


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    partial: bool = False


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
    if method == "average_growth" or (
        method == "change" and indicator.get("change_basis") == "percent"
    ):
        unit = "%"  # a growth or a change is drawn in %, not in the indicator's unit
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

    # A path toward a level, a rank, a range, a five-year total, a change since the base (from
    # nothing, like a total) or an average growth (its running average against the target).
    cumulative = method == "cumulative"
    from_nothing = cumulative or method == "change"
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
    base_value = (
        0.0 if from_nothing else None if method == "average_growth" else indicator["base_value"]
    )
    if indicator["kind"] == "qualitative":
        # No number to reach: the series alone, from the reported figures.
        target = upper = base_value = None
    base = [Point(float(base_year), base_value, str(base_year))] if base_value is not None else []
    expected = base + [
        point(r, r["expected_value"])
        for r in rows
        if r.get("expected_value") is not None
        and (cumulative or r["is_full_year"])
        and method != "average_growth"
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
    joined = base and (from_nothing or (actual and actual[0].x > base[0].x))
    line = base + actual if joined else actual
    if line:
        parts.append(_polyline(canvas, line, "actual", colour))
        parts.append(_dots(canvas, actual, colour, unit, percent=False))
    return _svg(parts, title)
