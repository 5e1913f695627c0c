"""Outputs rebuilt only where their rows changed.

The report's pages and the exports' files are each drawn from a known set of rows. Each build
records a digest of those rows (and of the code that writes them) in a manifest beside the
files; the next build links a file from the published folder, instead of writing it again,
when its digest is the same. A file is linked (a second name for the same bytes, so the
published file stays as it is when the new one is moved into place) or, where links are not
possible, copied.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path


def code_digest(roots: Iterable[Path], suffixes: tuple[str, ...], *extra: str) -> str:
    """A digest of the files under `roots` with these suffixes (a folder's files in name
    order), and of `extra` strings such as library versions."""
    digest = hashlib.sha256()
    for root in roots:
        paths = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in paths:
            if path.is_file() and path.suffix in suffixes:
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for text in extra:
        digest.update(b"\0" + text.encode())
    return digest.hexdigest()


def recorded_digests(previous: Path | None, manifest: str) -> dict[str, str]:
    """The digests the published folder was built with; empty when there are none."""
    if previous is None:
        return {}
    try:
        recorded = json.loads((previous / manifest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def link_unchanged(
    previous: Path | None,
    folder: Path,
    manifest: str,
    digests: Mapping[str, str],
    files: Callable[[str], list[str]],
) -> set[str]:
    """Link into `folder` the files (`files(name)`, relative paths) of every entry whose
    digest equals the one recorded in `previous / manifest`, when all of them are there;
    return the names of the entries kept."""
    recorded = recorded_digests(previous, manifest)
    kept = set()
    for name, digest in digests.items():
        paths = files(name)
        if recorded.get(name) != digest or not all((previous / p).is_file() for p in paths):
            continue
        for path in paths:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(previous / path, folder / path)
            except OSError:
                shutil.copyfile(previous / path, folder / path)
        kept.add(name)
    return kept


def write_manifest(folder: Path, manifest: str, digests: Mapping[str, str]) -> Path:
    """Record the digests of what `folder` holds, for the next build."""
    path = folder / manifest
    path.write_text(json.dumps(dict(sorted(digests.items())), indent=0), encoding="utf-8")
    return path
