"""The code location loads, with one connected graph from the files to the marts."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import REPO_ROOT

EXPECTED_ASSETS = {
    "raw/plan_indicators",
    "raw/observations",
    "raw/submission_log",
    "raw/status_overrides",
    "raw/target_assignments",
    "staging/stg_plan_indicators",
    "staging/stg_target_assignments",
    "staging/stg_submission_log",
    "staging/stg_observations",
    "staging/stg_status_overrides",
    "intermediate/int_observations_current",
    "intermediate/int_observations_to_date",
    "intermediate/int_attainment_targets",
    "intermediate/int_attainment_calculated",
    "marts/dim_indicator",
    "marts/fct_indicator_observation",
    "marts/mart_attainment_history",
    "marts/mart_indicator_attainment",
    "marts/mart_attainment_summary",
    "marts/mart_evaluation_summary",
    "marts/mart_data_quality",
    "bi/attainment_latest",
    "bi/attainment_history",
    "bi/attainment_summary",
    "bi/evaluation_summary",
    "bi/indicators",
    "bi/observations",
    "bi/data_quality",
    "marts/mart_department_freshness",
    "bi/department_freshness",
    "exposures/bi_tools",
    "exposures/evaluation_table",
    "publish/warehouse",
    "publish/exports",
    "publish/report",
}


def test_asset_keys_and_groups_follow_the_layers(defs) -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == EXPECTED_ASSETS

    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {k: g for k, g in groups.items() if k.startswith("raw/")} == {
        "raw/plan_indicators": "ingest",
        "raw/observations": "ingest",
        "raw/submission_log": "ingest",
        "raw/status_overrides": "ingest",
        "raw/target_assignments": "ingest",
    }
    for key, group in groups.items():
        if not key.startswith("raw/"):
            assert group == key.split("/")[0], key


def test_the_marts_trace_back_to_every_raw_table(defs) -> None:
    graph = defs.resolve_asset_graph()
    mart = dg.AssetKey(["marts", "mart_attainment_history"])
    upstream = {k.to_user_string() for k in graph.get(mart).parent_keys}
    assert upstream == {
        "marts/dim_indicator",
        "intermediate/int_attainment_calculated",
        "staging/stg_status_overrides",
    }

    summary = dg.AssetKey(["marts", "mart_attainment_summary"])
    ancestors = dg.AssetSelection.assets(summary).upstream().resolve(graph)
    assert {"raw/observations", "raw/plan_indicators", "raw/status_overrides"} <= {
        a.to_user_string() for a in ancestors
    }


def test_ingest_checks_are_blocking_and_dbt_tests_are_checks(defs) -> None:
    graph = defs.resolve_asset_graph()
    checks = {key: graph.get_check_spec(key) for key in graph.asset_check_keys}
    gx = {
        f"{key.asset_key.to_user_string()}:{key.name}": spec.blocking
        for key, spec in checks.items()
        if key.name.startswith("gx_")
    }
    assert gx == {
        "raw/plan_indicators:gx_raw_plan_indicators": True,
        "raw/observations:gx_raw_observations": True,
        "raw/status_overrides:gx_raw_status_overrides": True,
    }
    dbt_checks = [key for key in checks if key.asset_key.path[0] in {"staging", "marts"}]
    # Each model's column rules (not null, accepted values) are one check; keys are another.
    rules = {
        key.asset_key.to_user_string() for key in dbt_checks if key.name.startswith("column_rules_")
    }
    unique = {
        key.asset_key.to_user_string() for key in dbt_checks if key.name.startswith("unique_key_")
    }
    assert "marts/mart_indicator_attainment" in rules and len(rules) >= 12
    assert "marts/mart_indicator_attainment" in unique and len(unique) >= 12


def test_runs_in_one_process(defs) -> None:
    job = defs.resolve_job_def("refresh_all")
    assert job.executor_def is dg.in_process_executor


def test_workspace_validates_with_the_dagster_cli(dbt_manifest: Path) -> None:
    dagster = Path(sys.executable).with_name("dagster")
    completed = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO_ROOT,
        env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "plan_indicators" in completed.stdout + completed.stderr


def test_the_project_loads_with_dg(dbt_manifest: Path) -> None:
    """`dg check defs` loads the project the way Dagster's project CLI does, from [tool.dg]
    in pyproject.toml, with no workspace file and no dbt on PATH."""
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if not (Path(p) / "dbt").exists())  # fmt: skip
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("dg")), "check", "defs"],
        cwd=REPO_ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}, "PATH": path},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "All definitions loaded successfully" in completed.stdout + completed.stderr


def test_the_landing_zone_carries_every_reading_limit(monkeypatch) -> None:
    """Each limit of READ_LIMITS is a field of the landing-zone resource, configured from its
    variable through dg.EnvVar when that is set, and handed to the readers as ReadLimits."""
    from pipelines.defs.resources import LandingZone, limit_field, limits_from_environment
    from pipelines.ingest.readers.base import READ_LIMITS

    assert {limit_field(name) for name in READ_LIMITS} <= set(LandingZone.model_fields)
    zone = LandingZone(raw_dir="raw", max_cells=7, max_reader_memory=1 << 30)
    assert zone.limits.given == {"PLAN_MAX_CELLS": 7, "PLAN_MAX_READER_MEMORY": 1 << 30}
    assert zone.limits["PLAN_MAX_COLUMNS"] == READ_LIMITS["PLAN_MAX_COLUMNS"][0]
    for name in READ_LIMITS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLAN_MAX_CELLS", "9")
    assert limits_from_environment() == {"max_cells": dg.EnvVar.int("PLAN_MAX_CELLS")}


def test_the_dbt_resource_overrides_members_that_dagster_dbt_still_has() -> None:
    """`DbtCli` replaces two private members of dagster-dbt's resource for speed; if
    dagster-dbt renames or drops them, the override silently stops working: fail here."""
    from dagster_dbt import DbtCliResource

    from pipelines.dbt_project import DBT_EXECUTABLE, DbtCli, dbt_cli

    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource), f"dagster-dbt no longer has {name}"
        assert name in vars(DbtCli)
    resource = dbt_cli()
    assert resource.dbt_executable == DBT_EXECUTABLE and Path(DBT_EXECUTABLE).exists()
    assert str(resource._cli_version) == metadata.version("dbt-core")


def test_dbt_in_the_run_s_process_uses_helpers_that_still_exist() -> None:
    """dbt run in the run's process (`DbtCli.build_in_process`) reuses dagster-dbt's own
    selection and event conversion, and closes the database dbt-duckdb keeps open: all
    private to those packages, so fail here if they move."""
    import inspect

    from dagster_dbt import asset_utils
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    params = inspect.signature(asset_utils.get_updated_cli_invocation_params_for_context)
    assert list(params.parameters)[:3] == ["context", "manifest", "dagster_dbt_translator"]
    assert {"manifest", "dagster_dbt_translator", "context", "target_path", "project"} <= set(
        inspect.signature(DbtCoreCliEventMessage.to_default_asset_events).parameters
    )
    assert {"_ENV", "_LOCK"} <= set(vars(DuckDBConnectionManager))


def test_a_stopped_dbt_skips_connections_already_closed() -> None:
    """When dbt is stopped it cancels every connection it holds as open; one a finishing node
    has just closed made dbt-duckdb's cancel raise, and dbt stopped cancelling there. The
    closed one is now skipped, and an open one is still interrupted."""
    import types

    import duckdb
    from dbt.adapters.duckdb.environments.local import LocalEnvironment

    from pipelines.dbt_in_process import _skip_closed_connections_on_cancel

    assert isinstance(vars(LocalEnvironment)["cancel"], classmethod)
    closed = duckdb.connect()
    closed.close()
    with pytest.raises(duckdb.ConnectionException, match="closed"):
        closed.cursor()
    _skip_closed_connections_on_cancel()
    _skip_closed_connections_on_cancel()  # once is enough; twice changes nothing
    LocalEnvironment.cancel(types.SimpleNamespace(handle=closed))
    with duckdb.connect() as open_connection:
        LocalEnvironment.cancel(types.SimpleNamespace(handle=open_connection))
        assert open_connection.execute("select 42").fetchall() == [(42,)]


def test_exposures_name_every_relation_their_consumer_reads(defs, dbt_manifest: Path) -> None:
    import json
    import re

    manifest = json.loads(dbt_manifest.read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == {"bi_tools", "attainment_report", "mart_exports", "evaluation_table"}

    def reads(exposure: str) -> set[str]:
        return {node.split(".")[-1] for node in exposures[exposure]["depends_on"]["nodes"]}

    def models_in(folder: str) -> set[str]:
        return {n["name"] for n in manifest["nodes"].values()
                if n["resource_type"] == "model" and n["fqn"][1] == folder}  # fmt: skip

    def relations_in(module: str) -> set[str]:
        source = (REPO_ROOT / module).read_text(encoding="utf-8")
        return set(re.findall(r"\bmarts\.([a-z_]+)", source))

    # What the code reads, each a relation its exposure names (and nothing it does not read).
    assert reads("attainment_report") == relations_in("pipelines/outputs/report/__init__.py")
    assert reads("evaluation_table") == relations_in("pipelines/outputs/evaluation.py")
    # The exports write every mart; BI tools are given every `bi` view.
    assert reads("mart_exports") == models_in("marts")
    assert reads("bi_tools") == models_in("bi")

    # In Dagster: a consumer a run builds is its asset; the others are external assets
    # downstream of what they read.
    graph = defs.resolve_asset_graph()
    for name, exposure in exposures.items():
        built = exposure.get("meta", {}).get("dagster_asset")
        key = dg.AssetKey.from_user_string(built or f"exposures/{name}")
        assert graph.has(key), key
        if not built:
            parents = {k.to_user_string().split("/")[-1] for k in graph.get(key).parent_keys}
            assert parents == reads(name)


def test_a_relative_warehouse_dir_is_taken_from_the_repository_root_by_dbt_too(
    dbt_manifest: Path,
) -> None:
    import shutil
    import uuid

    name = f".warehouse-relative-{uuid.uuid4().hex[:8]}"
    (REPO_ROOT / name / "work").mkdir(parents=True)
    try:
        done = subprocess.run(
            [str(Path(sys.executable).with_name("dbt")), "debug"],
            cwd=REPO_ROOT / "dbt", env={**os.environ, "PLAN_WAREHOUSE_DIR": name},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:]
        # dbt runs in dbt/, and opens the file under the repository root, as the pipeline does.
        assert (REPO_ROOT / name / "work" / "indicators.duckdb").exists()
        assert not (REPO_ROOT / "dbt" / name).exists()
    finally:
        shutil.rmtree(REPO_ROOT / name, ignore_errors=True)
