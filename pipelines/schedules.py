"""The daily sync: every HubSpot object, then the dbt models, once a day."""

import dagster as dg

daily_sync_job = dg.define_asset_job(
    "hubspot_daily_sync",
    selection=dg.AssetSelection.all(),
    description="Incremental HubSpot sync, then dbt build of every model and test.",
)

daily_sync_schedule = dg.ScheduleDefinition(
    name="hubspot_daily_sync_schedule",
    job=daily_sync_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
)
