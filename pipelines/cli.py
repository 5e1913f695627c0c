"""`python -m pipelines`: run the pipeline and read its results from a terminal."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence

from pipelines import settings, vocabulary

ATTAINMENT_COLUMNS = (
    "indicator_code",
    "name_zh",
    "unit",
    "target_value",
    "latest_period",
    "actual_value",
    "expected_value",
    "progress_ratio",
    "status",
    "grade_zh",
    "final_verdict_zh",
)
STATUSES = vocabulary.codes(vocabulary.STATUSES)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def format_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table that lines up Chinese (double-width) text."""
    cells = [list(columns), *([_cell(v) for v in row] for row in rows)]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(columns))]

    def line(row: list[str]) -> str:
        return "  ".join(text + " " * (widths[i] - _width(text)) for i, text in enumerate(row))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _filters(*options: tuple[str, str | None, str]) -> tuple[list[str], list[str], list[str]]:
    """The SQL conditions, parameters and descriptions of the (clause, value, name) options
    given a value."""
    given = [option for option in options if option[1]]
    return (
        [clause for clause, _, _ in given],
        [value for _, value, _ in given],
        [f"{name} {value}" for _, value, name in given],
    )


def attainment_table(
    plan_id: str | None = None,
    status: str | None = None,
    assessed_only: bool = False,
    pillar: str | None = None,
    department: str | None = None,
    region_code: str | None = None,
) -> str:
    """The attainment mart as a terminal table (`assessed_only`: targets with data).

    `pillar` matches the pillar's Chinese or English name, `department` the department's
    code or Chinese name.
    """
    import duckdb

    path = settings.warehouse_path()
    if not path.exists():
        raise SystemExit(f"No warehouse at {path}: run `make run` first.")
    query = f"select {', '.join(ATTAINMENT_COLUMNS)} from marts.mart_indicator_attainment"
    filters, params, shown = _filters(
        ("plan_id = ?", plan_id, "plan"),
        ("region_code = ?", region_code, "region"),
        ("status = ?", status, "status"),
        ("? in (pillar_zh, pillar_en)", pillar, "pillar"),
        ("? in (department_code, department_zh)", department, "department"),
    )
    if assessed_only:
        filters.append("status not in ('no_data', 'not_assessable')")
        shown.append("with data")
    if filters:
        query += " where " + " and ".join(filters)
    query += " order by plan_id, region_code, indicator_code"
    # The plans and regions shown: their counts and verdicts, not every plan's.
    scope, scope_params, _ = _filters(
        ("plan_id = ?", plan_id, "plan"), ("region_code = ?", region_code, "region")
    )
    where = "".join(f" and {clause}" for clause in scope)
    summary_query = (
        f"select status, count(*) from marts.mart_indicator_attainment where true{where} "
        "group by status order by status"
    )
    verdict_query = (
        "select plan_id, region_code, summary_zh from marts.mart_evaluation_summary "
        f"where group_type = 'all' and summary_zh is not null{where} order by all"
    )
    # The published file: opened read-only, without the lock; a run replaces it by rename.
    with duckdb.connect(str(path), read_only=True) as connection:
        try:
            rows = connection.execute(query, params).fetchall()
            counts = connection.execute(summary_query, scope_params).fetchall()
            verdicts = connection.execute(verdict_query, scope_params).fetchall()
        except duckdb.CatalogException:
            return "No attainment mart yet: no run has reached the marts."
    lines = [format_table(ATTAINMENT_COLUMNS, rows), ""]
    if shown:
        position = ATTAINMENT_COLUMNS.index("status")
        by_status = Counter(row[position] for row in rows)
        listed = ", ".join(f"{name} {by_status[name]}" for name in sorted(by_status)) or "none"
        lines.append(f"Shown ({', '.join(shown)}): {len(rows)} targets: {listed}")
    totals = ", ".join(f"{name} {count}" for name, count in counts) or "none"
    lines.append(f"All targets: {totals}")
    lines += [
        f"Final evaluation 终期评估 {plan} {region}: {sentence}"
        for plan, region, sentence in verdicts
    ]
    return "\n".join(lines)


FRESHNESS_COLUMNS = (
    "plan_id",
    "region_code",
    "department_zh",
    "targets",
    "targets_reported",
    "targets_never_reported",
    "targets_overdue",
    "overdue_since",
    "overdue_indicators",
    "last_figures_sent_on",
)


