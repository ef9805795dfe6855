"""One asset per HubSpot object, each a thin wrapper over the shared sync functions.

Asset keys are `["hubspot", <raw table>]`, which is how dagster-dbt names the dbt source tables,
so the dbt models depend on them with no extra wiring. Each asset carries a `quarantine_share`
check: a warning when any record was quarantined, an error (blocking the marts) when the share
passes SALESMETRICS_QUARANTINE_MAX_SHARE, which means schema drift rather than dirty data.
"""


import os
from datetime import datetime

import dagster as dg

from pipelines.hubspot.objects import CrmObject
from pipelines.partitions import daily_partitions
from pipelines.resources import HubSpotResource, WarehouseResource
from pipelines.sync import (
    DEFAULT_OVERLAP,
    ObjectSyncResult,
    crm_objects,
    sync_call_dispositions,
    sync_crm_object,
    sync_deal_pipelines,
    sync_owners,
)

GROUP = "hubspot"
# Every asset runs in the same single run of a partition range (a year of history is one run).
SINGLE_RUN = dg.BackfillPolicy.single_run()
CHECK = "quarantine_share"
REFERENCE_KEYS = [
    dg.AssetKey([GROUP, "deal_pipeline_stages"]),
    dg.AssetKey([GROUP, "owners"]),
    dg.AssetKey([GROUP, "call_dispositions"]),
]


class SyncConfig(dg.Config):
    full_refresh: bool = False
    """List every record instead of searching the partition window (e.g. the very first load)."""


def max_quarantine_share() -> float:
    """SALESMETRICS_QUARANTINE_MAX_SHARE, else `quarantine.max_share` of the configuration file."""
    from pipelines.config import load_config

    value = os.environ.get("SALESMETRICS_QUARANTINE_MAX_SHARE")
    return float(value) if value else load_config().quarantine.max_share


def quarantine_check(key: dg.AssetKey, result: ObjectSyncResult) -> dg.AssetCheckResult:
    share, limit = result.quarantine_share, max_quarantine_share()
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=CHECK,
        passed=result.records_quarantined == 0,
        severity=dg.AssetCheckSeverity.ERROR if share > limit else dg.AssetCheckSeverity.WARN,
        metadata={"quarantined": result.records_quarantined, "read": result.records_read, "share": share,
                  "max_share": limit},
    )


def sync_metadata(result: ObjectSyncResult) -> dict[str, object]:
    return {
        "mode": result.mode,
        "records_read": result.records_read,
        "records_loaded": result.records_loaded,
        "records_quarantined": result.records_quarantined,
        "requests": result.requests,
        "cursor": str(result.cursor) if result.cursor else None,
    }


