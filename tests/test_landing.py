"""The landing zone seen without opening a file: the listing, the pre-check, the sensor's input."""

from __future__ import annotations

import os
import time
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest.landing import (
    RACY_NANOSECONDS,
    entry_frame,
    landing_files,
    landing_frame,
    listing,
    scan,
    unchanged_since,
)
from pipelines.ingest.submissions import files_under, not_read_because

NAME = st.text(
    alphabet=st.sampled_from(list("ab-_.0~$") + ["报", "表", " "]), min_size=1, max_size=6
).filter(lambda name: name not in (".", ".."))


@settings(max_examples=40, deadline=None)
@given(st.sets(st.tuples(NAME, NAME), min_size=1, max_size=12))
def test_scan_lists_files_in_the_order_of_sorted_paths(tmp_path_factory, paths) -> None:  # noqa: ANN001
    root = tmp_path_factory.mktemp("landing")
    written = set()
    for folder, name in paths:
        if (root / folder).is_file() or folder in {n for _, n in paths}:
            continue  # a name used both as a folder and as a file
        (root / folder).mkdir(exist_ok=True)
        (root / folder / name).write_text("x", encoding="utf-8")
        written.add((folder, name))

    labels = [entry.label for entry in scan(root, "submissions")]

    assert labels == [f"submissions/{folder}/{name}" for folder, name in sorted(written)]
    visible = [entry.label for entry in scan(root, hidden=False)]
    assert visible == [
        f"{folder}/{name}"
        for folder, name in sorted(written)
        if not folder.startswith((".", "~$")) and not name.startswith((".", "~$"))
    ]


def test_a_link_is_listed_and_never_followed(tmp_path: Path) -> None:
    (tmp_path / "region").mkdir()
    (tmp_path / "region" / "a.csv").write_text("x", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)

    labels = [entry.label for entry in scan(tmp_path)]

    assert labels == ["loop", "region/a.csv"]


def test_a_file_is_passed_over_only_when_path_size_time_and_version_match(tmp_path: Path) -> None:
    for name in ("same.csv", "touched.csv", "unknown.csv", "racy.csv"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    old = time.time_ns() - 10 * RACY_NANOSECONDS
    for name in ("same.csv", "touched.csv", "unknown.csv"):
        os.utime(tmp_path / name, ns=(old, old))
    first = entry_frame(scan(tmp_path))
    checksums = pl.DataFrame(
        {"source_file": ["same.csv", "touched.csv", "unknown.csv", "racy.csv"],
         "source_checksum": ["s1", "t1", "u1", "r1"]}
    )  # fmt: skip
    seen = landing_files(first, checksums)
    # A file modified within two seconds of the scan is not trusted by its time.
    assert dict(seen.select("source_file", "modified_ns").iter_rows())["racy.csv"] == -1
    os.utime(tmp_path / "touched.csv", ns=(old + 1, old + 1))
    known = pl.DataFrame(
        {"source_file": ["same.csv", "touched.csv", "racy.csv"],
         "source_checksum": ["s1", "t1", "r1"]}
    )  # fmt: skip

    unchanged = unchanged_since(entry_frame(scan(tmp_path)), seen, known)

    # touched: another time; unknown: never read as that version; racy: time not trusted.
    assert unchanged.rows() == [("same.csv", "s1")]


def test_the_listing_changes_with_a_file_and_not_with_a_hidden_one(tmp_path: Path) -> None:
    (tmp_path / "420881").mkdir()
    data = tmp_path / "420881" / "gdp.csv"
    data.write_text("指标代码,时期,数值\n", encoding="utf-8")
    before = listing(tmp_path)
    (tmp_path / "420881" / "~$gdp.xlsx").write_bytes(b"lock")
    (tmp_path / ".DS_Store").write_bytes(b"")
    assert listing(tmp_path) == before
    assert b"gdp.csv" in before
    data.write_text("指标代码,时期,数值\ngdp,2025,1\n", encoding="utf-8")
    assert listing(tmp_path) != before
    assert listing(tmp_path / "missing") == b""


def test_old_dbt_target_folders_are_pruned_but_the_newest_and_recent_ones(
    tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    from types import SimpleNamespace

    import pipelines.dbt_project as project

    monkeypatch.setattr(
        project, "dbt_project", SimpleNamespace(project_dir=tmp_path, target_path="target")
    )
    now = time.time()
    for index in range(30):
        folder = tmp_path / "target" / f"dbt_models-{index:02d}"
        folder.mkdir(parents=True)
        (folder / "run_results.json").write_text("{}", encoding="utf-8")
        # The first 25 two days old, the last five an hour old (a run may still use one).
        age = 2 * 86400 - index if index < 25 else 3600
        os.utime(folder, (now - age, now - age))
    (tmp_path / "target" / "partial_parse.msgpack").write_bytes(b"")

    removed = project.prune_invocation_targets(now=now)

    left = sorted(path.name for path in (tmp_path / "target").iterdir())
    # The newest 20 are kept (15 old ones among them), the five recent ones too, and the rest.
    assert removed == 10
    assert left == [f"dbt_models-{index:02d}" for index in range(10, 30)] + [
        "partial_parse.msgpack"
    ]


# Names a landing zone can hold, tabs and line breaks among them.
ODD_NAME = st.text(
    alphabet=st.sampled_from(list("ab-_.0~$\t\n\\") + ["报", "表", " ", "é"]),
    min_size=1,
    max_size=6,
).filter(lambda name: name not in (".", ".."))


@settings(max_examples=40, deadline=None)
@given(st.sets(st.tuples(ODD_NAME, ODD_NAME), min_size=1, max_size=12), st.booleans())
def test_the_ingest_s_listing_is_the_walk_s(tmp_path_factory, paths, hidden: bool) -> None:  # noqa: ANN001
    root = tmp_path_factory.mktemp("landing")
    for folder, name in paths:
        if (root / folder).is_file() or folder in {n for _, n in paths}:
            continue
        (root / folder).mkdir(exist_ok=True)
        (root / folder / name).write_text("x" * len(name), encoding="utf-8")
        stamp = 1_700_000_000_123_456_789 + len(name)
        os.utime(root / folder / name, ns=(stamp, stamp))

    found = landing_frame(root, "submissions", hidden=hidden)

    assert found.equals(entry_frame(scan(root, "submissions", hidden=hidden)))


def test_a_name_that_is_not_utf8_is_listed_by_the_walk(tmp_path: Path) -> None:
    (tmp_path / "region").mkdir()
    (tmp_path / "region" / "a.csv").write_text("x", encoding="utf-8")
    os.close(os.open(os.path.join(os.fsencode(tmp_path), b"region", b"\xb1\xa8.csv"),
                     os.O_CREAT | os.O_WRONLY))  # fmt: skip

    found = landing_frame(tmp_path)

    # Listed with its bytes written out, and read by nobody: the department is told to
    # rename it (the check and the run both ask `not_read_because`).
    assert found["source_file"].to_list() == ["region/a.csv", "region/\\xb1\\xa8.csv"]
    for path in (tmp_path / label for label in found["source_file"]):
        reason = not_read_because(path, 1_000_000)
        assert (reason or ("read",))[0] == ("name_not_utf8" if "xb1" in path.name else "read")
    (real,) = [path for path in files_under(tmp_path) if path.name != "a.csv"]
    assert not_read_because(real, 1_000_000)[0] == "name_not_utf8"
