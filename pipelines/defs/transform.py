"""The dbt project as Dagster assets: staging -> intermediate -> marts.

The manifest is prepared by `make manifest`, by
`dagster dev` (`prepare_if_dev`, only when a dbt file changed) and by the test fixture; importing this module
never runs `dbt parse`.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from pipelines import settings
from pipelines.dbt_project import (
    dbt_project,
    invocation_target,
    keep_dbt_log,
    keep_parse_state,
    prepare_if_dev,
)
from pipelines.defs.resources import WarehouseResource

prepare_if_dev()


def layer_of(dbt_resource_props: Mapping[str, Any]) -> str | None:
    """The folder under `models/` a model lives in: staging, intermediate or marts."""
    fqn = dbt_resource_props.get("fqn") or []
    return fqn[1] if dbt_resource_props.get("resource_type") == "model" and len(fqn) > 2 else None


class LayeredTranslator(DagsterDbtTranslator):
    """Models are keyed `<layer>/<model>` and grouped by layer; sources keep `raw/<table>`."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        layer = layer_of(props)
        if layer is None:
            return spec
        return spec.replace_attributes(key=dg.AssetKey([layer, props["name"]]), group_name=layer)


translator = LayeredTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """`dbt build` of the selected models and their data tests, holding the warehouse lock. dbt
    finds the working file through PLAN_WAREHOUSE_DIR (dbt/profiles.yml), the variable the
    warehouse resource is configured from."""
    dbt_folder = settings.warehouse_dir()
    if dbt_folder != warehouse.layout.root:
        # The resource was configured for this run apart from the environment dbt reads.
        raise dg.Failure(
            f"dbt 会写入 {dbt_folder}，而本次运行的 warehouse 资源指向 {warehouse.layout.root}："
            f"请设置 PLAN_WAREHOUSE_DIR。 / dbt would build in {dbt_folder} (PLAN_WAREHOUSE_DIR) "
            f"but this run's warehouse resource is {warehouse.layout.root}: set "
            "PLAN_WAREHOUSE_DIR to the folder instead of configuring the resource per run."
        )
    with warehouse.exclusive():
        # Unit tests check the models' logic, not the data: they run in the test suite and CI
        # (`tests/test_pipeline.py`), not on every build (dbt's own advice).
        state = warehouse.layout.dbt_parse_state
        target = invocation_target(context.run_id, state)
        log = warehouse.layout.dbt_log(context.run_id)
        try:
            invocation = dbt.cli(
                ["build", "--exclude-resource-type", "unit_test"],
                context=context,
                target_path=target,
            )
            yield from invocation.stream()
        finally:
            # dbt's own log, as text, beside the warehouse it built: read it when a build fails.
            keep_dbt_log(target, log)
            context.log.info(f"dbt log: {log}")
    keep_parse_state(target, state)
