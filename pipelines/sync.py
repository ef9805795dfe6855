"""One sync of a HubSpot portal into the raw layer: extract -> flatten -> validate -> load.

This is the only implementation of a sync: the CLI and the Dagster asset call `sync_portal` (with a
window for a backfill). Plain functions, no Dagster. Every CRM object takes the same path; what
differs between objects (children, re-reading after a search, the stage check) is in the registry,
`pipelines.hubspot.objects`. Each write batch is one transaction composed of the store's verbs.

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
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pandera.pandas as pa

from pipelines.hubspot.client import CompanyLink, HubSpotClient
from pipelines.hubspot.concurrent_reads import prefetched, read_object
from pipelines.hubspot.flatten import (
    child_frame,
    flatten_records,
    listed_shape,
    owners_frame,
    parse_timestamps,
    pipeline_stages_frame,
)
from pipelines.hubspot.link_batches import LinkBatches
from pipelines.hubspot.objects import CRM_OBJECTS, CrmObject
from pipelines.validate import Validated, validate_frame
from pipelines.warehouse.store import Load, Warehouse, quarantine_frame
from schemas import SCHEMAS
from schemas.base import with_known_stages

log = logging.getLogger(__name__)

DEFAULT_OVERLAP = timedelta(hours=1)
WRITE_BATCH_RECORDS = 5_000
DEFAULT_WORKERS = 4
# History caps a listing page at 50 records: a first sync lists an object with history 100 a page
# without it and reads the history by id beside the listing (the same requests, ids found twice as
# fast). False lists with the history inline, as before (tests compare the two).
LIST_HISTORY_APART = True
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
    return f"sync-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def epoch_ms(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp() * 1000)


class _ObjectRun:
    """Bookkeeping of one object's sync: counts, requests, timing, the sync_log row."""

    def __init__(self, warehouse: Warehouse, name: str, mode: str, sync_id: str):
        self.warehouse, self.sync_id = warehouse, sync_id
        self.result = ObjectSyncResult(object=name, mode=mode)
        self.started = utcnow()
        self._t0 = time.perf_counter()

    def load(self) -> Load:
        """The load columns of a write made now."""
        return Load(self.sync_id, utcnow())

    def count(self, read: int, quarantined: int, loaded: int) -> None:
        self.result.records_read += read
        self.result.records_quarantined += quarantined
        self.result.records_loaded += loaded

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


def _replace_reference(
    run: _ObjectRun,
    rows: pd.DataFrame,
    records: list[dict[str, Any]],
    checked: Validated | None = None,
    resolved_ids: Iterable[str] = (),
) -> None:
    """A reference table read whole replaces its contents, with its quarantine, in one transaction."""
    table, load = run.result.object, run.load()
    with run.warehouse.transaction() as wh:
        loaded = wh.replace_table(table, rows, load)
        wh.resolve_quarantine(table, resolved_ids)
        if checked is not None:
            wh.record_quarantine(quarantine_frame(table, checked.rejected, records), load)
    run.count(len(records), checked.rejected_rows if checked else 0, loaded)


def sync_deal_pipelines(client: HubSpotClient, warehouse: Warehouse, sync_id: str) -> ObjectSyncResult:
    run = _ObjectRun(warehouse, "deal_pipeline_stages", "full", sync_id)
    before = client.requests_for("pipelines")
    pipelines = client.deal_pipelines()
    frame, failures = pipeline_stages_frame(pipelines)
    checked = validate_frame(frame, SCHEMAS["deal_pipeline_stages"], failures)
    records = [{**p, "stages": [s]} for p in pipelines for s in p.get("stages") or []]
    _replace_reference(run, checked.valid, records, checked)
    return run.finish(client.requests_for("pipelines") - before)


def sync_owners(client: HubSpotClient, warehouse: Warehouse, sync_id: str) -> ObjectSyncResult:
    """Active and deactivated owners: deals keep pointing at reps who left."""
    run = _ObjectRun(warehouse, "owners", "full", sync_id)
    before = client.requests_for("owners")
    owners = client.owners(archived=False) + client.owners(archived=True)
    frame, failures = owners_frame(owners)
    checked = validate_frame(frame, SCHEMAS["owners"], failures)
    _replace_reference(run, checked.valid, owners, checked, resolved_ids=checked.valid["id"])
    return run.finish(client.requests_for("owners") - before)


def sync_call_dispositions(client: HubSpotClient, warehouse: Warehouse, sync_id: str) -> ObjectSyncResult:
    """The portal's call outcomes (GUID -> label); a portal without the endpoint keeps the standard six."""
    run = _ObjectRun(warehouse, "call_dispositions", "full", sync_id)
    before = client.requests_for("call_dispositions")
    dispositions = client.call_dispositions() or []
    rows = pd.DataFrame(
        [{"id": str(d.get("id")), "label": d.get("label")} for d in dispositions if d.get("id")],
        columns=["id", "label"],
    ).astype("str")
    _replace_reference(run, rows, dispositions)
    return run.finish(client.requests_for("call_dispositions") - before)


