"""Untrusted bytes parsed by native code, in a worker process that may die.

A workbook is parsed by a native library: a crafted or broken file can make it abort the
whole process (a failed allocation) or run for ever, which no `try` can catch. Such work runs
in a worker process with a cap on its memory and a time limit per call; if the worker dies or
overruns, that one call fails with `IsolatedFailure` (the file is rejected), the worker is
replaced, and the run goes on.
"""

from __future__ import annotations

import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from pipelines.processes import spawn_context


class IsolatedFailure(Exception):
    """The isolated call did not return: `kind` is crashed, timed_out, out_of_memory or error."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def _serve(connection: Connection, function: Callable[[Any], Any], memory_bytes: int) -> None:
    """The worker: cap its own memory, then answer calls until the parent goes away."""
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            argument = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer = ("ok", function(argument))
        except MemoryError:
            answer = ("out_of_memory", "")
        except Exception as error:  # noqa: BLE001 - handed back to the caller as it is
            answer = ("error", f"{type(error).__name__}: {error}")
        connection.send(answer)


class IsolatedWorker:
    """Calls `function` (a module-level function) in a worker process, one call at a time.

    The worker starts on the first call and is reused; it is replaced after a crash or a
    time-out. `memory_bytes` caps its address space; `seconds` bounds each call.
    """

    def __init__(self, function: Callable[[Any], Any], memory_bytes: int, seconds: float) -> None:
        self.function = function
        self.memory_bytes = int(memory_bytes)
        self.seconds = seconds
        self._process = None
        self._connection: Connection | None = None

    def _start(self) -> None:
        context = spawn_context()
        parent, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, self.function, self.memory_bytes), daemon=True
        )
        self._process.start()
        child.close()
        self._connection = parent

    def _stop(self) -> int | None:
        if self._process is None:
            return None
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=10)
        code = self._process.exitcode
        if self._connection is not None:
            self._connection.close()
        self._process, self._connection = None, None
        return code

    def call(self, argument: Any) -> Any:  # noqa: ANN401 - whatever `function` takes and gives
        """`function(argument)` in the worker; raises IsolatedFailure if it does not return."""
        if self._process is None or not self._process.is_alive():
            self._stop()
            self._start()
        assert self._connection is not None
        try:
            self._connection.send(argument)
            if not self._connection.poll(self.seconds):
                self._stop()
                raise IsolatedFailure("timed_out", f"{self.seconds:g} s")
            status, payload = self._connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            code = self._stop()
            raise IsolatedFailure("crashed", f"exit code {code}") from None
        if status == "ok":
            return payload
        if status == "out_of_memory":
            self._stop()
        raise IsolatedFailure(status, payload)

    def close(self) -> None:
        self._stop()
