"""The sensor on the landing zone and the schedules, evaluated against real files."""

from __future__ import annotations

import dagster as dg

from tests.conftest import Workspace


def evaluate(defs, cursor: str | None):  # noqa: ANN001, ANN201
    sensor = defs.resolve_sensor_def("raw_files_sensor")
    with dg.instance_for_test() as instance:
        # The resources as the code location configures them (from PLAN_RAW_DIR).
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, definitions=defs, resources=defs.resources
        )
        return sensor(context)


def test_the_sensor_starts_with_everything_then_rebuilds_only_what_changed(
    defs, workspace: Workspace
) -> None:
    first = evaluate(defs, None)
    assert [request.job_name for request in first.run_requests] == ["refresh_all"]

    assert isinstance(evaluate(defs, first.cursor), dg.SkipReason)

    workspace.add_submission(
        "submissions/420881/statistics/late_2026-03-01.csv",
        "指标代码,时期,数值,单位\ngdp,2019,510,亿元\n",
    )
    after_submission = evaluate(defs, first.cursor)
    (request,) = after_submission.run_requests
    assert (request.job_name, request.tags["changed"]) == ("load_submissions", "submissions")

    overrides = workspace.raw_dir / "overrides" / "status_overrides.csv"
    overrides.write_text(overrides.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (request,) = evaluate(defs, after_submission.cursor).run_requests
    assert request.job_name == "load_overrides"

    plan = workspace.raw_dir / "registry" / "zx_hqd_2021_2025" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (request,) = evaluate(defs, after_submission.cursor).run_requests
    assert request.job_name == "refresh_all"


def test_a_submissions_run_rebuilds_what_depends_on_them(defs) -> None:
    job = defs.resolve_job_def("load_submissions")
    keys = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {"raw/observations", "marts/mart_indicator_attainment", "publish/warehouse"} <= keys
    assert not {"raw/plan_indicators", "raw/status_overrides"} & keys
    # The whole dbt project: its build rebuilds the changed regions only, and leaves a state
    # the next build starts from (pipelines/warehouse/changes.py).
    from pipelines.defs.transform import dbt_models

    assert {key.to_user_string() for key in dbt_models.keys} <= keys


def test_monthly_and_annual_schedules_run_everything(defs) -> None:
    schedules = {
        schedule.name: (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name)
        for schedule in defs.schedules
    }
    assert schedules == {
        "monthly_cycle": ("0 6 5 * *", "Asia/Shanghai", "refresh_all"),
        "annual_cycle": ("0 6 1 4 *", "Asia/Shanghai", "refresh_all"),
    }
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance)
        (request,) = defs.resolve_schedule_def("monthly_cycle").evaluate_tick(context).run_requests
    assert request.tags["cycle"] == "monthly"
