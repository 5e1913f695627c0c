"""A digest of everything a build publishes, to compare two builds of the same inputs.

    python -m tests.tools.artifacts WAREHOUSE_DIR > digest.json

Every table and view of the published DuckDB file (its rows sorted, so that the order a
query happens to give does not count), every export read back the same way, and every
report page. What depends on the clock alone is masked: the load and check timestamps, the
dbt invocations, and the vintage date of undated files (the day they were loaded). Two builds
of the same inputs on the same day give the same digest; `diff` shows what differs.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import duckdb

CLOCK_COLUMNS = {"loaded_at", "checked_at", "started_at", "finished_at"}
CLOCK_TABLES = {("meta", "dbt_invocations")}
# Timestamps in report pages: any ISO time of day.
CLOCK_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:?\d{2}|Z)?")


def _hash(rows: list) -> str:
    text = "\n".join(sorted(json.dumps(row, default=str, ensure_ascii=False) for row in rows))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def relation_digests(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    digests = {}
    relations = connection.execute(
        "select table_schema, table_name from information_schema.tables order by all"
    ).fetchall()
    for schema, table in relations:
        if (schema, table) in CLOCK_TABLES:
            continue
        columns = [
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            if name not in CLOCK_COLUMNS
        ]
        selected = ", ".join(f'"{name}"' for name in columns)
        rows = connection.execute(f'select {selected} from "{schema}"."{table}"').fetchall()
        digests[f"{schema}.{table}"] = (
            f"{len(rows)} rows, columns {_hash([columns])}, {_hash(rows)}"
        )
    return digests


def digest(warehouse_dir: Path) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {"relations": {}, "exports": {}, "reports": {}}
    with duckdb.connect(str(warehouse_dir / "indicators.duckdb"), read_only=True) as connection:
        result["relations"] = relation_digests(connection)
        for path in sorted((warehouse_dir / "exports").rglob("*")):
            if path.suffix not in {".csv", ".parquet"}:
                continue
            reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
            relation = connection.sql(f"from {reader}('{path}')")
            columns = [name for name in relation.columns if name not in CLOCK_COLUMNS]
            rows = relation.select(", ".join(f'"{c}"' for c in columns)).fetchall()
            name = path.relative_to(warehouse_dir / "exports").as_posix()
            result["exports"][name] = f"{len(rows)} rows, {_hash([columns])}, {_hash(rows)}"
    for path in sorted((warehouse_dir / "reports").glob("*.html")):
        text = CLOCK_TEXT.sub("<time>", path.read_text(encoding="utf-8"))
        result["reports"][path.name] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return result


if __name__ == "__main__":
    json.dump(digest(Path(sys.argv[1])), sys.stdout, indent=1, ensure_ascii=False)
    print()
