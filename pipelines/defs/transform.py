"""The dbt project as Dagster assets: staging -> intermediate -> marts.

The manifest is prepared by `make manifest`, by
`dagster dev` (`prepare_if_dev`, only when a dbt file changed) and by the test fixture; importing this module
never runs `dbt parse`.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtProject,
    dbt_assets,
)

from pipelines import settings
from pipelines.dbt_project import (
    DbtCli,
    dbt_project,
    invocation_target,
    keep_dbt_log,
    keep_parse_state,
    prepare_if_dev,
    prune_invocation_targets,
    take_parse_ahead,
)
from pipelines.defs.resources import WarehouseResource
from pipelines.warehouse.changes import BuildPlan, plan_build, record_build

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


class DbtBuildConfig(dg.Config):
    """How the dbt step builds."""

    full_refresh: bool = False
    """Rebuild every region's rows even when only some regions' files changed."""


translator = LayeredTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator
)
def dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCli,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
) -> Iterator[Any]:
    """`dbt build` of the selected models and their data tests, holding the warehouse lock. dbt
    finds the working file through PLAN_WAREHOUSE_DIR (dbt/profiles.yml), the variable the
    warehouse resource is configured from. When only some regions' files changed since the
    last build of the whole project, only those regions are rebuilt and tested
    (`pipelines.warehouse.changes`)."""
    dbt_folder = settings.warehouse_dir()
    if dbt_folder != warehouse.layout.root:
        # The resource was configured for this run apart from the environment dbt reads.
        raise dg.Failure(
            f"dbt 会写入 {dbt_folder}，而本次运行的 warehouse 资源指向 {warehouse.layout.root}："
            f"请设置 PLAN_WAREHOUSE_DIR。 / dbt would build in {dbt_folder} (PLAN_WAREHOUSE_DIR) "
            f"but this run's warehouse resource is {warehouse.layout.root}: set "
            "PLAN_WAREHOUSE_DIR to the folder instead of configuring the resource per run."
        )
    # Only a build of every model leaves a state the next build can start from.
    whole_project = set(context.selected_asset_keys) == set(dbt_models.keys)
    with warehouse.exclusive():
        plan = _plan(warehouse, full=config.full_refresh)
        context.log.info(
            f"dbt build: {'full' if plan.full else f'incremental, {plan.regions} region(s)'} "
            f"({plan.reason})"
        )
        # Unit tests check the models' logic, not the data: they run in the test suite and CI
        # (`tests/test_pipeline.py`), not on every build (dbt's own advice).
        state = warehouse.layout.dbt_parse_state
        take_parse_ahead(state)
        target = invocation_target(context.run_id, state)
        log = warehouse.layout.dbt_log(context.run_id)
        # No JSON artifacts: dbt would write the manifest twice and the run results, 1-1.5 s
        # of every build; each node's result is in the run's events and in dbt's log.
        args = ["build", "--exclude-resource-type", "unit_test", "--no-write-json"]
        try:
            # dbt runs in this process (`pipelines.dbt_in_process`): no interpreter and imports
            # to start for every build. It reads the same variables a dbt command would.
            with _environment(
                PLAN_CHANGED_REGIONS_ONLY="" if plan.full else "1",
                **{settings.WAREHOUSE_DIR_ENV: str(dbt_folder)},
            ):
                yield from dbt.build_in_process(
                    [*args, "--full-refresh"] if plan.full else args,
                    context=context,
                    target_path=target,
                )
        finally:
            # dbt's own log, as text, beside the warehouse it built: read it when a build fails.
            keep_dbt_log(target, log)
            context.log.info(f"dbt log: {log}")
        if whole_project:
            # Every model and test passed (a failure raised above): the next build can start
            # from this one.
            with duckdb.connect(str(warehouse.path)) as connection:
                record_build(connection, plan)
    keep_parse_state(target, state)
    prune_invocation_targets()


def _plan(warehouse: WarehouseResource, full: bool) -> BuildPlan:
    """Full or incremental (`pipelines.warehouse.changes`); call holding the lock."""
    with duckdb.connect(str(warehouse.path)) as connection:
        return plan_build(
            connection,
            settings.DBT_PROJECT_DIR,
            as_of=os.environ.get(settings.AS_OF_ENV, ""),
            force_full=full,
        )


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for a dbt command started meanwhile (a run is one process)."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
