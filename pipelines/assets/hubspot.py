"""The raw layer as Dagster assets: one asset per raw table, all produced by one sync of the portal.

One op runs the same `sync_portal` as `salesmetrics sync`, so the objects are read concurrently
under the shared rate limiters and a Dagster run costs what the CLI costs. The assets are not
partitioned: each is the whole raw table, kept current by the cursor stored in the warehouse (a
new warehouse means a full first load). A run's config chooses what to read:

- nothing: incremental from the stored cursor (the daily schedule);
- `full_refresh: true`: list every record (the first load, or a re-read of everything);
- `start`/`end`: re-read the records modified in that window (a backfill), as `salesmetrics backfill`.

Asset keys are `["hubspot", <raw table>]`, which is how dagster-dbt names the dbt source tables,
so the dbt models depend on them with no extra wiring. Each object carries a `quarantine_share`
check: a warning when any record was quarantined, an error (blocking the marts) when the share
passes SALESMETRICS_QUARANTINE_MAX_SHARE, which means schema drift rather than dirty data.
"""

import threading
from datetime import datetime

import dagster as dg

from pipelines.assets.portal_partitions import portal_partitions, run_client, run_warehouse_path
from pipelines.assets.table_metadata import quarantine_counts, table_metadata
from pipelines.errors import ConfigError
from pipelines.hubspot.objects import CRM_OBJECTS, CrmObject
from pipelines.resources import HubSpotResource, WarehouseResource
from pipelines.settings import Settings, parse_date
from pipelines.sync import (
    DEFAULT_WORKERS,
    ObjectSyncResult,
    sync_call_dispositions,
    sync_deal_pipelines,
    sync_owners,
    sync_portal,
    utcnow,
)
from pipelines.warehouse.raw_tables import RAW_SCHEMA
from pipelines.warehouse.store import Warehouse

GROUP = "hubspot"
OWNERS = ["team:data-engineering"]
CHECK = "quarantine_share"
REFERENCE = {
    "deal_pipeline_stages": (
        sync_deal_pipelines,
        "Deal pipelines and their stages, read whole; one row per (pipeline, stage).",
    ),
    "owners": (sync_owners, "HubSpot owners, active and deactivated, read whole; one row per owner id."),
    "call_dispositions": (
        sync_call_dispositions,
        "Call outcomes (GUID -> label), custom ones included; one row per outcome id.",
    ),
}
CHECKED = ("deal_pipeline_stages", "owners")  # call dispositions are never validated, so never quarantined


class SyncConfig(dg.Config):
    full_refresh: bool = False
    """List every record instead of reading the changes since the stored cursor."""
    start: str = ""
    """Backfill: first day (YYYY-MM-DD, UTC, inclusive) of the modification window to re-read."""
    end: str = ""
    """Backfill: day after the window (YYYY-MM-DD, UTC, exclusive); empty means now."""
    workers: int = DEFAULT_WORKERS
    """Objects read concurrently (the rate limit, not this, bounds the request rate)."""

    def window(self) -> tuple[datetime, datetime] | None:
        if not self.start:
            if self.end:
                raise ConfigError("`end` needs a `start`: a backfill re-reads [start, end).")
            return None
        start = datetime.combine(parse_date(self.start, "start"), datetime.min.time())
        end = datetime.combine(parse_date(self.end, "end"), datetime.min.time()) if self.end else utcnow()
        if end <= start:
            raise ConfigError(f"`end` ({self.end or 'now'}) must be after `start` ({self.start}).")
        return start, end


def key(table: str) -> dg.AssetKey:
    return dg.AssetKey([GROUP, table])


def quarantine_check(result: ObjectSyncResult, limit: float) -> dg.AssetCheckResult:
    """`limit`: SALESMETRICS_QUARANTINE_MAX_SHARE, else `quarantine.max_share` of the configuration file."""
    share = result.quarantine_share
    return dg.AssetCheckResult(
        asset_key=key(result.object),
        check_name=CHECK,
        passed=result.records_quarantined == 0,
        severity=dg.AssetCheckSeverity.ERROR if share > limit else dg.AssetCheckSeverity.WARN,
        metadata={
            "quarantined": result.records_quarantined,
            "read": result.records_read,
            "share": share,
            "max_share": limit,
        },
    )


def sync_metadata(result: ObjectSyncResult, window: tuple[datetime, datetime] | None) -> dict[str, object]:
    return {
        "mode": result.mode,
        "window": f"[{window[0]:%Y-%m-%d %H:%M}, {window[1]:%Y-%m-%d %H:%M}) UTC" if window else None,
        "records_read": result.records_read,
        "records_loaded": result.records_loaded,
        "records_quarantined": result.records_quarantined,
        "requests": result.requests,
        "seconds": round(result.seconds, 1),
        "cursor": str(result.cursor) if result.cursor else None,
    }


