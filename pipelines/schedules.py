"""The jobs an operator launches and their schedules: the sync (changes since the stored cursor,
then the dbt models and the dashboard) on the cron of `salesmetrics.yml`, the first load, a
backfill window, and the weekly id reconciliation.

The first load and the backfill are jobs with their run config filled in, so each is one click in
the UI (Jobs -> the job -> Launchpad -> Launch run; edit `start`/`end` first for a backfill).
"""

import dagster as dg

from pipelines.assets.hubspot import quarantine_checks
from pipelines.resources import HubSpotResource, WarehouseResource
from pipelines.sync import reconcile_ids

# The raw tables and their quarantine checks: a backfill reads like `salesmetrics backfill` and
# leaves the dbt tests (on the sources too) to the next build.
RAW = dg.AssetSelection.groups("hubspot").without_checks() | quarantine_checks()
PORTAL_OP = "hubspot_portal"

daily_sync_job = dg.define_asset_job(
    "hubspot_daily_sync",
    selection=dg.AssetSelection.all(),
    description="Records changed since the last sync (the cursor stored in the warehouse; a new warehouse "
                "loads everything), then dbt build of every model and test.",
)

first_load_job = dg.define_asset_job(
    "hubspot_first_load",
    selection=dg.AssetSelection.all(),
    config={"ops": {PORTAL_OP: {"config": {"full_refresh": True}}}},
    description="Lists every record of the portal (the fastest way to load all history), then dbt build.",
)

backfill_job = dg.define_asset_job(
    "hubspot_backfill",
    selection=RAW,
    config={"ops": {PORTAL_OP: {"config": {"start": "2016-01-01", "end": ""}}}},
    description="Re-reads the records modified in [start, end) (UTC days; empty end = now), like "
                "`salesmetrics backfill`; upserts by id, so it is safe beside the daily sync.",
)


def daily_sync_schedule_for(cron_schedule: str) -> dg.ScheduleDefinition:
    """The sync on `schedule.cron` of salesmetrics.yml (UTC; daily by default, intraday for a
    near-real-time dashboard): each run reads what changed since the stored cursor, whatever the
    interval. It starts stopped: turn it on in the UI."""
    return dg.ScheduleDefinition(
        name="hubspot_daily_sync_schedule", job=daily_sync_job, cron_schedule=cron_schedule,
        execution_timezone="UTC",
    )


@dg.op(description="Remove raw records HubSpot no longer has at all (hard/GDPR deletes): lists every id.")
def reconcile_hubspot_ids(context: dg.OpExecutionContext, hubspot: HubSpotResource, warehouse: WarehouseResource):
    client = hubspot.client()
    with warehouse.open() as wh:
        removed = reconcile_ids(client, wh, context.run_id, hubspot.crm_objects())
    context.log.info(f"removed {removed} using {client.request_count:,} requests")
    return removed


@dg.job(description="Weekly id reconciliation: deletes that never arrive as archived records.")
def hubspot_weekly_reconcile():
    reconcile_hubspot_ids()


weekly_reconcile_schedule = dg.ScheduleDefinition(
    name="hubspot_weekly_reconcile_schedule", job=hubspot_weekly_reconcile, cron_schedule="0 4 * * 0",
    execution_timezone="UTC",
)


def schedule_definitions(sync_cron: str) -> dg.Definitions:
    """The jobs, with the sync on `schedule.cron` of salesmetrics.yml and the weekly reconciliation."""
    return dg.Definitions(
        jobs=[daily_sync_job, first_load_job, backfill_job, hubspot_weekly_reconcile],
        schedules=[daily_sync_schedule_for(sync_cron), weekly_reconcile_schedule],
    )
