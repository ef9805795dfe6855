"""The daily sync: yesterday's changes of every HubSpot object, then the dbt models."""

import dagster as dg

daily_sync_job = dg.define_asset_job(
    "hubspot_daily_sync",
    selection=dg.AssetSelection.all(),
    description="Records modified on the partition's day (plus an overlap), then dbt build of every model and test.",
)

daily_sync_schedule = dg.build_schedule_from_partitioned_job(daily_sync_job, hour_of_day=6)
