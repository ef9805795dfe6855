"""One sync of a HubSpot portal into the raw layer: extract -> flatten -> validate -> load.

This is the only implementation of a sync: the CLI calls `sync_portal` (or `backfill_portal`),
and each Dagster asset calls the `sync_*` function of its object. Plain functions, no Dagster.

Three ways to read a CRM object, all upserting by id so that any overlap costs requests, never
correctness:
- full: the first sync lists everything;
- incremental: later syncs search for records modified since the stored cursor minus an overlap
  (search indexing lags, records change mid-sync);
- window: a backfill re-reads records modified in [start, end) and leaves the cursor alone.
Archived records vanish from search and from the normal listing, so they are listed on every sync.
"""

from __future__ import annotations

import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

import pandas as pd

from pipelines.hubspot.client import HubSpotClient
from pipelines.hubspot.concurrent_reads import prefetched, read_object
from pipelines.hubspot.flatten import (
    deal_companies_frame,
    flatten_records,
    owners_frame,
    pipeline_stages_frame,
    stage_history_frame,
)
from pipelines.hubspot.objects import CRM_OBJECTS, CrmObject
from pipelines.validate import validate_frame
from pipelines.warehouse.store import Batch, ChildRows, Warehouse, quarantine_frame
from schemas import SCHEMAS, RawDealCompanies, RawDealStageHistory, deals_schema

log = logging.getLogger(__name__)

DEFAULT_OVERLAP = timedelta(hours=1)
WRITE_BATCH_RECORDS = 5_000
DEFAULT_WORKERS = 4
Progress = Callable[[str, int], None]  # (object name, records just read)
Window = tuple[datetime, datetime]  # [start, end), naive UTC


@dataclass
class ObjectSyncResult:
    object: str
    mode: str
    records_read: int = 0
    records_loaded: int = 0
    records_quarantined: int = 0
    requests: int = 0
    seconds: float = 0.0
    cursor: datetime | None = None

    @property
    def quarantine_share(self) -> float:
        return self.records_quarantined / self.records_read if self.records_read else 0.0


def new_sync_id() -> str:
    return f"sync-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def epoch_ms(moment: datetime) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


class _ObjectRun:
    """Bookkeeping of one object's sync: counts, requests, timing, the sync_log row."""

    def __init__(self, client: HubSpotClient, warehouse: Warehouse, name: str, mode: str, sync_id: str):
        self.client, self.warehouse, self.sync_id = client, warehouse, sync_id
        self.result = ObjectSyncResult(object=name, mode=mode)
        self.started = utcnow()
        self._t0 = time.perf_counter()

    def write(self, batch: Batch, records: list[dict[str, Any]], quarantined: int) -> None:
        self.result.records_read += len(records)
        self.result.records_quarantined += quarantined
        self.result.records_loaded += self.warehouse.write_batch(batch, self.sync_id, utcnow())

    def finish(self, requests: int) -> ObjectSyncResult:
        r = self.result
        r.requests = requests
        r.seconds = time.perf_counter() - self._t0
        self.warehouse.log_sync(
            {
                "sync_id": self.sync_id,
                "object": r.object,
                "mode": r.mode,
                "started_at": self.started,
                "finished_at": utcnow(),
                "records_read": r.records_read,
                "records_loaded": r.records_loaded,
                "records_quarantined": r.records_quarantined,
                "requests": r.requests,
                "cursor_value": r.cursor,
            }
        )
        log.info("synced %s", asdict(r))
        return r


# -- reference objects (read whole every time) ------------------------------------------------


def sync_deal_pipelines(client: HubSpotClient, warehouse: Warehouse, sync_id: str) -> ObjectSyncResult:
    run = _ObjectRun(client, warehouse, "deal_pipeline_stages", "full", sync_id)
    before = client.request_count
    pipelines = client.deal_pipelines()
    frame, failures = pipeline_stages_frame(pipelines)
    checked = validate_frame(frame, SCHEMAS["deal_pipeline_stages"], failures)
    records = [{**p, "stages": [s]} for p in pipelines for s in p.get("stages") or []]
    batch = Batch(
        "deal_pipeline_stages",
        checked.valid,
        key=("pipeline_id", "stage_id"),
        quarantine=quarantine_frame("deal_pipeline_stages", checked.rejected, records),
        replace_all=True,
    )
    run.write(batch, records, checked.rejected_rows)
    return run.finish(client.request_count - before)


def sync_owners(client: HubSpotClient, warehouse: Warehouse, sync_id: str) -> ObjectSyncResult:
    """Active and deactivated owners: deals keep pointing at reps who left."""
    run = _ObjectRun(client, warehouse, "owners", "full", sync_id)
    before = client.request_count
    owners = client.owners(archived=False) + client.owners(archived=True)
    frame, failures = owners_frame(owners)
    checked = validate_frame(frame, SCHEMAS["owners"], failures)
    batch = Batch(
        "owners", checked.valid, quarantine=quarantine_frame("owners", checked.rejected, owners), replace_all=True
    )
    run.write(batch, owners, checked.rejected_rows)
    return run.finish(client.request_count - before)


