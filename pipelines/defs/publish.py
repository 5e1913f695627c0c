"""Publishing: the working file becomes what readers open, and the marts are exported.

`publish/warehouse` runs after every dbt model and test has passed (a failed check or
test stops the run before it): it copies the working file into a new file in a storage
version older readers can open and renames it over `$PLAN_WAREHOUSE_DIR/indicators.duckdb`.
`publish/exports` then writes Parquet and CSV copies of the marts, and `publish/report`
the static HTML attainment report.
"""

from __future__ import annotations

import dagster as dg
import duckdb

from pipelines import settings
from pipelines.defs.metadata import markdown_preview
from pipelines.defs.transform import dbt_models
from pipelines.exports import export_marts
from pipelines.report import build_reports
from pipelines.warehouse import PUBLISHED_STORAGE_VERSION, WarehouseResource, publish

PUBLISHED_KEY = dg.AssetKey(["publish", "warehouse"])
EXPORTS_KEY = dg.AssetKey(["publish", "exports"])
REPORT_KEY = dg.AssetKey(["publish", "report"])
PREVIEW_QUERY = """
select indicator_code, name_zh, latest_period, actual_value, target_value, unit, status, grade_zh,
    final_verdict_zh
from marts.mart_indicator_attainment
order by plan_id, region_code, indicator_code
"""


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
        preview = connection.sql(PREVIEW_QUERY).pl()
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(published)),
            "size_bytes": published.stat().st_size,
            "tables_and_views": relations,
            "storage_version": PUBLISHED_STORAGE_VERSION,
            "status_counts": dict(counts),
            "attainment_preview": markdown_preview(preview, rows=preview.height),
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


@dg.asset(
    key=REPORT_KEY,
    deps=[PUBLISHED_KEY],
    group_name="publish",
    kinds={"html"},
    description=(
        "The attainment report, $PLAN_WAREHOUSE_DIR/reports/index.html: one static page per plan "
        "and region, Chinese with English labels, a chart per target; opens offline."
    ),
)
def report() -> dg.MaterializeResult:
    pages = build_reports(settings.warehouse_path(), settings.reports_dir())
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(pages[0])),
            "pages": [path.name for path in pages[1:]],
        }
    )
