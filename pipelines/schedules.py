"""The jobs an operator launches and their schedules: the sync (changes since the stored cursor,
then the dbt models and the dashboard) on the cron of `salesmetrics.yml`, the first load, a
backfill window, and the weekly id reconciliation.

The first load and the backfill are jobs with their run config filled in, so each is one click in
the UI (Jobs -> the job -> Launchpad -> Launch run; edit `start`/`end` first for a backfill).

With a `portals:` list the jobs run one portal partition each, and every schedule tick launches one
run per portal (assets/portal_partitions.py); the run queue keeps one run per portal at a time.
"""

from typing import Any

import dagster as dg

from pipelines.assets.hubspot import quarantine_checks
from pipelines.assets.portal_partitions import portal_partitions, portal_run_requests, run_client, run_warehouse_path
from pipelines.resources import HubSpotResource, WarehouseResource
from pipelines.settings import Settings
from pipelines.sync import reconcile_ids
from pipelines.warehouse.store import Warehouse

# The raw tables and their quarantine checks: a backfill reads like `salesmetrics backfill` and
# leaves the dbt tests (on the sources too) to the next build.
RAW = dg.AssetSelection.groups("hubspot").without_checks() | quarantine_checks()
PORTAL_OP = "hubspot_portal"
# One portal: every job carries this tag, which the run queue admits one at a time (dagster.yaml).
# Many portals: runs are portal partitions, queued one per `dagster/partition` value instead.
SINGLE_WAREHOUSE = {"salesmetrics/warehouse": "single"}


def asset_jobs(tags: dict[str, str]) -> tuple[Any, ...]:
    """The sync, the first load and the backfill (partitioned as their assets are)."""
    return (
        dg.define_asset_job(
            "hubspot_daily_sync",
            tags=tags,
            selection=dg.AssetSelection.all(),
            description="Records changed since the last sync (the cursor stored in the warehouse; a new warehouse "
            "loads everything), then dbt build of every model and test.",
        ),
        dg.define_asset_job(
            "hubspot_first_load",
            tags=tags,
            selection=dg.AssetSelection.all(),
            config={"ops": {PORTAL_OP: {"config": {"full_refresh": True}}}},
            description="Lists every record of the portal (the fastest way to load all history), then dbt build.",
        ),
        dg.define_asset_job(
            "hubspot_backfill",
            tags=tags,
            selection=RAW,
            config={"ops": {PORTAL_OP: {"config": {"start": "2016-01-01", "end": ""}}}},
            description="Re-reads the records modified in [start, end) (UTC days; empty end = now), like "
            "`salesmetrics backfill`; upserts by id, so it is safe beside the daily sync.",
        ),
    )


daily_sync_job, first_load_job, backfill_job = asset_jobs(SINGLE_WAREHOUSE)


def daily_sync_schedule_for(
    cron_schedule: str, job: Any = daily_sync_job, settings: Settings | None = None
) -> dg.ScheduleDefinition:
    """The sync on `schedule.cron` of salesmetrics.yml (UTC; daily by default, intraday for a
    near-real-time dashboard): each run reads what changed since the stored cursor, whatever the
    interval. It starts stopped: turn it on in the UI. With portals: one run per portal each tick."""
    if settings is not None and settings.config.portals:
        portals = list(settings.config.portals)

        @dg.schedule(name="hubspot_daily_sync_schedule", job=job, cron_schedule=cron_schedule, execution_timezone="UTC")
        def hubspot_daily_sync_schedule(context: dg.ScheduleEvaluationContext):
            return portal_run_requests(context, job.name, portals)

        return hubspot_daily_sync_schedule
    return dg.ScheduleDefinition(
        name="hubspot_daily_sync_schedule",
        job=job,
        cron_schedule=cron_schedule,
        execution_timezone="UTC",
    )


def reconcile_job(settings: Settings | None = None) -> dg.JobDefinition:
    """Weekly id reconciliation (partitioned by portal when there is a list)."""
    partitions = portal_partitions(settings) if settings is not None else None

    @dg.op(
        name="reconcile_hubspot_ids",
        description="Remove raw records HubSpot no longer has at all (hard/GDPR deletes): lists every id.",
    )
    def reconcile_hubspot_ids(context: dg.OpExecutionContext, hubspot: HubSpotResource, warehouse: WarehouseResource):
        if settings is None:
            client, path = hubspot.client(), warehouse.path
        else:
            client, path = run_client(context, hubspot, settings), run_warehouse_path(context, warehouse, settings)
        with Warehouse(path) as wh:
            removed = reconcile_ids(client, wh, context.run_id, hubspot.crm_objects())
        context.log.info(f"removed {removed} using {client.request_count:,} requests")
        return removed

    @dg.job(
        name="hubspot_weekly_reconcile",
        partitions_def=partitions,
        tags={} if partitions else SINGLE_WAREHOUSE,
        description="Weekly id reconciliation: deletes that never arrive as archived records.",
    )
    def hubspot_weekly_reconcile():
        reconcile_hubspot_ids()

    return hubspot_weekly_reconcile


hubspot_weekly_reconcile = reconcile_job()


def weekly_reconcile_schedule_for(job: dg.JobDefinition, settings: Settings | None = None) -> dg.ScheduleDefinition:
    if settings is not None and settings.config.portals:
        portals = list(settings.config.portals)

        @dg.schedule(
            name="hubspot_weekly_reconcile_schedule", job=job, cron_schedule="0 4 * * 0", execution_timezone="UTC"
        )
        def weekly_reconcile_schedule(context: dg.ScheduleEvaluationContext):
            return portal_run_requests(context, job.name, portals)

        return weekly_reconcile_schedule
    return dg.ScheduleDefinition(
        name="hubspot_weekly_reconcile_schedule", job=job, cron_schedule="0 4 * * 0", execution_timezone="UTC"
    )


weekly_reconcile_schedule = weekly_reconcile_schedule_for(hubspot_weekly_reconcile)


def schedule_definitions(sync_cron: str, settings: Settings | None = None) -> dg.Definitions:
    """The jobs, with the sync on `schedule.cron` of salesmetrics.yml and the weekly reconciliation;
    with a portals: list (in `settings`), partitioned by portal with a run per portal per tick."""
    if settings is None or not settings.config.portals:
        return dg.Definitions(
            jobs=[daily_sync_job, first_load_job, backfill_job, hubspot_weekly_reconcile],
            schedules=[daily_sync_schedule_for(sync_cron), weekly_reconcile_schedule],
        )
    daily, first, backfill = asset_jobs({})
    reconcile = reconcile_job(settings)
    return dg.Definitions(
        jobs=[daily, first, backfill, reconcile],
        schedules=[
            daily_sync_schedule_for(sync_cron, daily, settings),
            weekly_reconcile_schedule_for(reconcile, settings),
        ],
    )
