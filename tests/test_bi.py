"""The README's BI recipes, run as the tools run them: SQLAlchemy with duckdb-engine (what
Superset uses), in environments of their own with the versions those tools pin, and the DuckDB
CLI this project's environment provides."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, SampleRun

# What a BI tool does on connecting: list the schemas and the views of one, reflect a view's
# columns, run a query. Prints one JSON object.
PROBE = """
import json, sys
import sqlalchemy as sa
engine = sa.create_engine(sys.argv[1])
inspector = sa.inspect(engine)
found = {"sqlalchemy": sa.__version__, "schemas": sorted(inspector.get_schema_names()),
         "views": sorted(inspector.get_view_names(schema="bi"))}
try:
    columns = inspector.get_columns("attainment_latest", schema="bi")
    found["columns"] = [column["name"] for column in columns]
except Exception as error:
    found["reflection_error"] = f"{type(error).__name__}: {error}"[:300]
with engine.connect() as connection:
    found["rows"] = connection.execute(sa.text("select count(*) from bi.attainment_latest")).scalar()
print(json.dumps(found))
"""
BI_VIEWS = [
    "attainment_history", "attainment_latest", "attainment_summary", "data_quality",
    "department_freshness", "evaluation_summary", "indicators", "observations",
]  # fmt: skip


def uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def probe(database: Path, *packages: str) -> dict:
    """The probe in a new environment of `packages` (uv run --isolated), through the URI the
    README gives."""
    uri = f"duckdb:///{database}?access_mode=read_only"
    with_args = [arg for package in packages for arg in ("--with", package)]
    done = subprocess.run(
        [*uv(), "run", "--isolated", "--no-project", "--python", sys.executable, *with_args,
         "python", "-c", PROBE, uri],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


# Superset pins SQLAlchemy below 2; DuckDB 1.1 stands for an older driver's bundled engine.
SUPERSET = ("duckdb-engine==0.17.0", "sqlalchemy==1.4.54", "duckdb==1.1.3")


@pytest.mark.e2e
@pytest.mark.parametrize(
    "packages",
    [SUPERSET, ("duckdb-engine==0.17.0", "sqlalchemy==2.0.36", "duckdb==2.0.0")],
    ids=["superset-sqlalchemy-1.4", "sqlalchemy-2.0"],
)
def test_bi_tools_list_and_reflect_the_bi_views(sample_run: SampleRun, packages) -> None:
    found = probe(sample_run.workspace.database, *packages)

    # Schemas are listed with their catalog, `indicators.bi`; `bi` alone works as well.
    assert "indicators.bi" in found["schemas"]
    assert found["views"] == BI_VIEWS
    assert found["columns"][:4] == ["plan_id", "region_code", "indicator_code", "name_zh"]
    assert found["rows"] == 59


@pytest.mark.e2e
def test_sqlalchemy_2_1_cannot_reflect_columns_upstream(sample_run: SampleRun) -> None:
    # The combination the README warns of: duckdb-engine 0.17 queries pg_collation, which
    # DuckDB lacks, under SQLAlchemy 2.1. When this test fails, the gap is closed upstream:
    # drop the warning from the README.
    found = probe(
        sample_run.workspace.database,
        "duckdb-engine==0.17.0", "sqlalchemy==2.1.9", "duckdb==2.0.0",
    )  # fmt: skip
    assert "pg_collation" in found.get("reflection_error", ""), found
    assert found["views"] == BI_VIEWS and found["rows"] == 59


@pytest.mark.e2e
def test_the_duckdb_cli_of_the_environment_opens_the_published_file(
    sample_run: SampleRun,
) -> None:
    cli = Path(sys.executable).with_name("duckdb")
    done = subprocess.run(
        [str(cli), "-readonly", "-csv", str(sample_run.workspace.database),
         "-c", "select count(*) as targets from bi.attainment_latest"],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["targets", "59"]
