"""The benchmark: synthetic submissions for many regions, the pipeline timed stage by stage,
and the floor it is measured against.

`generate` writes a landing zone for N synthetic regions (codes 980001, 980002, ...: 98 is
no province's code). Its registry is the Zhongxiang plan adopted for every region (a plan
folder whose `regions.csv` lists them), and every region sends, for every department and
year 2020-2025, one file with that department's rows, monthly or quarterly where the
indicator is reported so. The figures are the bundled sample's, scaled by a factor drawn
for each region: synthetic, deterministic for a given seed.

`run` materializes every asset on such a landing zone in this process, as `make run` does,
and reports each stage's wall time and peak memory (this process and its children, sampled
every 50 ms by a process of its own). In the same run it measures the floor: DuckDB alone
reading the same CSV files into one table and judging the latest year of every target in one
statement.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import stat
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines import settings
from pipelines.plans.registry import PLAN_FILE, find_plan_folders, read_registry
from tests.tools.memory import MemorySampler
from tests.tools.sample_data import new_workbook

BENCH_PLAN_ID = "bench_hqd_2021_2025"
SOURCE_PLAN_ID = "zx_hqd_2021_2025"
REGION_PREFIX = "98"
HEADER = ["指标代码", "时期", "数值", "单位", "备注"]
NOTE = "合成基准数据 / synthetic benchmark"
SAMPLE_RAW_DIR = settings.REPO_ROOT / "raw"
STAGES = ("startup", "ingest", "validate", "transform", "publish")


def region_codes(count: int) -> list[str]:
    if not 0 < count < 10_000:
        raise ValueError("--regions must be between 1 and 9999")
    return [f"{REGION_PREFIX}{index:04d}" for index in range(1, count + 1)]


def _period_text(row: dict) -> str:
    year, month = row["period_year"], row["period_end_month"]
    return {
        "year": str(year),
        "quarter": f"{year}-Q{(month or 3) // 3}",
        "month": f"{year}-{month:02d}",
        "ytd": f"{year}年1-{month}月",
        "day": row["period"],
    }[row["period_type"]]


def baseline(raw_dir: Path = SAMPLE_RAW_DIR) -> pl.DataFrame:
    """The current vintage of the bundled sample's observations, one row per indicator and
    period, in canonical units: the series every synthetic region is scaled from."""
    from pipelines.ingest.submissions import (
        Catalog,
        accepted_observations,
        find_submission_files,
        read_submissions,
    )

    registry = read_registry(find_plan_folders(raw_dir), raw_dir)
    catalog = Catalog(registry)
    results = read_submissions(find_submission_files(raw_dir), raw_dir, catalog)
    frame = accepted_observations(results)
    return (
        frame.with_columns(submitted=pl.col("submitted_on").fill_null(dt.date.min))
        .sort(["submitted", "source_file", "source_row"])
        .unique(["indicator_code", "period"], keep="last", maintain_order=True)
        .select(
            "department_code",
            "indicator_code",
            "period",
            "period_type",
            "period_year",
            "period_end_month",
            "value",
            "is_outside_list",
            "unit",
            "unit_family",
        )  # fmt: skip
        .sort(
            ["department_code", "period_year", "indicator_code", "period_type", "period_end_month"]
        )
    )


def _scaled(value: float | None, unit: str, family: str | None, factor: float) -> str:
    """A figure of one synthetic region: amounts and counts scaled, shares nudged, ranks
    and yes/no answers kept."""
    if value is None:
        return "—"
    if unit in ("%",):
        return f"{min(100.0, round(value * (1 + (factor - 1) * 0.05), 2)):g}"
    if family in ("boolean", "rank") or unit in ("是/否", "位"):
        return f"{value:g}"
    if family == "count" or float(value).is_integer():
        return str(int(round(value * factor)))
    return f"{round(value * factor, 2):g}"


def _write_registry(out: Path, codes: list[str]) -> None:
    source = SAMPLE_RAW_DIR / "registry" / SOURCE_PLAN_ID
    target = out / "registry" / BENCH_PLAN_ID
    target.mkdir(parents=True, exist_ok=True)
    for name in os.listdir(source):
        if name != PLAN_FILE:
            shutil.copyfile(source / name, target / name)
    plan = (source / PLAN_FILE).read_text(encoding="utf-8")
    plan = plan.replace(
        f"plan_id: {SOURCE_PLAN_ID}", f"plan_id: {BENCH_PLAN_ID}\n  regions: regions.csv", 1
    )
    (target / PLAN_FILE).write_text(plan, encoding="utf-8")
    with open(target / "regions.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["region_code", "region_name_zh"])
        writer.writerows((code, f"合成县{code[-4:]}") for code in codes)


def generate(
    out: Path,
    regions: int,
    xlsx_share: float = 0.0,
    gbk_share: float = 0.0,
    seed: int = 20211,
) -> dict[str, int]:
    """Write the landing zone for `regions` synthetic regions into `out`; return counts."""
    codes = region_codes(regions)
    if out.exists():
        shutil.rmtree(out)
    _write_registry(out, codes)
    series = baseline()
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in series.iter_rows(named=True):
        groups[(row["department_code"], row["period_year"])].append(row)
    counts = {"regions": regions, "files": 0, "rows": 0, "xlsx": 0, "gbk": 0}
    for code in codes:
        draw = random.Random(f"{seed}-{code}")
        factor = 0.6 + 0.8 * draw.random()
        for (department, year), rows in sorted(groups.items()):
            lines = [
                [r["indicator_code"], _period_text(r),
                 "未上榜" if r["is_outside_list"] else
                 _scaled(r["value"], r["unit"], r["unit_family"], factor), r["unit"],
                 f"{NOTE} {code}"]
                for r in rows
            ]  # fmt: skip
            folder = out / "submissions" / code / department
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"{department}_{year}_{year + 1}-02-15"
            kind = draw.random()
            if kind < xlsx_share:
                _write_xlsx(folder / f"{stem}.xlsx", lines)
                counts["xlsx"] += 1
            else:
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="\n").writerows([HEADER, *lines])
                gbk = kind < xlsx_share + gbk_share
                data = buffer.getvalue().encode("gbk" if gbk else "utf-8")
                (folder / f"{stem}.csv").write_bytes(data)
                counts["gbk"] += gbk
            counts["files"] += 1
            counts["rows"] += len(lines)
    # The files arrived before any run, as a landing zone's have: a file modified within two
    # seconds of a scan is read again by the next run (the racy rule), which would make the
    # first incremental run read whatever the full run had just scanned.
    for path in (out / "submissions").rglob("*"):
        os.utime(path, ns=(ARRIVED_NS, ARRIVED_NS))
    return counts


# 2026-01-01T00:00:00Z: when the generated files say they arrived.
ARRIVED_NS = 1_767_225_600 * 1_000_000_000


def _write_xlsx(path: Path, lines: list[list[str]]) -> None:
    workbook = new_workbook(path)
    sheet = workbook.add_worksheet("报表")
    for index, line in enumerate([HEADER, *lines]):
        sheet.write_row(index, 0, line)
    workbook.close()


@dataclass
class Incremental:
    """One incremental run: how many files were revised, what the sensor and the run did."""

    files: int
    job: str
    build: str
    files_opened: int
    sensor_seconds: float
    run_seconds: float
    peak_mib: float
    steps: dict[str, float] = field(default_factory=dict)


def _incremental(
    result: BenchResult,
    memory: MemorySampler,
    defs,
    raw_dir: Path,
    sizes: list[int],  # noqa: ANN001
) -> None:
    """For each size in turn, revise that many files, let the sensor decide, and run the job
    it asks for; each run starts from the warehouse the one before left."""
    import dagster as dg

    sensor = defs.get_sensor_def("raw_files_sensor")
    with dg.DagsterInstance.ephemeral() as instance:
        # The sensor reads the landing zone through its resource, as in a deployment.
        resources = {"landing_zone": defs.resources["landing_zone"]}
        context = dg.build_sensor_context(instance=instance, resources=resources)
        cursor = sensor(context).cursor
        for round_, size in enumerate(sizes):
            change_files(raw_dir, size, round_)
            started = time.time()
            context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources)
            decision = sensor(context)
            cursor = decision.cursor
            (request,) = decision.run_requests
            decided = time.time()
            job = defs.resolve_job_def(request.job_name)
            outcome = job.execute_in_process(instance=instance, raise_on_error=False)
            finished = time.time()
            said = [
                record.user_message.removeprefix("dbt build: ")
                for record in instance.all_logs(outcome.run_id)
                if record.user_message.startswith("dbt build: ")
            ]
            opened = [
                int(check.metadata["files_opened"].value)
                for check in outcome.get_asset_check_evaluations()
                if "files_opened" in check.metadata
            ]
            result.success = result.success and outcome.success
            result.incremental.append(
                Incremental(
                    files=size,
                    job=request.job_name,
                    build=said[0] if said else "",
                    files_opened=opened[0] if opened else 0,
                    sensor_seconds=decided - started,
                    run_seconds=finished - started,
                    peak_mib=memory.peak(started, finished) / MIB,
                    steps=_step_seconds(instance.all_logs(outcome.run_id)),
                )
            )


def _step_windows(records: list) -> dict[str, list[tuple[float, float]]]:
    """Each step's (start, end) times, from the run's step start and end events."""
    windows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    step_started: dict[str, float] = {}
    for record in records:
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.is_step_start:
            step_started[event.step_key] = record.timestamp
        elif event.is_step_success or event.is_step_failure:
            windows[event.step_key].append((step_started[event.step_key], record.timestamp))
    return windows


def _step_seconds(records: list) -> dict[str, float]:
    """Each step's wall time."""
    return {
        step: round(sum(end - start for start, end in pairs), 3)
        for step, pairs in sorted(_step_windows(records).items())
    }


