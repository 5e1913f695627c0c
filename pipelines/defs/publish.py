"""Publishing: the working file becomes what readers open, and the marts are exported.

`publish/warehouse` runs after every dbt model and test has passed (a failed check or
test stops the run before it): it copies the working file into a new file in a storage
version older readers can open and renames it over `$PLAN_WAREHOUSE_DIR/indicators.duckdb`.
`publish/exports` then writes Parquet and CSV copies of the marts.
"""

from __future__ import annotations

import dagster as dg
import duckdb

from pipelines import settings
from pipelines.defs.transform import dbt_models
from pipelines.exports import export_marts
from pipelines.warehouse import PUBLISHED_STORAGE_VERSION, WarehouseResource, publish

PUBLISHED_KEY = dg.AssetKey(["publish", "warehouse"])
EXPORTS_KEY = dg.AssetKey(["publish", "exports"])


@dg.asset(
    key=PUBLISHED_KEY,
    deps=sorted(dbt_models.keys, key=lambda key: key.to_user_string()),
    group_name="publish",
    kinds={"duckdb"},
    description=(
        "The published warehouse, $PLAN_WAREHOUSE_DIR/indicators.duckdb: replaced by an atomic "
        "rename once every check and dbt test has passed; readers never block a run."
    ),
)
def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    published = settings.warehouse_path()
    with warehouse.exclusive():
        relations = publish(warehouse.path, published)
    with duckdb.connect(str(published), read_only=True) as connection:
        counts = connection.execute(
            "select status, count(*) from marts.mart_indicator_attainment group by all order by 1"
        ).fetchall()
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(published)),
            "size_bytes": published.stat().st_size,
            "tables_and_views": relations,
            "storage_version": PUBLISHED_STORAGE_VERSION,
            "status_counts": dict(counts),
        }
    )


@dg.asset(
    key=EXPORTS_KEY,
    deps=[PUBLISHED_KEY],
    group_name="publish",
    kinds={"parquet", "csv"},
    description=(
        "Parquet and CSV (UTF-8 with BOM, formula-escaped) copies of every mart in "
        "$PLAN_WAREHOUSE_DIR/exports/."
    ),
)
def exports() -> dg.MaterializeResult:
    written = export_marts(settings.warehouse_path(), settings.exports_dir())
    return dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(settings.exports_dir())),
            "files": [path.name for path in written],
        }
    )
