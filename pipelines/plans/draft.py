"""A first draft of a plan's registry from its text, for a person to review.

`python -m pipelines plan draft plan.txt` reads the plan's prose and its main-indicator tables
(专栏: rows of 指标, 单位, 基期, 目标, 年均增长/累计, 属性 with cells separated by `|`, tabs or
two or more spaces) and writes `plan.draft.yaml` and `exclusions.draft.yaml` beside it. Every
target carries its quote and span, so the registry's checks apply to the draft as they are;
kind, comparator, values, unit and nature are guessed from the phrasing (年均增长, 累计,
以上, 以内, 左右, 高于, 提高, 下降, 百强, 建成, 完成上级下达任务, 各年度视情提出 ...), the pillar from
the table's 类别 column or the 篇/章 heading, and every guess is marked for review. Numbers that
are not targets are drafted as exclusions with a guessed reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pipelines.plans.outline import PlanOutline
from pipelines.plans.scanner import NUMBER_PATTERN
from pipelines.plans.units import BUNDLED, normalize_unit

_CELL_SPLIT = re.compile(r"\s*\|\s*|\t+|\s{2,}")
_NUMBER = r"(\d+(?:\.\d+)?)"
# A table's columns, by the words of their headers.
_HEADERS = {
    "category": ("类别", "领域", "类型"),
    "name": ("指标",),
    "unit": ("单位",),
    "growth": ("年均", "累计", "增长"),
    "nature": ("属性",),
}
_DASHES = {"", "—", "-", "－", "——", "/", "／"}
# Indicators judged every year (a ceiling or a band each year, a capacity held every year).
_EVERY_YEAR = ("失业率", "涨幅")


@dataclass
class DraftTarget:
    """One drafted target: the registry entry and why it was guessed so."""

    entry: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in _CELL_SPLIT.split(line.strip())]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _number(text: str) -> float | None:
    found = re.search(_NUMBER, _fold(text))
    return float(found.group(1)) if found else None


def _value(number: float) -> int | float:
    return int(number) if number == int(number) else number


def comparator_of(text: str) -> str | None:
    """The comparator a phrase states: ≥ 以上/不低于/达到, > ＞/高于/超过, ≤ 以内/以下/不超过/控制在,
    < ＜/低于, ≈ 左右."""
    folded = _fold(text)
    if "左右" in folded or "约" in folded:
        return "about"
    if ">" in folded or "高于" in folded or "超过" in folded:
        return "above"
    if "<" in folded or "低于" in folded:
        return "below"
    if any(w in folded for w in ("以内", "以下", "不超过", "不高于", "控制在", "≤")):
        return "at_most"
    if any(w in folded for w in ("以上", "不低于", "不少于", "达到", "≥")):
        return "at_least"
    return None


def _header_map(cells: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        for key, words in _HEADERS.items():
            if key not in found and any(word in cell for word in words):
                found[key] = index
                break
        else:
            year = re.fullmatch(r"(\d{4})\s*年?", _fold(cell))
            if year:
                found["base" if "base" not in found else "target"] = index
    return found if {"name", "unit"} <= set(found) else None


def _table_targets(text: str) -> list[DraftTarget]:
    targets: list[DraftTarget] = []
    columns: dict[str, int] | None = None
    position = 0
    for line in text.split("\n"):
        start, position = position, position + len(line) + 1
        cells = _cells(line)
        if len(cells) < 4:
            columns = None
            continue
        header = _header_map(cells)
        if header is not None:
            columns = header
            continue
        if columns is not None:
            targets.append(_table_target(start, line.rstrip(), cells, columns))
    return targets


def _resolve_references(targets: list[DraftTarget]) -> None:
    """A relational target's reference, from the words of its row: the row whose indicator
    it names (地区生产总值), or for 经济增长 the GDP row."""
    names = {t.entry["name_zh"]: t.entry["code"] for t in targets if t.entry.get("name_zh")}
    for target in targets:
        reference = target.entry.get("reference")
        if not reference:
            continue
        named = [code for name, code in names.items() if name in reference]
        if not named and "经济" in reference:
            named = [code for name, code in names.items() if "生产总值" == name[-4:]]
        target.entry["reference"] = named[0] if named else reference


def _table_target(start: int, line: str, cells: list[str], columns: dict[str, int]) -> DraftTarget:
    def cell(key: str) -> str:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    name, unit = cell("name"), normalize_unit(cell("unit")) or ""
    base_text, target_text, growth_text = cell("base"), cell("target"), cell("growth")
    folded_growth = _fold(growth_text)
    entry: dict[str, Any] = {
        "code": None,
        "name_zh": name,
        "name_en": "",
        "unit": unit,
    }
    draft = DraftTarget(entry)
    if cell("category"):
        entry["pillar"] = cell("category")
    nature = cell("nature")
    if "约束" in nature:
        entry["nature"] = "binding"
    elif "预期" in nature:
        entry["nature"] = "anticipatory"
    base = _number(base_text) if _fold(base_text) not in _DASHES else None
    if base is not None:
        entry["base"] = _value(base)
    target = _number(target_text) if _fold(target_text) not in _DASHES else None
    # Held every year: a rate controlled each year (失业率, 涨幅), or a capacity whose target is
    # no more than its base (粮食综合生产能力 150以上 from 152).
    every_year = any(word in name for word in _EVERY_YEAR) or (
        "能力" in name and target is not None and base is not None and target <= base
    )
    if "下达" in folded_growth or "下达" in target_text:
        entry["target_source"] = "higher_level"
        if "降低" in name or "下降" in name:
            entry.update(kind="change", comparator="at_least", change_basis="percent",
                         direction="down")  # fmt: skip
        else:
            entry.update(kind="level", comparator="at_least")
        draft.notes.append("value assigned by the level above: add it to assignments.csv")
    elif "视情" in folded_growth or "年度" in folded_growth and target is None:
        entry.update(kind="annual", comparator="at_least", target_source="yearly")
        draft.notes.append("set year by year: add each year's value to assignments.csv")
    elif target is not None:
        comparator = comparator_of(target_text) or "at_least"
        if every_year:
            kind = "approximate" if comparator == "about" else "annual"
        else:
            kind = "approximate" if comparator == "about" else "level"
        entry.update(kind=kind, comparator=comparator, target=_value(target))
        if kind == "annual":
            entry["each_year"] = True
    elif "同步" in folded_growth or ("高于" in folded_growth and "增长" in folded_growth[2:]):
        entry.update(
            kind="relational", comparator="above" if "高于" in folded_growth else "at_least"
        )
        entry["reference"] = folded_growth
        draft.notes.append("relational: check `reference`")
    elif (change := re.search(r"(提高|增加|上升|下降|降低|减少)" + _NUMBER, folded_growth)) or (
        re.search(r"[〔\[]" + _NUMBER + r"[〕\]]", folded_growth)
    ):
        amount = _number(folded_growth)
        words = change.group(1) if change else ""
        down = words in ("下降", "降低", "减少") or (
            not words and ("降低" in name or "下降" in name)
        )
        absolute = "百分点" in folded_growth or bool(re.search(r"\d\s*(岁|年)", folded_growth))
        entry.update(kind="change", comparator="at_least", target=_value(amount or 0),
                     change_basis="absolute" if absolute else "percent",
                     direction="down" if down else "up")  # fmt: skip
    elif (amount := _number(folded_growth)) is not None:
        comparator = comparator_of(folded_growth) or "at_least"
        if every_year:
            kind = "approximate" if comparator == "about" else "annual"
            entry.update(kind=kind, comparator=comparator, target=_value(amount), each_year=True)
        else:
            entry.update(kind="average_growth", comparator=comparator, target=_value(amount))
    else:
        entry.update(kind="qualitative")
        draft.notes.append("no value found: check the row")
    entry["quote"] = line
    entry["span"] = [start, start + len(line)]
    return draft


_PROSE = re.compile(
    r"(?P<verb>达到|突破|新建|新增|建成|培育|控制在|保持在|不低于|不少于)[^，。；]*?"
    + _NUMBER
    + r"(?P<unit>[^\d，。；、\s]{0,4}?)(?P<tail>以上|以内|左右)?(?=[，。；]|$)"
)


# Chapters that look back (发展基础, 回顾) state what was done, not targets.
_REVIEW_CHAPTERS = ("基础", "回顾", "成就", "总结")


def _prose_targets(
    text: str, table_spans: list[tuple[int, int]], outline: PlanOutline
) -> list[DraftTarget]:
    targets = []
    for match in _PROSE.finditer(text):
        if any(s <= match.start() < e for s, e in table_spans):
            continue
        chapter = outline.chapter_at(match.start())
        if chapter is not None and any(word in chapter.title for word in _REVIEW_CHAPTERS):
            continue
        # The quote runs from the start of the clause (after the last comma or full stop).
        clause_start = max(text.rfind(mark, 0, match.start()) for mark in "，。；\n") + 1
        quote = text[clause_start : match.end()]
        verb, unit = match.group("verb"), normalize_unit(match.group("unit")) or ""
        known_unit = next(
            (u for u in sorted(BUNDLED.units, key=len, reverse=True) if unit.startswith(u)), unit
        )
        comparator = comparator_of((match.group("tail") or "") + verb) or "at_least"
        kind = "count" if verb in ("新建", "新增", "建成", "培育") else "level"
        entry = {
            "code": None, "name_zh": "", "name_en": "", "unit": known_unit, "kind": kind,
            "comparator": comparator, "target": _value(float(match.group(2))),
            "quote": quote, "span": [clause_start, match.end()],
        }  # fmt: skip
        targets.append(DraftTarget(entry, ["from prose: name the indicator"]))
    return targets


def _exclusion_reason(text: str, start: int, end: int) -> str:
    mention = text[start:end]
    before, after = text[max(0, start - 6) : start], text[end : end + 2]
    line_start = text.rfind("\n", 0, start) + 1
    if re.fullmatch(r"\d{4}年?", mention) or mention.endswith("年") and "〇" in before + mention:
        return "year"
    if text.startswith("注", line_start):
        return "table_note"
    if "第" in before[-1:]:
        return "proper_name"
    if "专栏" in before or "附表" in before:
        return "table_note"
    if "十四五" in before + mention + after or "突破" in before or "累计" in before:
        return "existing_count"
    return "vague_quantity"


@dataclass
class Draft:
    indicators: list[DraftTarget]
    exclusions: list[dict[str, str]]
    # The titles of the headings pillars were taken from (第二篇 -> 建设现代化产业体系).
    pillar_titles: dict[str, str] = field(default_factory=dict)

    def plan_yaml(self, plan_id: str) -> str:
        import yaml

        pillars = sorted({t.entry.get("pillar") for t in self.indicators if t.entry.get("pillar")})
        document = {
            "plan": {"plan_id": plan_id, "title_zh": "", "region_code": "", "text": "plan.txt"},
            "defaults": {
                "base_year": None,
                "target_year": None,
                "nature": "anticipatory",
                "cadence": "annual",
                "tolerance": 0.05,
            },  # fmt: skip
            "pillars": {p: {"zh": self.pillar_titles.get(p, p), "en": ""} for p in pillars},
            "departments": {},
            "indicators": [],
        }
        for target in self.indicators:
            entry = {k: v for k, v in target.entry.items() if v is not None}
            entry.setdefault("department", None)
            if target.notes:
                entry["notes"] = "; ".join(["DRAFT: review", *target.notes])
            else:
                entry["notes"] = "DRAFT: review"
            document["indicators"].append(entry)
        header = (
            "# Drafted by `python -m pipelines plan draft`: every value is a guess from the text.\n"
            "# Review each entry (code, name_en, kind, comparator, target, unit, department), fill in\n"
            "# plan, defaults, pillars and departments, then save it as plan.yaml.\n"
        )
        return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)

    def exclusions_yaml(self) -> str:
        import yaml

        header = "# Drafted by `python -m pipelines plan draft`: check each reason.\n"
        return header + yaml.safe_dump(
            {"exclusions": self.exclusions}, allow_unicode=True, sort_keys=False, width=100
        )


def draft_plan(text: str) -> Draft:
    """The drafted targets of a plan's text (tables first, then prose) and its other numbers."""
    outline = PlanOutline.of(text)
    table = _table_targets(text)
    spans = [tuple(t.entry["span"]) for t in table]
    prose = _prose_targets(text, spans, outline)
    indicators = sorted(table + prose, key=lambda t: t.entry["span"][0])
    titles: dict[str, str] = {}
    for index, target in enumerate(indicators, start=1):
        target.entry["code"] = f"t{index:02d}"
    _resolve_references(indicators)
    for target in indicators:
        if "pillar" not in target.entry:
            start = target.entry["span"][0]
            heading = outline.part_at(start) or outline.chapter_at(start)
            if heading is not None:
                target.entry["pillar"] = heading.number
                titles[heading.number] = heading.title
    covered = [tuple(t.entry["span"]) for t in indicators]
    exclusions: list[dict[str, str]] = []
    seen: set[str] = set()
    for match in NUMBER_PATTERN.finditer(text):
        if any(s <= match.start() and match.end() <= e for s, e in covered):
            continue
        mention = match.group()
        if mention in seen:
            continue
        seen.add(mention)
        exclusions.append(
            {
                "text": mention,
                "reason": _exclusion_reason(text, *match.span()),
                "note": "DRAFT: review",
            }  # fmt: skip
        )
    return Draft(indicators, exclusions, titles)