def _check_spec(key: dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(CHECK, asset=key, blocking=True, description="Share of records quarantined by this sync.")


@dg.asset(key=REFERENCE_KEYS[0], group_name=GROUP, kinds={"hubspot", "duckdb"}, check_specs=[_check_spec(REFERENCE_KEYS[0])],
          backfill_policy=SINGLE_RUN)
def deal_pipeline_stages(context: dg.AssetExecutionContext, hubspot: HubSpotResource, warehouse: WarehouseResource):
    """Deal pipelines and their stages, read whole; one row per (pipeline, stage)."""
    with warehouse.open() as wh:
        result = sync_deal_pipelines(hubspot.client(), wh, context.run_id)
    return dg.MaterializeResult(metadata=sync_metadata(result), check_results=[quarantine_check(REFERENCE_KEYS[0], result)])


@dg.asset(key=REFERENCE_KEYS[1], group_name=GROUP, kinds={"hubspot", "duckdb"}, check_specs=[_check_spec(REFERENCE_KEYS[1])],
          backfill_policy=SINGLE_RUN)
def owners(context: dg.AssetExecutionContext, hubspot: HubSpotResource, warehouse: WarehouseResource):
    """HubSpot owners, active and deactivated, read whole; one row per owner id."""
    with warehouse.open() as wh:
        result = sync_owners(hubspot.client(), wh, context.run_id)
    return dg.MaterializeResult(metadata=sync_metadata(result), check_results=[quarantine_check(REFERENCE_KEYS[1], result)])


@dg.asset(key=REFERENCE_KEYS[2], group_name=GROUP, kinds={"hubspot", "duckdb"}, backfill_policy=SINGLE_RUN)
def call_dispositions(context: dg.AssetExecutionContext, hubspot: HubSpotResource, warehouse: WarehouseResource):
    """Call outcomes (GUID -> label), the portal's custom ones included; one row per outcome id."""
    with warehouse.open() as wh:
        result = sync_call_dispositions(hubspot.client(), wh, context.run_id)
    return dg.MaterializeResult(metadata=sync_metadata(result))


def partition_window(context: dg.AssetExecutionContext) -> tuple[datetime, datetime]:
    """The run's partition range as a [start, end) window in naive UTC, widened by the overlap at
    the start: search indexing lags, so a record modified just before midnight may be late."""
    window = context.partition_time_window
    start = window.start.replace(tzinfo=None) - DEFAULT_OVERLAP
    return start, window.end.replace(tzinfo=None)


def crm_object_asset(obj: CrmObject) -> dg.AssetsDefinition:
    """The asset of one CRM object, partitioned by the day records were modified (a backfill of
    any range runs as one run). Deals also write their stage history and company links."""
    key = dg.AssetKey([GROUP, obj.name])
    is_deals = obj.name == "deals"
    extra = ["deal_stage_history", "deal_companies"] if is_deals else []
    specs = [
        dg.AssetSpec(key, group_name=GROUP, kinds={"hubspot", "duckdb"}, partitions_def=daily_partitions,
                     deps=[REFERENCE_KEYS[0]] if is_deals else [],
                     description=f"HubSpot {obj.name} modified in the partition's days, upserted by id "
                                 "(newest updatedAt wins); archived ones flagged."),
        *[dg.AssetSpec(dg.AssetKey([GROUP, t]), group_name=GROUP, kinds={"duckdb"}, partitions_def=daily_partitions,
                       description=f"Child rows of deals ({t}), replaced whenever their deal is read.") for t in extra],
    ]

    @dg.multi_asset(name=f"hubspot_{obj.name}", specs=specs, check_specs=[_check_spec(key)],
                    backfill_policy=SINGLE_RUN)
    def _asset(context: dg.AssetExecutionContext, config: SyncConfig, hubspot: HubSpotResource,
               warehouse: WarehouseResource):
        client = hubspot.client()
        window = None if config.full_refresh else partition_window(context)
        read = [0]

        def progress(name: str, n: int) -> None:
            # A log line per 10,000 records: live progress in the Dagster UI without flooding it.
            if (read[0] + n) // 10_000 > read[0] // 10_000:
                context.log.info(f"{name}: {read[0] + n:,} records read, {client.request_count:,} requests")
            read[0] += n

        with warehouse.open() as wh:
            result = sync_crm_object(
                client, wh, obj, context.run_id, full=config.full_refresh, window=window, progress=progress
            )
        context.log.info(
            f"{obj.name}: {result.mode} sync read {result.records_read}, loaded {result.records_loaded}, "
            f"quarantined {result.records_quarantined}, {result.requests} requests"
        )
        yield dg.MaterializeResult(asset_key=key, metadata=sync_metadata(result))
        for table in extra:
            yield dg.MaterializeResult(asset_key=dg.AssetKey([GROUP, table]))
        yield quarantine_check(key, result)

    return _asset


def hubspot_assets(property_mapping: dict[str, str] | None = None) -> list[dg.AssetsDefinition]:
    return [deal_pipeline_stages, owners, call_dispositions,
            *[crm_object_asset(obj) for obj in crm_objects(property_mapping)]]
