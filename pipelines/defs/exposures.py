"""The warehouse's consumers declared in dbt (`dbt/models/exposures.yml`), as assets in the
lineage: each one the runs do not build (BI tools, the evaluation table) is an external asset
depending on the dbt models it reads, so the graph reaches who reads the marts. Those a run
builds name their asset (`meta.dagster_asset`) and are left to it."""

from __future__ import annotations

import json

import dagster as dg

from pipelines.dbt_project import dbt_project
from pipelines.defs.transform import translator


def exposure_specs(manifest: dict) -> list[dg.AssetSpec]:
    """An external asset per exposure with no Dagster asset of its own."""
    specs = []
    for exposure in sorted(manifest.get("exposures", {}).values(), key=lambda e: e["name"]):
        if exposure.get("meta", {}).get("dagster_asset"):
            continue
        deps = [
            translator.get_asset_spec(manifest, unique_id, dbt_project).key
            for unique_id in exposure["depends_on"]["nodes"]
        ]
        specs.append(
            dg.AssetSpec(
                dg.AssetKey(["exposures", exposure["name"]]),
                deps=sorted(deps, key=lambda key: key.to_user_string()),
                group_name="exposures",
                description=f"{exposure.get('label') or exposure['name']}: "
                f"{exposure.get('description', '').strip()}",
                kinds={exposure["type"]},
                metadata={"owner": exposure["owner"].get("name", "")},
            )
        )
    return specs


@dg.definitions
def exposures() -> dg.Definitions:
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    return dg.Definitions(assets=exposure_specs(manifest))