def freshness_table(
    plan_id: str | None = None, region_code: str | None = None, department: str | None = None
) -> str:
    """Who is overdue with what: the departments with an overdue figure or a target never
    reported, from `bi.department_freshness` in the published file."""
    import duckdb

    path = settings.warehouse_path()
    if not path.exists():
        raise SystemExit(f"No warehouse at {path}: run `make run` first.")
    filters, params, _ = _filters(
        ("plan_id = ?", plan_id, "plan"),
        ("region_code = ?", region_code, "region"),
        ("? in (department_code, department_zh)", department, "department"),
    )
    filters.insert(0, "(targets_overdue > 0 or targets_never_reported > 0)")
    query = (
        f"select {', '.join(FRESHNESS_COLUMNS)} "
        f"from bi.department_freshness where {' and '.join(filters)} "
        "order by plan_id, region_code, overdue_since nulls last, department_code"
    )
    with duckdb.connect(str(path), read_only=True) as connection:
        try:
            rows = connection.execute(query, params).fetchall()
            (checked_on,) = connection.execute(
                "select max(freshness_checked_on) from bi.department_freshness"
            ).fetchone()
        except duckdb.CatalogException:
            return "No freshness view yet: no run has reached the marts."
    overdue = sum(row[FRESHNESS_COLUMNS.index("targets_overdue")] for row in rows)
    never = sum(row[FRESHNESS_COLUMNS.index("targets_never_reported")] for row in rows)
    return (
        f"{format_table(FRESHNESS_COLUMNS, rows)}\n\n截至 {checked_on}：{len(rows)} 个部门有逾期未报 {overdue} 项、从未报送 {never} 项 / "
        f"as of {checked_on}: {len(rows)} department(s) with {overdue} figure(s) overdue and "
        f"{never} target(s) never reported"
    )


def _instance():  # noqa: ANN202 - dagster is imported lazily
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def run_pipeline(verbose: bool = False, full_refresh: bool = False) -> bool:
    """Materialize every asset in this process with the `refresh_all` job: a line per stage
    as it ends (`verbose`: Dagster's and dbt's own log lines as well; `full_refresh`: dbt
    rebuilds every region even when only some regions' files changed)."""
    settings.export_absolute_paths()
    from pipelines.dbt_project import manifest_is_stale, prepare_manifest

    # In this process rather than a `make` step of its own: dagster-dbt is imported once.
    if manifest_is_stale():
        from concurrent.futures import ThreadPoolExecutor

        # `dbt parse` runs in a subprocess: import Great Expectations, which the run's
        # checks need anyway, on this core meanwhile.
        with ThreadPoolExecutor(max_workers=1) as pool:
            parsing = pool.submit(prepare_manifest, if_stale=True)
            import great_expectations  # noqa: F401

            parsing.result()
    import uuid

    from pipelines.definitions import defs
    from pipelines.progress import PlainText, RunProgress

    job = defs.resolve_job_def("refresh_all")
    run_id = str(uuid.uuid4())
    # dagster-dbt writes each of dbt's lines to stdout; dbt's log file (logs/) has them all.
    # With --verbose, Dagster's console log is coloured: plain where it is not a terminal.
    progress = RunProgress(out=sys.stdout)
    output = contextlib.ExitStack()
    if not verbose:
        devnull = output.enter_context(open(os.devnull, "w", encoding="utf-8"))
        output.enter_context(contextlib.redirect_stdout(devnull))
    else:
        for name, redirect in (("stdout", contextlib.redirect_stdout),
                               ("stderr", contextlib.redirect_stderr)):  # fmt: skip
            stream = getattr(sys, name)
            if not stream.isatty():
                output.enter_context(redirect(PlainText(stream)))
    with _instance() as instance, output:
        instance.add_event_listener(run_id, progress)
        result = job.execute_in_process(
            instance=instance,
            run_id=run_id,
            raise_on_error=False,
            run_config={
                "loggers": {
                    "console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}
                },
                "ops": {"dbt_models": {"config": {"full_refresh": full_refresh}}},
            },
        )
    dbt_log = settings.layout().dbt_log(run_id)
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(
                    f"failed: {event.step_key}: {event.event_specific_data.error.message}",
                    file=sys.stderr,
                )
        if dbt_log.exists() and not verbose:
            tail = dbt_log.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
            print(f"The end of dbt's log ({dbt_log}):", *tail, sep="\n", file=sys.stderr)
    if dbt_log.exists():
        print(f"dbt's log: {dbt_log}")
    import dagster as dg

    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    for evaluation in failed_checks:
        level = "warning" if evaluation.severity == dg.AssetCheckSeverity.WARN else "check failed"
        print(
            f"{level}: {evaluation.asset_key.to_user_string()} "
            f"{evaluation.check_name}: {evaluation.description or ''}",
            file=sys.stderr,
        )
        rejections = evaluation.metadata.get("rejections")
        if rejections is not None and rejections.value != "none":
            print(rejections.value.replace("```", "").strip(), file=sys.stderr)
    errors = [e for e in failed_checks if e.severity == dg.AssetCheckSeverity.ERROR]
    # Rejected files are warnings: the department resends them, the rest of the run stands.
    return result.success and not errors


