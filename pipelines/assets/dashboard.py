"""The dashboard page as a Dagster asset downstream of the marts, so every scheduled run refreshes it."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from pipelines.assets.dbt import salesmetrics_dbt_models
from pipelines.assets.portal_partitions import portal_partitions, run_settings, write_fleet_after_build
from pipelines.dashboard import write_dashboard
from pipelines.project import warehouse_path
from pipelines.settings import Settings

# The marts the page reads (it also reads raw.sync_log and raw.quarantine for its status line).
DASHBOARD_MARTS = ["arr_monthly", "churn_monthly", "sales_kpis_monthly", "quota_attainment", "funnel_conversion",
                   "rep_activity_weekly", "rep_scorecard_summary", "north_star_plan", "dim_owners", "dim_deal_stages"]


@dg.asset(
    key=["sales_dashboard"],
    group_name="dashboard",
    kinds={"html"},
    deps=[get_asset_key_for_model([salesmetrics_dbt_models], mart) for mart in DASHBOARD_MARTS],
    owners=["team:analytics"],
    partitions_def=portal_partitions(),
)
def sales_dashboard(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The self-contained HTML dashboard beside the warehouse (`<warehouse stem>.dashboard.html`)."""
    settings = run_settings(context, warehouse_path())  # the partition's portal, else the single one
    page = write_dashboard(settings.db_path, settings.as_of, settings.timezone)
    context.log.info(f"dashboard written to {page}")
    write_fleet_after_build(context, settings)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(page)), "bytes": page.stat().st_size,
                                          "as_of": settings.as_of.isoformat()})
