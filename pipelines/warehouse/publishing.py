"""Publishing the warehouse with its exports and its report: together or not at all.

Everything readers see is built first, beside what they see now: the new DuckDB file, the
Parquet and CSV exports and the HTML report, all from that new file. Only when all three are
built are they moved into place (the exports and the report file by file, each by an atomic
rename, then the DuckDB file). Export files and report pages whose rows did not change are
not written again: they are linked from those in place (`pipelines.outputs.reuse`). If
anything fails while building (a mart the exporter cannot write, a page the report cannot
draw), nothing is moved: the published warehouse, its exports and its report stay as they
were, and the error says what failed.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipelines.outputs.exports import EXPORTS_MANIFEST, export_marts
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


def _move_into_place(staged: list[Path], stage: Path, final: Path) -> list[Path]:
    """Rename each staged file over its namesake in `final` (at the same path under it);
    drop generated files the new build no longer has. Returns the files' final paths."""
    final.mkdir(parents=True, exist_ok=True)
    moved = []
    for path in staged:
        target = final / path.relative_to(stage)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        moved.append(target)
    keep = set(moved)
    for old in sorted(final.rglob("*"), reverse=True):
        if old.is_file() and old.suffix in GENERATED_SUFFIXES and old not in keep:
            old.unlink()
        elif old.is_dir() and not any(old.iterdir()):
            old.rmdir()
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
        # Files and pages whose rows did not change are linked from those published, not
        # written again. Side by side: the exports are mostly DuckDB's and Polars' threads,
        # the pages Python processes, and together they keep two cores busy (at province
        # scale 39-43 s instead of 45-50 s one after the other; README, Performance). If
        # either fails, the other is waited for before anything is cleaned up.
        with ThreadPoolExecutor(1, thread_name_prefix="exports") as exporter:
            exporting = exporter.submit(
                export_marts, temporary, exports_stage, previous=exports_dir
            )
            pages = build_reports(temporary, reports_stage, previous=reports_dir)
            exports = exporting.result()
        exports = _move_into_place(exports, exports_stage, exports_dir)
        pages = _move_into_place(pages, reports_stage, reports_dir)
        # Last: the digests of the files and pages now in place, for the next build.
        os.replace(exports_stage / EXPORTS_MANIFEST, exports_dir / EXPORTS_MANIFEST)
        os.replace(reports_stage / PAGES_MANIFEST, reports_dir / PAGES_MANIFEST)
        install(temporary, published)
    finally:
        temporary.unlink(missing_ok=True)
        for stage in (exports_stage, reports_stage):
            shutil.rmtree(stage, ignore_errors=True)
    return Published(relations, exports, pages)
