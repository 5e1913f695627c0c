"""`python -m pipelines` as a user runs it, in subprocesses, against temp warehouses."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import REPO_ROOT, SampleRun, Workspace


def pipelines_cli(
    *args: str, workspace: Workspace, env_extra: dict[str, str] | None = None, **kwargs
) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
        "PLAN_RAW_DIR": str(workspace.raw_dir),
        "PLAN_WAREHOUSE_DIR": str(workspace.warehouse_dir),
        **(env_extra or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def test_status_prints_the_attainment_table(sample_run: SampleRun) -> None:
    process = pipelines_cli("status", workspace=sample_run.workspace)
    output, _ = process.communicate(timeout=120)

    assert process.returncode == 0, output
    lines = output.splitlines()
    assert lines[0].split() == [
        "indicator_code", "name_zh", "unit", "target_value", "latest_period", "actual_value",
        "expected_value", "progress_ratio", "status", "grade_zh", "final_verdict_zh",
    ]  # fmt: skip
    gdp = next(line for line in lines if line.startswith("gdp "))
    assert gdp.split() == [
        "gdp", "地区生产总值", "亿元", "860", "2025", "801.5", "860", "0.8298", "off_track", "未实现",
        "未完成",
    ]  # fmt: skip
    assert len(lines) == 2 + 59 + 3
    assert lines[-2] == "All targets: achieved 32, no_data 6, not_assessable 5, off_track 16"
    assert lines[-1] == (
        "Final evaluation 终期评估 zx_hqd_2021_2025 420881: 59 项指标中完成 32 项，完成率 54.2%；"
        "基本完成 2 项，未完成 14 项，无终期数据 6 项，不可量化评估 5 项"
    )


def test_status_filters_by_status_pillar_and_department(sample_run: SampleRun) -> None:
    def codes(*args: str) -> list[str]:
        process = pipelines_cli("status", *args, workspace=sample_run.workspace)
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output
        lines = output.splitlines()
        closing[args] = lines[lines.index("") + 1 :]
        return [line.split()[0] for line in lines[2 : lines.index("")]]

    closing: dict[tuple[str, ...], list[str]] = {}

    # The plan period is over: no target is at risk any more, six have no final figure.
    assert codes("--status", "at_risk") == []
    assert codes("--status", "no_data") == [
        "forest_quality_improvement", "projects_over_100m", "projects_over_1bn",
        "projects_over_500m", "rd_spending_share_gdp", "tech_upgrade_investment_growth",
    ]  # fmt: skip
    assert codes("--department", "市统计局", "--status", "achieved") == [
        "county_economy_top100", "rural_disposable_income", "urbanization_rate",
    ]  # fmt: skip
    assert codes("--pillar", "Beautiful Zhongxiang", "--status", "off_track") == [
        "wetland_restoration"
    ]
    # The closing lines count what is shown, then every target of the plans shown.
    assert closing[("--department", "市统计局", "--status", "achieved")][:2] == [
        "Shown (status achieved, department 市统计局): 3 targets: achieved 3",
        "All targets: achieved 32, no_data 6, not_assessable 5, off_track 16",
    ]
    assert codes("--plan", "no_such_plan") == []
    assert closing[("--plan", "no_such_plan")] == [
        "Shown (plan no_such_plan): 0 targets: none", "All targets: none",
    ]  # fmt: skip


def test_status_overdue_says_which_department_owes_what(sample_run: SampleRun) -> None:
    process = pipelines_cli("status", "--overdue", workspace=sample_run.workspace)
    output, _ = process.communicate(timeout=120)

    assert process.returncode == 0, output
    lines = output.splitlines()
    assert lines[0].split()[:3] == ["plan_id", "region_code", "department_zh"]
    rows = [line.split(maxsplit=8) for line in lines[2 : lines.index("")]]
    # Earliest overdue first.
    assert [(row[2], row[6], row[7]) for row in rows] == [
        ("市经济和信息化局", "1", "2025-12-31"), ("市发展和改革局", "3", "2026-02-13"),
        ("市林业局", "1", "2026-03-31"), ("市统计局", "1", "2026-03-31"),
    ]  # fmt: skip
    assert "4 department(s) with 6 figure(s) overdue and 0 target(s) never reported" in lines[-1]

    only = pipelines_cli(
        "status", "--overdue", "--department", "市林业局", workspace=sample_run.workspace
    )
    output, _ = only.communicate(timeout=120)
    assert only.returncode == 0 and "forest_quality_improvement" in output
    assert "projects_over_100m" not in output


def test_two_runs_started_together_both_succeed(dbt_manifest: Path, workspace: Workspace) -> None:
    first = pipelines_cli("run", workspace=workspace)
    second = pipelines_cli("run", "--verbose", workspace=workspace)
    outputs = [process.communicate(timeout=900)[0] for process in (first, second)]

    for process, output in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, output[-3000:]
        assert "Could not set lock" not in output
        assert f"Warehouse: {workspace.database}" in output
    # dbt's own lines only when asked for; its log is kept beside the warehouse either way.
    quiet, verbose = outputs
    assert "OK created sql incremental model marts.mart_indicator_attainment" in verbose
    assert "OK created sql" not in quiet
    # Dagster's console log is coloured on a terminal only; this output is a pipe.
    assert " - dagster - " in verbose and "\x1b[" not in verbose + quiet
    logs = sorted((workspace.warehouse_dir / "logs").glob("dbt_*.log"))
    assert len(logs) == 2
    for log in logs:
        text = log.read_text(encoding="utf-8")
        assert "OK created sql incremental model marts.mart_indicator_attainment" in text
        assert "\x1b[" not in text
    with duckdb.connect(str(workspace.database), read_only=True) as connection:
        (count,) = connection.execute(
            "select count(*) from marts.mart_indicator_attainment"
        ).fetchone()
    assert count == 59


def test_run_with_a_bad_file_loads_the_rest_and_says_why(
    dbt_manifest: Path, workspace: Workspace
) -> None:
    workspace.add_submission(
        "submissions/420881/typo.csv", "指标代码,时期,数值,单位\ngpd,2024,750,亿元\n"
    )
    process = pipelines_cli("run", workspace=workspace)
    output, _ = process.communicate(timeout=600)

    assert process.returncode == 0, output[-3000:]
    # A line per stage as it ends, in order, with what it did; no colour codes in a pipe.
    stages = [
        line.split()[1]
        for line in output.splitlines()
        if line.startswith(("✔", "✘")) and "/" not in line.split()[1]  # not a file's verdict
    ]
    assert stages == ["registry", "submissions", "overrides", "dbt", "publish"]
    assert "✔ submissions  17 files found, 0 unchanged, 16 accepted, 1 rejected; 478 rows" in output
    assert re.search(r"^✔ dbt build +\d+ models built, \d+ tests passed, 0 failed", output, re.M)
    assert "\x1b[" not in output
    assert len(output.split("Targets with data")[0].splitlines()) < 20
    assert "warning: raw/observations gx_raw_observations: 1 file(s) rejected" in output
    assert "submissions/420881/typo.csv 第2行 列「指标代码(A)」：值「gpd」" in output
    assert "Targets with data" in output


def test_check_command_prints_every_problem_and_exits_non_zero(workspace: Workspace) -> None:
    bad = workspace.add_submission(
        "submissions/420881/draft.csv",
        "指标代码,时期,数值,单位\ngpd,2024,750,亿元\ngdp,2024,,亿元\n",
    )
    good = (
        workspace.raw_dir
        / "submissions"
        / "420881"
        / "natural_resources"
        / "natural_resources_bureau_2020-2025.csv"
    )

    process = pipelines_cli("check", str(good), str(bad), workspace=workspace)
    output, _ = process.communicate(timeout=120)

    assert process.returncode == 1
    assert output.splitlines()[0] == (
        "✔ submissions/420881/natural_resources/natural_resources_bureau_2020-2025.csv: 通过，"
        "6 条数据 / accepted, 6 value(s)"
    )
    assert "✘ submissions/420881/draft.csv: 退回，共 1 个问题" in output
    assert "第2行 列「指标代码(A)」：值「gpd」，规划登记表中没有这个指标" in output
    assert not workspace.database.exists()


def test_check_of_a_folder_judges_every_entry_in_it(workspace: Workspace) -> None:
    folder = workspace.raw_dir / "submissions" / "420881"
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)

    process = pipelines_cli("check", str(folder), workspace=workspace)
    output, _ = process.communicate(timeout=120)

    lines = [line for line in output.splitlines() if line[:1] in "✔✘"]
    assert process.returncode == 1
    assert len(lines) == 17  # the sample's 16 files and the .xls
    assert [line for line in lines if line.startswith("✘")] == [
        "✘ submissions/420881/old.xls: 退回，共 1 个问题，请修改后重新报送 / rejected, "
        "1 problem(s); please fix and resend the whole file"
    ]


def test_publish_command_publishes_the_working_file(
    sample_run: SampleRun, workspace: Workspace
) -> None:
    workspace.copy_warehouse_from(sample_run.workspace)
    workspace.database.unlink()

    process = pipelines_cli("publish", workspace=workspace)
    output, _ = process.communicate(timeout=300)

    assert process.returncode == 0, output
    assert output.startswith("Published ")
    with duckdb.connect(str(workspace.database), read_only=True) as connection:
        assert connection.execute("select count(*) from bi.attainment_latest").fetchall() == [(59,)]


def test_as_of_must_be_a_past_day(workspace: Workspace) -> None:
    for command in ("run", "evaluate"):
        extra = (
            ("--plan", "zx_hqd_2021_2025", "--region", "420881") if command == "evaluate" else ()
        )
        for text, message in (
            ("2023-13-01", "expected a date as YYYY-MM-DD"),
            ("2999-01-01", "cannot be after today"),
        ):
            process = pipelines_cli(command, *extra, "--as-of", text, workspace=workspace)
            output, _ = process.communicate(timeout=120)
            assert process.returncode == 2, output
            assert message in output
    assert not (workspace.warehouse_dir / "snapshots").exists()


def test_check_anywhere_takes_the_region_from_the_file_or_from_region(
    workspace: Workspace, tmp_path: Path
) -> None:
    templates = workspace.raw_dir / "templates"
    shipped = pipelines_cli(
        "check", str(templates / "submission_template.csv"),
        str(templates / "submission_template.xlsx"), workspace=workspace,
    )  # fmt: skip
    output, _ = shipped.communicate(timeout=120)
    assert shipped.returncode == 0, output
    assert output.count("✔") == 2

    # A file on a clerk's desktop with no region column: the region comes from --region.
    desk = tmp_path / "desk" / "统计局报表.csv"
    desk.parent.mkdir()
    desk.write_text("指标代码,时期,数值,单位\ngdp,2025,801.5,亿元\n", encoding="gbk")
    without = pipelines_cli("check", str(desk), workspace=workspace)
    output, _ = without.communicate(timeout=120)
    assert without.returncode == 1
    assert "无法确定地区" in output and "--region" in output

    given = pipelines_cli("check", "--region", "420881", str(desk), workspace=workspace)
    output, _ = given.communicate(timeout=120)
    assert given.returncode == 0, output
    assert output.startswith("✔ 统计局报表.csv: 通过，1 条数据")

    unknown = pipelines_cli("check", "--region", "999999", str(desk), workspace=workspace)
    output, _ = unknown.communicate(timeout=120)
    assert unknown.returncode == 2
    assert "--region 999999" in output and "420881" in output and "Traceback" not in output


def plain_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args], cwd=REPO_ROOT, capture_output=True,
        text=True, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_every_command_says_what_it_does_with_an_example() -> None:
    def subcommands(*parent: str) -> list[str]:
        usage = plain_cli(*parent, "--help").stdout
        return usage.split("{", 1)[1].split("}", 1)[0].split(",")

    commands = [(name,) for name in subcommands() if name != "plan"]
    commands += [("plan", name) for name in subcommands("plan")]
    assert len(commands) >= 9
    for command in commands:
        done = plain_cli(*command, "--help")
        assert done.returncode == 0, command
        example = done.stdout.split("example 示例:\n", 1)[1]
        assert example.startswith(f"  python -m pipelines {' '.join(command)}"), command


def test_a_wrong_file_or_setting_gets_a_message_never_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "raw"
    shutil.copytree(REPO_ROOT / "raw" / "registry", broken / "registry")
    registry = broken / "registry" / "zx_hqd_2021_2025" / "plan.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("kind: level", "kind: levels", 1),
        encoding="utf-8",
    )
    empty = {"PLAN_WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    cases = [
        (("plan", "scan", str(tmp_path / "none.txt")), {}, 2, "cannot read"),
        (("plan", "table"), {"PLAN_RAW_DIR": str(broken)}, 2, "kind 'levels'"),
        (("check", str(registry)), {"PLAN_RAW_DIR": str(broken)}, 2, "plan.yaml"),
        (("status",), empty, 1, "run `make run` first"),
        (("status", "--overdue"), empty, 1, "run `make run` first"),
        (("publish",), empty, 1, "run `make run` first"),
    ]
    for args, env, code, message in cases:
        done = plain_cli(*args, env=env)
        output = done.stdout + done.stderr
        assert done.returncode == code, (args, output)
        assert message in output and "Traceback" not in output, (args, output)


def test_docs_writes_one_offline_page_with_the_lineage_to_the_consumers(
    sample_run: SampleRun, workspace: Workspace
) -> None:
    workspace.copy_warehouse_from(sample_run.workspace)
    process = pipelines_cli("docs", workspace=workspace)
    output, _ = process.communicate(timeout=300)

    assert process.returncode == 0, output
    page = workspace.warehouse_dir / "docs" / "index.html"
    assert output.strip().endswith(f"dbt docs: {page}")
    text = page.read_text(encoding="utf-8")
    # The models with the catalog of the built file, and who reads them.
    for name in (
        "model.plan_indicators.mart_department_freshness",
        "exposure.plan_indicators.attainment_report",
        "exposure.plan_indicators.bi_tools",
    ):
        assert name in text, name  # fmt: skip
    # The catalog: the built tables as DuckDB describes them.
    assert (
        '"model.plan_indicators.mart_department_freshness": {"metadata": {"type": "BASE TABLE"'
        in text
    )
    assert not re.search(r"""<script[^>]+src=["']?https?:""", text)


def test_a_failed_dbt_build_shows_the_end_of_dbt_s_log_not_a_traceback(
    dbt_manifest: Path, workspace: Workspace
) -> None:
    # A wrong setting dbt reads (no such target in dbt/profiles.yml): the build fails at once.
    process = pipelines_cli("run", workspace=workspace, env_extra={"DBT_TARGET": "nope"})
    output, _ = process.communicate(timeout=600)

    assert process.returncode == 1, output[-3000:]
    assert re.search(r"^✘ dbt build +failed: ", output, re.M)
    assert "The end of dbt's log (" in output
    assert "does not have a target named 'nope'" in output
    assert "Traceback" not in output and 'File "' not in output
    assert "The run failed" in output
    assert not workspace.database.exists()
