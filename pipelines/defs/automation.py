"""Automation: a sensor on the landing zone and the monthly and annual schedules.

The sensor fingerprints every file under PLAN_RAW_DIR (path, size and modification
time, without opening one) and, when something changed, starts the job that rebuilds
only what the change affects: new or changed submissions reload observations and everything after them;
changed overrides reload the overrides and the attainment marts; a changed registry
rebuilds everything.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg

from pipelines.defs.ingest import OBSERVATIONS_KEY, STATUS_OVERRIDES_KEY, SUBMISSION_LOG_KEY
from pipelines.defs.jobs import refresh_all
from pipelines.defs.resources import LandingZone
from pipelines.defs.transform import dbt_models
from pipelines.ingest.landing import listing

# What changes in each folder of the landing zone affect. Each job builds the whole dbt
# project, which then rebuilds only the regions whose files changed (`dbt_models`).
load_submissions = dg.define_asset_job(
    name="load_submissions",
    selection=(
        dg.AssetSelection.assets(OBSERVATIONS_KEY, SUBMISSION_LOG_KEY)
        | dg.AssetSelection.assets(dbt_models)
    )
    .downstream()
    .materializable(),
    description=(
        "Load new or changed submissions and rebuild what they change: the regions they "
        "belong to, in every model, and the published warehouse."
    ),
)
load_overrides = dg.define_asset_job(
    name="load_overrides",
    selection=(
        dg.AssetSelection.assets(STATUS_OVERRIDES_KEY) | dg.AssetSelection.assets(dbt_models)
    )
    .downstream()
    .materializable(),
    description="Reload the reviewed status overrides and rebuild the attainment marts.",
)
JOB_FOR_FOLDER = {"submissions": load_submissions, "overrides": load_overrides}
WATCHED_FOLDERS = ("registry", "submissions", "overrides")


def fingerprint(raw_dir: Path) -> dict[str, str]:
    """One digest per watched folder, from every file's path, size and modification time
    (`landing.listing`: no file is opened)."""
    return {
        folder: hashlib.sha256(listing(raw_dir / folder)).hexdigest() for folder in WATCHED_FOLDERS
    }


@dg.sensor(
    jobs=[refresh_all, load_submissions, load_overrides],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Watches PLAN_RAW_DIR and rebuilds what new or changed files affect.",
)
def raw_files_sensor(
    context: dg.SensorEvaluationContext, landing_zone: LandingZone
) -> dg.SensorResult | dg.SkipReason:
    current = fingerprint(landing_zone.path)
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = sorted(
        folder for folder in WATCHED_FOLDERS if current[folder] != previous.get(folder)
    )
    if not changed:
        return dg.SkipReason("No file under PLAN_RAW_DIR changed.")
    run_key = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
    if "registry" in changed or not previous:
        job = refresh_all
    elif len(changed) == 1:
        job = JOB_FOR_FOLDER[changed[0]]
    else:
        job = refresh_all
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=run_key, job_name=job.name, tags={"changed": ",".join(changed)})
        ],
        cursor=json.dumps(current, sort_keys=True),
    )


# Monthly figures are due in the first days of the month, annual figures by the end of
# March: rebuild on the 5th of every month, and in full once the year's figures are in.
monthly_schedule = dg.ScheduleDefinition(
    name="monthly_cycle",
    job=refresh_all,
    cron_schedule="0 6 5 * *",
    execution_timezone="Asia/Shanghai",
    tags={"cycle": "monthly"},
    description="On the 5th of every month at 06:00: everything, with the month's figures.",
)
annual_schedule = dg.ScheduleDefinition(
    name="annual_cycle",
    job=refresh_all,
    cron_schedule="0 6 1 4 *",
    execution_timezone="Asia/Shanghai",
    tags={"cycle": "annual"},
    description="On 1 April at 06:00: everything, once the previous year's figures are due.",
)