# -- CRM objects ----------------------------------------------------------------------------------


@dataclass
class _Read:
    """Records read together, and their company links when these were read apart (after a search);
    None when the records carry them inline (a listing)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    links: list[CompanyLink] | None = None

    def extend(self, other: _Read) -> None:
        self.records.extend(other.records)
        if other.links is not None:
            self.links = (self.links or []) + other.links


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
    previous = None if (full or window) else warehouse.cursor(obj.name)
    mode = "backfill" if window else ("incremental" if previous is not None else "full")
    run = _ObjectRun(warehouse, obj.name, mode, sync_id)
    before = client.requests_for(obj.api_path)
    schema = _schema(obj, warehouse)

    # The archived listing runs side by side with the live read (loaded after it, as before). A
    # daily sync lists it without history (twice the records a page) and reads by id, with their
    # history, only the archived records the warehouse does not already hold as they are.
    archived_apart = mode == "incremental" and bool(obj.history_properties)
    archived = prefetched(_listing(client, obj, archived=True, history=not archived_apart))
    if mode != "incremental":  # a first sync or a backfill: at the rate limit, whatever the latency
        split_history = LIST_HISTORY_APART and bool(obj.history_properties) and not window
        # Search pages found in the same second share their association read (1,000 ids, not 200).
        links = (
            LinkBatches(lambda ids: client.company_links(obj.api_path, ids, obj.scope)) if obj.associations else None
        )
        live: Iterable[_Read] = read_object(
            client,
            obj,
            listing=None if window else _listing(client, obj, history=not split_history),
            window_ms=(epoch_ms(window[0]), epoch_ms(window[1])) if window else None,
            complete=(lambda page: _reread(client, obj, page, links)) if obj.reread_after_search else None,
            complete_listed=(lambda page: _add_history(client, obj, page)) if split_history else None,
            wrap=_Read,
        )
    else:  # a daily sync: search what changed since the cursor, minus the overlap
        pages = client.search_modified(
            obj.api_path, obj.api_properties, obj.scope, obj.cursor_property, epoch_ms(previous - overlap), None
        )
        live = (_reread(client, obj, page) if obj.reread_after_search else _Read(page) for page in pages)

    newest_seen: datetime | None = None
    for read in _batched(live, progress, obj.name):
        newest_seen = max(filter(None, [newest_seen, _newest_modified(read.records, obj)]), default=None)
        _load(run, obj, schema, read)

    # Read like the live listing (history, associations) so an archived record has the same rows
    # whether a sync saw it live first or only archived.
    if window:
        archived = ([r for r in page if _updated_in(r, window)] for page in archived)
    archived_reads = (
        (_archived_news(client, obj, warehouse, page) for page in archived)
        if archived_apart
        else (_Read(page) for page in archived)
    )
    for read in _batched(archived_reads, progress, obj.name):
        _load(run, obj, schema, read)

    cursor = None
    if not window:
        # The cursor never passes the moment this sync started: a record changed while we were
        # listing is read again next time (the overlap covers search's indexing lag on top).
        cursor = min(filter(None, [newest_seen, started]))
        if previous is not None:
            cursor = max(cursor, previous)
    with warehouse.transaction() as wh:
        if obj.merges:
            wh.drop_merged(obj)
        if cursor is not None:
            wh.advance_cursor(obj.name, cursor, run.load())
    run.result.cursor = cursor
    return run.finish(client.requests_for(obj.api_path) - before)


def _schema(obj: CrmObject, warehouse: Warehouse) -> type[pa.DataFrameModel] | pa.DataFrameSchema:
    """The object's pandera schema; a stage column must hold a stage of the portal's pipelines."""
    if obj.stage_column is None:
        return SCHEMAS[obj.name]
    return with_known_stages(SCHEMAS[obj.name], obj.stage_column, warehouse.known_stage_ids())


def _listing(
    client: HubSpotClient, obj: CrmObject, archived: bool = False, history: bool = True
) -> Iterable[list[dict[str, Any]]]:
    """Every live (or archived) record, with its associations (and history) inline."""
    return client.list_pages(
        obj.api_path,
        obj.api_properties,
        obj.scope,
        archived=archived,
        history=obj.history_properties if history else (),
        associations=obj.associations,
    )


def _archived_news(client: HubSpotClient, obj: CrmObject, warehouse: Warehouse, page: list[dict[str, Any]]) -> _Read:
    """An archived page listed without history: the records the warehouse already holds as archived
    with the same `updatedAt` are left as stored (their history rows with them); the others are
    read again by id with their history, as a listing with history would have given them."""
    stored = warehouse.stored_archived(obj.name, [r["id"] for r in page if r.get("id")])
    # `updatedAt` parsed as the warehouse parsed it when it stored the record (a missing or bad one
    # is NaT, equal to nothing: that record is read again).
    updated, _ = parse_timestamps(pd.Series([r.get("updatedAt") for r in page], dtype="object"))
    news = [r for r, at in zip(page, updated, strict=True) if not r.get("id") or stored.get(r["id"]) != at]
    return _add_history(client, obj, news, archived=True) if news else _Read()


def _add_history(client: HubSpotClient, obj: CrmObject, page: list[dict[str, Any]], archived: bool = False) -> _Read:
    """A page listed without history: its records read again by id with their history, each keeping
    the associations the listing gave inline, so the page loads as one listed with history would.
    A record without an id is kept as listed (validation quarantines it); one gone since it was
    listed is not in the batch read, as with a search-found page."""
    listed = {r["id"]: r for r in page if r.get("id")}
    records = client.batch_read(
        obj.api_path, list(listed), obj.api_properties, obj.scope, obj.history_properties, archived=archived
    )
    for record in records:
        associations = listed.get(record.get("id"), {}).get("associations")
        if associations is not None:
            record["associations"] = associations
    return _Read(records + [r for r in page if not r.get("id")])


def _reread(
    client: HubSpotClient, obj: CrmObject, page: list[dict[str, Any]], batches: LinkBatches | None = None
) -> _Read:
    """Search returns no history and no associations: read the page's records again by id with their
    history, then their company links (through `batches`, with other pages', when pages run side by
    side: the ids wait there while the records are read)."""
    ids = [r["id"] for r in page if r.get("id")]
    ticket = batches.submit(ids) if batches is not None and obj.associations else None
    records = client.batch_read(obj.api_path, ids, obj.api_properties, obj.scope, history=obj.history_properties)
    if ticket is not None:
        links = batches.links(ticket)  # type: ignore[union-attr]
    else:
        links = client.company_links(obj.api_path, ids, obj.scope) if obj.associations else None
    return _Read(records, links)


def _batched(
    reads: Iterable[_Read], progress: Progress | None, name: str, size: int = WRITE_BATCH_RECORDS
) -> Iterable[_Read]:
    """Group API pages into write batches: one transaction per few thousand records, not per page.

    A listed page (links inline) and a page read apart (links beside them) never share a batch, so
    each kind fills a batch of its own, half the size, so the two together hold what one batch did:
    the concurrent reader interleaves the two, and flushing at every switch made a 25,000-deal first
    sync write ~150 small batches, the writer its bottleneck."""
    half = max(1, size // 2)
    batches = {True: _Read(), False: _Read()}  # keyed by "links inline"
    for read in reads:
        batch = batches[read.links is None]
        batch.extend(read)
        if progress:
            progress(name, len(read.records))
        if len(batch.records) >= half:
            yield batch
            batches[read.links is None] = _Read()
    for batch in batches.values():
        if batch.records:
            yield batch


def _load(run: _ObjectRun, obj: CrmObject, schema: Any, read: _Read) -> None:
    """Flatten and validate a batch, then write its valid rows, their children and the quarantine in
    one transaction."""
    frame, failures = flatten_records(obj, read.records, read.links)
    checked = validate_frame(frame, schema, failures)
    valid_records = [read.records[i] for i in checked.valid.index]
    children = [(c, SCHEMAS[c.name].validate(child_frame(c, valid_records, read.links))) for c in obj.children]
    # A rejected record is kept as a listing returns it, however it was read.
    raw = read.records if read.links is None or checked.rejected.empty else listed_shape(read.records, read.links)
    rejections = quarantine_frame(obj.name, checked.rejected, raw)
    load = run.load()
    with run.warehouse.transaction() as wh:
        written = wh.upsert_rows(obj.name, checked.valid, load)
        for child, rows in children:
            wh.replace_children(child, rows, written, load)
        wh.resolve_quarantine(obj.name, written)
        wh.record_quarantine(rejections, load)
    run.count(len(read.records), checked.rejected_rows, len(written))


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


def crm_objects(property_mapping: dict[str, str] | None = None) -> tuple[CrmObject, ...]:
    """The CRM objects to sync, with deals reading the analyst's mapped properties."""
    mapping = {k: v for k, v in (property_mapping or {}).items() if k != v}
    return tuple(o.with_property_sources(mapping) if o.name == "deals" and mapping else o for o in CRM_OBJECTS)


REFERENCE_OBJECTS = ("deal_pipeline_stages", "owners", "call_dispositions")


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
    # Pipelines first and alone: deals are checked against their stages, and a wrong base URL or
    # token fails on one request. Owners and call dispositions gate nothing: they are read beside the
    # CRM objects (one after the other, the three cost four round trips, 1.7 s at 400 ms).
    with warehouse.capped_for_sync():
        results = [sync_deal_pipelines(client, warehouse, sync_id)] if reference else []
        beside = (sync_owners, sync_call_dispositions) if reference else ()
        with ThreadPoolExecutor(max_workers=max(1, workers) + len(beside), thread_name_prefix="sync") as pool:
            futures = [pool.submit(sync, client, warehouse, sync_id) for sync in beside] + [
                pool.submit(
                    sync_crm_object, client, warehouse, obj, sync_id, full=full, window=window, progress=progress
                )
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
        removed[obj.name] = warehouse.remove_missing(obj, ids)
        log.info("reconciled %s: %d removed", obj.name, removed[obj.name])
    return removed
