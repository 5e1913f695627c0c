"""Reporting periods as departments write them, turned into one canonical form.

Canonical periods: `2023` (the year), `2023-Q2` (a quarter), `2023-06` (a month),
`2023-YTD-06` (January to June, cumulative to date) and `2023-06-18` (a day: when an event
such as a milestone happened).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

FIRST_YEAR, LAST_YEAR = 2015, 2035

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_number(text: str) -> int | None:
    """1-12 written in Chinese numerals (一, 十, 十二) or Arabic digits."""
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十") and text[1:] in _CN_DIGITS:
        return 10 + _CN_DIGITS[text[1:]]
    return _CN_DIGITS.get(text)


@dataclass(frozen=True)
class Period:
    code: str  # canonical text
    period_type: str  # year | quarter | month | ytd | day
    year: int
    end_month: int
    end_day: int | None = None  # days only; otherwise the period ends with its last month

    @property
    def end_date(self) -> dt.date:
        """The last day the period covers."""
        day = self.end_day or calendar.monthrange(self.year, self.end_month)[1]
        return dt.date(self.year, self.end_month, day)


# A day, as clerks write one: 2024-02-06, 2024/2/6, 2024.2.6, 2024年2月6日; an Excel date
# cell read as text carries a midnight time.
_DAY = re.compile(
    r"^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})[日号])(?:00:00:00)?$"
)


def parse_date(text: str) -> dt.date | None:
    """A calendar day written as above, or None."""
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    match = _DAY.match(cleaned)
    if match is None:
        return None
    year, month, day = (
        match.group(1),
        match.group(2) or match.group(4),
        match.group(3) or match.group(5),
    )
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d{4})(?:年|年度|年全年|全年)?$"), "year"),
    (re.compile(r"^(\d{4})[-/.]?Q([1-4])$", re.I), "quarter"),
    (re.compile(r"^(\d{4})年?第?([一二三四1-4])季度$"), "quarter"),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})年(\d{1,2}|[一二三四五六七八九十]{1,2})月(?:份)?$"), "month"),
    (re.compile(r"^(\d{4})年?(?:1|一)[-~至到—](\d{1,2}|[一二三四五六七八九十]{1,2})月$"), "ytd"),
    (re.compile(r"^(\d{4})年?(上半年)$"), "ytd"),
    (re.compile(r"^(\d{4})年?(前三季度)$"), "ytd"),
]


@functools.lru_cache(maxsize=65536)  # Period is frozen: one parse per spelling
def parse_period(text: str) -> Period | None:
    """The canonical period for `text`, or None when it is not a period we know."""
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    if re.fullmatch(r"\d{4}\.0", cleaned):  # a year typed into a numeric cell
        cleaned = cleaned[:4]
    day = parse_date(cleaned)
    if day is not None:
        return Period(day.isoformat(), "day", day.year, day.month, day.day)
    for pattern, period_type in _PATTERNS:
        match = pattern.match(cleaned)
        if match is None:
            continue
        year = int(match.group(1))
        if period_type == "year":
            return Period(f"{year}", "year", year, 12)
        part = match.group(2)
        if period_type == "quarter":
            quarter = _cn_number(part)
            return Period(f"{year}-Q{quarter}", "quarter", year, quarter * 3)
        if part == "上半年":
            month = 6
        elif part == "前三季度":
            month = 9
        else:
            month = _cn_number(part) or 0
        if not 1 <= month <= 12:
            return None
        if period_type == "ytd" and month == 12:
            return Period(f"{year}", "year", year, 12)
        if period_type == "ytd":
            return Period(f"{year}-YTD-{month:02d}", "ytd", year, month)
        return Period(f"{year}-{month:02d}", "month", year, month)
    return None


EXPECTED_FORMATS = "2023, 2023-Q2, 2023-06, 2023年, 2023年二季度, 2023年6月, 2023年1-6月"
EXPECTED_DAY_FORMATS = "2023-06-18, 2023年6月18日"
