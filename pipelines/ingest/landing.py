"""The landing zone as its directory entries say it is, without opening a file.

A province's landing zone holds hundreds of thousands of files, and on most runs all but a
few are as they were. `scan` lists every entry below a folder with its size, modification
time and kind from one `lstat` each (never following a link), for the run's pre-check: a
file whose path, size and modification time are those of a version already read is not read
again (`unchanged_since`). `listing` gives the sensor the same facts as one text to digest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

import polars as pl

# A file modified this close to the scan may still be being written within the same tick of
# the file system's clock: its (size, mtime) is not trusted, and it is checksummed next time.
RACY_NANOSECONDS = 2_000_000_000


class Entry(NamedTuple):
    """One directory entry that is not a folder: its path relative to the scanned root's
    parent given as `prefix`, in POSIX form, and its `lstat` fields."""

    label: str
    size: int
    modified_ns: int
    mode: int


def scan(root: Path, prefix: str = "", hidden: bool = True) -> list[Entry]:
    """Every entry below `root` that is not a folder, labelled `prefix/relative/path`,
    ordered as sorted paths are (by folder and name parts). Hidden entries (a leading `.`,
    Office's `~$` lock files) are left out unless `hidden`. Entries that vanish meanwhile
    are left out too."""
    found: list[Entry] = []
    # (folder on disk, its label with a trailing slash)
    stack = [(str(root), f"{prefix}/" if prefix else "")]
    while stack:
        folder, base = stack.pop()
        try:
            iterator = os.scandir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with iterator:
            for item in iterator:
                name = item.name
                if not hidden and name.startswith(HIDDEN_PREFIXES):
                    continue
                try:
                    if item.is_dir(follow_symlinks=False):
                        stack.append((item.path, f"{base}{name}/"))
                        continue
                    stat = item.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                found.append(Entry(base + name, stat.st_size, stat.st_mtime_ns, stat.st_mode))
    # By parts: the separator sorts before any character a name can hold.
    found.sort(key=lambda entry: entry.label.replace("/", "\0"))
    return found


HIDDEN_PREFIXES = (".", "~$")


LANDING_SCHEMA = {
    "source_file": pl.String(),
    "size_bytes": pl.Int64(),
    "modified_ns": pl.Int64(),
    "source_checksum": pl.String(),
}


def entry_frame(entries: list[Entry]) -> pl.DataFrame:
    """The entries as a table: source_file, size_bytes, modified_ns."""
    return pl.DataFrame(
        [entry[:3] for entry in entries],
        schema={
            name: LANDING_SCHEMA[name] for name in ("source_file", "size_bytes", "modified_ns")
        },
        orient="row",
    )


def unchanged_since(current: pl.DataFrame, seen: pl.DataFrame, known: pl.DataFrame) -> pl.DataFrame:
    """The entries (`entry_frame`) whose size and modification time are those seen last time
    (`seen`, LANDING_SCHEMA), for a version (source_file, source_checksum) already read
    (`known`): the same files, not read again. Returns their path and checksum."""
    return (
        current.join(seen, on=["source_file", "size_bytes", "modified_ns"], how="inner")
        .join(known, on=["source_file", "source_checksum"], how="semi")
        .select("source_file", "source_checksum")
    )


def landing_files(
    current: pl.DataFrame, checksums: pl.DataFrame, scanned_ns: int | None = None
) -> pl.DataFrame:
    """The landing zone as a run saw it (LANDING_SCHEMA): each entry's size, modification time
    and the checksum of the version there (`checksums`: source_file, source_checksum), for the
    next run's pre-check. An entry with no checksum (it could not be read), or modified too
    close to the scan to trust its time (RACY_NANOSECONDS), gets the time -1: it is read
    again next time."""
    scanned_ns = time.time_ns() if scanned_ns is None else scanned_ns
    return (
        current.join(checksums.unique("source_file"), on="source_file", how="left")
        .with_columns(
            modified_ns=pl.when(
                pl.col("source_checksum").is_not_null()
                & (pl.col("modified_ns") < scanned_ns - RACY_NANOSECONDS)
            )
            .then(pl.col("modified_ns"))
            .otherwise(-1)
        )
        .select(list(LANDING_SCHEMA))
        .cast(LANDING_SCHEMA)
    )


def listing(root: Path, hidden: bool = False) -> bytes:
    """One line per entry below `root` that is not a folder, with its path, size and
    modification time, in a stable order: what the sensor fingerprints. GNU find lists a
    province's landing zone in about two thirds of the time a Python walk takes (README,
    Performance); without it (macOS, BSD), `scan` lists the same entries."""
    if root.is_dir() and (find := shutil.which("find")) is not None:
        skip = [] if hidden else ["-name", ".*", "-prune", "-o", "-name", "~$*", "-prune", "-o"]
        done = subprocess.run(
            [find, ".", "-mindepth", "1", *skip, "!", "-type", "d", "-printf", "%P\\t%s\\t%T@\\t%y\\n"],
            # Names are compared as bytes: in the C locale find is about a third faster.
            cwd=root, capture_output=True, check=False, env={**os.environ, "LC_ALL": "C"},
        )  # fmt: skip
        if done.returncode == 0:
            return b"\n".join(sorted(done.stdout.splitlines()))
    return "\n".join(
        f"{entry.label}\t{entry.size}\t{entry.modified_ns}\t{entry.mode}"
        for entry in scan(root, hidden=hidden)
    ).encode("utf-8", "surrogateescape")
