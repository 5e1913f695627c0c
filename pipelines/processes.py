"""Worker processes for the work a province's scale makes worth sharing among cores."""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.context import SpawnContext


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


def spawn_context() -> SpawnContext:
    """Start workers as fresh interpreters (spawned, not forked: the parent holds Polars' and
    DuckDB's thread pools). They import this package as any process does: it is installed
    in the environment (`uv sync` installs the project, editable)."""
    return multiprocessing.get_context("spawn")


def release_memory() -> None:
    """Hand the memory a large step freed back to the system (glibc keeps freed heap for
    reuse, so a run's next steps, dbt among them, would otherwise start from the ingest's
    peak). A no-op where there is no glibc."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
