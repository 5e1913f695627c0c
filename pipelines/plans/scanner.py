"""Find every numeric expression in a plan's text, and say what accounts for each.

A number is *covered* when it lies inside the quote of a registered target, *excluded* when
it lies inside an exclusion (a date, a document number, a programme name...), and otherwise
*uncovered*: a target that has not been registered yet, or a number still to be excluded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.plans.units import BUNDLED

# Units that may follow an Arabic number, the mention includes them (860亿元, 60%, 4-5个):
# the declared units (units.yaml) and a few words of time and order, longest first.
_UNITS = "|".join(
    re.escape(unit)
    for unit in sorted({*BUNDLED.units, "分钟", "号", "年", "天"}, key=lambda u: (-len(u), u))
)
# Arabic numbers and ranges (4, 2.5, 4-5, 12345) with their unit, and Chinese-numeral
# quantities that can carry a target: a numeral followed by a measure word or a word such
# as 强 (百强), 甲 (三甲), 的突破 (零的突破).
NUMBER_PATTERN = re.compile(
    rf"\d+(?:\.\d+)?(?:\s*[-~～—–－]\s*\d+(?:\.\d+)?)?(?:{_UNITS})?"
    r"|[零一二两三四五六七八九十百千]+(?:的突破|个|家|强|亿|甲|倍|大|项|名|批|年)"
)

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}  # fmt: skip
_POWERS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_CHINESE = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")


def chinese_numeral(text: str) -> float | None:
    """一 -> 1, 十 -> 10, 二十五 -> 25, 百 -> 100, 三千 -> 3000, 两万 -> 20000; None if not one."""
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _POWERS:
            power = _POWERS[ch]
            if power >= 10_000 and not (total or section or digit is not None):
                return None  # a bare 万 or 亿 is a unit of a number before it (860亿元)
            if power >= 10_000:
                total = (total + section + (digit or 0)) * power
                section = 0
            else:
                section += (1 if digit is None else digit) * power
            digit = None
        else:
            return None
    return float(total + section + (digit or 0))


def numbers_in(text: str) -> list[float]:
    """Every number a quote states: Arabic numerals (both ends of 4-5) and Chinese numerals
    (百强 -> 100, 三甲 -> 3, 零的突破 -> 0), after NFKC (full-width digits, ＞7)."""
    folded = unicodedata.normalize("NFKC", text)
    found = [float(m.group()) for m in _ARABIC.finditer(folded)]
    for match in _CHINESE.finditer(folded):
        if match.start() and folded[match.start() - 1].isdigit():
            continue  # 1.5万, 860亿: part of the Arabic number before it
        if folded.startswith("分", match.end()) and len(match.group()) == 1:
            continue  # 百分点, 百分之, 十分: words, not numbers
        value = chinese_numeral(match.group())
        if value is not None:
            found.append(value)
    return found


EXCLUSION_REASONS = frozenset(
    {
        "date",
        "document_number",
        "year",
        "meeting",
        "slogan",
        "restated_target",
        "vision_2035",
        "programme_name",
        "existing_count",
        "vague_quantity",
        "national_policy",
        "proper_name",
        "base_value",
        "table_note",
    }
)


@dataclass(frozen=True)
class Exclusion:
    reason: str
    note: str
    text: str | None = None
    pattern: str | None = None

    def spans(self, plan_text: str) -> list[tuple[int, int]]:
        regex = re.compile(self.pattern) if self.pattern else re.compile(re.escape(self.text or ""))
        return [(m.start(), m.end()) for m in regex.finditer(plan_text)]

    @property
    def label(self) -> str:
        return self.text or f"/{self.pattern}/"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    context: str
    status: str  # covered | excluded | uncovered
    by: str | None = None


def load_exclusions(path: Path) -> list[Exclusion]:
    """Read an exclusions file; a missing file means no exclusions."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    exclusions = []
    for index, entry in enumerate(data.get("exclusions") or [], start=1):
        if bool(entry.get("text")) == bool(entry.get("pattern")):
            raise ValueError(f"{path}: exclusion {index} needs exactly one of `text` or `pattern`")
        if entry.get("reason") not in EXCLUSION_REASONS:
            raise ValueError(
                f"{path}: exclusion {index} has reason {entry.get('reason')!r}; "
                f"expected one of {sorted(EXCLUSION_REASONS)}"
            )
        exclusions.append(
            Exclusion(
                reason=entry["reason"],
                note=entry.get("note") or "",
                text=entry.get("text"),
                pattern=entry.get("pattern"),
            )
        )
    return exclusions


def scan(
    plan_text: str,
    quotes: dict[str, tuple[int, int]],
    exclusions: list[Exclusion],
    context: int = 12,
) -> list[Mention]:
    """Every numeric mention in `plan_text`, with what covers or excludes it.

    `quotes` maps each target's code to the [start, end) span of its quote.
    """
    excluded = [(s, e, x) for x in exclusions for s, e in x.spans(plan_text)]
    mentions = []
    for match in NUMBER_PATTERN.finditer(plan_text):
        start, end = match.span()
        around = plan_text[max(0, start - context) : end + context].replace("\n", " ")
        covering = sorted(code for code, (s, e) in quotes.items() if s <= start and end <= e)
        if covering:
            mentions.append(
                Mention(start, end, match.group(), around, "covered", ", ".join(covering))
            )
            continue
        exclusion = next((x for s, e, x in excluded if s <= start and end <= e), None)
        if exclusion is not None:
            by = f"{exclusion.reason}: {exclusion.label}"
            mentions.append(Mention(start, end, match.group(), around, "excluded", by))
        else:
            mentions.append(Mention(start, end, match.group(), around, "uncovered"))
    return mentions


def unused_exclusions(plan_text: str, exclusions: list[Exclusion]) -> list[Exclusion]:
    """Exclusions that match nothing in the text (stale after an edit)."""
    return [x for x in exclusions if not x.spans(plan_text)]


def format_report(
    mentions: list[Mention], path_label: str, counted: list[Mention] | None = None
) -> str:
    """One line per mention shown, then the counts of all of them (`counted`, when only some
    are shown)."""
    lines = []
    for m in mentions:
        status = {"covered": "covered", "excluded": "excluded", "uncovered": "UNCOVERED"}[m.status]
        by = f"  <- {m.by}" if m.by else ""
        lines.append(f"{m.start:>6}-{m.end:<6} {m.text:<8} {status:<9} …{m.context}…{by}")
    counted = mentions if counted is None else counted
    counts = {
        s: sum(1 for m in counted if m.status == s) for s in ("covered", "excluded", "uncovered")
    }
    lines.append(
        f"{path_label}: {len(counted)} numeric mentions: {counts['covered']} covered by a target, "
        f"{counts['excluded']} excluded, {counts['uncovered']} uncovered"
    )
    return "\n".join(lines)
