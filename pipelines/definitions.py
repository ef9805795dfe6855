"""The Dagster code location: merges the pieces into one Definitions (`workspace.yaml` loads it)."""

import dagster as dg

from pipelines.alerts import run_failure_alert
from pipelines.assets.dashboard import sales_dashboard
from pipelines.assets.dbt import config_table_specs, salesmetrics_dbt_models
from pipelines.assets.hubspot import hubspot_assets
from pipelines.config import load_config
from pipelines.resources import build_resources
from pipelines.schedules import (
    backfill_job,
    daily_sync_job,
    daily_sync_schedule_for,
    first_load_job,
    hubspot_weekly_reconcile,
    weekly_reconcile_schedule,
)

defs = dg.Definitions(
    assets=[*hubspot_assets(load_config().deals.property_mapping.model_dump()), salesmetrics_dbt_models,
            *config_table_specs(), sales_dashboard],
    jobs=[daily_sync_job, first_load_job, backfill_job, hubspot_weekly_reconcile],
    schedules=[daily_sync_schedule_for(load_config().schedule.cron), weekly_reconcile_schedule],
    sensors=[run_failure_alert],
    resources=build_resources(),
    # DuckDB takes one writer per file: steps run one after another, in one process.
    executor=dg.in_process_executor,
)
