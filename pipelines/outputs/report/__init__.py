"""The attainment report: one static HTML page per plan and region, readable offline.

Chinese comes first with English beside it. A page holds the status counts, a summary by
pillar and by responsible department, and one card per target with its chart: the actual
series, the expected path (or the yearly floor) and the target, in the colour of the
target's status. Charts are inline SVG (`charts`), so the page needs no script library,
no font and no network; a few lines of inline script only filter the cards (by pillar,
department and status, kept in the address's `#` part so a filtered view can be shared).

Everything on the page is read from the published warehouse's marts, and the same marts
give the same page byte for byte.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

import duckdb
import jinja2
from markupsafe import Markup

from pipelines.outputs.evaluation import COLUMNS as EVALUATION_COLUMNS
from pipelines.outputs.evaluation import EvaluationTable, build_table
from pipelines.outputs.exports import temporary_beside
from pipelines.outputs.report.charts import chart
from pipelines.outputs.report.formatting import (
    COMPARATORS,
    STATUSES,
    _e,
    format_number,
    format_share,
)
from pipelines.outputs.reuse import code_digest, link_unchanged, write_manifest
from pipelines.processes import cores, spawn_context

INDEX_FILE = "index.html"


def page_name(plan_id: str, region_code: str) -> str:
    return f"attainment_{plan_id}_{region_code}.html"


AWAITING = {
    "higher_level": "待上级下达 / awaiting the value the level above assigns",
    "yearly": "各年度视情提出 / set year by year",
}


def _target_text(row: dict) -> str:
    unit = row["unit"] or ""
    if row["kind"] == "milestone":
        return f"{row['target_year']} 年前实现 / by {row['target_year']}"
    if row["kind"] == "relational":
        if row["comparator"] == "above":
            return "增速高于参照指标 / growth above the reference indicator's"
        return "与经济增长同步 / in step with GDP growth"
    if row["target_value"] is None and row.get("target_source") in AWAITING:
        return AWAITING[row["target_source"]]
    if row["kind"] in ("average_growth", "change"):
        sign = COMPARATORS.get(row["comparator"] or "", "")
        if row["kind"] == "average_growth":
            words = "年均增长 / average annual growth"
            unit = "%"
        else:
            down = row.get("change_direction") == "down"
            words = "累计降低 / fall since the base" if down else "累计提高 / rise since the base"
            unit = "%" if row.get("change_basis") == "percent" else unit
        return f"{words} {sign} {format_number(row['target_value'], unit)}，{row['target_year']}"
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


def _milestone_text(row: dict) -> str:
    """What a card without a chart says: when a milestone was reached, or why nothing is drawn."""
    year = row["target_year"]
    if row["reached_on"]:
        return f"已于 {row['reached_on']} 实现<br><small>Reached on {row['reached_on']}</small>"
    if row["kind"] == "qualitative":
        return "目标未量化，不作评估<br><small>No number is set: not assessed</small>"
    if row.get("not_assessable_reason") == "awaiting_assignment":
        return "目标值待上级下达<br><small>Awaiting the value the level above assigns</small>"
    if row.get("not_assessable_reason") == "awaiting_yearly_target":
        return "年度目标尚未确定<br><small>No year's target set yet</small>"
    if row["status"] == "achieved":
        return "经核定已实现<br><small>Achieved, as reviewed</small>"
    if row["status"] == "pending":
        return f"待实现，期限 {year} 年<br><small>Pending, due by {year}</small>"
    if row["status"] == "no_data":
        return "暂无数据<br><small>No data reported</small>"
    return f"{year} 年底前未实现<br><small>Not reached by the end of {year}</small>"


def _card(row: dict, history: list[dict]) -> Markup:
    """One target's card: its badge, chart, facts and notes, and the data the filters read."""
    unit = row["unit"] or ""
    svg = chart(row, history)
    if svg is None:
        svg = f'<div class="milestone"><p>{_milestone_text(row)}</p></div>'
    facts = [
        ("目标", "Target", _target_text(row)),
        (
            "属性",
            "Nature",
            {"binding": "约束性 binding", "anticipatory": "预期性 anticipatory"}.get(
                row.get("nature") or "", "—"
            ),
        ),
        ("最新时期", "Latest period", row["latest_period"] or "—"),
        ("实际值", "Actual", format_number(row["actual_value"], unit)),
        ("预期值", "Expected", format_number(row["expected_value"], unit)),
        ("进度比", "Progress ratio", format_number(row["progress_ratio"])),
        ("评价", "Grade", row["grade_zh"] or "—"),
    ]
    if row["final_verdict_zh"]:
        facts.append(("终期评估", "Final verdict", row["final_verdict_zh"]))
    if row["method"] == "cumulative":
        facts.append(("累计完成", "Completion", format_share(row["completion_ratio"])))
    if row["projected_value"] is not None:
        facts.append(("按现速度预计", "Projected", format_number(row["projected_value"], unit)))
    if row["required_annual_growth"] is not None:
        facts.append(("尚需年均增长", "Growth needed", format_share(row["required_annual_growth"])))
    elif row["required_annual_amount"] is not None:
        facts.append(
            ("尚需年均", "Needed per year", format_number(row["required_annual_amount"], unit))
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
    # Written in Python, not a template: a province's report has 170,000 cards, and
    # rendering a template per card was a fifth of the report's time.
    colour = STATUSES.get(row["status"], STATUSES["no_data"])[2]
    facts_html = "".join(
        f"<div><dt>{_e(zh)} <small>{_e(en)}</small></dt><dd>{_e(value)}</dd></div>"
        for zh, en, value in facts
    )
    notes_html = "".join(f'<p class="note">{note}</p>' for note in notes)
    return Markup(
        f'<article class="card" id="{_e(row["indicator_code"])}" '
        f'style="border-top-color:{_e(colour)}" data-status="{_e(row["status"])}" '
        f'data-pillar="{_e(row["pillar_zh"])}" data-department="{_e(row["department_code"])}">'
        f"<header><h3>{_e(row['name_zh'])}</h3>"
        f"<p>{_e(row['name_en'])} · <code>{_e(row['indicator_code'])}</code></p>"
        f"{_badge(row['status'])}</header>{svg}<dl>{facts_html}</dl>{notes_html}"
        f'<p class="owner">{_e(row["department_zh"])} {_e(row["department_en"])}</p></article>'
    )


class _JoinedLines(jinja2.FileSystemLoader):
    """Templates are written a tag per line for reading; their lines are joined without
    their indentation, so a page carries no whitespace between tags (and a space that counts
    is written inside a line)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple:
        source, filename, uptodate = super().get_source(environment, template)
        return "".join(line.strip() for line in source.splitlines()), filename, uptodate


_TEMPLATES = jinja2.Environment(
    loader=_JoinedLines(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    # A missing value is shown as nothing, never as "None".
    finalize=lambda value: "" if value is None else value,
)


def _template(name: str) -> jinja2.Template:
    return _TEMPLATES.get_template(name)


# The page's style and script, as files beside this module: the same bytes every time.
STYLE = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")
SCRIPT = (Path(__file__).parent / "script.js").read_text(encoding="utf-8")


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


def freshness_section(departments: list[dict]) -> str:
    """Who owes what (marts.mart_department_freshness): each department's targets, those
    reported, the overdue ones and since when, and its last figures."""
    if not departments:
        return ""
    head = (
        "<th>责任部门 Department</th><th>指标 Targets</th><th>已报送 Reported</th>"
        "<th>从未报送 Never reported</th><th>逾期未报 Overdue</th><th>逾期自 Due since</th>"
        "<th>最近报送 Last sent</th>"
    )
    body = "".join(
        f'<tr data-department="{_e(d["department_code"])}"><td>{_e(d["department_zh"])}</td>'
        f"<td>{d['targets']}</td><td>{d['targets_reported']}</td>"
        f"<td>{d['targets_never_reported']}</td>"
        f"<td>{d['targets_overdue']}"
        + (f" <small>{_e(d['overdue_names_zh'])}</small>" if d["overdue_names_zh"] else "")
        + f"</td><td>{_e(d['overdue_since'] or '—')}</td>"
        f"<td>{_e(d['last_figures_sent_on'] or '—')}</td></tr>"
        for d in departments
    )
    return (
        '<section class="freshness" id="freshness"><h2>报送情况 <small>Data freshness: who '
        f"owes what</small></h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
        "</table></section>"
    )


def render_page(
    plan: dict,
    rows: list[dict],
    history: dict[str, list[dict]],
    evaluation: EvaluationTable | None = None,
    freshness: list[dict] | None = None,
) -> str:
    """One plan and region's report (templates/page.html.j2): status tiles, summaries, the
    evaluation table, filters and a card per target."""
    counts = status_counts(rows)
    pillars = _groups(rows, "pillar_zh", "pillar_zh", "pillar_en")
    departments = _groups(rows, "department_code", "department_zh", "department_en")
    selects = (
        _select("pillar", "领域 Pillar", [(p["code"], f"{p['zh']} {p['en']}") for p in pillars])
        + _select(
            "department",
            "责任部门 Department",
            [(d["code"], f"{d['zh']} {d['en']}") for d in departments],
        )
        + _select(
            "status", "状态 Status", [(s, f"{zh} {en}") for s, (zh, en, _) in STATUSES.items()]
        )
    )
    return _template("page.html.j2").render(
        title=f"{plan['plan_title_zh']} · {plan['region_name_zh']}",
        plan=plan,
        rows=rows,
        as_of=rows[0]["freshness_checked_on"] if rows else "",
        tiles=[
            {"status": status, "count": counts[status], "zh": zh, "en": en, "colour": colour}
            for status, (zh, en, colour) in STATUSES.items()
            if counts.get(status)
        ],
        pillar_table=Markup(_summary_table("pillar", "按领域 <small>By pillar</small>", pillars)),
        department_table=Markup(
            _summary_table(
                "department", "按责任部门 <small>By responsible department</small>", departments
            )
        ),
        evaluation=Markup(evaluation_section(evaluation) if evaluation else ""),
        freshness=Markup(freshness_section(freshness or [])),
        selects=Markup(selects),
        pillars=[
            {
                **pillar,
                "cards": [
                    _card(row, history.get(row["indicator_code"], []))
                    for row in rows
                    if row["pillar_zh"] == pillar["zh"]
                ],
            }
            for pillar in pillars
        ],
        style=Markup(STYLE),
        script=Markup(SCRIPT),
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


class PageSource(NamedTuple):
    """Rows a page is drawn from: a query (`{share}` picks the pages), the order a page reads
    them in, and the columns naming the page's plan and region."""

    rows: str
    order: str
    plan_column: str = "plan_id"
    region_column: str = "region_code"

    def query(self, share: str) -> str:
        """The rows of the pages `share` picks, page by page, in the order a page reads them."""
        return f"{self.rows.format(share=share)}order by {self.order}"


ATTAINMENT = PageSource(
    """
select attainment.*, indicator.notes as registry_notes, indicator.plan_title_zh,
    indicator.region_name_zh, indicator.base_year, indicator.source_start, indicator.tolerance
from marts.mart_indicator_attainment as attainment
join marts.dim_indicator as indicator using (plan_id, region_code, indicator_code)
where {share}
""",
    "plan_id, region_code, pillar_zh, indicator_code",
)
# The columns a chart draws: a province's history is a million rows of 51 columns, and each
# value fetched is a Python object.
HISTORY = PageSource(
    """
select plan_id, region_code, indicator_code, period, period_year, period_end_date,
    is_full_year, actual_value, cumulative_value, expected_value, growth_rate,
    reference_growth_rate
from marts.mart_attainment_history
where {share}
""",
    "plan_id, region_code, indicator_code, period_end_date, period",
)
# Qualitative targets are not assessed; their reported figures are still drawn.
QUALITATIVE = PageSource(
    """
select indicator.plan_id, observation.region_code, observation.indicator_code,
    observation.period, observation.period_year, observation.period_end_date,
    observation.period_type = 'year' as is_full_year, observation.value as actual_value
from marts.fct_indicator_observation as observation
join marts.dim_indicator as indicator using (region_code, indicator_code)
where indicator.kind = 'qualitative' and observation.value is not null and {share}
""",
    "indicator.plan_id, observation.region_code, observation.indicator_code, "
    "observation.period_end_date, observation.period",
    "indicator.plan_id",
    "observation.region_code",
)
EVALUATION_SUMMARY = PageSource(
    """
select plan_id, region_code, summary_zh, midterm_summary_zh from marts.mart_evaluation_summary
where group_type = 'all' and {share}
""",
    "plan_id, region_code",
)
FRESHNESS = PageSource(
    """
select * from marts.mart_department_freshness
where {share}
""",
    "plan_id, region_code, targets_overdue desc, overdue_since, department_code",
)


# Pages per process below which starting another process is not worth its start-up
# (measured in the README's Performance section).
PARALLEL_FROM_PAGES = 200
# Pages per share of the work: a process holds a share's rows while it draws its pages
# (at province scale, shares of 400 pages took a process from 470 MB to 325 MB).
SHARE_PAGES = 400


def _share(
    plan_column: str,
    region_column: str,
    part: int,
    parts: int,
    only: list[tuple[str, str]] | None = None,
) -> str:
    """The SQL condition picking one of `parts` shares of the (plan, region) pages, of those
    in `only` if given."""
    share = "true" if parts == 1 else f"hash({plan_column}, {region_column}) % {parts} = {part}"
    if only is None:
        return share
    keys = ", ".join(_sql_text(f"{plan}|{region}") for plan, region in only) or "null"
    return f"{share} and ({plan_column} || '|' || {region_column}) in ({keys})"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _write_pages(
    database: Path,
    folder: Path,
    part: int = 0,
    parts: int = 1,
    only: list[tuple[str, str]] | None = None,
) -> int:
    """Write the pages of one share of the plans and regions (of those in `only`, if given);
    return how many."""
    pages = 0
    with duckdb.connect(str(database), read_only=True) as connection:

        def groups(source: PageSource):  # noqa: ANN202
            share = _share(source.plan_column, source.region_column, part, parts, only)
            return _groups_of(connection, source.query(share))

        history = _Follower(groups(HISTORY))
        qualitative = _Follower(groups(QUALITATIVE))
        summaries = _Follower(groups(EVALUATION_SUMMARY))
        freshness = _Follower(groups(FRESHNESS))
        for key, rows in groups(ATTAINMENT):
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
            page = render_page(plan, rows, series, evaluation, freshness.rows_for(key))
            _write(folder / page_name(*key), page)
            pages += 1
    return pages


# Beside the pages: each page's digest of what it shows, so that the next build rewrites only
# the pages whose rows changed.
PAGES_MANIFEST = ".pages.json"
# The files a page's text comes from besides the marts: any change to them redraws every page.
RENDERER_FILES = (Path(__file__).parent, Path(__file__).parent.parent / "evaluation.py")
PAGE_SOURCES = (ATTAINMENT, HISTORY, QUALITATIVE, EVALUATION_SUMMARY, FRESHNESS)


def renderer_digest() -> str:
    """A digest of the report's own code, templates, style and script."""
    return code_digest(RENDERER_FILES, (".py", ".j2", ".css", ".js", ".html"))


def page_digests(connection: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """Each (plan, region) page's digest of every row it is drawn from (the queries above),
    and of the renderer: the same digest, the same page byte for byte."""
    renderer = renderer_digest()
    parts: dict[tuple[str, str], list[str]] = defaultdict(lambda: ["0"] * len(PAGE_SOURCES))
    for index, source in enumerate(PAGE_SOURCES):
        # A sum of row hashes is the same in any order: the rows are not sorted (at L, 1.5 s
        # sorted, 0.35 s not).
        rows = connection.execute(
            f"select plan_id, region_code, count(*), sum(hash(page_rows)) "
            f"from ({source.rows.format(share='true')}) as page_rows group by all"
        ).fetchall()
        for plan, region, count, content in rows:
            parts[(plan, region)][index] = f"{count}:{content}"
    return {
        key: hashlib.sha256(f"{renderer}|{'|'.join(values)}".encode()).hexdigest()
        for key, values in parts.items()
    }


INDEX_QUERY = """
select attainment.plan_id, attainment.region_code,
    arg_min(indicator.plan_title_zh, (attainment.pillar_zh, attainment.indicator_code)),
    arg_min(indicator.region_name_zh, (attainment.pillar_zh, attainment.indicator_code)),
    list(attainment.status)
from marts.mart_indicator_attainment as attainment
join marts.dim_indicator as indicator using (plan_id, region_code, indicator_code)
group by all
order by 1, 2
"""


def _index_entries(connection: duckdb.DuckDBPyConnection) -> list[tuple[dict, Counter[str]]]:
    """Every page's plan and status counts, as the pages themselves count them."""
    return [
        (
            {
                "plan_id": plan,
                "region_code": region,
                "plan_title_zh": title,
                "region_name_zh": name,
            },
            Counter(statuses),
        )  # fmt: skip
        for plan, region, title, name, statuses in connection.execute(INDEX_QUERY).fetchall()
    ]


def build_reports(
    database: Path,
    folder: Path,
    processes: int | None = None,
    parallel_from_pages: int = PARALLEL_FROM_PAGES,
    previous: Path | None = None,
    share_pages: int = SHARE_PAGES,
) -> list[Path]:
    """Write one page per plan and region, and an index of them, from the published marts;
    return the index and the pages.

    With `previous` (the report published before), a page whose rows and renderer are
    unchanged (`page_digests`, recorded in `.pages.json`) is linked from there instead of
    drawn again: a province where one county resent a file redraws one page. A province's
    thousands of pages are drawn in shares of at most `share_pages` pages, shared among one
    process per core, each reading the published file (read-only) for its share; the pages
    are the same either way.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database), read_only=True) as connection:
        digests = page_digests(connection)
        entries = _index_entries(connection)
    names = {page_name(*key): key for key in digests}
    by_name = {name: digests[key] for name, key in names.items()}
    kept_names = link_unchanged(
        previous, folder, PAGES_MANIFEST, by_name, files=lambda name: [name]
    )
    kept = {names[name] for name in kept_names}
    only = None if not kept else sorted(set(digests) - kept)
    count = len(digests) - len(kept)
    processes = max(1, min(processes or cores(), count // parallel_from_pages))
    # Shares of at most `share_pages` pages, several per process: small whatever the province.
    parts = max(processes, math.ceil(count / share_pages))
    if count == 0:
        pass
    elif processes == 1:
        for part in range(parts):
            _write_pages(database, folder, part, parts, only)
    else:
        with ProcessPoolExecutor(processes, mp_context=spawn_context()) as pool:
            list(pool.map(partial(_write_pages, database, folder, parts=parts, only=only),
                          range(parts)))  # fmt: skip
    _write(folder / INDEX_FILE, render_index(entries))
    write_manifest(folder, PAGES_MANIFEST, by_name)
    return [
        folder / INDEX_FILE,
        *(folder / page_name(p["plan_id"], p["region_code"]) for p, _ in entries),
    ]


def render_index(pages: list[tuple[dict, dict[str, int]]]) -> str:
    """The index of every page (templates/index.html.j2)."""
    return _template("index.html.j2").render(
        style=Markup(STYLE),
        pages=[
            {
                **plan,
                "href": quote(page_name(plan["plan_id"], plan["region_code"])),
                "targets": sum(counts.values()),
                "bar": Markup(_stacked_bar(counts)),
            }
            for plan, counts in pages
        ],
    )
