"""The dashboard page as a Dagster asset downstream of the marts, so every scheduled run refreshes it."""

from pathlib import Path

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from pipelines.assets.portal_partitions import portal_partitions, run_settings, write_fleet_after_build
from pipelines.dashboard import write_dashboard
from pipelines.resources import WarehouseResource
from pipelines.settings import Settings

# The marts the page reads (it also reads raw.sync_log and raw.quarantine for its status line).
DASHBOARD_MARTS = [
    "arr_monthly",
    "churn_monthly",
    "sales_kpis_monthly",
    "quota_attainment",
    "funnel_conversion",
    "rep_activity_weekly",
    "rep_scorecard_summary",
    "north_star_plan",
    "dim_owners",
    "dim_deal_stages",
]


def sales_dashboard(dbt_models: dg.AssetsDefinition, settings: Settings) -> dg.AssetsDefinition:
    @dg.asset(
        key=["sales_dashboard"],
        group_name="dashboard",
        kinds={"html"},
        deps=[get_asset_key_for_model([dbt_models], mart) for mart in DASHBOARD_MARTS],
        owners=["team:analytics"],
        partitions_def=portal_partitions(settings),
    )
    def sales_dashboard(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        """The self-contained HTML dashboard beside the warehouse (`<warehouse stem>.dashboard.html`)."""
        portal = run_settings(context, settings)  # the partition's portal, else the single one
        db_path = portal.db_path if portal is not settings else Path(warehouse.path)
        page = write_dashboard(db_path, portal.as_of, portal.timezone)
        context.log.info(f"dashboard written to {page}")
        write_fleet_after_build(context, portal)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(page)),
                "bytes": page.stat().st_size,
                "as_of": settings.as_of.isoformat(),
            }
        )

    return sales_dashboard
