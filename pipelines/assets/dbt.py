"""The dbt models as Dagster assets; dbt tests become asset checks on them."""


from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipelines.project import DBT_PROJECT, warehouse_path
from pipelines.settings import Settings
from pipelines.transform import prepare_build
from pipelines.warehouse.publish import publish


class LayerTranslator(DagsterDbtTranslator):
    """Groups models by layer (staging, intermediate, marts); keys stay dagster-dbt's defaults,
    so the `hubspot` source tables resolve to the raw assets `["hubspot", <table>]`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=LayerTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    # Unpartitioned, but a backfill of the raw assets' partitions still runs the models once.
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def salesmetrics_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """dbt build of staging, intermediate and marts, as of SALESMETRICS_AS_OF in SALESMETRICS_TIMEZONE."""
    settings = Settings.from_env(db_path=warehouse_path())
    yield from dbt.cli(prepare_build(settings), context=context).stream()
    published = publish(warehouse_path())
    context.log.info(f"marts published for BI: {published.duckdb_copy} and {published.parquet_dir}/")
