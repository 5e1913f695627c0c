"""The dbt project and the resource that runs dbt; importing this module never runs dbt.

Kept apart from the dbt assets so the manifest can be prepared (`python -m pipelines
manifest`, `python -m pipelines run`, the test fixture) before anything that needs it is
imported.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dagster_dbt import DbtCliResource, DbtProject, DbtProjectPreparer
from filelock import FileLock
from packaging import version

from pipelines import settings
from pipelines.outputs.exports import temporary_beside
from pipelines.warehouse.changes import project_files

if TYPE_CHECKING:
    from dagster import AssetExecutionContext, InitResourceContext

# The dbt installed beside this interpreter, so that `.venv/bin/python -m pipelines` and
# `.venv/bin/dagster dev` work without activating the environment.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource, running the dbt beside this interpreter, without two
    start-up costs this project never uses (measured in the README's Performance section).

    Before every dbt command DbtCliResource runs `dbt --version` in a subprocess and loads
    dbt's adapter and macros in Dagster's own process, so that row counts and column
    metadata can be fetched after the build. Here the version is read from the package
    metadata, and no adapter handle is opened: the assets fetch no row counts or column
    metadata, and dagster-dbt accepts no adapter (as it does for dbt Fusion). dbt itself
    runs exactly as before. The two members overridden are private to dagster-dbt:
    `tests/test_definitions.py` fails if they move, and pyproject.toml pins dagster-dbt
    to the minor versions they were checked against.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ANN001, ANN202, ARG002
        return None

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """At the start of a run that builds with dbt: prepare the warehouse's parse state
        ahead when it has none (`parse_ahead`)."""
        super().setup_for_execution(context)
        parse_ahead(settings.layout())

    def build_in_process(
        self, args: Sequence[str], *, context: AssetExecutionContext, target_path: Path
    ) -> Iterator[Any]:
        """`dbt <args>` for the dbt assets being materialized, run in this process
        (`pipelines.dbt_in_process`), yielding the Dagster events `cli(...).stream()` would:
        an output for each model built, a check result for each test. dbt is given the same
        selection, target folder and log folder as dagster-dbt gives its command, and fails
        the same way: DagsterDbtCliRuntimeError with dbt's error messages, after the events
        of what did run. The helpers used are dagster-dbt's own, checked in
        `tests/test_definitions.py`."""
        from dagster_dbt import DagsterDbtTranslator
        from dagster_dbt.asset_utils import get_updated_cli_invocation_params_for_context
        from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
        from dagster_dbt.errors import DagsterDbtCliRuntimeError

        from pipelines.dbt_in_process import Outcome, dbt_events

        params = get_updated_cli_invocation_params_for_context(
            context=context, manifest={}, dagster_dbt_translator=DagsterDbtTranslator()
        )
        project_dir = Path(
            params.dbt_project.project_dir if params.dbt_project else self.project_dir
        )
        argv = [
            *self.global_config_flags,
            *args,
            *(["--profile", self.profile] if self.profile else []),
            *(["--target", self.target] if self.target else []),
            *params.selection_args,
            *(["--indirect-selection", params.indirect_selection] if params.indirect_selection else []),
            "--project-dir", str(project_dir),
            "--profiles-dir", str(self.profiles_dir or project_dir),
            "--target-path", str(target_path),
            "--log-path", str(target_path),
        ]  # fmt: skip
        context.log.info(f"dbt {' '.join(argv)} (in this process)")
        outcome = Outcome()
        for raw_event in dbt_events(argv, outcome):
            yield from DbtCoreCliEventMessage(
                raw_event=raw_event, event_history_metadata={}
            ).to_default_asset_events(
                manifest=params.manifest,
                dagster_dbt_translator=params.dagster_dbt_translator,
                context=context,
                target_path=target_path,
                project=params.dbt_project,
            )
        if outcome.success:
            return
        if outcome.exception is not None and not isinstance(outcome.exception, Exception):
            raise outcome.exception  # KeyboardInterrupt, SystemExit: not dbt's failure
        errors = [*outcome.errors, *([repr(outcome.exception)] if outcome.exception else [])]
        raise DagsterDbtCliRuntimeError(
            description=f"dbt {' '.join(args)} failed; dbt's log: {target_path / 'dbt.log'}."
            + "".join(f"\n\n{error}" for error in errors)
        )


dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR)


def dbt_cli() -> DbtCli:
    """The resource for this project's dbt, the one installed beside this interpreter."""
    return DbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)


