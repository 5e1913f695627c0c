"""Metadata shown in the Dagster UI."""

from __future__ import annotations

import dagster as dg
import polars as pl


def markdown_preview(frame: pl.DataFrame, rows: int = 10) -> dg.MetadataValue:
    """The first `rows` rows of a table as Markdown, for the UI's metadata panel."""

    def cell(value: object) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    head = frame.head(rows)
    lines = [
        "| " + " | ".join(head.columns) + " |",
        "|" + "---|" * head.width,
        *("| " + " | ".join(cell(v) for v in row) + " |" for row in head.iter_rows()),
    ]
    return dg.MetadataValue.md("\n".join(lines))