def _spec(table: str, description: str, deps: list[dg.AssetKey] | None = None) -> dg.AssetSpec:
    return dg.AssetSpec(
        key(table),
        group_name=GROUP,
        kinds={"hubspot", "duckdb"},
        owners=OWNERS,
        deps=deps or [],
        tags={"layer": "raw", "source": "hubspot"},
        description=description,
    )


def _specs(objects: tuple[CrmObject, ...]) -> list[dg.AssetSpec]:
    specs = [_spec(name, text) for name, (_, text) in REFERENCE.items()]
    for obj in objects:
        specs.append(
            _spec(
                obj.name,
                f"HubSpot {obj.name}, upserted by id (newest updatedAt wins); archived ones flagged.",
                deps=[key("deal_pipeline_stages")] if obj.stage_column else None,
            )
        )
    specs += [
        _spec(c.name, f"Child rows of {o.name} ({c.name}), replaced whenever their parent is read.")
        for o in objects
        for c in o.children
    ]
    return specs


def _progress(context: dg.AssetExecutionContext, client):
    """A log line per 10,000 records of an object: live progress in the UI without flooding it."""
    read: dict[str, int] = {}
    lock = threading.Lock()

    def progress(name: str, n: int) -> None:
        with lock:
            before = read.get(name, 0)
            read[name] = before + n
        if (before + n) // 10_000 > before // 10_000:
            context.log.info(f"{name}: {before + n:,} records read, {client.request_count:,} requests")

    return progress


def hubspot_portal_asset(max_quarantine_share: float, settings: Settings) -> dg.AssetsDefinition:
    names = [o.name for o in CRM_OBJECTS]
    children = [c.name for o in CRM_OBJECTS for c in o.children]
    checks = [
        dg.AssetCheckSpec(CHECK, asset=key(t), blocking=True, description="Share of records quarantined by the sync.")
        for t in (*CHECKED, *names)
    ]

    @dg.multi_asset(
        name="hubspot_portal",
        specs=_specs(CRM_OBJECTS),
        check_specs=checks,
        can_subset=True,
        partitions_def=portal_partitions(settings),
    )
    def hubspot_portal(
        context: dg.AssetExecutionContext, config: SyncConfig, hubspot: HubSpotResource, warehouse: WarehouseResource
    ):
        """Sync the selected raw tables from HubSpot (incremental, full, or a backfill window)."""
        try:
            window = config.window()
        except ConfigError as exc:
            raise dg.Failure(str(exc), allow_retries=False) from None
        selected = {k.path[-1] for k in context.selected_asset_keys}
        wanted = [o for o in hubspot.crm_objects() if o.name in selected or selected & {c.name for c in o.children}]
        client = run_client(context, hubspot, settings)  # the partition's portal, else the single one
        with Warehouse(run_warehouse_path(context, warehouse, settings)) as wh:
            results = [sync(client, wh, context.run_id) for name, (sync, _) in REFERENCE.items() if name in selected]
            results += sync_portal(
                client,
                wh,
                context.run_id,
                full=config.full_refresh,
                window=window,
                objects=wanted,
                progress=_progress(context, client),
                workers=config.workers,
                reference=False,
            )
            held = quarantine_counts(wh.con)
            by_table = {r.object: r for r in results}
            tables = [t for t in (*REFERENCE, *names, *children) if t in selected]
            metadata = {t: table_metadata(wh.con, RAW_SCHEMA, t) for t in tables}
        for result in results:
            context.log.info(
                f"{result.object}: {result.mode} sync read {result.records_read:,}, loaded "
                f"{result.records_loaded:,}, quarantined {result.records_quarantined:,}, "
                f"{result.requests:,} requests"
            )
        for table in tables:
            extra = sync_metadata(by_table[table], window) if table in by_table else {}
            yield dg.MaterializeResult(
                asset_key=key(table), metadata={**extra, **metadata[table], "quarantine_held": held.get(table, 0)}
            )
        for result in results:
            if dg.AssetCheckKey(key(result.object), CHECK) in context.selected_asset_check_keys:
                yield quarantine_check(result, max_quarantine_share)

    return hubspot_portal


def quarantine_checks() -> dg.AssetSelection:
    """The raw tables' own checks, without the dbt source tests that also sit on them."""
    return dg.AssetSelection.checks(
        *[dg.AssetCheckKey(key(t), CHECK) for t in (*CHECKED, *(o.name for o in CRM_OBJECTS))]
    )


def hubspot_definitions(max_quarantine_share: float, settings: Settings) -> dg.Definitions:
    """`settings`: with a portals: list, the raw tables are partitioned by portal."""
    return dg.Definitions(assets=[hubspot_portal_asset(max_quarantine_share, settings)])
