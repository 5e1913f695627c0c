"""The Dagster UI's server loads the code location, and its GraphQL API shows the graph."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import REPO_ROOT, Workspace
from tests.test_definitions import EXPECTED_ASSETS

WORKSPACE_QUERY = """{ workspaceOrError { ... on Workspace { locationEntries {
  name locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
ASSETS_QUERY = """{ assetNodes { assetKey { path } groupName
  assetChecksOrError { ... on AssetChecks { checks { name blocking } } } } }"""
REPOSITORY_QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  jobs { name } sensors { name } schedules { name cronSchedule } } } } }"""


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_webserver_serves_the_asset_graph(
    dbt_manifest: Path, workspace: Workspace, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path),
        "PLAN_RAW_DIR": str(workspace.raw_dir),
        "PLAN_WAREHOUSE_DIR": str(workspace.warehouse_dir),
    }
    webserver = Path(sys.executable).with_name("dagster-webserver")
    server = subprocess.Popen(
        [str(webserver), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        location = None
        while time.monotonic() < deadline:
            try:
                (entry,) = graphql(port, WORKSPACE_QUERY)["workspaceOrError"]["locationEntries"]
                location = entry["locationOrLoadError"]
                if location and location["__typename"] != "PythonError":
                    break
                if location:
                    raise AssertionError(location["message"])
            except (OSError, KeyError, TypeError):
                pass
            time.sleep(2)
        assert location and location["__typename"] == "RepositoryLocation", location

        nodes = graphql(port, ASSETS_QUERY)["assetNodes"]
        assert {"/".join(node["assetKey"]["path"]) for node in nodes} == EXPECTED_ASSETS
        checks = {
            "/".join(node["assetKey"]["path"]): {
                check["name"]: check["blocking"]
                for check in node["assetChecksOrError"].get("checks", [])
            }
            for node in nodes
        }
        assert checks["raw/observations"] == {"gx_raw_observations": True}
        assert checks["raw/plan_indicators"] == {"gx_raw_plan_indicators": True}
        # dbt's data tests: the model's column rules and its key.
        assert set(checks["marts/mart_indicator_attainment"]) == {
            "column_rules_mart_indicator_attainment",
            "unique_key_mart_indicator_attainment",
        }

        (repository,) = graphql(port, REPOSITORY_QUERY)["repositoriesOrError"]["nodes"]
        assert {job["name"] for job in repository["jobs"]} >= {
            "refresh_all", "load_submissions", "load_overrides",
        }  # fmt: skip
        assert [sensor["name"] for sensor in repository["sensors"]] == ["raw_files_sensor"]
        assert {s["name"]: s["cronSchedule"] for s in repository["schedules"]} == {
            "monthly_cycle": "0 6 5 * *",
            "annual_cycle": "0 6 1 4 *",
        }
    finally:
        server.terminate()
        server.wait(timeout=60)
