"""One line per stage of a run, as it happens, for a person watching `python -m pipelines run`.

`RunProgress` is called with each event of the run (Dagster's event log entries, read by
attribute only, so this module imports no Dagster). A stage is one step: the registry, the
submissions, the overrides, the dbt build and publishing. Its line says what it did (files
read, accepted and rejected, rows validated, dbt models and tests passed, what was published)
and how long it took; a long dbt build says how far it has got every few seconds.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

# A step's log message starting with this says how far a long stage has got.
PROGRESS_PREFIX = "progress: "

# Each step's name for a person, in the order a run does them.
STAGES = {
    "plan_indicators": "registry",
    "observations": "submissions",
    "raw__status_overrides": "overrides",
    "dbt_models": "dbt build",
    "published_warehouse": "publish",
}


def _value(metadata: dict[str, Any], key: str) -> Any:  # noqa: ANN401 - any metadata value
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


@dataclass
class _Stage:
    started: float
    materialized: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks: list[tuple[str, bool, dict[str, Any]]] = field(default_factory=list)
    last_progress: float = 0.0


@dataclass
class RunProgress:
    """Prints a line when a stage ends (and while dbt builds, every `every_seconds`)."""

    out: TextIO = sys.stdout
    clock: Callable[[], float] = time.monotonic
    every_seconds: float = 5.0
    stages: dict[str, _Stage] = field(default_factory=dict)

    def __call__(self, entry: Any) -> None:  # noqa: ANN401 - an EventLogEntry
        event = getattr(entry, "dagster_event", None)
        if event is None:
            self._log_message(entry)
            return
        if event.step_key is None:
            return
        kind, step = event.event_type_value, event.step_key
        if kind == "STEP_START":
            self.stages[step] = _Stage(started=self.clock(), last_progress=self.clock())
            return
        stage = self.stages.get(step)
        if stage is None:
            return
        data = event.event_specific_data
        if kind == "ASSET_MATERIALIZATION":
            materialization = data.materialization
            stage.materialized[materialization.asset_key.to_user_string()] = dict(
                materialization.metadata
            )
            self._maybe_progress(step, stage)
        elif kind == "ASSET_CHECK_EVALUATION":
            stage.checks.append((data.check_name, data.passed, dict(data.metadata)))
            self._maybe_progress(step, stage)
        elif kind == "STEP_SUCCESS":
            self._line(step, stage, "✔", self.summary(step, stage))
        elif kind == "STEP_FAILURE":
            error = getattr(data, "error", None)
            message = error.message.strip().splitlines()[0] if error and error.message else ""
            self._line(step, stage, "✘", f"failed: {message}")

    def _line(self, step: str, stage: _Stage, mark: str, text: str) -> None:
        seconds = self.clock() - stage.started
        name = STAGES.get(step, step)
        print(f"{mark} {name:<12} {text} ({seconds:.1f} s)", file=self.out, flush=True)

    def _log_message(self, entry: Any) -> None:  # noqa: ANN401 - an EventLogEntry
        """A long stage's own word on how far it has got (`PROGRESS_PREFIX`), at most every
        `every_seconds`."""
        message = getattr(entry, "user_message", "") or ""
        stage = self.stages.get(getattr(entry, "step_key", None) or "")
        if stage is None or not message.startswith(PROGRESS_PREFIX):
            return
        now = self.clock()
        if now - stage.last_progress < self.every_seconds:
            return
        stage.last_progress = now
        name = STAGES.get(entry.step_key, entry.step_key)
        text = message.removeprefix(PROGRESS_PREFIX)
        print(f"  {name:<12} ... {text} ({now - stage.started:.0f} s)", file=self.out, flush=True)

    def _maybe_progress(self, step: str, stage: _Stage) -> None:
        now = self.clock()
        if step != "dbt_models" or now - stage.last_progress < self.every_seconds:
            return
        stage.last_progress = now
        models, passed, failed = _dbt_counts(stage)
        print(
            f"  {STAGES[step]:<12} ... {models} models built, {passed} tests passed"
            + (f", {failed} failed" if failed else "")
            + f" ({now - stage.started:.0f} s)",
            file=self.out,
            flush=True,
        )

    @staticmethod
    def summary(step: str, stage: _Stage) -> str:
        """What the stage did, from the metadata of what it materialized and checked."""
        gx = [
            f"GX {_value(meta, 'expectations_evaluated')} expectations on "
            f"{_value(meta, 'rows_validated')} rows, {_value(meta, 'expectations_failed')} failed"
            for name, _, meta in stage.checks
            if name.startswith("gx_")
        ]
        if step == "plan_indicators":
            meta = stage.materialized.get("raw/plan_indicators", {})
            plans = _value(meta, "plans") or []
            assigned = _value(stage.materialized.get("raw/target_assignments", {}),
                              "dagster/row_count")  # fmt: skip
            parts = [f"{_value(meta, 'dagster/row_count')} targets in {len(plans)} plan(s)",
                     f"{assigned or 0} assigned values"]  # fmt: skip
        elif step == "observations":
            meta = stage.materialized.get("raw/observations", {})
            found, unchanged = _value(meta, "files_found"), _value(meta, "files_unchanged")
            parts = [
                f"{found} files found, {unchanged} unchanged, {_value(meta, 'files_accepted')} "
                f"accepted, {_value(meta, 'files_rejected')} rejected",
                f"{_value(meta, 'rows_appended')} rows loaded",
            ]
        elif step == "raw__status_overrides":
            meta = stage.materialized.get("raw/status_overrides", {})
            parts = [f"{_value(meta, 'dagster/row_count')} overrides"]
        elif step == "dbt_models":
            models, passed, failed = _dbt_counts(stage)
            parts = [f"{models} models built, {passed} tests passed, {failed} failed"]
        elif step == "published_warehouse":
            warehouse = stage.materialized.get("publish/warehouse", {})
            exports = _value(stage.materialized.get("publish/exports", {}), "files") or []
            pages = _value(stage.materialized.get("publish/report", {}), "pages") or []
            parts = [
                f"{_value(warehouse, 'tables_and_views')} tables and views",
                f"{len(exports)} export files",
                f"{len(pages)} report page(s)",
            ]
        else:
            parts = [f"{len(stage.materialized)} assets"]
        return "; ".join(parts + gx)


def _dbt_counts(stage: _Stage) -> tuple[int, int, int]:
    passed = sum(1 for _, ok, _ in stage.checks if ok)
    return len(stage.materialized), passed, len(stage.checks) - passed


class PlainText:
    """A text stream that drops terminal colour codes, for output that is not a terminal."""

    COLOUR = re.compile(r"\x1b\[[0-9;]*m")

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(self.COLOUR.sub("", text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - the stream's own attributes
        return getattr(self.stream, name)
