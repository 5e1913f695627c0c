"""Shared fixtures: a prepared dbt manifest, the loaded definitions, and temp warehouses.

No test touches the repository's `warehouse/`: PLAN_WAREHOUSE_DIR points at a
temporary directory for the whole session, and each test that runs the pipeline
gets its own. No test's dbt command writes the project's `dbt/target/` either (`dbt_by_hand`),
whose manifest other test workers read meanwhile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_RAW_DIR = REPO_ROOT / "raw"


def pytest_configure(config: pytest.Config) -> None:
    os.environ["PLAN_WAREHOUSE_DIR"] = tempfile.mkdtemp(prefix="plan-warehouse-session-")
    os.environ["PLAN_RAW_DIR"] = str(SAMPLE_RAW_DIR)
    os.environ.pop("DAGSTER_HOME", None)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


# Fixtures that build or run the whole pipeline (dbt, Dagster, Great Expectations): a test
# using one is end-to-end. `make test-fast` runs the others.
END_TO_END_FIXTURES = frozenset({"dbt_manifest", "defs", "sample_run", "workspace"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if END_TO_END_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


@dataclass(frozen=True)
class Workspace:
    raw_dir: Path
    warehouse_dir: Path

    @property
    def database(self) -> Path:
        """The published file readers open."""
        return self.warehouse_dir / "indicators.duckdb"

    @property
    def work_database(self) -> Path:
        """The pipeline's working file."""
        return self.warehouse_dir / "work" / "indicators.duckdb"

    def copy_warehouse_from(self, other: Workspace) -> None:
        """Start from another workspace's warehouse (working and published files)."""
        self.work_database.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(other.work_database, self.work_database)
        shutil.copy(other.database, self.database)

    def add_submission(self, relative: str, text: str, encoding: str = "utf-8") -> Path:
        path = self.raw_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding))
        return path


def dbt_by_hand(
    args: list[str], env: dict[str, str], folder: Path, timeout: int = 600
) -> subprocess.CompletedProcess:
    """`dbt <args>` run by hand in `dbt/`, as a user would, its target and log folders under
    `folder`: a command writing the project's `dbt/target/` would rewrite the manifest another
    test worker is reading (a half-written manifest failed a test that way)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), *args,
         "--target-path", str(folder / "target"), "--log-path", str(folder / "logs")],
        cwd=REPO_ROOT / "dbt", env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def make_workspace(root: Path, raw_source: Path = SAMPLE_RAW_DIR) -> Workspace:
    """A copy of the sample landing zone and an empty warehouse directory under `root`."""
    raw_dir = root / "raw"
    shutil.copytree(raw_source, raw_dir)
    warehouse_dir = root / "warehouse"
    warehouse_dir.mkdir()
    return Workspace(raw_dir=raw_dir, warehouse_dir=warehouse_dir)


def use_workspace(monkeypatch: pytest.MonkeyPatch, workspace: Workspace) -> None:
    monkeypatch.setenv("PLAN_RAW_DIR", str(workspace.raw_dir))
    monkeypatch.setenv("PLAN_WAREHOUSE_DIR", str(workspace.warehouse_dir))


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """dbt's manifest, prepared for the session when a dbt file changed (never at import;
    one worker parses, the others wait for it)."""
    from pipelines.dbt_project import dbt_project, prepare_manifest

    prepare_manifest(if_stale=True)
    return dbt_project.manifest_path


@pytest.fixture(scope="session")
def defs(dbt_manifest: Path):  # noqa: ANN201 - dagster is imported lazily
    from pipelines.definitions import defs

    return defs


def materialize_all(defs, resources: dict | None = None, **kwargs):  # noqa: ANN001, ANN201
    """Materialize every asset of the code location in process, as a run would (with some
    of its resources configured otherwise, if given)."""
    import dagster as dg

    return dg.materialize(
        list(defs.assets),
        resources={**defs.resources, **(resources or {})},
        raise_on_error=False,
        **kwargs,
    )


@dataclass(frozen=True)
class SampleRun:
    workspace: Workspace
    result: object


@pytest.fixture(scope="session")
def sample_run(defs, tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    """One full materialization of the bundled sample data into a temp warehouse."""
    workspace = make_workspace(tmp_path_factory.mktemp("sample-run"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_workspace(monkeypatch, workspace)
        result = materialize_all(defs)
    return SampleRun(workspace=workspace, result=result)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh copy of the sample data and an empty warehouse, set in the environment."""
    ws = make_workspace(tmp_path)
    use_workspace(monkeypatch, ws)
    return ws


@pytest.fixture(autouse=True)
def no_dagster_instance_left_current():
    """Each test starts with no Dagster instance's state storage current: an instance entered
    by an earlier test in the same worker process and gone since would otherwise be what
    loading definitions reaches for (DagsterInvariantViolationError: undefined weakref)."""
    from dagster._core.storage.defs_state.base import set_defs_state_storage

    with set_defs_state_storage(None):
        yield
