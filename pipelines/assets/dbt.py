"""The dbt models as Dagster assets; dbt tests become asset checks on them."""


import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipelines.assets.portal_partitions import portal_partitions, run_settings
from pipelines.assets.table_metadata import table_metadata
from pipelines.config import load_config
from pipelines.freshness import freshness_from_schedule
from pipelines.project import DBT_PROJECT, warehouse_path
from pipelines.settings import Settings
from pipelines.transform import prepare_build
from pipelines.warehouse.publish import publish
from pipelines.warehouse.store import connect

OWNERS = {"marts": ["team:analytics"]}
DEFAULT_OWNERS = ["team:data-engineering"]


class LayerTranslator(DagsterDbtTranslator):
    """Groups models by layer (staging, intermediate, marts) and seeds in `seeds`; keys stay
    dagster-dbt's defaults, so the `hubspot` source tables resolve to the raw assets
    `["hubspot", <table>]`. Every dbt test is an asset check (source tests on the raw assets;
    singular tests that read several models on the model named in `meta.dagster.ref`); a test of
    severity error is a blocking check."""

    def __init__(self, freshness: dg.FreshnessPolicy, **kwargs: Any):
        super().__init__(**kwargs)
        self.freshness = freshness

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        return spec.replace_attributes(freshness_policy=self.freshness) if spec.group_name == "marts" else spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn") or []
        return fqn[1] if len(fqn) > 2 else None

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        return super().get_owners(dbt_resource_props) or OWNERS.get(self.get_group_name(dbt_resource_props) or "",
                                                                      DEFAULT_OWNERS)

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        return {**super().get_tags(dbt_resource_props), "layer": self.get_group_name(dbt_resource_props) or "dbt"}


# The marts are as fresh as the daily sync makes them (pass the configured cron if it changes).
TRANSLATOR = LayerTranslator(freshness=freshness_from_schedule(load_config().schedule.cron), settings=DagsterDbtTranslatorSettings(
    enable_asset_checks=True, enable_source_tests_as_checks=True))


def _with_table_metadata(context: dg.AssetExecutionContext, events: list[Any], db_path) -> Iterator[Any]:
    """Each model's materialization with its row count and column types, read once dbt has
    released the warehouse (DuckDB admits no reader beside dbt's writer)."""
    con = connect(db_path, read_only=True)
    try:
        for event in events:
            asset_key = context.asset_key_for_output(event.output_name) if isinstance(event, dg.Output) else None
            if asset_key and len(asset_key.path) == 2:
                extra = table_metadata(con, asset_key.path[0], asset_key.path[1])
                yield event.with_metadata({**(event.metadata or {}), **extra}) if extra else event
            else:
                yield event
    finally:
        con.close()


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=TRANSLATOR,
            partitions_def=portal_partitions())
def salesmetrics_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """dbt build of staging, intermediate and marts, as of SALESMETRICS_AS_OF in SALESMETRICS_TIMEZONE."""
    settings = run_settings(context, warehouse_path())  # the partition's portal, else the single one
    invocation = dbt.cli(prepare_build(settings), context=context, raise_on_error=False)
    events = list(invocation.stream())
    yield from _with_table_metadata(context, events, settings.db_path)
    if not invocation.is_successful():
        raise invocation.get_error() or dg.Failure("dbt build failed")
    published = publish(settings.db_path)
    context.log.info(f"marts published for BI: {published.duckdb_copy} and {published.parquet_dir}/")


def config_table_specs() -> list[dg.AssetSpec]:
    """The analyst's configuration tables (schema `config`, dbt source `salesmetrics_config`): written
    from salesmetrics.yml and the quota file at the start of every dbt build, so they have no op."""
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    return [
        dg.AssetSpec(TRANSLATOR.get_asset_key(source), group_name="salesmetrics_config", owners=DEFAULT_OWNERS,
                     kinds={"duckdb"}, description=source.get("description") or "Written from salesmetrics.yml before each dbt build.")
        for source in manifest["sources"].values() if source["source_name"] == "salesmetrics_config"
    ]