# ---- Running it ---------------------------------------------------------------------------


@dataclass
class Stage:
    name: str
    seconds: float
    peak_mib: float


@dataclass
class BenchResult:
    raw_dir: str
    files: int
    observations: int
    stages: list[Stage] = field(default_factory=list)
    total_seconds: float = 0.0
    peak_mib: float = 0.0
    floor_seconds: float = 0.0
    floor_peak_mib: float = 0.0
    floor_files: int = 0
    floor_observations: int = 0
    floor_attainment: list[tuple] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)
    incremental: list[Incremental] = field(default_factory=list)
    success: bool = False

    @property
    def ratio(self) -> float:
        if not (self.floor_files and self.floor_seconds):
            return float("nan")
        return self.total_seconds / self.floor_seconds

    def table(self) -> str:
        lines = [f"{'stage':<10} {'wall s':>9} {'peak MiB':>9}"]
        lines += [f"{s.name:<10} {s.seconds:>9.2f} {s.peak_mib:>9.0f}" for s in self.stages]
        lines.append(f"{'total':<10} {self.total_seconds:>9.2f} {self.peak_mib:>9.0f}")
        if self.floor_files:
            lines.append(f"{'floor':<10} {self.floor_seconds:>9.2f} {self.floor_peak_mib:>9.0f}")
            lines.append(f"total / floor = {self.ratio:.1f}")
        if self.incremental:
            lines.append(
                f"{'files revised':>13} {'opened':>7} {'sensor s':>9} {'run s':>7} "
                f"{'peak MiB':>9}  job, dbt build"
            )
            lines += [
                f"{i.files:>13,} {i.files_opened:>7,} {i.sensor_seconds:>9.2f} "
                f"{i.run_seconds:>7.2f} {i.peak_mib:>9.0f}  {i.job}, {i.build}"
                for i in self.incremental
            ]
        lines.append(
            f"{self.files} files, {self.observations} observations in raw.observations; the floor "
            f"read {self.floor_files} UTF-8 CSV files, {self.floor_observations} rows"
        )
        return "\n".join(lines)


