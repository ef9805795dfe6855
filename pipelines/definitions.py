"""The Dagster code location: merges the pieces into one Definitions (`workspace.yaml` loads it)."""

import dagster as dg

from pipelines.config import load_config

from pipelines.assets.dashboard import sales_dashboard
from pipelines.assets.dbt import salesmetrics_dbt_models
from pipelines.assets.hubspot import hubspot_assets
from pipelines.resources import build_resources
from pipelines.schedules import (
    daily_sync_job,
    hubspot_weekly_reconcile,
    sync_schedule,
    weekly_reconcile_schedule,
)

defs = dg.Definitions(
    assets=[*hubspot_assets(load_config().deals.property_mapping.model_dump()), salesmetrics_dbt_models, sales_dashboard],
    jobs=[daily_sync_job, hubspot_weekly_reconcile],
    schedules=[sync_schedule(load_config().schedule.cron), weekly_reconcile_schedule],
    resources=build_resources(),
    # DuckDB takes one writer per file: steps run one after another, in one process.
    executor=dg.in_process_executor,
)
