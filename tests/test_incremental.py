"""An incremental run gives the warehouse a full run from scratch gives on the same files.

The landing zone is the benchmark's (the Zhongxiang plan adopted by several synthetic
regions). After a full run, files of some regions change: a revision, a new vintage, a
rejected file, a file outside any region. The run the sensor starts for
them rebuilds those regions only; a full run from scratch on the same files into a new
warehouse must give every table, view, export and report page the same contents.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import Workspace, materialize_all, use_workspace
from tests.tools.bench import generate

# Columns that say when a row was loaded or checked: a full run from scratch loads at another
# moment, by definition.
MOMENTS = {"loaded_at", "checked_at"}
COMPARED_SCHEMAS = ("raw", "staging", "intermediate", "marts", "bi")


def relations(database: Path) -> dict[str, list[str]]:
    """Every table and view of the compared schemas, with its columns (moments left out)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select table_schema || '.' || table_name, list(column_name order by ordinal_position) "
            "from information_schema.columns where table_schema in "
            f"{COMPARED_SCHEMAS} group by all order by 1"
        ).fetchall()
    return {name: [c for c in columns if c not in MOMENTS] for name, columns in rows}


def differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """For each relation whose rows differ: (rows only on the left, rows only on the right)."""
    found = {}
    tables = relations(left)
    assert tables == relations(right)
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as l (read_only)")
        connection.execute(f"attach '{right}' as r (read_only)")
        for name, columns in tables.items():
            if name == "raw.landing_files":
                continue  # what each warehouse saw of the disk, by definition per warehouse
            select = ", ".join(f'"{c}"' for c in columns)
            counts = [
                connection.execute(
                    f"select count(*) from (select {select} from {a}.{name} "
                    f"except all select {select} from {b}.{name})"
                ).fetchone()[0]
                for a, b in (("l", "r"), ("r", "l"))
            ]
            if any(counts):
                found[name] = tuple(counts)
    return found


def digests(folder: Path) -> dict[str, str]:
    """Each published file's digest; the data-quality export says when each file was checked."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not path.name.startswith(".")
        and not path.relative_to(folder).as_posix().startswith("mart_data_quality")
    }


def resend(raw: Path, region: str, name: str, text: str) -> None:
    path = raw / "submissions" / region / "statistics" / name
    path.write_text(text, encoding="utf-8")


def change_regions(raw: Path) -> None:
    """Files of three regions change, and one file arrives outside any region: a revision
    (a later submission of a figure), a new figure, a rejected file."""
    header = "指标代码,时期,数值,单位,备注\n"
    resend(raw, "980001", "statistics_2025_2026-04-15.csv", header + "gdp,2025,9999.5,亿元,修订\n")
    resend(raw, "980002", "statistics_2026_2026-05-20.csv", header + "gdp,2026-Q1,1.5,亿元,\n")
    resend(raw, "980003", "broken_2026-03-21.csv", header + "no_such_indicator,2025,1,亿元,\n")
    stray = raw / "submissions" / "stray_2026-03-22.csv"
    stray.write_text(header + "gdp,2025,1,亿元,\n", encoding="utf-8")


def revise_in_place(raw: Path) -> None:
    """A department overwrites its file: the first version stays a vintage in the warehouse."""
    path = raw / "submissions" / "980004" / "statistics" / "statistics_2025_2026-02-15.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    revised = [
        "gdp,2025,1234.5,亿元,改" if line.startswith("gdp,2025,") else line for line in lines
    ]
    assert revised != lines
    path.write_text("\n".join(revised) + "\n", encoding="utf-8")


@pytest.fixture
def bench_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    raw = tmp_path / "raw"
    generate(raw, regions=10)
    warehouse = tmp_path / "incremental"
    warehouse.mkdir()
    workspace = Workspace(raw_dir=raw, warehouse_dir=warehouse)
    use_workspace(monkeypatch, workspace)
    return workspace


def run_as_the_sensor_would(defs, change) -> tuple[bool, list[str], dict]:  # noqa: ANN001
    """Change the landing zone, let the sensor choose the job and run it; return whether it
    passed, what the dbt step said about its build, and the submissions check's metadata."""
    sensor = defs.get_sensor_def("raw_files_sensor")
    resources = {"landing_zone": defs.resources["landing_zone"]}
    with dg.DagsterInstance.ephemeral() as instance:
        cursor = sensor(dg.build_sensor_context(instance=instance, resources=resources)).cursor
        change()
        context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources)
        (request,) = sensor(context).run_requests
        assert request.job_name == "load_submissions"
        outcome = defs.resolve_job_def(request.job_name).execute_in_process(
            instance=instance, raise_on_error=False
        )
        said = [
            record.user_message
            for record in instance.all_logs(outcome.run_id)
            if record.user_message.startswith("dbt build: ")
        ]
    (check,) = [
        e for e in outcome.get_asset_check_evaluations() if e.check_name == "gx_raw_observations"
    ]
    return outcome.success, said, {name: value.value for name, value in check.metadata.items()}


def test_an_incremental_run_equals_a_full_run_from_scratch(
    defs, bench_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert materialize_all(defs).success
    raw = bench_workspace.raw_dir

    passed, said, check = run_as_the_sensor_would(defs, lambda: change_regions(raw))

    assert passed
    # The three regions and '' for the file outside any region; nothing else was rebuilt.
    assert said == ["dbt build: incremental, 4 region(s) (4 of 10 regions changed)"]
    # Only the new entries were opened; the rest were known by path, size and time.
    assert check["files_opened"] == 4 and check["files_unchanged"] == check["files_found"] - 4
    with duckdb.connect(str(bench_workspace.database), read_only=True) as connection:
        assert connection.execute("select count(*) from meta.regions_to_rebuild").fetchone() == (0,)
    scratch = Workspace(raw_dir=raw, warehouse_dir=tmp_path / "scratch")
    scratch.warehouse_dir.mkdir()
    use_workspace(monkeypatch, scratch)
    assert materialize_all(defs).success
    assert differences(bench_workspace.database, scratch.database) == {}
    for folder in ("exports", "reports"):
        assert digests(bench_workspace.warehouse_dir / folder) == digests(
            scratch.warehouse_dir / folder
        ), folder

    # A file overwritten in place: its first version is a vintage only the first warehouse
    # holds, so the incremental run is compared with a full rebuild of that warehouse.
    use_workspace(monkeypatch, bench_workspace)
    passed, said, check = run_as_the_sensor_would(defs, lambda: revise_in_place(raw))
    assert passed and said == ["dbt build: incremental, 1 region(s) (1 of 10 regions changed)"]
    # The revised file, and the four files written just before the last scan: a file
    # modified within two seconds of a scan is checked by its content next time.
    assert check["files_opened"] == 5
    rebuilt = Workspace(raw_dir=raw, warehouse_dir=tmp_path / "rebuilt")
    rebuilt.copy_warehouse_from(bench_workspace)
    use_workspace(monkeypatch, rebuilt)
    # dbt in full, and publishing, on the same raw tables (the files were read already).
    from pipelines.defs.publish import published_warehouse
    from pipelines.defs.transform import dbt_models

    full = materialize_all(
        defs,
        selection=dg.AssetSelection.assets(dbt_models, published_warehouse),
        run_config={"ops": {"dbt_models": {"config": {"full_refresh": True}}}},
    )
    assert full.success
    assert differences(bench_workspace.database, rebuilt.database) == {}