def manifest_is_stale() -> bool:
    """True when the manifest is missing or older than a file of the dbt project."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(path.stat().st_mtime > built for path in project_files(settings.DBT_PROJECT_DIR))


PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def invocation_target(run_id: str, state: Path) -> Path:
    """A new target folder for one dbt command of a run, holding `state` (the warehouse's
    saved parse state) when there is one.

    dbt parses the whole project again when its saved state was written under another
    profile, and a different `PLAN_WAREHOUSE_DIR` is a different DuckDB path in the profile.
    So each warehouse keeps its own state: a run starts from the one its warehouse's last
    dbt command left, whatever other warehouses (snapshots, tests) built meanwhile.
    Without one, dagster-dbt starts from the project's `dbt/target/partial_parse.msgpack`
    (as `dbt parse` and the last run of any warehouse left it).
    """
    name = f"dbt_models-{run_id[:7]}-{uuid.uuid4().hex[:7]}"
    target = dbt_project.project_dir / dbt_project.target_path / name
    target.mkdir(parents=True)
    seed_parse_state(target, state)
    return target


def seed_parse_state(target: Path, state: Path) -> None:
    """Start a dbt command writing to `target` from the warehouse's parse state, if any."""
    if state.exists():
        shutil.copyfile(state, target / PARTIAL_PARSE_FILE)


def generate_docs(layout: settings.WarehouseLayout) -> Path:
    """dbt's documentation site of a warehouse (its models, columns, tests, catalog and the
    lineage to the exposures) as one offline page, `docs/index.html`, replaced atomically.
    Holds the warehouse lock: dbt reads the working file for the catalog."""
    import subprocess
    import tempfile

    from pipelines.warehouse.database import exclusive_access

    prepare_manifest(if_stale=True)
    env = {**os.environ, settings.WAREHOUSE_DIR_ENV: str(layout.root)}
    with tempfile.TemporaryDirectory() as folder, exclusive_access(layout.work):
        target = Path(folder)
        seed_parse_state(target, layout.dbt_parse_state)
        done = subprocess.run(
            [DBT_EXECUTABLE, "docs", "generate", "--static", "--target-path", str(target)],
            cwd=dbt_project.project_dir, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"dbt docs generate failed:\n{done.stdout[-3000:]}")
        page = layout.docs / "index.html"
        _copy_atomically(target / "static_index.html", page)
    return page


def keep_parse_state(invocation_target: Path, state: Path) -> None:
    """Keep a finished dbt command's parse state for the next command: as the warehouse's
    (`state`) and as the project's. Atomic, as runs may end together."""
    produced = invocation_target / PARTIAL_PARSE_FILE
    if not produced.exists():
        return
    project = dbt_project.project_dir / dbt_project.target_path / PARTIAL_PARSE_FILE
    for kept in (state, project):
        _copy_atomically(produced, kept)


