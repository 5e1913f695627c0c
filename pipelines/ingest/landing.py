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


def printable(label: str) -> str:
    """A path as text that can be stored and shown: the bytes of a name that is not UTF-8
    (a GBK name unzipped on Linux) written as `\\xb1`."""
    return label.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def entry_frame(entries: list[Entry]) -> pl.DataFrame:
    """The entries as a table: source_file (`printable`), size_bytes, modified_ns."""
    return pl.DataFrame(
        [(printable(entry[0]), *entry[1:3]) for entry in entries],
        schema={
            name: LANDING_SCHEMA[name] for name in ("source_file", "size_bytes", "modified_ns")
        },
        orient="row",
    )


def landing_frame(root: Path, prefix: str = "", hidden: bool = True) -> pl.DataFrame:
    """`entry_frame(scan(root, prefix, hidden))`: the same entries in the same order, listed
    by GNU find where there is one (a province's 219,450 files in 1.0 s instead of 1.6 s)."""
    found = _find(root, hidden)
    if found is None:
        return entry_frame(scan(root, prefix, hidden))
    try:
        records = pl.Series("record", found, dtype=pl.Binary()).cast(pl.String())
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError):
        # A name that is not UTF-8: Python's walk keeps its bytes (as os.fsdecode does).
        return entry_frame(scan(root, prefix, hidden))
    fields = records.str.splitn("\t", 3).struct.unnest()
    stamp = fields["field_1"].str.splitn(".", 2).struct.unnest()
    whole = stamp["field_0"].cast(pl.Int64())
    fraction = stamp["field_1"].str.slice(0, 9).str.pad_end(9, "0").cast(pl.Int64())
    sign = pl.when(stamp["field_0"].str.starts_with("-")).then(-1).otherwise(1)
    base = f"{prefix}/" if prefix else ""
    return (
        pl.DataFrame(
            {
                "source_file": base + fields["field_2"],
                "size_bytes": fields["field_0"].cast(pl.Int64()),
                "modified_ns": pl.select(
                    sign * (whole.abs() * 1_000_000_000 + fraction)
                ).to_series(),
            }
        )
        # Sorted as `scan` sorts: by parts (the separator before any character).
        .sort(pl.col("source_file").str.replace_all("/", "\x00", literal=True))
        .cast({name: LANDING_SCHEMA[name] for name in ("source_file", "size_bytes", "modified_ns")})
    )


def _find(root: Path, hidden: bool) -> list[bytes] | None:
    """GNU find's records (size, time, path; NUL-terminated, so a name may hold any
    character), or None without GNU find or when it could not list everything."""
    find = shutil.which("find")
    if not root.is_dir() or find is None:
        return None
    skip = [] if hidden else ["-name", ".*", "-prune", "-o", "-name", "~$*", "-prune", "-o"]
    done = subprocess.run(
        [find, ".", "-mindepth", "1", *skip, "!", "-type", "d", "-printf", "%s\\t%T@\\t%P\\0"],
        cwd=root, capture_output=True, check=False, env={**os.environ, "LC_ALL": "C"},
    )  # fmt: skip
    if done.returncode != 0:
        return None
    return done.stdout.split(b"\0")[:-1]


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