MIB = 1024 * 1024

FLOOR_SQL = r"""
with observations as (
    select
        regexp_extract(filename, '/submissions/([^/]+)/', 1) as region_code,
        "指标代码" as indicator_code,
        "时期" as period,
        try_cast(replace("数值", ',', '') as double) as value
    from read_csv($files, header = true, all_varchar = true, filename = true)
),
latest as (
    select region_code, indicator_code, max_by(value, period) as actual_value, max(period) as period
    from observations
    where regexp_matches(period, '^\d{4}$') and value is not null
    group by region_code, indicator_code
)
select
    targets.region_code,
    targets.indicator_code,
    latest.period,
    latest.actual_value,
    case
        when targets.comparator = 'at_most' then latest.actual_value <= targets.target_value
        else latest.actual_value >= targets.target_value
    end as is_met
from targets
join latest using (region_code, indicator_code)
where targets.kind in ('level', 'count', 'rank') and targets.target_value is not null
order by all
"""


def utf8_csv_files(raw_dir: Path) -> list[str]:
    """The files the floor reads: generated CSV files (synthetic regions 98...., UTF-8, the
    generator's header).
    Departments' own layouts and hostile files are beyond one `read_csv`."""
    files = []
    expected = ",".join(HEADER).encode("utf-8")
    for path in sorted((raw_dir / "submissions").glob(f"{REGION_PREFIX}*/**/*.csv")):
        if not stat.S_ISREG(path.lstat().st_mode):
            continue  # links, pipes and devices: never opened
        with path.open("rb") as handle:
            if handle.read(len(expected)) != expected:
                continue  # not generated, or GBK (DuckDB reads it only through an extension)
        files.append(str(path))
    return files


