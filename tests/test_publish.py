"""Publishing: readers never block a run, and a failed or killed run changes nothing."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.outputs.exports import export_marts
from tests.conftest import REPO_ROOT, SampleRun, Workspace, dbt_by_hand, materialize_all

READER = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
query = "select count(*) from raw.observations"
print(connection.execute(query).fetchall()[0][0], flush=True)
sys.stdin.readline()
print(connection.execute(query).fetchall()[0][0], flush=True)
"""


def count(database: Path) -> int:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute("select count(*) from raw.observations").fetchall()[0][0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_run_succeeds_while_a_reader_holds_the_published_file(
    defs, sample_run: SampleRun, workspace: Workspace
) -> None:
    workspace.copy_warehouse_from(sample_run.workspace)
    workspace.add_submission(
        "submissions/420881/statistics/late_2026-03-01.csv",
        "指标代码,时期,数值,单位\ngdp,2019,510,亿元\n",
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(workspace.database)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert reader.stdout.readline().strip() == "478"

        result = materialize_all(defs)

        assert result.success
        # The reader still reads the file it opened; new readers get the new one.
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "478"
        assert count(workspace.database) == 479
    finally:
        reader.kill()
        reader.wait()


def test_a_killed_run_leaves_the_published_file_as_it_was(
    defs, sample_run: SampleRun, workspace: Workspace
) -> None:
    workspace.copy_warehouse_from(sample_run.workspace)
    workspace.add_submission(
        "submissions/420881/statistics/late_2026-03-01.csv",
        "指标代码,时期,数值,单位\ngdp,2019,510,亿元\n",
    )
    before = digest(workspace.database)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
        "PLAN_RAW_DIR": str(workspace.raw_dir),
        "PLAN_WAREHOUSE_DIR": str(workspace.warehouse_dir),
    }
    run = subprocess.Popen(
        [sys.executable, "-m", "pipelines", "run", "--verbose"], cwd=REPO_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    # Kill the run, and dbt with it, once dbt is building (its lines, with --verbose): new
    # rows are in the working file.
    for line in run.stdout:
        if "Running with dbt" in line:
            break
    else:
        pytest.fail("the run ended before dbt started")
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()

    assert digest(workspace.database) == before
    assert count(workspace.database) == 478
    # The next run recovers the working file and publishes.
    assert materialize_all(defs).success
    assert count(workspace.database) == 479


def test_a_failing_check_leaves_the_published_file_as_it_was(
    defs, sample_run: SampleRun, workspace: Workspace
) -> None:
    workspace.copy_warehouse_from(sample_run.workspace)
    before = digest(workspace.database)
    # Two overrides for one target and period (2025 and 2025年): the blocking check fails.
    (workspace.raw_dir / "overrides" / "status_overrides.csv").write_text(
        "plan_id,region_code,indicator_code,period,status,reason,reviewed_by,reviewed_on\n"
        "zx_hqd_2021_2025,420881,gdp,2025,achieved,reviewed,someone,2026-01-20\n"
        "zx_hqd_2021_2025,420881,gdp,2025年,achieved,reviewed twice,someone,2026-01-21\n",
        encoding="utf-8",
    )

    result = materialize_all(defs)

    assert not result.success
    assert digest(workspace.database) == before


def test_exports_are_bom_csv_with_formulas_escaped_and_plain_parquet(tmp_path: Path) -> None:
    database = tmp_path / "indicators.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.mart_example as select * from (values "
            "('=HYPERLINK(\"http://x\")', -5.0), ('+1', 1.5), ('-2', 2.0), ('@SUM(A1)', 3.0), "
            "('城区污水处理率', 4.0)) as t(note, value)"
        )

    written = export_marts(database, tmp_path / "exports")

    # A mart with no region_code column: one group, `other`.
    folder = tmp_path / "exports" / "mart_example"
    assert written == [folder / "other.parquet", folder / "other.csv"]
    data = (folder / "other.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    # Rows sorted on every column: the same mart gives the same file, however it was built.
    assert data.decode("utf-8-sig").splitlines() == [
        "note,value",
        "'+1,1.5",
        "'-2,2.0",
        '"\'=HYPERLINK(""http://x"")",-5.0',
        "'@SUM(A1),3.0",
        "城区污水处理率,4.0",
    ]
    assert pl.read_parquet(folder / "other.parquet")["note"].to_list()[:3] == [
        "+1",
        "-2",
        '=HYPERLINK("http://x")',
    ]


def test_the_published_file_opens_in_older_duckdb_storage(sample_run: SampleRun) -> None:
    with duckdb.connect(str(sample_run.workspace.database), read_only=True) as connection:
        ((tags,),) = connection.execute(
            "select tags from duckdb_databases() where database_name = 'indicators'"
        ).fetchall()
        assert tags == {"storage_version": "v1.0.0+"}
        assert connection.execute("select count(*) from staging.stg_observations").fetchall() == [
            (478,)
        ]


def test_bi_views_show_the_marts_with_their_documentation(sample_run: SampleRun) -> None:
    with duckdb.connect(str(sample_run.workspace.database), read_only=True) as connection:
        views = dict(
            connection.execute(
                "select view_name, comment from duckdb_views() where schema_name = 'bi'"
            ).fetchall()
        )
        assert sorted(views) == [
            "attainment_history", "attainment_latest", "attainment_summary", "data_quality",
            "department_freshness", "evaluation_summary", "indicators", "observations",
        ]  # fmt: skip
        assert all(views.values())
        assert connection.execute(
            "select count(*) from duckdb_columns() where schema_name = 'bi' and comment is null"
        ).fetchall() == [(0,)]
        assert (
            connection.execute(
                "select comment from duckdb_columns() where schema_name = 'bi' "
                "and table_name = 'attainment_latest' and column_name = 'status'"
            )
            .fetchall()[0][0]
            .startswith("achieved, on_track, at_risk, off_track")
        )
        assert connection.execute("select count(*) from bi.attainment_latest").fetchall() == [(59,)]


def test_publish_refuses_a_working_file_whose_last_dbt_build_failed(
    sample_run: SampleRun, workspace: Workspace
) -> None:
    workspace.copy_warehouse_from(sample_run.workspace)
    before = digest(workspace.database)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
        "PLAN_RAW_DIR": str(workspace.raw_dir),
        "PLAN_WAREHOUSE_DIR": str(workspace.warehouse_dir),
    }

    def dbt_build() -> subprocess.CompletedProcess:
        return dbt_by_hand(["build", "--quiet"], env, workspace.warehouse_dir.parent / "dbt")

    def publish() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pipelines", "publish"],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    # A registry row twice: dbt's uniqueness tests fail, by hand as in a run.
    with duckdb.connect(str(workspace.work_database)) as connection:
        connection.execute(
            "insert into raw.plan_indicators select * from raw.plan_indicators "
            "where indicator_code = 'gdp'"
        )
    assert dbt_build().returncode != 0

    refused = publish()

    assert refused.returncode == 1
    assert "失败" in refused.stderr and "not published" in refused.stderr
    assert digest(workspace.database) == before

    # A build killed half-way never records its end: refused too.
    with duckdb.connect(str(workspace.work_database)) as connection:
        connection.execute(
            "delete from raw.plan_indicators where rowid in (select max(rowid) "
            "from raw.plan_indicators where indicator_code = 'gdp')"
        )
        connection.execute(
            "insert into meta.dbt_invocations (invocation_id, command, started_at) "
            "values ('killed', 'build', now())"
        )
    killed = publish()
    assert killed.returncode == 1 and "never ended" in killed.stderr
    assert digest(workspace.database) == before

    # Once a build passes again, it is published.
    assert dbt_build().returncode == 0
    assert publish().returncode == 0
    assert digest(workspace.database) != before


def published_state(warehouse_dir: Path) -> dict[str, str]:
    """Every file readers see (the DuckDB file, exports, report pages) and its digest."""
    return {
        path.relative_to(warehouse_dir).as_posix(): digest(path)
        for path in sorted(warehouse_dir.glob("*.duckdb"))
        + sorted(path for path in (warehouse_dir / "exports").rglob("*") if path.is_file())
        + sorted((warehouse_dir / "reports").glob("*"))
    }


def test_warehouse_exports_and_report_are_published_together_or_not_at_all(
    sample_run: SampleRun, tmp_path: Path
) -> None:
    from pipelines.warehouse.publishing import publish_all

    source = sample_run.workspace.warehouse_dir
    warehouse_dir = tmp_path / "warehouse"
    shutil.copytree(source, warehouse_dir, ignore=shutil.ignore_patterns("*.lock", "gx"))
    work = warehouse_dir / "work" / "indicators.duckdb"
    folders = (warehouse_dir / "exports", warehouse_dir / "reports")
    # A page and an export of a region no longer registered, and an export of a mart no
    # longer built: the next publication drops them.
    (folders[1] / "attainment_gone_000000.html").write_text("old", encoding="utf-8")
    (folders[0] / "mart_indicator_attainment" / "990000.csv").write_text("old", encoding="utf-8")
    (folders[0] / "mart_gone").mkdir()
    (folders[0] / "mart_gone" / "420800.parquet").write_bytes(b"old")

    result = publish_all(work, warehouse_dir / "indicators.duckdb", *folders)

    state = published_state(warehouse_dir)
    assert "reports/attainment_gone_000000.html" not in state
    assert not any(name.startswith(("exports/mart_gone", "exports/mart_indicator_attainment/99"))
                   for name in state)  # fmt: skip
    assert not (folders[0] / "mart_gone").exists()
    # Beside the pages, the digest of each (`.pages.json`), for the next publication.
    assert {path.name for path in result.pages} | {".pages.json"} == {
        p.name for p in folders[1].iterdir()
    }
    # Beside the exports, the digest of each mart's group (`.exports.json`).
    assert {path.relative_to(folders[0]).as_posix() for path in result.exports} | {
        ".exports.json"
    } == {p.relative_to(folders[0]).as_posix() for p in folders[0].rglob("*") if p.is_file()}
    assert not list(warehouse_dir.glob(".*"))  # no staging left behind

    # A working file whose report cannot be built (a mart the report reads is gone): the
    # new DuckDB file and exports are built, but nothing is published.
    with duckdb.connect(str(work)) as connection:
        connection.execute("drop table marts.mart_evaluation_summary cascade")
        connection.execute("update marts.mart_indicator_attainment set actual_value = 1")

    with pytest.raises(duckdb.CatalogException, match="mart_evaluation_summary"):
        publish_all(work, warehouse_dir / "indicators.duckdb", *folders)

    assert published_state(warehouse_dir) == state
    assert not list(warehouse_dir.glob(".*"))

    # The exports fail while the report is drawn beside them (a mart with a column of a
    # type the exporter cannot write): the report is waited for, and nothing is published.
    shutil.copyfile(sample_run.workspace.warehouse_dir / "work" / "indicators.duckdb", work)
    with duckdb.connect(str(work)) as connection:
        connection.execute(
            "create table marts.mart_unwritable as select '420881' as region_code, "
            "interval 1 day as gap"
        )
        connection.execute("update marts.mart_indicator_attainment set actual_value = 1")

    with pytest.raises(pl.exceptions.ComputeError, match="interval"):
        publish_all(work, warehouse_dir / "indicators.duckdb", *folders)

    assert published_state(warehouse_dir) == state
    assert not list(warehouse_dir.glob(".*"))


def test_a_model_s_column_rules_fail_with_each_broken_rule_and_its_rows(
    sample_run: SampleRun, workspace: Workspace
) -> None:
    workspace.copy_warehouse_from(sample_run.workspace)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
        "PLAN_RAW_DIR": str(workspace.raw_dir),
        "PLAN_WAREHOUSE_DIR": str(workspace.warehouse_dir),
    }
    # Two files logged with a status no one knows, one of them without its checksum.
    with duckdb.connect(str(workspace.work_database)) as connection:
        connection.execute(
            "insert into raw.submission_log by name select * exclude (n) replace ("
            "'gone' as status, case when n = 1 then null else source_checksum end "
            "as source_checksum, source_file || '.x' as source_file) from (select *, "
            "row_number() over (order by source_file) as n from raw.submission_log) "
            "where n <= 2"
        )

    result = dbt_by_hand(
        ["test", "--store-failures", "--select", "stg_submission_log,test_name:column_rules"],
        env,
        workspace.warehouse_dir.parent / "dbt",
    )

    assert result.returncode == 1, result.stdout
    assert "Got 2 results" in result.stdout
    (stored,) = re.findall(r"select \* from (\S+)", result.stdout)
    with duckdb.connect(str(workspace.work_database), read_only=True) as connection:
        failures = connection.execute(f"select * from {stored} order by 1").fetchall()
    assert failures == [("source_checksum is null", 1), ("status not accepted", 2)]
