"""The jobs an operator launches and their schedules: the sync (changes since the stored cursor,
then the dbt models and the dashboard) on the cron of `salesmetrics.yml`, the first load, a
backfill window, and the weekly id reconciliation.

The first load and the backfill are jobs with their run config filled in, so each is one click in
the UI (Jobs -> the job -> Launchpad -> Launch run; edit `start`/`end` first for a backfill).
"""

import dagster as dg

from pipelines.assets.hubspot import quarantine_checks
from pipelines.assets.portal_partitions import configured_portals, portal_partitions, portal_run_requests, run_client, run_warehouse_path
from pipelines.resources import HubSpotResource, WarehouseResource

# The raw tables and their quarantine checks: a backfill reads like `salesmetrics backfill` and
# leaves the dbt tests (on the sources too) to the next build.
RAW = dg.AssetSelection.groups("hubspot").without_checks() | quarantine_checks()
PORTAL_OP = "hubspot_portal"
# One portal: every job carries this tag, which the run queue admits one at a time (dagster.yaml).
# Many portals: runs are portal partitions, queued one per `dagster/partition` value instead.
WAREHOUSE_TAGS = {} if configured_portals() else {"salesmetrics/warehouse": "single"}

daily_sync_job = dg.define_asset_job(
    "hubspot_daily_sync",
    tags=WAREHOUSE_TAGS,
    selection=dg.AssetSelection.all(),
    description="Records changed since the last sync (the cursor stored in the warehouse; a new warehouse "
                "loads everything), then dbt build of every model and test.",
)

first_load_job = dg.define_asset_job(
    "hubspot_first_load",
    tags=WAREHOUSE_TAGS,
    selection=dg.AssetSelection.all(),
    config={"ops": {PORTAL_OP: {"config": {"full_refresh": True}}}},
    description="Lists every record of the portal (the fastest way to load all history), then dbt build.",
)

backfill_job = dg.define_asset_job(
    "hubspot_backfill",
    tags=WAREHOUSE_TAGS,
    selection=RAW,
    config={"ops": {PORTAL_OP: {"config": {"start": "2016-01-01", "end": ""}}}},
    description="Re-reads the records modified in [start, end) (UTC days; empty end = now), like "
                "`salesmetrics backfill`; upserts by id, so it is safe beside the daily sync.",
)


def daily_sync_schedule_for(cron_schedule: str) -> dg.ScheduleDefinition:
    """The sync on `schedule.cron` of salesmetrics.yml (UTC; daily by default, intraday for a
    near-real-time dashboard): each run reads what changed since the stored cursor, whatever the
    interval. It starts stopped: turn it on in the UI. With portals: one run per portal each tick."""
    if configured_portals():
        @dg.schedule(name="hubspot_daily_sync_schedule", job=daily_sync_job, cron_schedule=cron_schedule,
                     execution_timezone="UTC")
        def hubspot_daily_sync_schedule(context: dg.ScheduleEvaluationContext):
            return portal_run_requests(context, daily_sync_job.name)

        return hubspot_daily_sync_schedule
    return dg.ScheduleDefinition(
        name="hubspot_daily_sync_schedule", job=daily_sync_job, cron_schedule=cron_schedule,
        execution_timezone="UTC",
    )



@dg.op(description="Remove raw records HubSpot no longer has at all (hard/GDPR deletes): lists every id.")
def reconcile_hubspot_ids(context: dg.OpExecutionContext, hubspot: HubSpotResource, warehouse: WarehouseResource):
    from pipelines.config import load_config
    from pipelines.sync import crm_objects, reconcile_ids

    from pipelines.warehouse.store import Warehouse

    client = run_client(context, hubspot)
    objects = crm_objects(load_config().deals.property_mapping.model_dump())
    with Warehouse(run_warehouse_path(context, warehouse)) as wh:
        removed = reconcile_ids(client, wh, context.run_id, objects)
    context.log.info(f"removed {removed} using {client.request_count:,} requests")
    return removed


@dg.job(description="Weekly id reconciliation: deletes that never arrive as archived records.",
        partitions_def=portal_partitions(), tags=WAREHOUSE_TAGS)
def hubspot_weekly_reconcile():
    reconcile_hubspot_ids()


if configured_portals():
    @dg.schedule(name="hubspot_weekly_reconcile_schedule", job=hubspot_weekly_reconcile, cron_schedule="0 4 * * 0",
                 execution_timezone="UTC")
    def weekly_reconcile_schedule(context: dg.ScheduleEvaluationContext):
        return portal_run_requests(context, hubspot_weekly_reconcile.name)
else:
    weekly_reconcile_schedule = dg.ScheduleDefinition(
        name="hubspot_weekly_reconcile_schedule", job=hubspot_weekly_reconcile, cron_schedule="0 4 * * 0",
        execution_timezone="UTC",
    )
