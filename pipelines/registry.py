"""Read the plan registry: one row per quantified target of a plan, for one region."""

from __future__ import annotations

from pathlib import Path

import polars as pl

REGISTRY_SUBDIR = "registry"

REGISTRY_SCHEMA: dict[str, pl.DataType] = {
    "plan_id": pl.String(),
    "region_code": pl.String(),
    "indicator_code": pl.String(),
    "name_zh": pl.String(),
    "name_en": pl.String(),
    "unit": pl.String(),
    "kind": pl.String(),
    "comparator": pl.String(),
    "target_value": pl.Float64(),
    "base_year": pl.Int64(),
    "target_year": pl.Int64(),
    "clause": pl.String(),
    "source_quote": pl.String(),
}


def find_registry_files(raw_dir: Path) -> list[Path]:
    """Registry CSV files under `raw_dir/registry`, one or more plans each."""
    root = raw_dir / REGISTRY_SUBDIR
    return sorted(root.glob("*.csv")) if root.is_dir() else []


def read_registry(paths: list[Path], raw_dir: Path) -> pl.DataFrame:
    """Read every registry file into one table, with the file each row came from."""
    frames = [
        pl.read_csv(path, schema=REGISTRY_SCHEMA, encoding="utf8").with_columns(
            source_file=pl.lit(path.relative_to(raw_dir).as_posix())
        )
        for path in paths
    ]
    if not frames:
        return pl.DataFrame(schema={**REGISTRY_SCHEMA, "source_file": pl.String()})
    return pl.concat(frames, how="vertical")
