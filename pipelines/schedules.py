"""The daily sync (yesterday's changes of every HubSpot object, then the dbt models) and the weekly
id reconciliation."""

import dagster as dg

from pipelines.resources import HubSpotResource, WarehouseResource

daily_sync_job = dg.define_asset_job(
    "hubspot_daily_sync",
    selection=dg.AssetSelection.all(),
    description="Records modified on the partition's day (plus an overlap), then dbt build of every model and test.",
)

daily_sync_schedule = dg.build_schedule_from_partitioned_job(daily_sync_job, hour_of_day=6)


@dg.op(description="Remove raw records HubSpot no longer has at all (hard/GDPR deletes): lists every id.")
def reconcile_hubspot_ids(context: dg.OpExecutionContext, hubspot: HubSpotResource, warehouse: WarehouseResource):
    from pipelines.config import load_config
    from pipelines.sync import crm_objects, reconcile_ids

    client = hubspot.client()
    objects = crm_objects(load_config().deals.property_mapping.model_dump())
    with warehouse.open() as wh:
        removed = reconcile_ids(client, wh, context.run_id, objects)
    context.log.info(f"removed {removed} using {client.request_count:,} requests")
    return removed


@dg.job(description="Weekly id reconciliation: deletes that never arrive as archived records.")
def hubspot_weekly_reconcile():
    reconcile_hubspot_ids()


weekly_reconcile_schedule = dg.ScheduleDefinition(
    name="hubspot_weekly_reconcile_schedule", job=hubspot_weekly_reconcile, cron_schedule="0 4 * * 0",
    execution_timezone="UTC",
)
