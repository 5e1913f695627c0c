"""Worker processes for the work a province's scale makes worth sharing among cores."""

from __future__ import annotations

import multiprocessing
import os
import sys
from multiprocessing.context import SpawnContext

from pipelines import settings


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


def spawn_context() -> SpawnContext:
    """Start workers as fresh interpreters (spawned, not forked: the parent holds Polars' and
    DuckDB's thread pools) that can import this package.

    A spawned worker imports the functions it runs from the parent's `sys.path`. The
    package is not installed: it is found through the working directory, which Dagster
    puts on `sys.path` only while it loads the code location, so the repository root is
    put there for good before any worker starts.
    """
    root = str(settings.REPO_ROOT)
    if root not in sys.path:
        sys.path.append(root)
    return multiprocessing.get_context("spawn")
