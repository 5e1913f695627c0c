"""The project's vocabulary, defined once: kinds of target, comparators, measures, statuses,
grades and final verdicts, with their Chinese and English labels (and colours for statuses).

Python code reads these tables. The dbt models' `accepted_values` tests, the SQL macros that
label grades and verdicts (`dbt/macros/grade_zh.sql`) and the Great Expectations suites hold
copies that SQL and JSON need; `tests/test_vocabulary.py` fails when one of them drifts from
what is written here. A new status, say, is added here first, and the test lists every place
that has to follow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    zh: str
    en: str
    colour: str | None = None
    symbol: str | None = None


def codes(terms: tuple[Term, ...]) -> tuple[str, ...]:
    return tuple(term.code for term in terms)


def by_code(terms: tuple[Term, ...]) -> dict[str, Term]:
    return {term.code: term for term in terms}


# What a target is (plan.yaml `kind`).
KINDS = (
    Term("level", "水平值", "level"),
    Term("cumulative", "累计值", "five-year total"),
    Term("annual", "每年", "every year"),
    Term("count", "个数", "count"),
    Term("range", "区间", "range"),
    Term("approximate", "左右", "approximate"),
    Term("rank", "排名", "rank"),
    Term("milestone", "里程碑", "milestone"),
    Term("relational", "与其他指标同步", "relative to another indicator"),
    Term("average_growth", "年均增长", "average annual growth"),
    Term("change", "较基期变化", "change over the period"),
    Term("qualitative", "定性", "qualitative"),
)

# How a `change` target is measured from the base (plan.yaml `change_basis`).
CHANGE_BASES = (
    Term("percent", "按百分比（复合）", "percent of the base, compounded"),
    Term("absolute", "按绝对量", "in the indicator's unit (years, percentage points ...)"),
)

# Which way a `change` target goes (plan.yaml `direction`).
DIRECTIONS = (
    Term("up", "提高", "up"),
    Term("down", "降低", "down"),
)

# What departments send for a growth or change target (plan.yaml `reported_as`).
REPORTED_AS = (
    Term("level", "水平值", "the level (growth follows from the years' figures)"),
    Term("yearly_rate", "当年增速或降幅", "each year's rate of change, in %"),
)

# Where a target's value comes from (plan.yaml `target_source`).
TARGET_SOURCES = (
    Term("plan", "规划明确", "stated in the plan"),
    Term("higher_level", "上级下达", "assigned by the level above (完成上级下达任务)"),
    Term("yearly", "年度确定", "set year by year (各年度视情提出)"),
)

# How the figure is compared with the target (plan.yaml `comparator`).
COMPARATORS = (
    Term("at_least", "不低于", "at least", symbol="≥"),
    Term("above", "高于", "above", symbol=">"),
    Term("at_most", "不高于", "at most", symbol="≤"),
    Term("below", "低于", "below", symbol="<"),
    Term("within", "介于", "within", symbol=""),
    Term("about", "左右", "about", symbol="≈"),
    Term("equals", "等于", "equals", symbol="="),
)

# How a year's figure follows from sub-annual ones (plan.yaml `measure`).
MEASURES = (
    Term("flow", "流量（季度相加为全年）", "flow (quarters add up to the year)"),
    Term("stock", "存量（取年末值）", "stock (the year-end value)"),
    Term("event", "事件（里程碑）", "event (a milestone)"),
)

CADENCES = (
    Term("monthly", "按月", "monthly"),
    Term("quarterly", "按季", "quarterly"),
    Term("annual", "按年", "annual"),
    Term("event", "按事件", "when it happens"),
    Term("none", "不报送", "not reported"),
)

PATHS = (
    Term("geometric", "按年均增速", "geometric"),
    Term("linear", "线性", "linear"),
    Term("none", "无", "none"),
)

NATURES = (
    Term("anticipatory", "预期性", "anticipatory"),
    Term("binding", "约束性", "binding"),
)

PERIOD_TYPES = (
    Term("year", "年", "year"),
    Term("quarter", "季度", "quarter"),
    Term("month", "月", "month"),
    Term("ytd", "年初至今（累计）", "year to date"),
    Term("day", "日", "day"),
)

ESTIMATE_STAGES = (
    Term("preliminary", "初步核算", "preliminary"),
    Term("final", "最终核实", "final"),
)

# Where a target stands (mart_indicator_attainment.status), with the report's colours.
STATUSES = (
    Term("achieved", "已实现", "Achieved", "#1a7f37"),
    Term("on_track", "进度正常", "On track", "#0969da"),
    Term("at_risk", "存在风险", "At risk", "#b35900"),
    Term("off_track", "明显滞后", "Off track", "#cf222e"),
    Term("pending", "待实现", "Pending", "#8250df"),
    Term("no_data", "暂无数据", "No data", "#6e7781"),
    Term("not_assessable", "不可量化评估", "Not assessable", "#a0a7b0"),
)
# What the method computes before a reviewer's override (never not_assessable).
CALCULATED_STATUSES = tuple(term for term in STATUSES if term.code != "not_assessable")

# How reviews grade a target's progress (mart_indicator_attainment.grade, grade_zh).
GRADES = (
    Term("ahead_of_schedule", "提前实现", "ahead of schedule"),
    Term("achieved", "已实现", "achieved"),
    Term("faster_than_expected", "快于预期", "faster than expected"),
    Term("as_expected", "基本符合预期", "as expected"),
    Term("lagging", "滞后", "lagging"),
    Term("not_achieved", "未实现", "not achieved"),
    Term("pending", "待实现", "pending"),
    Term("no_data", "暂无数据", "no data"),
    Term("not_applicable", "不适用", "not applicable"),
)

# The final evaluation's verdict (mart_indicator_attainment.final_verdict, final_verdict_zh).
FINAL_VERDICTS = (
    Term("met", "完成", "met"),
    Term("partly_met", "基本完成", "partly met"),
    Term("not_met", "未完成", "not met"),
    Term("no_final_data", "无终期数据", "no final figure"),
    Term("not_assessable", "不可量化评估", "not assessable"),
)

# A submitted file's verdict (mart_data_quality.status).
FILE_STATUSES = (
    Term("accepted", "通过", "accepted"),
    Term("rejected", "退回", "rejected"),
)
