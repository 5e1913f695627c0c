"""Publishing the warehouse with its exports and its report: together or not at all.

Everything readers see is built first, beside what they see now: the new DuckDB file, the
Parquet and CSV exports and the HTML report, all from that new file. Only when all three are
built are they moved into place (the exports and the report file by file, each by an atomic
rename, then the DuckDB file). Report pages whose rows did not change are not drawn again:
they are linked from the report in place (`build_reports`). If anything fails while building (a mart the exporter cannot
write, a page the report cannot draw), nothing is moved: the published warehouse, its
exports and its report stay as they were, and the error says what failed.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipelines.outputs.exports import export_marts
from pipelines.outputs.report import PAGES_MANIFEST, build_reports
from pipelines.warehouse.database import copy_for_readers, install, staging_path

# What publishing writes into the exports and reports folders; older files of these kinds
# that the new build did not write (a region no longer registered) are removed.
GENERATED_SUFFIXES = (".parquet", ".csv", ".html")


@dataclass(frozen=True)
class Published:
    relations: int
    exports: list[Path]
    pages: list[Path]


def _stage_folder(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}.staging")


def _move_into_place(staged: list[Path], final: Path) -> list[Path]:
    """Rename each staged file over its namesake in `final`; drop generated files the new
    build no longer has. Returns the files' final paths."""
    final.mkdir(parents=True, exist_ok=True)
    moved = []
    for path in staged:
        target = final / path.name
        os.replace(path, target)
        moved.append(target)
    keep = {path.name for path in moved}
    for old in final.iterdir():
        if old.is_file() and old.suffix in GENERATED_SUFFIXES and old.name not in keep:
            old.unlink()
    return moved


def publish_all(work: Path, published: Path, exports_dir: Path, reports_dir: Path) -> Published:
    """Publish `work` as `published` with its exports and report, all or nothing.
    Call while holding the working file's lock."""
    temporary = staging_path(published)
    exports_stage, reports_stage = _stage_folder(exports_dir), _stage_folder(reports_dir)
    try:
        for stage in (exports_stage, reports_stage):
            shutil.rmtree(stage, ignore_errors=True)
        relations = copy_for_readers(work, temporary)
        exports = export_marts(temporary, exports_stage)
        # Pages whose rows did not change are linked from the published report, not drawn.
        pages = build_reports(temporary, reports_stage, previous=reports_dir)
        exports = _move_into_place(exports, exports_dir)
        pages = _move_into_place(pages, reports_dir)
        # Last: the digests of the pages now in place, for the next build.
        os.replace(reports_stage / PAGES_MANIFEST, reports_dir / PAGES_MANIFEST)
        install(temporary, published)
    finally:
        temporary.unlink(missing_ok=True)
        for stage in (exports_stage, reports_stage):
            shutil.rmtree(stage, ignore_errors=True)
    return Published(relations, exports, pages)