def sync_call_dispositions(client: HubSpotClient, warehouse: Warehouse, sync_id: str) -> ObjectSyncResult:
    """The portal's call outcomes (GUID -> label); a portal without the endpoint keeps the standard six."""
    run = _ObjectRun(client, warehouse, "call_dispositions", "full", sync_id)
    before = client.request_count
    dispositions = client.call_dispositions() or []
    rows = pd.DataFrame(
        [{"id": str(d.get("id")), "label": d.get("label")} for d in dispositions if d.get("id")],
        columns=["id", "label"],
    ).astype("str")
    run.write(Batch("call_dispositions", rows, replace_all=True), dispositions, 0)
    return run.finish(client.request_count - before)


# -- CRM objects ----------------------------------------------------------------------------------


def sync_crm_object(
    client: HubSpotClient,
    warehouse: Warehouse,
    obj: CrmObject,
    sync_id: str,
    *,
    full: bool = False,
    window: Window | None = None,
    overlap: timedelta = DEFAULT_OVERLAP,
    progress: Progress | None = None,
) -> ObjectSyncResult:
    """Sync one CRM object: the changed (or all, or windowed) live records, then archived ones."""
    started = utcnow()
    is_deals = obj.name == "deals"
    previous = None if (full or window) else warehouse.cursor(obj.name)
    mode = "backfill" if window else ("incremental" if previous is not None else "full")
    run = _ObjectRun(client, warehouse, obj.name, mode, sync_id)
    before = client.requests_for(obj.api_path)
    schema = deals_schema(warehouse.known_stage_ids()) if is_deals else SCHEMAS[obj.name]
    properties = obj.api_properties
    associations = ("companies",) if obj.company_associations else ()

    # The archived listing runs side by side with the live read (loaded after it, as before).
    archived = prefetched(client.list_pages(
        obj.api_path, properties, obj.scope, archived=True, history=obj.history_properties, associations=associations
    ))
    if mode != "incremental":  # a first sync or a backfill: at the rate limit, whatever the latency
        pages: Iterable[list[dict[str, Any]]] = read_object(
            client, obj,
            listing=None if window else client.list_pages(
                obj.api_path, properties, obj.scope, history=obj.history_properties, associations=associations
            ),
            window_ms=(epoch_ms(window[0]), epoch_ms(window[1])) if window else None,
            complete=(lambda page: _complete_deals(client, obj, page)) if is_deals else None,
        )
    else:
        since, until = window if window else (previous - overlap, None)
        pages = client.search_modified(
            obj.api_path, properties, obj.scope, obj.cursor_property, epoch_ms(since),
            epoch_ms(until) if until else None,
        )
        if is_deals:
            pages = (_complete_deals(client, obj, page) for page in pages)

    newest_seen: datetime | None = None
    for records in _batched(pages, progress, obj.name):
        newest_seen = max(filter(None, [newest_seen, _newest_modified(records, obj)]), default=None)
        _load_page(run, obj, schema, records)

    # Read like the live listing (history, associations) so an archived deal has the same rows
    # whether a sync saw it live first or only archived.
    if window:
        archived = ([r for r in page if _updated_in(r, window)] for page in archived)
    for records in _batched(archived, progress, obj.name):
        _load_page(run, obj, schema, records)

    cursor = None
    if not window:
        # The cursor never passes the moment this sync started: a record changed while we were
        # listing is read again next time (the overlap covers search's indexing lag on top).
        cursor = min(filter(None, [newest_seen, started]))
        if previous is not None:
            cursor = max(cursor, previous)
    merged_children = ("deal_stage_history", "deal_companies") if is_deals else ()
    drop_merged = merged_children if "hs_merged_object_ids" in obj.properties else None
    warehouse.write_batch(
        Batch(obj.name, _empty(obj), cursor=cursor, drop_merged_from=drop_merged), sync_id, utcnow()
    )
    run.result.cursor = cursor
    return run.finish(client.requests_for(obj.api_path) - before)


def _batched(
    pages: Iterable[list[dict[str, Any]]], progress: Progress | None, name: str, size: int = WRITE_BATCH_RECORDS
) -> Iterable[list[dict[str, Any]]]:
    """Group API pages into write batches: one transaction per few thousand records, not per page."""
    buffer: list[dict[str, Any]] = []
    for page in pages:
        buffer.extend(page)
        if progress:
            progress(name, len(page))
        if len(buffer) >= size:
            yield buffer
            buffer = []
    if buffer:
        yield buffer


