"""The layout holds: library modules do one stage's work without Dagster, and Dagster's
objects live in pipelines/defs."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pipelines

# The modules that exist to drive Dagster or dbt: the code location, the dbt resource and the
# command line.
ORCHESTRATION = {"pipelines.definitions", "pipelines.dbt_project", "pipelines.cli",
                 "pipelines.__main__"}  # fmt: skip


def library_modules() -> list[str]:
    return sorted(
        module.name
        for module in pkgutil.walk_packages(pipelines.__path__, prefix="pipelines.")
        if not module.name.startswith("pipelines.defs") and module.name not in ORCHESTRATION
    )


def test_library_modules_import_without_dagster() -> None:
    modules = library_modules()
    assert {"pipelines.ingest.submissions", "pipelines.ingest.readers.xlsx_reader", "pipelines.warehouse.publishing",
            "pipelines.outputs.report", "pipelines.warehouse.database", "pipelines.vocabulary"} <= set(modules)  # fmt: skip
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'dagster', 'dagster_dbt'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_reader_is_one_module_with_a_suffix_and_read() -> None:
    from pipelines.ingest import readers

    assert readers.SUPPORTED_SUFFIXES == (".csv", ".xlsx")
    for suffix, read in readers.READERS.items():
        module = sys.modules[read.__module__]
        assert module.SUFFIX == suffix and module.__name__.startswith("pipelines.ingest.readers.")


def test_development_tools_live_outside_the_runtime_package() -> None:
    """The benchmark and the sample-data generator are in tests/tools, and nothing the
    pipeline runs imports them (nor anything else under tests/)."""
    import ast
    from pathlib import Path

    modules = {module.name for module in pkgutil.walk_packages(pipelines.__path__, "pipelines.")}
    assert not {"pipelines.bench", "pipelines.sample_data"} & modules
    for path in Path(pipelines.__path__[0]).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            assert not [n for n in names if n.split(".")[0] == "tests"], path


def test_make_help_lists_every_target_and_only_targets() -> None:
    from tests.conftest import REPO_ROOT

    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    (phony,) = [line for line in makefile.splitlines() if line.startswith(".PHONY:")]
    targets = set(phony.split(":", 1)[1].split())
    done = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    listed = [line.split()[1] for line in done.stdout.splitlines()]
    assert sorted(listed) == sorted(targets)
    assert all(len(line.split(maxsplit=2)) == 3 for line in done.stdout.splitlines())
