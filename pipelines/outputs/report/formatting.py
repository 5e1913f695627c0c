"""How the report writes numbers, shares, statuses and comparators."""

from __future__ import annotations

import math

from pipelines import vocabulary

# status: (Chinese, English, colour); comparator: its sign (pipelines/vocabulary.py).
STATUSES: dict[str, tuple[str, str, str]] = {
    term.code: (term.zh, term.en, term.colour or "") for term in vocabulary.STATUSES
}
COMPARATORS = {term.code: term.symbol or "" for term in vocabulary.COMPARATORS}


def _e(value: object) -> str:
    """Text made safe inside HTML and its attributes, escaped as the page templates escape it
    (MarkupSafe, Jinja2's autoescape: the same five characters, the same entities; tested).
    Written as plain replacements: a page calls it thousands of times, and building MarkupSafe
    objects cost a tenth of the page."""
    if value is None:
        return ""
    return (
        str(value)
        .replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


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