def floor(files: list[str], targets: pl.DataFrame) -> tuple[int, int, list[tuple]]:
    """DuckDB alone: the files into one table, and the latest year of every level, count
    and rank target judged met or not, in one statement."""
    if not files:
        return 0, 0, []
    connection = duckdb.connect()
    connection.register("targets", targets.to_arrow())
    try:
        rows = connection.execute(
            "select count(*) from read_csv($files, header = true, all_varchar = true)",
            {"files": files},
        ).fetchall()[0][0]
        attainment = connection.execute(FLOOR_SQL, {"files": files}).fetchall()
    except duckdb.Error as error:
        # Departments' own layouts (title rows, unit lines, other headers), such as the
        # bundled sample's, are beyond one read_csv: the floor is for generated files.
        print(f"floor not measured: {str(error).splitlines()[0]}")
        return 0, 0, []
    finally:
        connection.close()
    return len(files), rows, attainment


YES_NO_UNIT = "是/否"


def change_files(raw_dir: Path, count: int, round_: int = 0) -> list[Path]:
    """Revise the first figure (not a milestone's yes or no) of `count` UTF-8 CSV submissions by 1% each, as
    resubmissions: files spread evenly over the landing zone (so over as many regions as
    there are files, up to one file in each), a different set in each round."""
    files = sorted((raw_dir / "submissions").rglob("*.csv"))
    if count > len(files):
        raise ValueError(f"{count} files asked for, {len(files)} under {raw_dir}")
    step = len(files) // count
    chosen = [files[(index * step + round_) % len(files)] for index in range(count)]
    for path in chosen:
        _revise(path)
    return chosen


def _revise(path: Path) -> None:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows[1:]:
        if len(row) > 3 and row[3] == YES_NO_UNIT:
            continue  # a milestone is yes or no: 1.01 of it would be a rejected file
        try:
            row[2] = f"{float(row[2]) * 1.01:.4f}"
        except (ValueError, IndexError):
            continue
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_bytes(buffer.getvalue().encode("utf-8"))
        return


