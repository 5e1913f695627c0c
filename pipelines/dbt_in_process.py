"""dbt run inside this process (dbt's programmatic invocation, `dbtRunner`), its results
streamed as they come.

A `dbt build` started as a command costs a new interpreter and dbt's imports before its first
node (2.4 s on the benchmark machine). In the run's own process dbt's modules are mostly
imported already (dagster-dbt imports them). Measured side by side at M (README,
Performance): 9.5-10.6 s a build as a command, 6.3-7.4 s as the first build in a process,
4.1-5.0 s as a later one.

dbt runs in a thread of its own; its result events (a model built, a test passed or failed)
and error messages come back through a queue as dbt logs them, so the run sees each model as
soon as it is built. Stopping early (the run is cancelled, or the consumer stops reading) does
what Ctrl-C does to the command: dbt's thread gets KeyboardInterrupt, dbt cancels its running
queries, and the thread is waited for before the caller goes on.
"""

from __future__ import annotations

import ctypes
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

# The events dagster-dbt turns into materializations and check results.
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})

# How long a cancelled dbt is waited for: it stops when its running nodes end or are cancelled.
STOP_WAIT_SECONDS = 120.0

# dbt runs one command at a time in a process: its flags and adapters are global.
_ONE_AT_A_TIME = threading.Lock()


@dataclass
class Outcome:
    """How a dbt command ended, once its events have all been read."""

    success: bool = False
    exception: BaseException | None = None
    errors: list[str] = field(default_factory=list)
    # The reader stopped before dbt ended, and dbt was stopped.
    stopped: bool = False


def dbt_events(argv: Sequence[str], outcome: Outcome) -> Iterator[dict[str, Any]]:
    """Run `dbt <argv>` in this process and yield its result events as dicts, in the form of
    dbt's JSON log lines (what dagster-dbt reads from the command's output). `outcome` is
    filled in when the command has ended; error messages are collected in `outcome.errors`."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.event_manager_client import cleanup_event_logger
    from dbt_common.events.functions import msg_to_dict

    events: queue.SimpleQueue[Any] = queue.SimpleQueue()
    finished = object()

    def keep(event: Any) -> None:  # noqa: ANN401 (dbt's EventMsg)
        if event.info.level == "error":
            outcome.errors.append(event.info.msg)
        if event.info.name in RESULT_EVENTS:
            events.put(msg_to_dict(event))

    def invoke() -> None:
        try:
            result = dbtRunner(callbacks=[keep]).invoke(list(argv))
            outcome.success, outcome.exception = result.success, result.exception
        except BaseException as error:  # noqa: BLE001 (handed to the caller below)
            outcome.success, outcome.exception = False, error
        finally:
            # dbt's loggers write to this process's stdout as it was when dbt started (a test
            # runner replaces and closes it): let them go once dbt has ended.
            cleanup_event_logger()
            events.put(finished)

    _skip_closed_connections_on_cancel()
    with _ONE_AT_A_TIME:
        thread = threading.Thread(target=invoke, name="dbt", daemon=True)
        thread.start()
        item: Any = None
        try:
            while (item := events.get()) is not finished:
                yield item
        finally:
            if item is not finished:
                # Stopped before dbt ended: stop dbt too.
                outcome.stopped = True
                _interrupt(thread)
            thread.join(STOP_WAIT_SECONDS)
            if not thread.is_alive():
                _close_duckdb()


def _interrupt(thread: threading.Thread) -> None:
    """Raise KeyboardInterrupt in dbt's thread, as Ctrl-C would in a dbt command: dbt cancels
    its running queries and returns."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident or 0), ctypes.py_object(KeyboardInterrupt)
    )


def _skip_closed_connections_on_cancel() -> None:
    """Interrupted, dbt cancels every connection it holds as open, and dbt-duckdb's cancel
    fails on one that a node finishing at that moment has just closed ("Connection already
    closed"): dbt then stops with that error, the connections after it not cancelled. A
    closed connection runs no query; cancelling it is skipped. (dbt-duckdb's `cancel` is a
    class method of its local environment; `tests/test_definitions.py` fails if it moves.)"""
    import duckdb
    from dbt.adapters.duckdb.environments.local import LocalEnvironment

    cancel = LocalEnvironment.__dict__["cancel"].__func__
    if getattr(cancel, "skips_closed", False):
        return

    def skipping_closed(cls: type, connection: Any) -> None:  # noqa: ANN401 (dbt's Connection)
        try:
            cancel(cls, connection)
        except duckdb.ConnectionException:
            return

    skipping_closed.skips_closed = True  # type: ignore[attr-defined]
    LocalEnvironment.cancel = classmethod(skipping_closed)  # type: ignore[method-assign]


def _close_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open after a command (its `keep_open`, true
    by default, is for several commands on one in-memory database). Left open, the file stays
    locked and configured as dbt opened it: the run's next steps could not open it with their
    own configuration, nor another process at all. The handle is a private member of
    dbt-duckdb's connection manager; `tests/test_definitions.py` fails if it moves."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager

    with manager._LOCK:  # noqa: SLF001
        environment, manager._ENV = manager._ENV, None  # noqa: SLF001
    if environment is not None:
        environment.close()