def as_of_date(text: str) -> str:
    """An `--as-of` argument: a calendar day, YYYY-MM-DD, not after today."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期应写作 YYYY-MM-DD / expected a date as YYYY-MM-DD, got {text!r}"
        ) from None
    if day > dt.date.today():
        raise argparse.ArgumentTypeError(
            f"不能晚于今天 / cannot be after today: {text} (nothing is known of the future)"
        )
    return day.isoformat()


def use_snapshot(as_of: str) -> None:
    """Point this process at the warehouse as of `as_of` (its own directory, so the present
    stays published), seeded with the present working file's vintages when there is one."""
    from pipelines.warehouse.database import exclusive_access

    present = settings.work_database_path()
    snapshot = settings.snapshot_dir(as_of)
    os.environ[settings.WAREHOUSE_DIR_ENV] = str(snapshot)
    os.environ[settings.AS_OF_ENV] = as_of
    work = settings.work_database_path()
    if present.exists():
        with exclusive_access(present), exclusive_access(work):
            temporary = work.with_name(f".{work.name}.{os.getpid()}.seeding")
            shutil.copyfile(present, temporary)
            os.replace(temporary, work)


def evaluate(plan_id: str, region_code: str, as_of: str | None) -> int:
    """`evaluate`: the 主要指标完成情况表 of one plan and region, as xlsx and CSV."""
    import duckdb

    from pipelines.outputs.evaluation import evaluation_table, write_evaluation

    folder = settings.evaluations_dir()
    if as_of:
        use_snapshot(as_of)
        if not run_pipeline():
            print("The as-of build failed; nothing was written.", file=sys.stderr)
            return 1
    path = settings.warehouse_path()
    if not path.exists():
        raise SystemExit(f"No warehouse at {path}: run `make run` first.")
    with duckdb.connect(str(path), read_only=True) as connection:
        try:
            table = evaluation_table(connection, plan_id, region_code)
        except LookupError as error:
            print(error, file=sys.stderr)
            return 1
    for written in write_evaluation(table, folder):
        print(written)
    print(f"{table.title}，评估基准日 {table.evaluated_on}")
    if table.summary_zh:
        print(table.summary_zh)
    return 0


def check_files(files: Sequence[str], region: str | None = None) -> int:
    """`check`: what a department's clerk runs before sending files, anywhere: `region`
    stands for the folder `submissions/<region>/` the files would be sent to."""
    from pathlib import Path

    from pipelines.ingest.readers.base import ReadLimits
    from pipelines.ingest.submissions import Catalog, files_under, read_submission
    from pipelines.plans.registry import find_plan_folders, read_registry, registered_units

    raw_dir = settings.raw_dir()
    catalog = Catalog(read_registry(find_plan_folders(raw_dir), raw_dir), registered_units(raw_dir))
    # The limits a run would apply: the command line reads them where a run's resource does.
    limits = ReadLimits.from_environment()
    if region is not None and not catalog.knows_region(region):
        print(
            f"--region {region}：该地区没有登记的规划；已登记的地区代码：{catalog.regions_hint()}\n"
            f"--region {region}: no plan is registered for this region; registered region "
            f"codes: {catalog.regions_hint()}",
            file=sys.stderr,
        )
        return 2
    rejected = 0
    for name in files:
        # Absolute, not resolved: a link is judged as the link it is, never followed.
        path = Path(name).absolute()
        # A folder (not a link to one) stands for every entry in it, as the run sees them.
        for entry in (
            files_under(path, hidden=True) if path.is_dir() and not path.is_symlink() else [path]
        ):
            result = read_submission(entry, raw_dir, catalog, limits, region=region)
            print(result.report())
            rejected += not result.accepted
    return 1 if rejected else 0