def run(raw_dir: Path, warehouse_dir: Path, incremental: bool | list[int] = False) -> BenchResult:
    """Materialize everything on `raw_dir` into a fresh `warehouse_dir`, timed by stage.

    With `incremental` (a list of sizes; True is [1]), that many files are then revised in
    turn, and the job the sensor chooses for each change runs, timed as well (the landing
    zone keeps the revised files)."""
    os.environ[settings.RAW_DIR_ENV] = str(raw_dir.resolve())
    os.environ[settings.WAREHOUSE_DIR_ENV] = str(warehouse_dir.resolve())
    if warehouse_dir.exists():
        shutil.rmtree(warehouse_dir)
    warehouse_dir.mkdir(parents=True)
    settings.export_absolute_paths()
    files = len([p for p in (raw_dir / "submissions").rglob("*") if p.is_file()])
    result = BenchResult(raw_dir=str(raw_dir), files=files, observations=0)
    with MemorySampler() as memory:
        started = time.time()
        import dagster as dg

        from pipelines.dbt_project import prepare_manifest

        # A fresh clone has no manifest yet; the parse counts as start-up.
        prepare_manifest(if_stale=True)
        from pipelines.definitions import defs

        job = defs.resolve_job_def("refresh_all")
        loaded = time.time()
        with dg.DagsterInstance.ephemeral() as instance:
            outcome = job.execute_in_process(instance=instance, raise_on_error=False)
            finished = time.time()
            records = instance.all_logs(outcome.run_id)
        result.success = outcome.success
        windows = _step_windows(records)
        result.steps = _step_seconds(records)
        validation = sum(
            float(check.metadata["validation_seconds"].value)
            for check in outcome.get_asset_check_evaluations()
            if "validation_seconds" in check.metadata
        )
        stage_steps = {
            "ingest": ("plan_indicators", "observations", "raw__status_overrides"),
            "transform": ("dbt_models",),
            # One step publishes the warehouse with its exports and report.
            "publish": ("published_warehouse",),
        }

        def span(steps: tuple[str, ...]) -> tuple[float, float, float]:
            pairs = [pair for step in steps for pair in windows.get(step, [])]
            if not pairs:
                return 0.0, 0.0, 0.0
            seconds = sum(end - start for start, end in pairs)
            return seconds, min(s for s, _ in pairs), max(e for _, e in pairs)

        ingest_seconds, ingest_start, ingest_end = span(stage_steps["ingest"])
        result.stages.append(Stage("startup", loaded - started, memory.peak(started, loaded) / MIB))
        result.stages.append(
            Stage(
                "ingest",
                max(ingest_seconds - validation, 0.0),
                memory.peak(ingest_start, ingest_end) / MIB,
            )
        )
        result.stages.append(
            Stage("validate", validation, memory.peak(ingest_start, ingest_end) / MIB)
        )
        for name in ("transform", "publish"):
            seconds, start, end = span(stage_steps[name])
            result.stages.append(Stage(name, seconds, memory.peak(start, end) / MIB))
        result.total_seconds = finished - started
        result.peak_mib = memory.peak(started, finished) / MIB

        with duckdb.connect(str(settings.warehouse_path()), read_only=True) as connection:
            result.observations = connection.execute(
                "select count(*) from raw.observations"
            ).fetchall()[0][0]
            targets = connection.sql(
                "select region_code, indicator_code, kind, comparator, target_value "
                "from marts.dim_indicator"
            ).pl()
        # Choosing the files is not DuckDB's work: it stays outside the floor's time.
        files = utf8_csv_files(raw_dir)
        floor_started = time.time()
        result.floor_files, result.floor_observations, result.floor_attainment = floor(
            files, targets
        )
        floor_finished = time.time()
        result.floor_seconds = floor_finished - floor_started
        result.floor_peak_mib = memory.peak(floor_started, floor_finished) / MIB
        if incremental:
            sizes = [1] if incremental is True else list(incremental)
            _incremental(result, memory, defs, raw_dir, sizes)
    report = warehouse_dir / "bench.json"
    payload = asdict(result)
    payload["floor_attainment"] = len(result.floor_attainment)
    payload["ratio"] = None if result.ratio != result.ratio else result.ratio  # NaN: no floor
    report.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return result


# The hostile landing zone: the sample plus files that once stopped or swamped a run.
ZIP_BOMB_BYTES = 1024**3


