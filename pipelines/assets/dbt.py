"""The dbt models as Dagster assets; dbt tests become asset checks on them.

Built from the manifest when the code location loads (a function, not at import).
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets

from pipelines.assets.dashboard import sales_dashboard
from pipelines.assets.portal_partitions import portal_partitions, run_settings
from pipelines.assets.table_metadata import table_metadata
from pipelines.freshness import freshness_from_schedule
from pipelines.project import missing_manifest_message
from pipelines.resources import WarehouseDbtResource
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
        return super().get_owners(dbt_resource_props) or OWNERS.get(
            self.get_group_name(dbt_resource_props) or "", DEFAULT_OWNERS
        )

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        return {**super().get_tags(dbt_resource_props), "layer": self.get_group_name(dbt_resource_props) or "dbt"}


def _with_table_metadata(context: dg.AssetExecutionContext, events: list[Any], db_path: Path) -> Iterator[Any]:
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


def dbt_models(project: DbtProject, translator: LayerTranslator, settings: Settings) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        partitions_def=portal_partitions(settings),
    )
    def salesmetrics_dbt_models(context: dg.AssetExecutionContext, dbt: WarehouseDbtResource):
        """dbt build of staging, intermediate and marts, as of SALESMETRICS_AS_OF in SALESMETRICS_TIMEZONE."""
        portal = run_settings(context, settings)  # the partition's portal, else the single one
        db_path = Path(portal.db_path if portal is not settings else dbt.warehouse_path)
        invocation = dbt.cli_at(
            str(db_path),
            prepare_build(portal.model_copy(update={"db_path": db_path})),
            context=context,
            raise_on_error=False,
        )
        events = list(invocation.stream())
        yield from _with_table_metadata(context, events, db_path)
        if not invocation.is_successful():
            raise invocation.get_error() or dg.Failure("dbt build failed")
        published = publish(db_path)
        context.log.info(f"marts published for BI: {published.duckdb_copy} and {published.parquet_dir}/")

    return salesmetrics_dbt_models


def config_table_specs(project: DbtProject, translator: LayerTranslator) -> list[dg.AssetSpec]:
    """The analyst's configuration tables (schema `config`, dbt source `salesmetrics_config`): written
    from salesmetrics.yml and the quota file at the start of every dbt build, so they have no op."""
    manifest = json.loads(project.manifest_path.read_text())
    return [
        dg.AssetSpec(
            translator.get_asset_key(source),
            group_name="salesmetrics_config",
            owners=DEFAULT_OWNERS,
            kinds={"duckdb"},
            description=source.get("description") or "Written from salesmetrics.yml before each dbt build.",
        )
        for source in manifest["sources"].values()
        if source["source_name"] == "salesmetrics_config"
    ]


def dbt_definitions(settings: Settings, project: DbtProject) -> dg.Definitions:
    """The dbt models, the configuration tables they read and the dashboard page built on them; when
    the manifest is missing, only a placeholder saying what to run (the rest still loads)."""
    if not project.manifest_path.exists():
        message = missing_manifest_message(project)
        dg.get_dagster_logger().warning(message)
        return dg.Definitions(assets=[dg.AssetSpec("dbt_manifest_missing", description=message, owners=DEFAULT_OWNERS)])
    # The marts are as fresh as the sync's schedule makes them.
    translator = LayerTranslator(
        freshness=freshness_from_schedule(settings.config.schedule.cron),
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True),
    )
    models = dbt_models(project, translator, settings)
    return dg.Definitions(assets=[models, *config_table_specs(project, translator), sales_dashboard(models, settings)])
