"""The sync (recent changes of every HubSpot object, then the dbt models and the dashboard) on the
cron of `salesmetrics.yml`, and the weekly id reconciliation."""

import datetime as dt

import dagster as dg

from pipelines.resources import HubSpotResource, WarehouseResource

daily_sync_job = dg.define_asset_job(
    "hubspot_daily_sync",
    selection=dg.AssetSelection.all(),
    description="Records modified on the partition's day (plus an overlap), then dbt build of every model and test.",
)


def sync_schedule(cron: str) -> dg.ScheduleDefinition:
    """The sync on `schedule.cron` (UTC; daily by default, intraday for a near-real-time dashboard).

    Each tick reads yesterday's and today's partitions in one run, so a tick sees the changes of
    the day so far and the late ones of the day before, whatever the interval between ticks.
    """

    @dg.schedule(name="hubspot_daily_sync_schedule", cron_schedule=cron, job=daily_sync_job,
                 execution_timezone="UTC", description=f"hubspot_daily_sync on cron {cron!r} (UTC), from salesmetrics.yml")
    def _sync_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        today = context.scheduled_execution_time.astimezone(dt.timezone.utc).date()
        return dg.RunRequest(
            run_key=context.scheduled_execution_time.isoformat(),
            tags={"dagster/asset_partition_range_start": (today - dt.timedelta(days=1)).isoformat(),
                  "dagster/asset_partition_range_end": today.isoformat()},
        )

    return _sync_schedule


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
