"""The whole pipeline on real files: Polars -> GX -> DuckDB -> dbt build -> marts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import xlsxwriter

from tests.conftest import REPO_ROOT, SampleRun, Workspace, dbt_by_hand, materialize_all

MART = "marts.mart_indicator_attainment"
DEMO_PLAN = REPO_ROOT / "tests" / "fixtures" / "demo_county_2026_2030"


def query(database, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def materialized(result) -> set[str]:
    return {
        event.asset_key.to_user_string()
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
    }


def test_sample_run_succeeds_with_every_check_passing(sample_run: SampleRun) -> None:
    result = sample_run.result
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    # Three GX suites, and each model's column rules and keys (dbt data tests).
    assert len(evaluations) >= 30
    assert [e.check_name for e in evaluations if not e.passed] == []
    assert "marts/mart_indicator_attainment" in materialized(result)


def test_sample_run_writes_to_the_temp_warehouse_only(sample_run: SampleRun) -> None:
    database = sample_run.workspace.database
    assert database.exists()
    assert not str(database).startswith(str(REPO_ROOT))


def test_raw_tables_hold_every_row_with_provenance(sample_run: SampleRun) -> None:
    database = sample_run.workspace.database
    assert query(database, "select count(*) from raw.observations") == [(478,)]
    assert query(database, "select count(*) from raw.plan_indicators") == [(59,)]
    assert query(
        database,
        "select source_sheet, source_row, value from raw.observations "
        "where indicator_code = 'patents_granted' and period = '2023-Q2'",
    ) == [("2023年", 10, 51.0)]


def test_attainment_mart_values(sample_run: SampleRun) -> None:
    rows = query(
        sample_run.workspace.database,
        f"select indicator_code, latest_period, actual_value, expected_value, progress_ratio, "
        f"status, grade_zh from {MART} order by indicator_code",
    )
    by_code = {row[0]: row[1:] for row in rows}
    assert len(by_code) == 59
    # A level on a geometric path, judged in its target year: 801.5 of 860, missed.
    assert by_code["gdp"] == ("2025", 801.5, 860.0, 0.8298, "off_track", "未实现")
    # Totals: quarterly flows 2021-2025 add up to 2083 of 2000 (the 2020 base excluded).
    assert by_code["patent_applications"] == ("2025", 2083.0, 2000.0, 1.0415, "achieved", "已实现")
    # The plan period is over and 2025 is not in: no final figure, no longer on track (the
    # 2024 total's pace stays in the history).
    assert by_code["forest_quality_improvement"] == (
        "2024", None, 4800.0, 0.9896, "no_data", "暂无数据",
    )  # fmt: skip
    # A yearly floor with 2025 only to September: no final figure either.
    assert by_code["projects_over_100m"] == (
        "2025-YTD-09", None, 75.0, 1.1067, "no_data", "暂无数据",
    )  # fmt: skip
    # Sent in 万元 under a 单位 line, converted to 亿元; 2025年1-12月 is the year.
    assert by_code["tourism_revenue"][:2] == ("2025", 151.23)
    # Approximate targets: within ±5% of 176 and of 20 counts as met.
    assert by_code["farm_machinery_power"][4:] == ("achieved", "已实现")
    assert by_code["grain_output"][4:] == ("achieved", "已实现")
    # A milestone reported for the day it was reached, a year early.
    assert by_code["tertiary_hospital"] == ("2024-11-28", 1.0, None, None, "achieved", "提前实现")
    # No number to compare with: reported, but not assessed.
    assert by_code["energy_intensity_gdp"] == ("2025", 0.54, None, None, "not_assessable", "不适用")


def test_the_marts_show_a_believable_mix_of_statuses(sample_run: SampleRun) -> None:
    database = sample_run.workspace.database
    assert query(
        database, f"select status, count(*) from {MART} group by status order by status"
    ) == [
        ("achieved", 32),
        ("no_data", 6),
        ("not_assessable", 5),
        ("off_track", 16),
    ]
    history = dict(
        query(
            database,
            "select status, count(*) from marts.mart_attainment_history group by status",
        )
    )
    assert set(history) == {"achieved", "on_track", "at_risk", "off_track", "pending"}
    # Overdue: figures due by their cadence that have not arrived.
    assert [
        code for (code,) in query(
            database, f"select indicator_code from {MART} where is_overdue order by 1"
        )
    ] == [
        "forest_quality_improvement", "projects_over_100m", "projects_over_1bn",
        "projects_over_500m", "rd_spending_share_gdp", "tech_upgrade_investment_growth",
    ]  # fmt: skip


def test_gdp_history_follows_its_geometric_path(sample_run: SampleRun) -> None:
    assert query(
        sample_run.workspace.database,
        "select period, actual_value, expected_value, progress_ratio, status, grade_zh, "
        "projected_value, required_annual_growth from marts.mart_attainment_history "
        "where indicator_code = 'gdp' order by period",
    ) == [
        ("2021", 625.3, 610.169, 1.3016, "on_track", "快于预期", 972.0532, 0.0829),
        ("2022", 668.0, 664.8324, 1.0289, "on_track", "基本符合预期", 870.2802, 0.0879),
        ("2023", 712.4, 724.3931, 0.9325, "at_risk", "滞后", 836.4009, 0.0987),
        ("2024", 756.9, 789.2896, 0.8733, "at_risk", "滞后", 816.1146, 0.1362),
        ("2025", 801.5, 860.0, 0.8298, "off_track", "未实现", None, None),
    ]


def test_a_reviewed_override_sets_the_status_and_keeps_the_calculated_one(
    sample_run: SampleRun,
) -> None:
    assert query(
        sample_run.workspace.database,
        "select latest_period, status, calculated_status, grade_zh, is_overridden, "
        f"override_reviewed_on::varchar from {MART} where indicator_code = 'fitness_circle_15min'",
    ) == [("2025", "achieved", "no_data", "已实现", True, "2026-01-20")]


def test_summary_counts_by_status_grade_pillar_and_department(sample_run: SampleRun) -> None:
    database = sample_run.workspace.database
    summary = "marts.mart_attainment_summary"
    # Shares over all 59 targets, and over the 48 assessed (32/48, 16/48).
    assert query(
        database,
        f"select category, targets, share_of_all_targets, share_of_assessed_targets from {summary} "
        "where group_type = 'all' and classification = 'status' order by category",
    ) == [
        ("achieved", 32, 0.5424, 0.6667), ("no_data", 6, 0.1017, None),
        ("not_assessable", 5, 0.0847, None), ("off_track", 16, 0.2712, 0.3333),
    ]  # fmt: skip
    assert query(
        database,
        f"select category, category_zh, targets, share_of_all_targets from {summary} "
        "where group_type = 'all' and classification = 'final_verdict' order by category",
    ) == [
        ("met", "完成", 32, 0.5424), ("no_final_data", "无终期数据", 6, 0.1017),
        ("not_assessable", "不可量化评估", 5, 0.0847), ("not_met", "未完成", 14, 0.2373),
        ("partly_met", "基本完成", 2, 0.0339),
    ]  # fmt: skip
    assert query(
        database,
        "select group_code, summary_zh from marts.mart_evaluation_summary "
        "where group_type in ('all', 'pillar') order by group_type, group_code",
    ) == [
        ("all", "59 项指标中完成 32 项，完成率 54.2%；基本完成 2 项，未完成 14 项，无终期数据 6 项，"
                "不可量化评估 5 项"),
        ("大美钟祥", "11 项指标中完成 4 项，完成率 36.4%；基本完成 0 项，未完成 1 项，无终期数据 1 项，"
                     "不可量化评估 5 项"),
        ("实力钟祥", "26 项指标中完成 16 项，完成率 61.5%；基本完成 0 项，未完成 10 项，无终期数据 0 项，"
                     "不可量化评估 0 项"),
        ("幸福钟祥", "5 项指标中完成 4 项，完成率 80.0%；基本完成 1 项，未完成 0 项，无终期数据 0 项，"
                     "不可量化评估 0 项"),
        ("活力钟祥", "17 项指标中完成 8 项，完成率 47.1%；基本完成 1 项，未完成 3 项，无终期数据 5 项，"
                     "不可量化评估 0 项"),
    ]  # fmt: skip
    # Every grouping covers every target once.
    assert query(
        database,
        f"select group_type, classification, sum(targets) from {summary} group by all order by all",
    ) == [
        ("all", "final_verdict", 59), ("all", "grade", 59), ("all", "status", 59),
        ("department", "final_verdict", 59), ("department", "grade", 59),
        ("department", "status", 59), ("nature", "final_verdict", 59), ("nature", "grade", 59),
        ("nature", "status", 59), ("pillar", "final_verdict", 59), ("pillar", "grade", 59),
        ("pillar", "status", 59),
    ]  # fmt: skip
    assert query(
        database,
        f"select category, targets from {summary} where group_type = 'department' "
        "and group_code = 'statistics' and classification = 'grade' order by category",
    ) == [("achieved", 3), ("no_data", 1), ("not_achieved", 2)]


def test_department_freshness_says_who_owes_what(sample_run: SampleRun) -> None:
    database = sample_run.workspace.database
    assert query(
        database,
        "select department_code, targets, targets_reported, targets_never_reported, "
        "targets_overdue, overdue_indicators, overdue_since::varchar "
        "from marts.mart_department_freshness where targets_overdue > 0 order by 1",
    ) == [
        # Projects to September 2025, quarterly: the year's figure was due 2026-02-13.
        ("development_reform", 4, 4, 0, 3,
         "projects_over_100m, projects_over_1bn, projects_over_500m", "2026-02-13"),
        # Monthly, year to date, to November 2025: December's was due 2025-12-31.
        ("economy_it", 15, 15, 0, 1, "tech_upgrade_investment_growth", "2025-12-31"),
        # Annual, to 2024: 2025's was due 2026-03-31.
        ("forestry", 3, 3, 0, 1, "forest_quality_improvement", "2026-03-31"),
        ("statistics", 6, 6, 0, 1, "rd_spending_share_gdp", "2026-03-31"),
    ]  # fmt: skip
    # Every target counted once, and overdue exactly where the attainment mart says so.
    assert query(
        database,
        "select sum(targets), sum(targets_overdue) from marts.mart_department_freshness",
    ) == query(database, f"select count(*), count(*) filter (where is_overdue) from {MART}")
    # The last figures: the latest submission date of the department's files.
    assert query(
        database,
        "select last_figures_sent_on::varchar, last_file from marts.mart_department_freshness "
        "where department_code in ('development_reform', 'health') order by department_code",
    ) == [
        ("2026-02-28", "submissions/420881/development_reform/development_reform_bureau_2020-2025.csv"),
        ("2024-11-28", "submissions/420881/health/health_commission_2024-11-28.csv"),
    ]  # fmt: skip


def test_dim_indicator_has_every_target_with_its_attributes(sample_run: SampleRun) -> None:
    columns = [
        "indicator_code", "name_zh", "name_en", "kind", "comparator", "target_value",
        "target_upper", "unit", "base_year", "target_year", "source_quote",
    ]  # fmt: skip
    rows = query(
        sample_run.workspace.database,
        f"select {', '.join(columns)}, clause, pillar_zh, department_zh, department_source "
        "from marts.dim_indicator order by indicator_code",
    )
    assert len(rows) == 59
    by_code = {
        row[0]: dict(zip([*columns, "clause", "pillar", "dept", "dept_source"], row, strict=True))
        for row in rows
    }
    assert by_code["reserve_a_scenic_areas"] == {
        "indicator_code": "reserve_a_scenic_areas",
        "name_zh": "后备A级景区",
        "name_en": "Reserve A-level scenic areas developed",
        "kind": "range",
        "comparator": "within",
        "target_value": 4.0,
        "target_upper": 5.0,
        "unit": "个",
        "base_year": 2020,
        "target_year": 2025,
        "source_quote": "培育4-5个后备A级景区",
        "clause": "四",
        "pillar": "实力钟祥",
        "dept": "市文化和旅游局",
        "dept_source": "assigned",
    }


def test_sample_revision_supersedes_and_keeps_the_first_vintage(sample_run: SampleRun) -> None:
    database = sample_run.workspace.database
    assert query(
        database,
        "select value, source_file, vintages from marts.fct_indicator_observation "
        "where indicator_code = 'urbanization_rate' and period = '2024'",
    ) == [(59.5, "submissions/420881/statistics/stats_bureau_revision_2026-02-10.csv", 2)]
    assert query(
        database,
        "select value, submitted_on::varchar from raw.observations "
        "where indicator_code = 'urbanization_rate' and period = '2024' order by value",
    ) == [(59.3, "2025-03-15"), (59.5, "2026-02-10")]


def test_missing_values_are_kept_with_their_reason(sample_run: SampleRun) -> None:
    assert query(
        sample_run.workspace.database,
        "select value, value_text, missing_reason from raw.observations "
        "where indicator_code = 'crop_mechanization_rate' and period = '2020'",
    ) == [(None, "—", "placeholder —")]


def test_fact_table_keeps_sub_annual_periods(sample_run: SampleRun) -> None:
    rows = query(
        sample_run.workspace.database,
        "select period, period_type, period_end_date::varchar from marts.fct_indicator_observation "
        "where indicator_code = 'gdp' and period like '2025%' order by period_end_date",
    )
    assert rows == [
        ("2025-YTD-03", "ytd", "2025-03-31"),
        ("2025-YTD-06", "ytd", "2025-06-30"),
        ("2025-YTD-09", "ytd", "2025-09-30"),
        ("2025", "year", "2025-12-31"),
    ]


def copy_warehouse(sample_run: SampleRun, workspace: Workspace) -> None:
    workspace.copy_warehouse_from(sample_run.workspace)


def test_a_resubmission_revises_the_current_value_and_keeps_the_old_vintage(
    defs, sample_run: SampleRun, workspace: Workspace
) -> None:
    copy_warehouse(sample_run, workspace)
    workspace.add_submission(
        "submissions/420881/stats_bureau_revision_2026-02-10.csv",
        "指标代码,时期,数值,单位\ngdp,2025,812.3,亿元\n",
    )

    assert materialize_all(defs).success

    database = workspace.database
    assert query(
        database,
        "select value, source_file, vintages from marts.fct_indicator_observation "
        "where indicator_code = 'gdp' and period = '2025'",
    ) == [(812.3, "submissions/420881/stats_bureau_revision_2026-02-10.csv", 2)]
    assert query(
        database,
        "select value from raw.observations where indicator_code = 'gdp' and period = '2025' "
        "order by loaded_at",
    ) == [(801.5,), (812.3,)]
    assert query(database, f"select actual_value from {MART} where indicator_code = 'gdp'") == [
        (812.3,)
    ]


def test_bad_registry_blocks_everything_after_it(defs, workspace: Workspace) -> None:
    registry = workspace.raw_dir / "registry" / "zx_hqd_2021_2025" / "plan.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("kind: level", "kind: levels", 1),
        encoding="utf-8",
    )

    result = materialize_all(defs)

    assert not result.success

    # The registry itself refuses the entry, naming the file, the target and the field.
    def messages(error) -> str:  # noqa: ANN001 - dagster's SerializableErrorInfo, with causes
        return "" if error is None else error.message + messages(error.cause)

    (failure,) = [
        messages(e.event_specific_data.error) for e in result.all_events if e.is_step_failure
    ]
    assert "plan.yaml" in failure, failure
    assert "kind 'levels' 无效" in failure, failure
    assert materialized(result) == set()
    assert not workspace.database.exists() or query(
        workspace.database,
        "select count(*) from information_schema.tables where table_schema = 'marts'",
    ) == [(0,)]


def test_overrides_are_checked_against_the_registry_before_it_is_loaded(
    defs, workspace: Workspace
) -> None:
    import dagster as dg

    overrides = defs.get_assets_def(dg.AssetKey(["raw", "status_overrides"]))
    # Nothing loaded yet: the registry's own files name the targets.
    first = dg.materialize([overrides], resources=defs.resources, raise_on_error=False)
    assert first.success
    assert query(workspace.work_database, "select count(*) from raw.status_overrides")[0][0] > 0
    (workspace.raw_dir / "overrides" / "more_overrides.csv").write_text(
        "plan_id,region_code,indicator_code,period,status,reason,reviewed_by,reviewed_on\n"
        "zx_hqd_2021_2025,420881,no_such_target,2025,achieved,经市统计局复核，以最终核实数为准,someone,2026-01-01\n",
        encoding="utf-8",
    )
    second = dg.materialize([overrides], resources=defs.resources, raise_on_error=False)
    assert not second.success
    (failed,) = [e for e in second.get_asset_check_evaluations() if not e.passed]
    failures = failed.metadata["failed_expectations"].value
    assert {(f["expectation"], f["column"]) for f in failures} == {
        ("expect_column_values_to_be_in_set", "target_key")
    }


def test_a_bad_override_is_refused_and_blocks_the_marts(defs, workspace: Workspace) -> None:
    (workspace.raw_dir / "overrides" / "more_overrides.csv").write_text(
        "plan_id,region_code,indicator_code,period,status,reason,reviewed_by,reviewed_on\n"
        "zx_hqd_2021_2025,420881,gdp_total,2025,achieved,,someone,2026-13-01\n",
        encoding="utf-8",
    )

    result = materialize_all(defs)

    assert not result.success
    (failed,) = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed.check_name == "gx_raw_status_overrides"
    failures = failed.metadata["failed_expectations"].value
    assert {(f["expectation"], f["column"]) for f in failures} == {
        ("expect_column_values_to_be_in_set", "target_key"),
        ("expect_column_values_to_not_be_null", "reason"),
        ("expect_column_values_to_not_be_null", "reviewed_on"),
    }
    assert {"raw/status_overrides"} & materialized(result) == set()
    assert not any(key.startswith("marts/") for key in materialized(result))


def test_dbt_build_runs_models_and_data_tests_and_every_unit_test_passes(
    sample_run: SampleRun, dbt_manifest: Path, tmp_path: Path
) -> None:
    # The run's dbt build: every model materialized and every data test a passed check
    # (its JSON artifacts are not written; dbt's own log is kept beside the warehouse) ...
    result = sample_run.result
    built = {
        event.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
        if event.asset_key.path[0] in {"staging", "intermediate", "marts", "bi"}
    }
    manifest = json.loads(dbt_manifest.read_text())
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    assert len(built) == len(models) == 25
    checks = [c for c in result.get_asset_check_evaluations() if not c.check_name.startswith("gx_")]
    data_tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(checks) == len(data_tests) and all(check.passed for check in checks)
    # The operations are the hooks that record the build in the file it builds. Unit tests
    # check the models' logic, not the data: the run leaves them out ...
    log = next((sample_run.workspace.warehouse_dir / "logs").glob("dbt_*.log")).read_text()
    assert re.search(r"Done\. PASS=\d+ WARN=0 ERROR=0 SKIP=0 NO-OP=4", log)
    (summary,) = re.findall(r"Finished running (.*) in ", log)
    assert "data tests" in summary and "unit test" not in summary
    with duckdb.connect(str(sample_run.workspace.work_database), read_only=True) as connection:
        recorded = connection.execute(
            "select passed, failures from meta.dbt_invocations"
        ).fetchall()
    assert recorded and set(recorded) == {(True, 0)}
    # ... and here every one of them runs, on a copy of the built working file.
    warehouse = tmp_path / "warehouse"
    (warehouse / "work").mkdir(parents=True)
    shutil.copy(
        sample_run.workspace.warehouse_dir / "work" / "indicators.duckdb", warehouse / "work"
    )
    done = dbt_by_hand(
        ["test", "--select", "test_type:unit"],
        env={**os.environ, "PLAN_WAREHOUSE_DIR": str(warehouse)},
        folder=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    unit = [
        r for r in json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
        if r["unique_id"].startswith("unit_test.")
    ]  # fmt: skip
    assert sorted(r["unique_id"] for r in unit) == sorted(manifest["unit_tests"])
    assert {r["status"] for r in unit} == {"pass"} and len(unit) >= 20


def test_dbt_runs_in_the_run_s_process_and_stops_when_its_reader_does(
    sample_run: SampleRun, dbt_manifest: Path, tmp_path: Path, monkeypatch
) -> None:
    """The run builds with dbt in its own process (`pipelines.dbt_in_process`). Stopped after
    its first result, as a cancelled run stops it, dbt cancels its queries and its thread
    ends; however dbt ends, the working file is closed: the run's next steps open it with
    their own settings, and another process can open it. A failing command gives dbt's
    error message."""
    import threading
    from collections import Counter

    from pipelines.dbt_in_process import Outcome, dbt_events

    warehouse = tmp_path / "warehouse"
    work = warehouse / "work" / "indicators.duckdb"
    work.parent.mkdir(parents=True)
    shutil.copy(sample_run.workspace.work_database, work)
    monkeypatch.setenv("PLAN_WAREHOUSE_DIR", str(warehouse))
    project = str(REPO_ROOT / "dbt")

    def build(name: str) -> list[str]:
        target = str(tmp_path / name)
        return ["build", "--exclude-resource-type", "unit_test", "--project-dir", project,
                "--profiles-dir", project, "--target-path", target, "--log-path", target]  # fmt: skip

    def closed() -> bool:
        with duckdb.connect(str(work), read_only=True) as connection:
            connection.execute("select count(*) from marts.mart_indicator_attainment")
        other = subprocess.run(
            [sys.executable, "-c", f"import duckdb; duckdb.connect({str(work)!r}).close()"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        return other.returncode == 0

    stopped = Outcome()
    events = dbt_events(build("stopped"), stopped)
    first = next(events)
    events.close()
    assert first["info"]["name"] == "LogModelResult"
    assert stopped.stopped and not stopped.success
    assert isinstance(stopped.exception, KeyboardInterrupt), stopped.errors
    assert not [thread for thread in threading.enumerate() if thread.name == "dbt"]
    assert closed()

    # Started again, it builds every model and runs every data test.
    whole = Outcome()
    results = list(dbt_events(build("whole"), whole))
    assert whole.success and whole.exception is None and not whole.errors and not whole.stopped
    manifest = json.loads(dbt_manifest.read_text())
    kinds = Counter(node["resource_type"] for node in manifest["nodes"].values())
    assert Counter(event["info"]["name"] for event in results) == {
        "LogModelResult": kinds["model"], "LogTestResult": kinds["test"]
    }  # fmt: skip
    assert {event["data"]["node_info"]["node_status"] for event in results} == {"success", "pass"}
    assert closed()

    # A setting dbt cannot use: no result, dbt's message.
    monkeypatch.setenv("DBT_TARGET", "nope")
    failed = Outcome()
    assert list(dbt_events(build("failed"), failed)) == []
    assert not failed.success
    assert any("does not have a target named 'nope'" in error for error in failed.errors)
    assert closed()


def test_a_second_plan_and_region_load_beside_the_first(defs, workspace: Workspace) -> None:
    shutil.copytree(DEMO_PLAN, workspace.raw_dir / "registry" / DEMO_PLAN.name)
    workspace.add_submission(
        "submissions/990001/demo_statistics_2025-2026.csv",
        "指标代码,时期,数值,单位\ngdp,2025,210,亿元\ngdp,2026,228.5,亿元\n",
    )
    same = "指标代码,时期,数值,单位\ngdp,2025,801.5,亿元\n"
    workspace.add_submission("submissions/420881/stats_bureau_gdp.csv", same)

    result = materialize_all(defs)

    assert result.success
    database = workspace.database
    assert query(
        database,
        "select plan_id, region_code, count(*) from marts.dim_indicator group by all order by all",
    ) == [("demo_county_2026_2030", "990001", 6), ("zx_hqd_2021_2025", "420881", 59)]
    assert query(
        database,
        "select plan_id, region_code, latest_period, actual_value, completion_ratio, status "
        f"from {MART} where indicator_code = 'gdp' order by plan_id",
    ) == [
        ("demo_county_2026_2030", "990001", "2026", 228.5, 0.7617, "on_track"),
        ("zx_hqd_2021_2025", "420881", "2025", 801.5, 0.932, "off_track"),
    ]
    # The second plan's table is the mid-term one: its target year, 2030, is still ahead.
    evaluation = subprocess.run(
        [sys.executable, "-m", "pipelines", "evaluate", "--plan", DEMO_PLAN.name,
         "--region", "990001"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PLAN_WAREHOUSE_DIR": str(workspace.warehouse_dir)},
    )  # fmt: skip
    assert evaluation.returncode == 0, evaluation.stdout + evaluation.stderr
    (table,) = (workspace.warehouse_dir / "evaluations").glob(
        f"evaluation_{DEMO_PLAN.name}_990001_midterm_*.csv"
    )
    rows = {row["指标"]: row for row in pl.read_csv(table, infer_schema_length=0).to_dicts()}
    assert len(rows) == 6
    assert (rows["地区生产总值"]["最新实际值"], rows["地区生产总值"]["完成率"]) == (
        "228.5",
        "76.2%",
    )
    assert rows["地区生产总值"]["备注"] == "数据期 2026"

    # Two counties can send byte for byte the same file: a file version is its path and
    # its checksum, never its checksum alone.
    workspace.add_submission("submissions/990001/stats_bureau_gdp.csv", same)

    second = materialize_all(defs)

    assert second.success
    assert query(
        database,
        "select file, region_code, status from marts.mart_data_quality "
        "where file like '%stats_bureau_gdp.csv' order by file",
    ) == [
        ("submissions/420881/stats_bureau_gdp.csv", "420881", "accepted"),
        ("submissions/990001/stats_bureau_gdp.csv", "990001", "accepted"),
    ]
    assert query(
        database,
        "select region_code, count(*) from raw.observations "
        "where source_file like '%stats_bureau_gdp.csv' group by all order by all",
    ) == [("420881", 1), ("990001", 1)]
    # Only the new file was read; every other one was known by its path and checksum.
    (check,) = [
        e for e in second.get_asset_check_evaluations() if e.check_name == "gx_raw_observations"
    ]
    metadata = check.metadata
    assert metadata["files_found"].value - metadata["files_unchanged"].value == 1


def test_a_fresh_build_gives_the_same_marts_and_a_rerun_changes_nothing(
    defs, sample_run: SampleRun, workspace: Workspace, tmp_path: Path
) -> None:
    assert materialize_all(defs).success
    assert query(workspace.database, f"select * from {MART} order by indicator_code") == query(
        sample_run.workspace.database, f"select * from {MART} order by indicator_code"
    )
    # A new warehouse has no parse state: one was prepared beside the run (used when ready in
    # time, else stopped; `test_a_parse_prepared_ahead_...`), and nothing of it is left over.
    assert not (workspace.warehouse_dir / "work" / ".dbt_parse_ahead").exists()
    before = query(workspace.database, "select * from raw.observations order by all")
    state = workspace.warehouse_dir / "work" / "dbt_partial_parse.msgpack"
    assert state.is_file()
    # Another warehouse's run meanwhile (a snapshot, another test) leaves the project's parse
    # state for its own profile, not this one's.
    from pipelines.dbt_project import keep_parse_state

    other = tmp_path / "other-warehouse"
    done = dbt_by_hand(
        ["parse", "--quiet"],
        env={**os.environ, "PLAN_WAREHOUSE_DIR": str(other)},
        folder=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    keep_parse_state(tmp_path / "target", other / "work" / "dbt_partial_parse.msgpack")

    again = materialize_all(defs)

    assert again.success
    # Every file is known by its path and checksum: nothing is read again, nothing changes.
    (check,) = [
        e for e in again.get_asset_check_evaluations() if e.check_name == "gx_raw_observations"
    ]
    assert check.passed and check.metadata["files_unchanged"].value == 16
    assert query(workspace.database, "select * from raw.observations order by all") == before
    assert query(workspace.database, "select count(*) from marts.mart_data_quality") == [(16,)]
    # Each warehouse keeps the parse state its last dbt command left: in an unchanged
    # environment dbt does not parse the project again.
    (log,) = (REPO_ROOT / "dbt" / "target").glob(f"dbt_models-{again.run_id[:7]}-*/dbt.log")
    assert "Unable to do partial parsing" not in log.read_text(encoding="utf-8")


def test_a_parse_prepared_ahead_is_kept_once_and_one_taking_too_long_is_dropped(
    tmp_path: Path,
) -> None:
    from pipelines import settings
    from pipelines.dbt_project import parse_ahead, take_parse_ahead

    layout = settings.WarehouseLayout(tmp_path / "warehouse")
    state = layout.dbt_parse_state
    # Nothing started, nothing kept.
    assert not take_parse_ahead(state)
    assert parse_ahead(layout)
    assert not parse_ahead(layout)  # one at a time for a warehouse
    assert take_parse_ahead(state, timeout=300)
    assert state.is_file() and state.stat().st_size > 0
    assert not (state.parent / ".dbt_parse_ahead").exists()
    # The warehouse has its state now: nothing to prepare.
    assert not parse_ahead(layout)

    other = settings.WarehouseLayout(tmp_path / "other")
    assert parse_ahead(other)
    # A parse still running when the build needs it is stopped and dropped: the build
    # parses the project itself.
    assert not take_parse_ahead(other.dbt_parse_state, timeout=0.0)
    assert not other.dbt_parse_state.exists()
    assert not (other.dbt_parse_state.parent / ".dbt_parse_ahead").exists()


def test_marts_can_be_rebuilt_as_of_a_past_date(defs, workspace: Workspace) -> None:
    workspace.add_submission(
        "submissions/420881/statistics/gdp_quarterly_2025-01-20.csv",
        "指标代码,时期,数值,单位\ngdp,2024年四季度,205.0,亿元\n",
    )
    workspace.add_submission(
        "submissions/420881/statistics/gdp_quarterly_2025-03-05.csv",
        "指标代码,时期,数值,单位\ngdp,2024年四季度,207.5,亿元\n",
    )
    assert materialize_all(defs).success

    def build_as_of(as_of: str, selection: str) -> None:
        completed = dbt_by_hand(
            ["build", "--quiet", "--select", selection, "--vars", f"{{as_of: '{as_of}'}}"],
            env={**os.environ, "PLAN_WAREHOUSE_DIR": str(workspace.warehouse_dir)},
            folder=workspace.warehouse_dir.parent / f"dbt-{as_of}",
            timeout=300,
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr

    def q4() -> list[tuple]:
        return query(
            workspace.work_database,
            "select value, source_file from marts.fct_indicator_observation "
            "where indicator_code = 'gdp' and period = '2024-Q4'",
        )

    # Before either file: no figure; after the first: the first; after both: the revision.
    build_as_of("2024-12-31", "+fct_indicator_observation")
    assert q4() == []
    build_as_of("2025-02-01", "+fct_indicator_observation")
    assert q4() == [(205.0, "submissions/420881/statistics/gdp_quarterly_2025-01-20.csv")]

    # The attainment marts as of 2026-01-01: the hospital's milestone (sent 2024-11-28) is
    # known, the override reviewed on 2026-01-20 is not yet, so the fitness circles, not
    # reported reached by the end of 2025, are not met.
    build_as_of("2026-01-01", "+fct_indicator_observation +mart_indicator_attainment")
    assert q4() == [(207.5, "submissions/420881/statistics/gdp_quarterly_2025-03-05.csv")]
    assert query(
        workspace.work_database,
        "select indicator_code, status, is_overridden, freshness_checked_on::varchar "
        f"from {MART} where indicator_code in ('fitness_circle_15min', 'tertiary_hospital') "
        "order by 1",
    ) == [
        ("fitness_circle_15min", "off_track", False, "2026-01-01"),
        ("tertiary_hospital", "achieved", False, "2026-01-01"),
    ]


def test_gx_data_docs_are_built_beside_the_warehouse(sample_run: SampleRun) -> None:
    docs = sample_run.workspace.warehouse_dir / "data_docs"
    assert (docs / "index.html").is_file()
    for suite in ("raw_plan_indicators", "raw_observations"):
        assert (docs / "expectations" / f"{suite}.html").is_file()
        assert list((docs / "validations" / suite).rglob("*.html")), suite


def test_every_mart_column_is_described(sample_run: SampleRun, dbt_manifest: Path) -> None:
    manifest = json.loads(dbt_manifest.read_text())
    models = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    ]
    assert len(models) == 8
    for node in models:
        built = {
            name
            for (name,) in query(
                sample_run.workspace.database,
                "select column_name from information_schema.columns "
                f"where table_schema = 'marts' and table_name = '{node['name']}'",
            )
        }
        described = {name for name, column in node["columns"].items() if column["description"]}
        assert built == described, node["name"]


def test_bad_files_and_entries_are_rejected_whole_with_their_reason_while_the_rest_loads(
    defs, sample_run: SampleRun, workspace: Workspace
) -> None:
    copy_warehouse(sample_run, workspace)
    # A file with a bad value and an unknown indicator: rejected whole.
    workspace.add_submission(
        "submissions/420881/late_fix.csv",
        "指标代码,时期,数值,单位\ngdp,2024,七百五十,亿元\ngdp_total,2024,750,亿元\n",
    )
    # Undated, loaded after the sample's undated workbook: the later load is in force.
    workspace.add_submission(
        "submissions/420881/housing_resent.csv",
        "指标名称,时期,数值,单位\n城区污水处理率,2025年,96.1,%\n",
    )
    # Entries the run cannot or must not read.
    folder = workspace.raw_dir / "submissions" / "420881"
    os.mkfifo(folder / "pipe.csv")
    (folder / "zero.csv").symlink_to("/dev/zero")
    (folder / "gone.csv").symlink_to(folder / "nowhere.csv")
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    (folder / ".hidden.csv").write_text(
        "指标代码,时期,数值,单位\ngdp,2025,1,亿元\n", encoding="utf-8"
    )
    # A workbook whose one cell at XFD1048576 makes the native reader allocate the whole
    # grid and abort; the check of the sheet's extent is lifted so that it reaches the reader.
    workbook = xlsxwriter.Workbook(str(folder / "far_cell.xlsx"))
    sheet = workbook.add_worksheet("数据")
    sheet.write_row(0, 0, ["指标代码", "时期", "数值", "单位"])
    sheet.write(1_048_575, 16_383, "x")
    workbook.close()
    from pipelines.defs.resources import LandingZone

    landing_zone = LandingZone(raw_dir=str(workspace.raw_dir), max_cells=10**12)
    result = materialize_all(defs, resources={"landing_zone": landing_zone})

    assert result.success
    (check,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "gx_raw_observations"
    ]
    assert not check.passed and check.severity.value == "WARN"
    assert check.metadata["files_rejected"].value == 7
    assert check.metadata["files_unchanged"].value == 16
    assert "七百五十" in check.metadata["rejections"].value
    # The good new file loaded, the bad ones added nothing, the earlier data stayed.
    assert query(workspace.database, "select count(*) from raw.observations") == [(479,)]
    assert query(
        workspace.database,
        "select status, rows_read, rows_accepted, rows_rejected, issue_count, errors "
        "from marts.mart_data_quality where file = 'submissions/420881/late_fix.csv'",
    ) == [
        (
            "rejected", 2, 0, 2, 2,
            "submissions/420881/late_fix.csv 第2行 列「数值(C)」：值「七百五十」，数值不是数字；"
            "应为数字（可带千位分隔符），或用 — 表示暂无数据。\n"
            "    submissions/420881/late_fix.csv, row 2, column '数值(C)': value '七百五十': "
            "the value is not a number; expected a number (thousands separators allowed), "
            "or — for not available.\n"
            "submissions/420881/late_fix.csv 第3行 列「指标代码(A)」：值「gdp_total」，"
            "规划登记表中没有这个指标；应为登记表中的指标代码或指标的中文全称（见 README 指标表）。\n"
            "    submissions/420881/late_fix.csv, row 3, column '指标代码(A)': value 'gdp_total': "
            "this indicator is not in the plan registry; expected an indicator code or the "
            "exact Chinese name from the registry (see the README).",
        )
    ]  # fmt: skip
    ((crashed,),) = query(
        workspace.database,
        "select errors from marts.mart_data_quality "
        "where file = 'submissions/420881/far_cell.xlsx' and status = 'rejected'",
    )
    assert "PLAN_MAX_READER_MEMORY" in crashed, crashed
    assert query(
        workspace.database,
        "select file, status, errors from marts.mart_data_quality "
        "where status = 'rejected' and file not similar to '.*(far_cell|late_fix).*' "
        "order by file",
    ) == [
        ("submissions/420881/.hidden.csv", "rejected",
         "submissions/420881/.hidden.csv，是隐藏文件，不予读取；请去掉文件名开头的“.”。\n"
         "    submissions/420881/.hidden.csv: is a hidden file; not read (remove the leading '.')."),
        ("submissions/420881/gone.csv", "rejected",
         "submissions/420881/gone.csv，是符号链接（快捷方式），不予读取；请放入文件本身。\n"
         "    submissions/420881/gone.csv: is a symbolic link, which is never followed; put the "
         "file itself here."),
        ("submissions/420881/old.xls", "rejected",
         "submissions/420881/old.xls，是旧版 .xls 格式，不予读取；请另存为 .xlsx。\n"
         "    submissions/420881/old.xls: is an old .xls workbook; not read (save it as .xlsx)."),
        ("submissions/420881/pipe.csv", "rejected",
         "submissions/420881/pipe.csv，不是普通文件（管道或设备），不予读取。\n"
         "    submissions/420881/pipe.csv: is not a regular file (a pipe or a device); not read."),
        ("submissions/420881/zero.csv", "rejected",
         "submissions/420881/zero.csv，是符号链接（快捷方式），不予读取；请放入文件本身。\n"
         "    submissions/420881/zero.csv: is a symbolic link, which is never followed; put the "
         "file itself here."),
    ]  # fmt: skip
    assert query(
        workspace.database,
        f"select actual_value from {MART} where indicator_code = 'urban_sewage_treatment_rate'",
    ) == [(96.1,)]
    assert query(
        workspace.database, f"select actual_value from {MART} where indicator_code = 'gdp'"
    ) == [(801.5,)]


def test_a_run_reads_as_a_line_per_stage(sample_run: SampleRun) -> None:
    import io
    from types import SimpleNamespace

    from pipelines.progress import RunProgress

    out = io.StringIO()
    ticks = iter(range(10_000))
    progress = RunProgress(out=out, clock=lambda: next(ticks), every_seconds=50)
    for event in sample_run.result.all_events:
        progress(SimpleNamespace(dagster_event=event))

    lines = [re.sub(r" \(\d+(\.\d)? s\)$", "", line) for line in out.getvalue().splitlines()]
    assert lines[:3] == [
        "✔ registry     59 targets in 1 plan(s); 0 assigned values; "
        "GX 36 expectations on 59 rows, 0 failed",
        "✔ submissions  16 files found, 0 unchanged, 16 accepted, 0 rejected; 478 rows loaded; "
        "GX 19 expectations on 478 rows, 0 failed",
        "✔ overrides    1 overrides; GX 11 expectations on 1 rows, 0 failed",
    ]
    # While dbt builds, how far it has got; then what it built and tested.
    assert re.fullmatch(r"  dbt build    \.\.\. \d+ models built, \d+ tests passed", lines[3])
    assert re.fullmatch(
        r"✔ dbt build    25 models built, \d{2,3} tests passed, 0 failed", lines[-2]
    )
    assert lines[-1] == "✔ publish      34 tables and views; 16 export files; 1 report page(s)"

    # A long ingest says how far it has got, at most every `every_seconds`.
    start = next(
        e for e in sample_run.result.all_events
        if e.event_type_value == "STEP_START" and e.step_key == "observations"
    )  # fmt: skip
    out.truncate(0)
    out.seek(0)
    progress(SimpleNamespace(dagster_event=start))
    for done in (2_000, 4_000):
        for _ in range(60):
            next(ticks)
        progress(SimpleNamespace(dagster_event=None, step_key="observations",
                                 user_message=f"progress: {done:,} of 219,450 files read"))  # fmt: skip
    progress(SimpleNamespace(dagster_event=None, step_key="observations", user_message="other"))
    assert [re.sub(r" \(\d+ s\)$", "", line) for line in out.getvalue().splitlines()] == [
        "  submissions  ... 2,000 of 219,450 files read",
        "  submissions  ... 4,000 of 219,450 files read",
    ]
