"""Reading a whole CRM object at HubSpot's rate limit, whatever the latency.

A listing is one chain of cursors (`after` is opaque): at 150 ms a round trip it reads 50 deals with
history per round trip, about a third of what the Professional budget allows. This module reads an
object from both ends at once:

- from the bottom, the listing chain itself (associations inline), which costs no search budget.
  History caps a listing page at 50 records, so an object with history is listed 100 a page without
  it and `complete_listed` reads each page's history by id on a few workers beside the chain: the
  same number of requests, and the chain finds ids twice as fast;
- from the top, id ranges found with search: one search sorted by `hs_object_id` DESCENDING gives the
  highest id and the number of records, the id span above the listing's position is cut into ranges of
  about `RANGE_RECORDS` records, and several ranges are read at once, highest first. Each page of a
  range is a search `hs_object_id >= floor AND < ceiling` sorted ascending with `after=0`: the floor
  moves past the last id read, so no query ever pages towards the 10,000-result cap, and the `total`
  of each answer tells whether a range is worth splitting while the others run dry.
  Records that search cannot return whole (stage history, associations) are read again by id through
  `complete` (batch read + v4 batch associations) on a pool of workers: the app budget and the search
  budget are used at the same time.

The two meet in the middle. The searches claim ranges top-down; `frontier` is the lowest claimed id.
The chain keeps only ids below the frontier and stops at the first id at or above it; a range is
claimed only above the ids the chain has already kept. So every id is read exactly once. The chain's
ids are checked to be ascending (HubSpot lists by id in practice, but does not promise it): on the first
id out of order no further range is claimed and the chain reads to the end. At the end, one search
counts the live ids below the frontier; if it finds more than the chain kept, those ids are read by
search as well (never the ids the chain kept). Without a listing (a backfill's time window) the ranges
cover the whole id span and carry the window's filters.

Everything goes through the client's shared rate limiters; the number of threads only has to cover
the latency (rate x round-trip time in flight). Pages come out through a bounded queue, so memory
stays flat whatever the size of the object; the order of pages is not the order of ids.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import queue
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

log = logging.getLogger(__name__)

T = TypeVar("T")
Page = list[dict[str, Any]]

SEARCH_PAGE = 200  # HubSpot's maximum search page
RANGE_RECORDS = 1_000  # records per id range when the span is first cut
SEARCH_WORKERS = 4  # search requests in flight: 5/s x a few hundred ms, with room for slow answers
# Search pages re-read at once, each by two batch reads and a share of an association read (its ids wait up
# to half a second for other pages', `LinkBatches`): ~19/s x 2 round trips, plus the wait.
COMPLETE_WORKERS = 12
LISTED_WORKERS = 4  # listing pages re-read at once: the chain lists one page a round trip
# Pages read ahead of the writer, per object (the memory bound). With no rate limit the writer is
# the bottleneck and every queue is full: at 24 here and 64 archived pages (`prefetched`), the
# Python heap of a bench-100k sync peaked at 147 MB, at 8 and 16 at 122 MB, in the same time.
OUTPUT_PAGES = 8
# Split only when the listing alone would take longer than this (pages left x the first page's
# round trip): a few pages at low latency are not worth a search.
MIN_CHAIN_SECONDS = 2.0
MIN_SPLIT_RECORDS = 2_000  # nor when fewer records than this are left (a split costs a few searches)
_POLL = 0.2


@dataclass(frozen=True)
class ReadPlan:
    """How one object is read.

    Attributes:
        object_type: the API path segment (`deals`).
        scope: the scope named in errors.
        search_properties: properties a search page asks for (just `hs_object_id` when `complete`
            reads the records again).
        filters: extra search filters every range carries (a backfill's time window).
        complete: reads a search page's records again in full (history, associations); None when the
            search page is the record.
        listing: the listing chain (pages in id order in practice); None for a window.
        listing_page: the listing's page size (a short first page means there is nothing to split).
        complete_listed: reads a listing page's records again (the history a listing of 100 a page
            cannot carry) on a few workers beside the chain; None when the listed page is the record.
    """

    object_type: str
    scope: str
    search_properties: list[str]
    filters: tuple[dict[str, str], ...] = ()
    complete: Callable[[Page], Any] | None = None
    listing: Iterable[Page] | None = None
    listing_page: int = 100
    complete_listed: Callable[[Page], Any] | None = None


class _Stop(Exception):
    pass


class ConcurrentReader(Generic[T]):
    """One object's read: iterate it for pages (`wrap(listing page)` or `complete(search page)`)."""

    def __init__(
        self,
        client: Any,
        plan: ReadPlan,
        wrap: Callable[[Page], T] = lambda page: page,  # type: ignore[assignment,return-value]
        *,
        search_workers: int = SEARCH_WORKERS,
        complete_workers: int = COMPLETE_WORKERS,
        range_records: int = RANGE_RECORDS,
        min_chain_seconds: float = MIN_CHAIN_SECONDS,
        min_split_records: int = MIN_SPLIT_RECORDS,
    ):
        self.client, self.plan, self.wrap = client, plan, wrap
        self.search_workers, self.complete_workers = search_workers, complete_workers
        self.range_records = range_records
        self.min_chain_seconds = min_chain_seconds
        self.min_split_records = min_split_records
        self._round_trip = 0.0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._out: queue.Queue = queue.Queue(maxsize=OUTPUT_PAGES)
        self._has_chain = plan.listing is not None
        self._chain_pos = 0  # ids below it were kept by the chain (ascending listing)
        self._chain_done = False
        self._chain_ids = array("q")  # every id the chain kept, for the final check
        self._frontier: int | None = None  # lowest id claimed by search
        self._frozen = False  # the listing is not in id order: no more claims
        self._ranges: list[tuple[int, int, int | None]] = []  # heap of (-lo, lo, hi) not yet claimed
        self._claimed: list[tuple[int, int | None]] = []  # claimed ranges waiting for a worker
        self._busy = 0
        self._max_id = 0
        self._started_search = threading.Event()
        self._search_wanted = not self._has_chain
        self._complete_slots = threading.Semaphore(2 * complete_workers)
        self.stats = {
            "search_pages": 0,
            "listing_pages": 0,
            "ranges": 0,
            "splits": 0,
            "repaired": 0,
            "waited_s": 0.0,
            "listing_s": 0.0,
        }

    # -- consumer -----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[T]:
        producers = []
        if self._has_chain:
            producers.append(
                threading.Thread(
                    target=self._guard, args=(self._run_chain,), daemon=True, name=f"list-{self.plan.object_type}"
                )
            )
        producers.append(
            threading.Thread(
                target=self._guard, args=(self._run_search,), daemon=True, name=f"ranges-{self.plan.object_type}"
            )
        )
        for thread in producers:
            thread.start()
        finished = 0
        try:
            while finished < len(producers):
                waited = time.perf_counter()
                kind, item = self._out.get()
                self.stats["waited_s"] += time.perf_counter() - waited
                if kind == "page":
                    yield item
                elif kind == "done":
                    finished += 1
                else:
                    raise item
        finally:
            self._stop.set()
            log.debug("%s read: %s", self.plan.object_type, self.stats)
            with self._cond:
                self._cond.notify_all()
            while True:  # unblock producers waiting on a full queue
                try:
                    self._out.get_nowait()
                except queue.Empty:
                    break

    def _put(self, kind: str, item: Any) -> None:
        while True:
            if self._stop.is_set() and kind == "page":
                raise _Stop
            try:
                self._out.put((kind, item), timeout=_POLL)
                return
            except queue.Full:
                if self._stop.is_set():
                    raise _Stop from None

    def _guard(self, fn: Callable[[], None]) -> None:
        try:
            fn()
            self._put("done", None)
        except _Stop:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self._stop.set()
            with self._cond:
                self._cond.notify_all()
            try:
                self._put("error", exc)
            except _Stop:
                pass

    # -- the listing chain (from the bottom) --------------------------------------------------

    def _run_chain(self) -> None:
        pool = None
        if self.plan.complete_listed is not None:
            pool = ThreadPoolExecutor(LISTED_WORKERS, thread_name_prefix=f"listed-{self.plan.object_type}")
        futures = _Completions()
        try:
            self._read_chain(pool, futures)
        except BaseException:
            self._stop.set()  # completions not yet started are dropped, not waited for
            raise
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=self._stop.is_set())
        self._finish(futures)

    def _read_chain(self, pool: ThreadPoolExecutor | None, futures: _Completions) -> None:
        assert self.plan.listing is not None
        pages = iter(self.plan.listing)
        first = True
        started = time.perf_counter()
        try:
            asked = time.perf_counter()
            for page in pages:
                self.stats["listing_s"] += time.perf_counter() - asked
                if self._stop.is_set():
                    raise _Stop
                self.stats["listing_pages"] += 1
                kept, stop = self._keep(page)
                if first:
                    first = False
                    self._round_trip = time.perf_counter() - started
                    if len(page) >= self.plan.listing_page:  # more than one page: worth splitting
                        with self._cond:
                            self._search_wanted = True
                            self._cond.notify_all()
                if kept and pool is not None:
                    self._submit(pool, futures, self.plan.complete_listed, kept)  # type: ignore[arg-type]
                elif kept:
                    self._put("page", self.wrap(kept))
                if stop:
                    break
                asked = time.perf_counter()
        finally:
            close = getattr(pages, "close", None)
            if close:
                close()
            with self._cond:
                self._chain_done = True
                self._cond.notify_all()

    def _keep(self, page: Page) -> tuple[Page, bool]:
        """The records of a listing page the chain keeps, and whether the chain stops here."""
        ids = _positions(page, self._chain_pos - 1)
        with self._cond:
            ordered = all(b >= a for a, b in itertools.pairwise(ids)) and (not ids or ids[0] >= self._chain_pos - 1)
            if not ordered and not self._frozen:
                log.warning("%s: the listing is not in id order; reading it to the end", self.plan.object_type)
                self._frozen = True
            limit = self._frontier
            kept = [r for r, i in zip(page, ids, strict=True) if limit is None or i < limit]
            kept_ids = [i for i in ids if limit is None or i < limit]
            self._chain_ids.extend(kept_ids)
            if self._frozen:
                return kept, False
            if kept_ids:
                self._chain_pos = max(self._chain_pos, kept_ids[-1] + 1)
            self._cond.notify_all()
            return kept, len(kept) < len(page)

    # -- id ranges (from the top) -------------------------------------------------------------

    def _run_search(self) -> None:
        with self._cond:
            self._wait_until(lambda: self._search_wanted or self._chain_done)
            if not self._search_wanted:
                return  # the listing fitted in one page
        top = self._probe(descending=True)
        if top is None:
            return self._finish()
        total, self._max_id = top
        with self._cond:
            low = self._chain_pos if self._has_chain else None
            if self._has_chain:
                records_left = max(0, total - len(self._chain_ids))
                if (
                    self._chain_done
                    or records_left < self.min_split_records
                    or records_left / self.plan.listing_page * self._round_trip < self.min_chain_seconds
                ):
                    return self._finish()  # the listing alone is quick enough
        if low is None:
            bottom = self._probe(descending=False)
            low = bottom[1] if bottom else 0
        self._cut(low, self._max_id + 1, max(1, total - len(self._chain_ids)))
        with ThreadPoolExecutor(self.complete_workers, thread_name_prefix=f"complete-{self.plan.object_type}") as pool:
            futures = _Completions()
            workers = [
                threading.Thread(
                    target=self._guard_worker,
                    args=(pool, futures),
                    daemon=True,
                    name=f"search-{self.plan.object_type}-{n}",
                )
                for n in range(self.search_workers)
            ]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            if not self._stop.is_set() and self._has_chain:
                self._repair(pool, futures)
            self._finish(futures)

    def _finish(self, futures: _Completions | None = None) -> None:
        if futures is not None:
            futures.wait()  # raises a completion's error
        if self._stop.is_set():
            raise _Stop

    def _wait_until(self, ready: Callable[[], bool]) -> None:
        """With `_cond` held: wait until `ready()`; a stopped read raises `_Stop` instead."""
        while not ready():
            if self._stop.is_set():
                raise _Stop
            self._cond.wait(_POLL)

    def _cut(self, low: int, high: int, records: int) -> None:
        """Cut [low, high) into ranges of about `range_records` records; the top one stays open
        (records created above the highest id while the sync runs)."""
        n = max(1, math.ceil(records / self.range_records))
        step = max(1, math.ceil((high - low) / n))
        with self._cond:
            lo = low
            while lo < high:
                hi = min(high, lo + step)
                heapq.heappush(self._ranges, (-lo, lo, None if hi >= high else hi))
                lo = hi
            if not self._ranges:
                heapq.heappush(self._ranges, (-low, low, None))
            self.stats["ranges"] += len(self._ranges)
            self._cond.notify_all()

    def _guard_worker(self, pool: ThreadPoolExecutor, futures: _Completions) -> None:
        try:
            while (job := self._next_range()) is not None:
                try:
                    self._read_page(job, pool, futures)
                finally:
                    with self._cond:
                        self._busy -= 1
                        self._cond.notify_all()
        except _Stop:
            pass
        except BaseException as exc:  # noqa: BLE001
            self._stop.set()
            with self._cond:
                self._cond.notify_all()
            futures.fail(exc)

    def _next_range(self) -> tuple[int, int | None] | None:
        with self._cond:
            while True:
                if self._stop.is_set():
                    raise _Stop
                if self._claimed:
                    self._busy += 1
                    return self._claimed.pop()
                while self._ranges:
                    _, lo, hi = heapq.heappop(self._ranges)
                    if self._has_chain:
                        if self._frozen or self._chain_done:
                            continue  # the chain reads (or has read) everything below the frontier
                        if hi is not None and self._chain_pos >= hi:
                            continue
                        lo = max(lo, self._chain_pos)
                        self._frontier = lo if self._frontier is None else min(self._frontier, lo)
                    self._busy += 1
                    return lo, hi
                if self._busy == 0:
                    return None
                self._cond.wait(_POLL)

    def _search(
        self, lo: int | None, hi: int | None, limit: int, descending: bool = False, properties: list[str] | None = None
    ) -> dict[str, Any]:
        filters = list(self.plan.filters)
        if lo is not None:
            filters.append({"propertyName": "hs_object_id", "operator": "GTE", "value": str(lo)})
        if hi is not None:
            filters.append({"propertyName": "hs_object_id", "operator": "LT", "value": str(hi)})
        return self.client.search_page(
            self.plan.object_type,
            properties if properties is not None else self.plan.search_properties,
            self.plan.scope,
            filters,
            limit=limit,
            descending=descending,
        )

    def _probe(self, descending: bool) -> tuple[int, int] | None:
        """(matching records, the highest or lowest id), or None when nothing matches."""
        page = self._search(None, None, 1, descending=descending, properties=["hs_object_id"])
        if not page["results"]:
            return None
        return int(page.get("total") or 0), _int_id(page["results"][0])

    def _read_page(self, job: tuple[int, int | None], pool: ThreadPoolExecutor, futures: _Completions) -> None:
        lo, hi = job
        page = self._search(lo, hi, SEARCH_PAGE)
        self.stats["search_pages"] += 1
        results = page["results"]
        if results:
            self._emit(results, pool, futures)
        if len(results) < SEARCH_PAGE:
            return
        nxt = _int_id(results[-1]) + 1
        remaining = int(page.get("total") or 0) - len(results)
        if remaining <= 0:
            return
        with self._cond:
            # Split what is left in two while other workers would otherwise wait.
            mid = None
            if remaining > 2 * SEARCH_PAGE and not self._claimed and not self._ranges:
                top = hi if hi is not None else self._max_id + 1
                if top - nxt >= 2:
                    mid = nxt + (top - nxt) // 2
            if mid is not None:
                self._claimed.append((mid, hi))
                self._claimed.append((nxt, mid))
                self.stats["splits"] += 1
            else:
                self._claimed.append((nxt, hi))
            self._cond.notify_all()

    def _emit(self, results: Page, pool: ThreadPoolExecutor, futures: _Completions) -> None:
        if self.plan.complete is None:
            self._put("page", self.wrap(results))
            return
        self._submit(pool, futures, self.plan.complete, results)  # one search page: at most SEARCH_PAGE

    def _submit(
        self, pool: ThreadPoolExecutor, futures: _Completions, complete: Callable[[Page], Any], chunk: Page
    ) -> None:
        """Complete `chunk` on `pool` once a slot is free (the slots bound the pages held in memory)."""
        while not self._complete_slots.acquire(timeout=_POLL):
            if self._stop.is_set():
                raise _Stop
        futures.add(pool.submit(self._complete, complete, chunk))

    def _complete(self, complete: Callable[[Page], Any], chunk: Page) -> None:
        try:
            if self._stop.is_set():
                raise _Stop
            self._put("page", complete(chunk))
        except _Stop:
            pass
        except BaseException:
            self._stop.set()  # the other workers stop at their next request; the error is raised
            with self._cond:
                self._cond.notify_all()
            raise
        finally:
            self._complete_slots.release()

    def _repair(self, pool: ThreadPoolExecutor, futures: _Completions) -> None:
        """Search counts the live ids below the frontier: if the chain kept fewer, the listing was
        not in id order after all, and search reads the ones the chain did not."""
        limit = self._frontier
        if limit is None:
            return
        with self._cond:  # the chain's last page may still be on its way
            self._wait_until(lambda: self._chain_done)
        page = self._search(None, limit, 1, properties=["hs_object_id"])
        expected = int(page.get("total") or 0)
        # Sorted distinct ids as int64, not Python ints: a million ids are 8 MB, not ~70 MB.
        kept = np.unique(np.frombuffer(self._chain_ids, dtype=np.int64))
        below = int(np.searchsorted(kept, limit))
        if expected <= below:
            return
        log.warning(
            "%s: search counts %d records below id %d, the listing gave %d; reading them by search",
            self.plan.object_type,
            expected,
            limit,
            below,
        )
        floor = 0
        while True:
            page = self._search(floor, limit, SEARCH_PAGE)
            results = page["results"]
            missing = [r for r in results if not _contains(kept, _int_id(r))]
            self.stats["repaired"] += len(missing)
            if missing:
                self._emit(missing, pool, futures)
            if len(results) < SEARCH_PAGE:
                return
            floor = _int_id(results[-1]) + 1