def draft_plan_command(args: argparse.Namespace) -> int:
    """`plan draft`: plan.draft.yaml and exclusions.draft.yaml beside the text, never over a
    reviewed plan.yaml."""
    from pathlib import Path

    from pipelines.plans.draft import draft_plan

    text_path = Path(args.file)
    if not text_path.is_file():
        print(f"找不到文件 / no such file: {text_path}", file=sys.stderr)
        return 2
    try:
        text = text_path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        print(f"{text_path}: 请另存为 UTF-8 / save the text as UTF-8", file=sys.stderr)
        return 2
    draft = draft_plan(text)
    out = Path(args.out) if args.out else text_path.parent
    out.mkdir(parents=True, exist_ok=True)
    plan_id = args.plan_id or text_path.resolve().parent.name
    (out / "plan.draft.yaml").write_text(draft.plan_yaml(plan_id), encoding="utf-8")
    (out / "exclusions.draft.yaml").write_text(draft.exclusions_yaml(), encoding="utf-8")
    kinds: dict[str, int] = {}
    for target in draft.indicators:
        kinds[target.entry.get("kind", "?")] = kinds.get(target.entry.get("kind", "?"), 0) + 1
    print(
        f"{len(draft.indicators)} targets drafted ("
        + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
        + f"), {len(draft.exclusions)} exclusions: {out / 'plan.draft.yaml'}, "
        f"{out / 'exclusions.draft.yaml'}\nReview them, save them as plan.yaml and "
        f"exclusions.yaml, then run: python -m pipelines plan scan {text_path}"
    )
    return 0


def scan_plan(args: argparse.Namespace) -> int:
    """`plan scan`: every numeric mention in a plan, covered by a target or excluded."""
    from pathlib import Path

    import yaml

    from pipelines.plans.scanner import format_report, load_exclusions, scan, unused_exclusions

    text_path = Path(args.file)
    text = text_path.read_text(encoding="utf-8")
    registry_path = Path(args.registry) if args.registry else text_path.with_name("plan.yaml")
    quotes: dict[str, tuple[int, int]] = {}
    if registry_path.exists():
        definition = yaml.safe_load(registry_path.read_text(encoding="utf-8")) or {}
        for entry in definition.get("indicators") or []:
            quotes[str(entry["code"])] = (int(entry["span"][0]), int(entry["span"][1]))
    exclusions_path = (
        Path(args.exclusions) if args.exclusions else text_path.with_name("exclusions.yaml")
    )
    exclusions = load_exclusions(exclusions_path)
    mentions = scan(text, quotes, exclusions)
    shown = [m for m in mentions if m.status == "uncovered"] if args.uncovered else mentions
    print(format_report(shown, str(text_path), counted=mentions))
    for stale in unused_exclusions(text, exclusions):
        print(f"exclusion matches nothing in the text: {stale.label}", file=sys.stderr)
    return 1 if any(m.status == "uncovered" for m in mentions) else 0