def _copy_atomically(source: Path, final: Path) -> None:
    """Copy `source` over `final` in one rename: a reader sees the old file or the new one."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_beside(final)
    shutil.copyfile(source, temporary)
    os.replace(temporary, final)


# A warehouse's first dbt command parses the whole project (4-6 s at province scale): dbt
# cannot start from another warehouse's parse state, whose profile names another file. So a
# run that will build a warehouse without a parse state starts `dbt parse` for it at once, in
# a process of its own at the lowest priority, on the core the run's first steps leave idle
# (reading the registry and importing Great Expectations keep one core busy, not two); it
# yields to the run when the run needs both. A build that finds it done starts from its
# state; one that finds it still running (a small run reaches dbt within seconds) waits a
# moment, then stops it and parses the project itself, as it would have without it.
PARSE_AHEAD_FOLDER = ".dbt_parse_ahead"
PARSE_AHEAD_NICENESS = 19
# How long a build waits for a parse started ahead before parsing the project itself.
PARSE_AHEAD_WAIT_SECONDS = 2.0
_parsing: dict[Path, subprocess.Popen] = {}


def parse_ahead(layout: settings.WarehouseLayout) -> bool:
    """Start `dbt parse` for `layout`'s warehouse in the background when it has no parse
    state yet and none is being prepared; returns whether it started one. dbt's parse does
    not open the warehouse's DuckDB file."""
    state = layout.dbt_parse_state
    if state.exists() or state in _parsing:
        return False
    folder = state.parent / PARSE_AHEAD_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    process = subprocess.Popen(
        [DBT_EXECUTABLE, "--no-write-json", "parse", "--target-path", str(folder),
         "--log-path", str(folder)],
        cwd=dbt_project.project_dir,
        env={**os.environ, settings.WAREHOUSE_DIR_ENV: str(layout.root)},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    with contextlib.suppress(OSError):  # a platform without priorities: it runs as it is
        os.setpriority(os.PRIO_PROCESS, process.pid, PARSE_AHEAD_NICENESS)
    _parsing[state] = process
    return True


def take_parse_ahead(state: Path, timeout: float = PARSE_AHEAD_WAIT_SECONDS) -> bool:
    """Wait for the parse `parse_ahead` started for this parse state, if any, and keep what it
    wrote as the state (unless a state appeared meanwhile); returns whether it did. A parse
    that failed or took too long is dropped: the build then parses the project itself."""
    process = _parsing.pop(state, None)
    if process is None:
        return False
    folder = state.parent / PARSE_AHEAD_FOLDER
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    try:
        produced = folder / PARTIAL_PARSE_FILE
        if process.returncode != 0 or not produced.exists() or state.exists():
            return False
        _copy_atomically(produced, state)
        return True
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# dbt logs kept per warehouse; older ones are removed.
KEPT_DBT_LOGS = 20


def keep_dbt_log(invocation_target: Path, kept: Path) -> None:
    """Keep a dbt command's log (text) as `kept`, and only the newest KEPT_DBT_LOGS beside it."""
    produced = invocation_target / "dbt.log"
    if not produced.exists():
        return
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(produced, kept)
    logs = sorted(kept.parent.glob("dbt_*.log"), key=lambda path: path.stat().st_mtime)
    for old in logs[:-KEPT_DBT_LOGS]:
        old.unlink(missing_ok=True)


# A dbt command's target folder (compiled SQL, run results) is kept this long for a look after
# a failure; its log and parse state are kept beside the warehouse anyway.
KEPT_TARGET_SECONDS = 24 * 3600


def prune_invocation_targets(now: float | None = None) -> int:
    """Remove the target folders of dbt commands run by the dbt asset (`dbt_models-*`), but the
    newest KEPT_DBT_LOGS and any younger than KEPT_TARGET_SECONDS (another run may be using
    one): a province's sensor runs every minute, and each folder holds megabytes. Returns how
    many were removed."""
    now = time.time() if now is None else now
    folder = dbt_project.project_dir / dbt_project.target_path
    targets = sorted(folder.glob("dbt_models-*"), key=lambda path: path.stat().st_mtime)
    removed = 0
    for target in targets[:-KEPT_DBT_LOGS]:
        if now - target.stat().st_mtime > KEPT_TARGET_SECONDS:
            shutil.rmtree(target, ignore_errors=True)
            removed += 1
    return removed


def prepare_if_dev() -> None:
    """Under `dagster dev` (and `dg check defs`), `dbt parse` with this project's dbt when a
    dbt file is newer than the manifest; elsewhere the manifest is prepared beforehand
    (`python -m pipelines manifest`, `run`, the test fixture). dagster-dbt's own
    `DbtProject.prepare_if_dev` would look for `dbt` on PATH and parse every time."""
    if DbtProjectPreparer().using_dagster_dev() and manifest_is_stale():
        prepare_manifest(if_stale=True)


def prepare_manifest(if_stale: bool = False) -> bool:
    """Write `dbt/target/manifest.json` with `dbt parse` (the project has no packages), one
    process at a time: processes starting together (test workers, a run beside `dagster dev`)
    never read a manifest another is writing. With `if_stale`, a process that waited for
    another's parse does not parse again. Returns whether dbt parsed."""
    folder = dbt_project.project_dir / dbt_project.target_path
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".manifest.lock")):
        if if_stale and not manifest_is_stale():
            return False
        settings.export_absolute_paths()
        dbt_cli().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
    return True