def write_hostile(out: Path, bomb_bytes: int = ZIP_BOMB_BYTES) -> list[Path]:
    """The bundled sample landing zone, plus one of each hostile entry: a zip bomb (an .xlsx
    whose sheet unzips to `bomb_bytes`), a workbook whose one cell sits at XFD1048576, a CSV
    line of 10 million columns, a 1 MiB cell, infinite and absurd numbers, a FIFO, a link to
    /dev/zero, a dangling link, a hidden file, an .xls and a file whose name is GBK, not
    UTF-8. `bench run --raw OUT` then shows
    the run's time and peak memory with them in it."""
    import zipfile

    import xlsxwriter

    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(SAMPLE_RAW_DIR, out, ignore=shutil.ignore_patterns("README.md", "templates"))
    folder = out / "submissions" / "420881"
    before = set(folder.iterdir())
    bomb = folder / "zip_bomb.xlsx"
    template = io.BytesIO()
    workbook = xlsxwriter.Workbook(template, {"in_memory": True})
    workbook.add_worksheet("数据").write_row(0, 0, ["指标代码", "时期", "数值", "单位"])
    workbook.close()
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for part in source.infolist():
            data = source.read(part)
            if part.filename != "xl/worksheets/sheet1.xml":
                target.writestr(part, data)
                continue
            head, _, tail = data.partition(b"</sheetData>")
            with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
                stream.write(head)
                block = b" " * (1 << 20)
                for _ in range(bomb_bytes // len(block)):
                    stream.write(block)
                stream.write(b"</sheetData>" + tail)
    far = new_workbook(folder / "far_cell.xlsx")
    sheet = far.add_worksheet("数据")
    sheet.write_row(0, 0, ["指标代码", "时期", "数值", "单位"])
    sheet.write(1_048_575, 16_383, "x")
    far.close()
    (folder / "wide_line.csv").write_text("指标代码" + "," * 10_000_000 + "\n", encoding="utf-8")
    (folder / "long_cell.csv").write_text(
        "指标代码,时期,数值,单位\ngdp,2025," + "9" * (1 << 20) + ",亿元\n", encoding="utf-8"
    )
    (folder / "absurd_numbers.csv").write_text(
        "指标代码,时期,数值,单位\ngdp,2023,1e309,亿元\ngdp,2024,-1e309,亿元\ngdp,2025,1e308,亿元\n",
        encoding="utf-8",
    )
    os.mkfifo(folder / "pipe.csv")
    (folder / "zero.csv").symlink_to("/dev/zero")
    (folder / "dangling.csv").symlink_to(folder / "nowhere.csv")
    (folder / ".hidden.csv").write_text("指标代码,时期,数值,单位\n", encoding="utf-8")
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    # A name in GBK, as a Windows archive unzipped on Linux leaves it: not UTF-8.
    gbk_name = os.path.join(os.fsencode(folder), "统计局_2025.csv".encode("gbk"))
    with open(gbk_name, "wb") as stream:
        stream.write("指标代码,时期,数值,单位\ngdp,2025,801.5,亿元\n".encode())
    return sorted(set(folder.iterdir()) - before)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tests.tools.bench",
        description="Synthetic landing zones and the pipeline timed on them. Example: "
        "python -m tests.tools.bench generate --regions 100 && python -m tests.tools.bench run",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    generate_parser = commands.add_parser(
        "generate", help="write synthetic submissions for N regions (a landing zone)"
    )
    generate_parser.add_argument("--regions", type=int, required=True, help="how many regions")
    generate_parser.add_argument("--out", help="default: $PLAN_WAREHOUSE_DIR/bench/raw")
    generate_parser.add_argument("--xlsx-share", type=float, default=0.0, help="share of xlsx")
    generate_parser.add_argument("--gbk-share", type=float, default=0.0, help="share of GBK CSV")
    generate_parser.add_argument("--seed", type=int, default=20211)
    hostile = commands.add_parser(
        "hostile",
        help="write the sample landing zone plus hostile files (a zip bomb, a workbook that "
        "crashes the reader, a 10-million-column line, a FIFO, links ...); time it with run",
    )
    hostile.add_argument("--out", help="default: $PLAN_WAREHOUSE_DIR/bench/hostile")
    run_parser = commands.add_parser(
        "run", help="materialize everything on a generated landing zone, timed by stage"
    )
    run_parser.add_argument("--raw", help="default: $PLAN_WAREHOUSE_DIR/bench/raw")
    run_parser.add_argument("--warehouse", help="default: $PLAN_WAREHOUSE_DIR/bench/warehouse")
    run_parser.add_argument(
        "--incremental",
        nargs="?",
        const="1",
        metavar="N,N,...",
        help="then revise N files (default 1; several sizes in turn, e.g. 1,10,100,1000) and "
        "time the run the sensor starts for each change",
    )
    args = parser.parse_args(argv)

    default_root = settings.warehouse_dir() / "bench"
    if args.command == "generate":
        out = Path(args.out) if args.out else default_root / "raw"
        counts = generate(
            out, args.regions, xlsx_share=args.xlsx_share, gbk_share=args.gbk_share, seed=args.seed
        )
        print(
            f"{counts['files']} files ({counts['xlsx']} xlsx, {counts['gbk']} GBK), "
            f"{counts['rows']} rows for {counts['regions']} regions in {out}"
        )
        return 0
    if args.command == "hostile":
        out = Path(args.out) if args.out else default_root / "hostile"
        for path in write_hostile(out):
            print(path)
        print(f"Now: python -m tests.tools.bench run --raw {out}")
        return 0
    raw = Path(args.raw) if args.raw else default_root / "raw"
    if not (raw / "submissions").is_dir():
        parser.exit(2, f"No submissions under {raw}: run `python -m tests.tools.bench generate`.\n")
    warehouse = Path(args.warehouse) if args.warehouse else default_root / "warehouse"
    sizes = [int(size) for size in args.incremental.split(",")] if args.incremental else []
    result = run(raw, warehouse, incremental=sizes)
    print(result.table())
    print(f"Written to {warehouse / 'bench.json'}")
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