class _Completions:
    """The completions one producer submitted, for `wait` to raise the first error. One that ended
    well is dropped at the next `add`: a million-record object submits ~10,000, and keeping every
    future (with its condition and lock) held ~15 MB per object until its read ended."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the search workers add to one list
        self._futures: list[Future] = []
        self._errors: list[BaseException] = []

    def add(self, future: Future) -> None:
        with self._lock:
            self._futures = [f for f in self._futures if not _ended_well(f)]
            self._futures.append(future)

    def fail(self, exc: BaseException) -> None:
        with self._lock:
            self._errors.append(exc)

    def wait(self) -> None:
        with self._lock:
            futures, errors = list(self._futures), list(self._errors)
        if errors:
            raise errors[0]
        for f in futures:
            if not f.cancelled():  # cancelled only once the read is stopping
                f.result()  # raises a completion's error


def _ended_well(future: Future) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _int_id(record: dict[str, Any]) -> int:
    return int(record["id"])


def _positions(page: Page, before: int) -> list[int]:
    """Each listed record's id; a record without a usable id (HubSpot never sends one; the demo
    portal does, to test the quarantine) takes its predecessor's, so it stays with it. Only the
    listing can return such a record: one listed above where the search ranges begin is not read."""
    out = []
    for record in page:
        try:
            before = int(record.get("id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pass
        out.append(before)
    return out


def _contains(sorted_ids: np.ndarray, value: int) -> bool:
    i = int(np.searchsorted(sorted_ids, value))
    return i < len(sorted_ids) and int(sorted_ids[i]) == value


def read_object(
    client: Any,
    obj: Any,
    *,
    listing: Iterable[Page] | None = None,
    window_ms: tuple[int, int] | None = None,
    complete: Callable[[Page], Any] | None = None,
    complete_listed: Callable[[Page], Any] | None = None,
    wrap: Callable[[Page], Any] = lambda page: page,
) -> ConcurrentReader:
    """The reader of a CRM object (a `CrmObject`): all of it from `listing` and id ranges, or the
    records whose cursor property lies in `window_ms` = [start, end) from id ranges alone.
    `complete` reads search results again in full (objects with history or associations);
    `complete_listed` reads listing pages again, when `listing` was asked without the history."""
    filters: tuple[dict[str, str], ...] = ()
    if window_ms is not None:
        filters = (
            {"propertyName": obj.cursor_property, "operator": "GTE", "value": str(window_ms[0])},
            {"propertyName": obj.cursor_property, "operator": "LT", "value": str(window_ms[1])},
        )
    plan = ReadPlan(
        object_type=obj.api_path,
        scope=obj.scope,
        search_properties=["hs_object_id"] if complete is not None else list(obj.api_properties),
        filters=filters,
        complete=complete,
        listing=listing,
        listing_page=50 if obj.history_properties and complete_listed is None else 100,
        complete_listed=complete_listed,
    )
    return ConcurrentReader(
        client, plan, wrap, min_split_records=MIN_SPLIT_RECORDS, min_chain_seconds=MIN_CHAIN_SECONDS
    )


def prefetched(pages: Iterable[T], size: int = 16) -> Iterator[T]:
    """Iterate `pages` on a thread from now on, `size` pages ahead of the consumer: the archived
    listing runs side by side with the live read instead of after it. The pages wait in memory until
    the live read is loaded, so `size` is a memory bound: 16 pages hold a small portal's archived
    records whole, and a large one's rest is listed after the live read, a round trip a page."""
    out: queue.Queue = queue.Queue(maxsize=size)
    stop = threading.Event()

    def run() -> None:
        try:
            for page in pages:
                while True:
                    try:
                        out.put(("page", page), timeout=_POLL)
                        break
                    except queue.Full:
                        if stop.is_set():
                            return
            out.put(("done", None))
        except BaseException as exc:  # noqa: BLE001 - raised in the consumer
            out.put(("error", exc))

    thread = threading.Thread(target=run, daemon=True, name="prefetch")
    thread.start()

    def consume() -> Iterator[T]:
        try:
            while True:
                kind, item = out.get()
                if kind == "done":
                    return
                if kind == "error":
                    raise item
                yield item
        finally:
            stop.set()

    return consume()
