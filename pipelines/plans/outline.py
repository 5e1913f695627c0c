"""The headings of a plan's text, by position: parts (第一篇), chapters (第一章, or 一、 in a shorter
document) and sections (第一节, or (一)). A target's chapter, clause and default pillar are read
from the headings before its quote."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_NUMERAL = "[一二三四五六七八九十百零〇]+"
_PART = re.compile(rf"^第({_NUMERAL})篇[ \t　]*(.*)$", re.M)
_CHAPTER = re.compile(rf"^(?:第({_NUMERAL})章[ \t　]*(.*)|({_NUMERAL})、(.+))$", re.M)
_CLAUSE = re.compile(
    rf"^(?:第({_NUMERAL})节[ \t　]*([^。\n]*)|[(（]({_NUMERAL})[)）]([^。\n]+))", re.M
)


@dataclass(frozen=True)
class Heading:
    start: int
    number: str
    title: str


def _headings(pattern: re.Pattern[str], text: str) -> list[Heading]:
    found = []
    for match in pattern.finditer(text):
        groups = [g for g in match.groups()]
        number = groups[0] if groups[0] is not None else groups[2]
        title = groups[1] if groups[0] is not None else groups[3]
        found.append(Heading(match.start(), number, (title or "").strip()))
    return found


@dataclass(frozen=True)
class PlanOutline:
    """The parts, chapters and clauses of a plan's text, by position."""

    parts: list[Heading]
    chapters: list[Heading]
    clauses: list[Heading]

    @classmethod
    def of(cls, text: str) -> PlanOutline:
        parts = [Heading(m.start(), m.group(1), m.group(2).strip()) for m in _PART.finditer(text)]
        return cls(
            parts=parts, chapters=_headings(_CHAPTER, text), clauses=_headings(_CLAUSE, text)
        )

    @staticmethod
    def _at(headings: list[Heading], position: int) -> Heading | None:
        index = bisect.bisect_right([h.start for h in headings], position) - 1
        return headings[index] if index >= 0 else None

    def part_at(self, position: int) -> Heading | None:
        return self._at(self.parts, position)

    def chapter_at(self, position: int) -> Heading | None:
        chapter = self._at(self.chapters, position)
        part = self.part_at(position)
        # A chapter belongs to the part it follows.
        if chapter is None or (part is not None and chapter.start < part.start):
            return None
        return chapter

    def clause_at(self, position: int) -> Heading | None:
        clause = self._at(self.clauses, position)
        chapter = self.chapter_at(position)
        # A clause belongs to the chapter it follows; text before a chapter's first clause has none.
        if clause is None or (chapter is not None and clause.start < chapter.start):
            return None
        return clause
