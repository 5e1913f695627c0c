"""Publishing: the working file becomes what readers open, with its exports and report.

One step materializes `publish/warehouse`, `publish/exports` and `publish/report` together,
after every dbt model and test has passed (a failed check or test stops the run before it):
it copies the working file into a new file in a storage version older readers can open,
writes the Parquet and CSV copies of the marts and the HTML report from that new file, and
only then moves all three into place. If any part fails, none is published
(`pipelines.warehouse.publishing`).
"""

from __future__ import annotations

import dagster as dg
import duckdb

from pipelines.defs.metadata import markdown_preview
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform import dbt_models
from pipelines.warehouse.database import PUBLISHED_STORAGE_VERSION
from pipelines.warehouse.publishing import publish_all

PUBLISHED_KEY = dg.AssetKey(["publish", "warehouse"])
EXPORTS_KEY = dg.AssetKey(["publish", "exports"])
REPORT_KEY = dg.AssetKey(["publish", "report"])
PREVIEW_QUERY = """
select indicator_code, name_zh, latest_period, actual_value, target_value, unit, status, grade_zh,
    final_verdict_zh
from marts.mart_indicator_attainment
order by plan_id, region_code, indicator_code
limit 100
"""


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            PUBLISHED_KEY,
            deps=sorted(dbt_models.keys, key=lambda key: key.to_user_string()),
            group_name="publish",
            kinds={"duckdb"},
            description=(
                "The published warehouse, $PLAN_WAREHOUSE_DIR/indicators.duckdb: replaced by an "
                "atomic rename once every check and dbt test has passed and its exports and "
                "report are built; readers never block a run."
            ),
        ),
        dg.AssetSpec(
            EXPORTS_KEY,
            deps=[PUBLISHED_KEY],
            group_name="publish",
            kinds={"parquet", "csv"},
            description=(
                "Parquet and CSV (UTF-8 with BOM, formula-escaped) copies of every mart in "
                "$PLAN_WAREHOUSE_DIR/exports/<mart>/, one of each per prefecture-level "
                "division (<code>.parquet, <code>.csv), published with the warehouse they "
                "come from."
            ),
        ),
        dg.AssetSpec(
            REPORT_KEY,
            deps=[PUBLISHED_KEY],
            group_name="publish",
            kinds={"html"},
            description=(
                "The attainment report, $PLAN_WAREHOUSE_DIR/reports/index.html: one static page "
                "per plan and region, Chinese with English labels, a chart per target; opens "
                "offline. Published with the warehouse it comes from."
            ),
        ),
    ],
    can_subset=False,
)
def published_warehouse(warehouse: WarehouseResource):  # noqa: ANN201 - a generator of results
    """Build the new warehouse file, its exports and its report, then put all three in place;
    if any of them fails, none is published."""
    layout = warehouse.layout
    published = layout.published
    with warehouse.exclusive():
        result = publish_all(warehouse.path, published, layout.exports, layout.reports)
    with duckdb.connect(str(published), read_only=True) as connection:
        counts = connection.execute(
            "select status, count(*) from marts.mart_indicator_attainment group by all order by 1"
        ).fetchall()
        # The first 100 rows (one region's plan shows whole): at province scale the table
        # has 170,000 rows, too many to store in the run's event log on every run.
        preview = connection.sql(PREVIEW_QUERY).pl()
    yield dg.MaterializeResult(
        asset_key=PUBLISHED_KEY,
        metadata={
            "path": dg.MetadataValue.path(str(published)),
            "size_bytes": published.stat().st_size,
            "tables_and_views": result.relations,
            "storage_version": PUBLISHED_STORAGE_VERSION,
            "status_counts": dict(counts),
            "targets": sum(count for _, count in counts),
            "attainment_preview": markdown_preview(preview, rows=preview.height),
        },
    )
    yield dg.MaterializeResult(
        asset_key=EXPORTS_KEY,
        metadata={
            "folder": dg.MetadataValue.path(str(layout.exports)),
            "files": [path.relative_to(layout.exports).as_posix() for path in result.exports],
        },
    )
    yield dg.MaterializeResult(
        asset_key=REPORT_KEY,
        metadata={
            "index": dg.MetadataValue.path(str(result.pages[0])),
            "pages": [path.name for path in result.pages[1:]],
        },
    )
