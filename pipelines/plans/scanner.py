"""Find every numeric expression in a plan's text, and say what accounts for each.

A number is *covered* when it lies inside the quote of a registered target, *excluded* when
it lies inside an exclusion (a date, a document number, a programme name...), and otherwise
*uncovered*: a target that has not been registered yet, or a number still to be excluded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# Units that may follow an Arabic number; the mention includes them (860亿元, 60%, 4-5个).
_UNITS = "平方公里|万千瓦|亿元|万元|亿斤|万亩|公顷|分钟|元|亩|件|家|个|所|名|项|号|年|天|%"
# Arabic numbers and ranges (4, 2.5, 4-5, 12345) with their unit, and Chinese-numeral
# quantities that can carry a target: a numeral followed by a measure word or a word such
# as 强 (百强), 甲 (三甲), 的突破 (零的突破).
NUMBER_PATTERN = re.compile(
    rf"\d+(?:\.\d+)?(?:\s*[-~～—–－]\s*\d+(?:\.\d+)?)?(?:{_UNITS})?"
    r"|[零一二两三四五六七八九十百千]+(?:的突破|个|家|强|亿|甲|倍|大|项|名|批|年)"
)

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


def format_report(mentions: list[Mention], path_label: str) -> str:
    lines = []
    for m in mentions:
        status = {"covered": "covered", "excluded": "excluded", "uncovered": "UNCOVERED"}[m.status]
        by = f"  <- {m.by}" if m.by else ""
        lines.append(f"{m.start:>6}-{m.end:<6} {m.text:<8} {status:<9} …{m.context}…{by}")
    counts = {
        s: sum(1 for m in mentions if m.status == s) for s in ("covered", "excluded", "uncovered")
    }
    lines.append(
        f"{path_label}: {len(mentions)} numeric mentions: {counts['covered']} covered by a target, "
        f"{counts['excluded']} excluded, {counts['uncovered']} uncovered"
    )
    return "\n".join(lines)