def _complete_deals(client: HubSpotClient, obj: CrmObject, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Search returns no history and no associations: re-read the page's deals in batches with
    their stage history, and attach their companies in the inline v3 shape."""
    ids = [r["id"] for r in page if r.get("id")]
    records = client.batch_read(obj.api_path, ids, obj.api_properties, obj.scope, history=obj.history_properties)
    companies = client.deal_companies(ids, obj.scope)
    for record in records:
        results = []
        for company_id, is_primary in companies.get(str(record["id"]), {}).items():
            if is_primary:
                results.append({"id": company_id, "type": "deal_to_company"})
            results.append({"id": company_id, "type": "deal_to_company_unlabeled"})
        record["associations"] = {"companies": {"results": results}}
    return records


def _load_page(run: _ObjectRun, obj: CrmObject, schema: Any, records: list[dict[str, Any]]) -> None:
    frame, failures = flatten_records(obj, records)
    checked = validate_frame(frame, schema, failures)
    child_rows: list[ChildRows] = []
    if obj.name == "deals":
        valid_records = [records[i] for i in checked.valid.index]
        history = RawDealStageHistory.validate(stage_history_frame(valid_records))
        companies = RawDealCompanies.validate(deal_companies_frame(valid_records))
        child_rows = [
            ChildRows("deal_stage_history", "deal_id", history),
            ChildRows("deal_companies", "deal_id", companies),
        ]
    batch = Batch(
        obj.name, checked.valid, children=child_rows, quarantine=quarantine_frame(obj.name, checked.rejected, records)
    )
    run.write(batch, records, checked.rejected_rows)


def _newest_modified(records: list[dict[str, Any]], obj: CrmObject) -> datetime | None:
    values = pd.to_datetime(
        pd.Series([(r.get("properties") or {}).get(obj.cursor_property) for r in records], dtype="object"),
        utc=True,
        errors="coerce",
        format="ISO8601",
    ).dropna()
    return values.max().tz_localize(None).to_pydatetime() if len(values) else None


def _updated_in(record: dict[str, Any], window: Window) -> bool:
    stamp = pd.to_datetime(record.get("updatedAt"), utc=True, errors="coerce")
    return bool(pd.notna(stamp) and window[0] <= stamp.tz_localize(None) < window[1])


def _empty(obj: CrmObject) -> pd.DataFrame:
    frame, _ = flatten_records(obj, [])
    return frame


def crm_objects(property_mapping: dict[str, str] | None = None) -> tuple[CrmObject, ...]:
    """The CRM objects to sync, with deals reading the analyst's mapped properties."""
    mapping = {k: v for k, v in (property_mapping or {}).items() if k != v}
    return tuple(o.with_property_sources(mapping) if o.name == "deals" and mapping else o for o in CRM_OBJECTS)


REFERENCE_OBJECTS = ("deal_pipeline_stages", "owners", "call_dispositions")


def sync_reference(client: HubSpotClient, warehouse: Warehouse, sync_id: str) -> list[ObjectSyncResult]:
    """Pipelines first (deals are checked against their stages), owners, call dispositions."""
    return [
        sync_deal_pipelines(client, warehouse, sync_id),
        sync_owners(client, warehouse, sync_id),
        sync_call_dispositions(client, warehouse, sync_id),
    ]


def sync_portal(
    client: HubSpotClient,
    warehouse: Warehouse,
    sync_id: str | None = None,
    *,
    full: bool = False,
    window: Window | None = None,
    objects: Iterable[CrmObject] = CRM_OBJECTS,
    progress: Progress | None = None,
    workers: int = DEFAULT_WORKERS,
    reference: bool = True,
) -> list[ObjectSyncResult]:
    """Sync the whole portal (`reference=False`: only the CRM objects). Independent objects are read
    concurrently: the shared rate limiters, not the number of threads, bound the request rate;
    writes to DuckDB take turns."""
    sync_id = sync_id or new_sync_id()
    results = sync_reference(client, warehouse, sync_id) if reference else []
    objects = list(objects)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sync") as pool:
        futures = [
            pool.submit(sync_crm_object, client, warehouse, obj, sync_id, full=full, window=window, progress=progress)
            for obj in objects
        ]
        errors = [f.exception() for f in futures]
    for error in errors:
        if error is not None:
            raise error
    return results + [f.result() for f in futures]


def reconcile_ids(
    client: HubSpotClient, warehouse: Warehouse, sync_id: str, objects: Iterable[CrmObject] = CRM_OBJECTS
) -> dict[str, int]:
    """Remove raw records that HubSpot no longer has at all (GDPR or hard deletes never appear as
    archived, nor in any search). Lists every live and archived id: run it periodically, not daily.

    Returns:
        object name -> records removed.
    """
    removed = {}
    for obj in objects:
        ids: list[str] = []
        for archived in (False, True):
            for page in client.list_pages(obj.api_path, ["hs_object_id"], obj.scope, archived=archived):
                ids.extend(str(r["id"]) for r in page if r.get("id"))
        children = ("deal_stage_history", "deal_companies") if obj.name == "deals" else ()
        removed[obj.name] = warehouse.remove_missing(obj.name, ids, children)
        log.info("reconciled %s: %d removed", obj.name, removed[obj.name])
    return removed
