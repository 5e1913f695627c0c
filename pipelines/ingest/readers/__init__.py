"""Reading the landing zone's files, one module per format.

A reader turns a file's bytes into grids (one per sheet: its name, rows of cleaned text
cells and their column letters) and records what stops it on the file's result; finding the
header, the rows and their meaning is `pipelines.ingest.submissions`' work, the same for every
format. A new format is one module with `SUFFIX` and `read(data, result, limits)`, added to
READERS.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest.readers import csv_reader, xlsx_reader
from pipelines.ingest.readers.base import Collector, Grid, ReadLimits

READERS = {module.SUFFIX: module.read for module in (csv_reader, xlsx_reader)}
SUPPORTED_SUFFIXES = tuple(READERS)


def read_grids(path: Path, data: bytes, result: Collector, limits: ReadLimits) -> list[Grid]:
    """The grids of a file of a supported type (see `pipelines.ingest.submissions.not_read_because`)."""
    return READERS[path.suffix.lower()](data, result, limits)