def _command(
    commands: argparse._SubParsersAction, name: str, examples: Sequence[str], help: str
) -> argparse.ArgumentParser:
    """A subcommand whose `--help` says what it does, then how it is called."""
    return commands.add_parser(
        name,
        help=help,
        description=help,
        epilog="example 示例:\n" + "\n".join(f"  {example}" for example in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _user_errors() -> tuple[type[Exception], ...]:
    """What a wrong file or setting raises (its message names the file and what is wrong),
    as opposed to a fault in this program."""
    from pipelines.ingest.overrides import OverrideFileError
    from pipelines.plans.registry import RegistryError
    from pipelines.plans.units import UnitsError
    from pipelines.warehouse.database import UnpublishableError

    return (OSError, RegistryError, UnitsError, OverrideFileError, UnpublishableError)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = _command(
        commands,
        "run",
        ("python -m pipelines run", "python -m pipelines run --as-of 2023-12-31"),
        help="materialize every asset on the files in PLAN_RAW_DIR",
    )
    run.set_defaults(handler=run_command)
    run.add_argument(
        "--verbose",
        action="store_true",
        help="print Dagster's and dbt's log lines too (dbt's log is always kept in "
        "$PLAN_WAREHOUSE_DIR/logs/)",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every region's rows in dbt, even when only some regions' files changed "
        "since the last build (which rebuilds those regions only)",
    )
    run.add_argument(
        "--as-of",
        type=as_of_date,
        help="build the warehouse as it stood on this date (YYYY-MM-DD) into "
        "$PLAN_WAREHOUSE_DIR/snapshots/as_of_<date>/; the present stays published",
    )
    evaluation = _command(
        commands,
        "evaluate",
        ("python -m pipelines evaluate --plan zx_hqd_2021_2025 --region 420881",),
        help="write the evaluation table (主要指标完成情况表) of a plan and region as xlsx and CSV "
        "under $PLAN_WAREHOUSE_DIR/evaluations/: final once the target year has ended, "
        "mid-term before",
    )
    evaluation.set_defaults(handler=lambda a: evaluate(a.plan, a.region, a.as_of))
    evaluation.add_argument("--plan", required=True, help="plan_id")
    evaluation.add_argument("--region", required=True, help="region_code")
    evaluation.add_argument(
        "--as-of",
        type=as_of_date,
        help="evaluate as of this date (YYYY-MM-DD): builds the warehouse as it stood then "
        "(as `run --as-of` does); default: the published warehouse",
    )
    status = _command(
        commands,
        "status",
        (
            "python -m pipelines status --status off_track",
            "python -m pipelines status --overdue --department 市统计局",
        ),
        help="print the attainment table",
    )
    status.set_defaults(handler=status_command)
    status.add_argument("--plan", help="only this plan_id")
    status.add_argument("--region", help="only this region_code")
    status.add_argument("--status", choices=STATUSES, help="only this status")
    status.add_argument("--pillar", help="only this pillar (实力钟祥 or Strong Zhongxiang ...)")
    status.add_argument("--department", help="only this department (code or Chinese name)")
    status.add_argument(
        "--overdue",
        action="store_true",
        help="instead, the departments with figures overdue or targets never reported, and "
        "which (bi.department_freshness); example: python -m pipelines status --overdue",
    )
    _command(
        commands,
        "manifest",
        ("python -m pipelines manifest",),
        help="prepare dbt's manifest (dbt parse) if a dbt file changed",
    ).set_defaults(handler=manifest_command)
    _command(
        commands,
        "docs",
        ("python -m pipelines docs",),
        help="write dbt's documentation site of the warehouse (every model, column and test, "
        "the catalog, and the lineage to the reports and tools that read it) as one offline "
        "page, $PLAN_WAREHOUSE_DIR/docs/index.html",
    ).set_defaults(handler=docs_command)
    _command(
        commands,
        "publish",
        ("python -m pipelines publish",),
        help="publish the working file as $PLAN_WAREHOUSE_DIR/indicators.duckdb, with its "
        "exports and report (after a dbt build by hand)",
    ).set_defaults(handler=publish_command)
    check = _command(
        commands,
        "check",
        (
            "python -m pipelines check raw/submissions/420881",
            "python -m pipelines check --region 420881 ~/Desktop/统计局报表.xlsx",
        ),
        help="check submission files against the contract and the registry, loading nothing; "
        "exit 1 if any file would be rejected",
    )
    check.add_argument("files", nargs="+", help="CSV or xlsx files, or folders of them")
    check.add_argument(
        "--region",
        help="the region code the files are for (as the folder submissions/<region_code>/ "
        "says in the landing zone), for rows with no 地区代码 column; example: "
        "python -m pipelines check --region 420881 my_file.xlsx",
    )
    check.set_defaults(handler=lambda a: check_files(a.files, a.region))
    plan = _command(
        commands,
        "plan",
        ("python -m pipelines plan table",),
        help="work with plan texts and their registries",
    )
    plan_commands = plan.add_subparsers(dest="plan_command", required=True)
    scan = _command(
        plan_commands,
        "scan",
        ("python -m pipelines plan scan raw/registry/zx_hqd_2021_2025/plan.txt --uncovered",),
        help="list every number in a plan's text and what covers it; exit 1 if any is uncovered",
    )
    scan.set_defaults(handler=scan_plan)
    scan.add_argument("file", help="the plan's text (plan.txt)")
    scan.add_argument("--registry", help="plan.yaml (default: beside FILE)")
    scan.add_argument("--exclusions", help="exclusions.yaml (default: beside FILE)")
    scan.add_argument("--uncovered", action="store_true", help="print only uncovered numbers")
    _command(
        plan_commands,
        "table",
        ("python -m pipelines plan table > targets.md",),
        help="print every registered target as a Markdown table (as in the README)",
    ).set_defaults(handler=plan_table_command)
    draft = _command(
        plan_commands,
        "draft",
        ("python -m pipelines plan draft raw/registry/my_plan/plan.txt",),
        help="draft plan.yaml and exclusions.yaml from a plan's text (prose and 专栏 tables), "
        "for a person to review; example: python -m pipelines plan draft "
        "raw/registry/my_plan/plan.txt",
    )
    draft.set_defaults(handler=draft_plan_command)
    draft.add_argument("file", help="the plan's text (plan.txt, UTF-8)")
    draft.add_argument("--plan-id", help="the plan's id (default: the folder's name)")
    draft.add_argument(
        "--out", help="folder for plan.draft.yaml and exclusions.draft.yaml (default: beside FILE)"
    )
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped reading (`... | head`): nothing is wrong; say nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if not isinstance(error, _user_errors()):
            raise
        if isinstance(error, OSError) and error.filename is not None:
            reason = error.strerror or type(error).__name__
            print(f"无法读取 {error.filename}（{reason}）/ cannot read {error.filename}: {reason}",
                  file=sys.stderr)  # fmt: skip
        else:
            print(error, file=sys.stderr)
        return 2


def run_command(args: argparse.Namespace) -> int:
    """`run`: materialize everything (as of a past date into a snapshot)."""
    if args.as_of:
        use_snapshot(args.as_of)
    ok = run_pipeline(verbose=args.verbose, full_refresh=args.full_refresh)
    print(f"Warehouse: {settings.warehouse_path()}")
    if settings.warehouse_path().exists():
        print("Targets with data (`python -m pipelines status` lists all):")
        print(attainment_table(assessed_only=True))
    if not ok:
        print("The run failed; the details are above and in the Dagster UI.", file=sys.stderr)
    return 0 if ok else 1


def status_command(args: argparse.Namespace) -> int:
    """`status`: the attainment table of the published warehouse (`--overdue`: who owes
    what)."""
    if args.overdue:
        print(freshness_table(args.plan, args.region, args.department))
        return 0
    print(
        attainment_table(
            plan_id=args.plan,
            status=args.status,
            pillar=args.pillar,
            department=args.department,
            region_code=args.region,
        )
    )
    return 0


def publish_command(_: argparse.Namespace) -> int:
    """`publish`: the working file published again, with its exports and report."""
    from pipelines.warehouse.database import UnpublishableError, exclusive_access
    from pipelines.warehouse.publishing import publish_all

    layout = settings.layout()
    if not layout.work.exists():
        raise SystemExit(f"No working file at {layout.work}: run `make run` first.")
    try:
        with exclusive_access(layout.work):
            result = publish_all(layout.work, layout.published, layout.exports, layout.reports)
    except UnpublishableError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"Published {result.relations} tables and views to {layout.published}, "
        f"{len(result.exports)} export files and {len(result.pages)} report pages"
    )
    return 0


def docs_command(_: argparse.Namespace) -> int:
    """`docs`: dbt's documentation site of the warehouse, one offline page."""
    from pipelines.dbt_project import generate_docs

    layout = settings.layout()
    if not layout.work.exists():
        raise SystemExit(f"No working file at {layout.work}: run `make run` first.")
    try:
        page = generate_docs(layout)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"dbt docs: {page}")
    return 0


def manifest_command(_: argparse.Namespace) -> int:
    """`manifest`: `dbt parse` when a dbt file is newer than the manifest."""
    from pipelines.dbt_project import prepare_manifest

    if not prepare_manifest(if_stale=True):
        print("The dbt manifest is up to date.")
    return 0


def plan_table_command(_: argparse.Namespace) -> int:
    """`plan table`: every registered target as a Markdown table."""
    from pipelines.plans.registry import find_plan_folders, markdown_table, read_registry

    raw_dir = settings.raw_dir()
    print(markdown_table(read_registry(find_plan_folders(raw_dir), raw_dir)))
    return 0
