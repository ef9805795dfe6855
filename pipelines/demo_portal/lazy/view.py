"""Reading one object type of a lazy portal the way `wire.View` reads a PortalData's.

List pages, id lookups and searches select positions with numpy over the columns and make only the
records they return; a filter or sort on a property without a column makes the candidates.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from pipelines.demo_portal import wire
from pipelines.demo_portal.data import OBJECT_TYPES, to_epoch_ms
from pipelines.demo_portal.lazy.store import ARCHIVED, INT_BOUND, LIVE, Store

if TYPE_CHECKING:
    from pipelines.demo_portal.lazy.portal import LazyPortal

_SEARCH_CACHE = 32
_VECTOR_OPS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"}
_CREATED_PROPS = {
    **{name: ("hs_createdate",) for name in OBJECT_TYPES},
    "deals": ("createdate", "hs_createdate"),
    "companies": ("createdate",),
}


def _number(value: Any) -> int | float | None:
    """A filter value as an exact number (ISO dates -> epoch ms), or None when it is not numeric."""
    if isinstance(value, str):
        text = value.strip()
        if wire._DATE.match(text) or wire._ISO.match(text):
            try:
                return to_epoch_ms(text if "T" in text else text + "T00:00:00Z")
            except ValueError:
                return None
    c = wire.coerce(value)
    if not isinstance(c, float) or math.isnan(c) or math.isinf(c):
        return None
    return int(c) if c.is_integer() and abs(c) < INT_BOUND else c


class LazyView:
    """One object type of a LazyPortal, read the way `wire.View` is (same six methods)."""

    def __init__(self, portal: LazyPortal, store: Store):
        self.portal = portal
        self.s = store
        self._searches: OrderedDict[str, tuple[int, np.ndarray]] = OrderedDict()
        self._version = -1
        self._live: np.ndarray | None = None
        self._create_property = wire.ALWAYS_CREATE_PROPERTY.get(store.name, "hs_createdate")

    def _fresh(self) -> None:
        if self._version != self.portal.version:
            self._searches.clear()
            self._live = None
            self._version = self.portal.version

    def live_mask(self) -> np.ndarray:
        self._fresh()
        if self._live is None or len(self._live) != len(self.s.ids):
            self._live = self.s.state == LIVE
        return self._live

    # ------------------------------------------------------------------ lookups
    def lookup(self, rid: str) -> dict[str, Any] | None:
        p = self.s.position(rid)
        return None if p is None else self.portal._render(self.s, np.array([p]))[0]

    def deal_links(self, rids: list[str]) -> list[list[tuple[str, bool]]]:
        """Each deal's company links [(company id, primary)], made light; none when archived."""
        return [wire.company_links_of(deal) for deal in self._lookup_many(rids, light=True)]

    def lookup_many(self, rids: list[str]) -> list[dict[str, Any] | None]:
        return self._lookup_many(rids)

    def _lookup_many(self, rids: list[str], light: bool = False) -> list[dict[str, Any] | None]:
        positions = [self.s.position(r) for r in rids]
        found = np.array([p for p in positions if p is not None], dtype=np.int64)
        made = iter(self.portal._render(self.s, found, light=light)) if len(found) else iter(())
        return [None if p is None else next(made) for p in positions]

    # ------------------------------------------------------------------ list
    def list_chunk(self, archived: bool, after: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        ids, state = self.s.ids, self.s.state
        start = 0
        if after:
            key = wire.decode_cursor(after)
            bound = max(-INT_BOUND, min(INT_BOUND, key[0]))
            start = int(np.searchsorted(ids, bound, side="left" if key[1] == 0 else "right"))
        want = ARCHIVED if archived else LIVE
        found: list[np.ndarray] = []
        got, block, n = 0, max(1024, 4 * (limit + 1)), len(ids)
        while got <= limit and start < n:
            hits = np.flatnonzero(state[start : start + block] == want) + start
            found.append(hits)
            got += len(hits)
            start += block
            block *= 4
        positions = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
        cursor = str(int(ids[positions[limit]])) if len(positions) > limit else None
        return self.portal._render(self.s, positions[:limit]), cursor

    # ------------------------------------------------------------------ search
    def search(self, body: dict[str, Any], offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        self._fresh()
        key = json.dumps(
            [body.get("filterGroups"), body.get("filters"), body.get("sorts"), body.get("query")],
            sort_keys=True,
            default=str,
        )
        hit = self._searches.get(key)
        if hit is None:
            hit = self._run(body)
            self._searches[key] = hit
            if len(self._searches) > _SEARCH_CACHE:
                self._searches.popitem(last=False)
        else:
            self._searches.move_to_end(key)
        total, order = hit
        asked = set(wire.split_list(body.get("properties")) or ())
        light = bool(asked) and asked <= {"hs_object_id", "hs_lastmodifieddate", self._create_property}
        return total, self.portal._render(self.s, order[offset : offset + limit], light=light)

    def _column(self, prop: str) -> np.ndarray | None:
        if prop == "hs_object_id":
            return self.s.ids
        if prop == "hs_lastmodifieddate":
            return self.s.lm
        if prop in _CREATED_PROPS.get(self.s.name, ()):
            return self.s.created()
        return None

    def _id_range(self, op: str, f: dict[str, Any]) -> tuple[int, int] | None:
        """Positions [lo, hi) an id filter allows (ids are sorted), or None if it is not a range."""
        ids, n = self.s.ids, len(self.s.ids)
        if op not in ("EQ", "GT", "GTE", "LT", "LTE", "BETWEEN"):
            return None
        x = _number(f.get("value"))
        if x is None:
            return None
        hi_x = _number(f.get("highValue")) if op == "BETWEEN" else None
        if op == "BETWEEN" and hi_x is None:
            return None

        def clamp(v: int) -> int:
            return max(-INT_BOUND, min(INT_BOUND, v))

        def left(v: int) -> int:
            return int(np.searchsorted(ids, clamp(v), side="left"))

        def right(v: int) -> int:
            return int(np.searchsorted(ids, clamp(v), side="right"))

        if op == "EQ":
            return (left(int(x)), right(int(x))) if float(x).is_integer() else (0, 0)
        if op in ("GTE", "BETWEEN"):
            lo, hi = left(math.ceil(x)), n
            if op == "BETWEEN":
                assert hi_x is not None
                hi = right(math.floor(hi_x))
            return lo, max(lo, hi)
        if op == "GT":
            return right(math.floor(x)), n
        if op == "LTE":
            return 0, right(math.floor(x))
        return 0, left(math.ceil(x))  # LT

    def _vector_test(self, op: str, f: dict[str, Any]) -> Callable[[np.ndarray], np.ndarray] | None:
        if op == "HAS_PROPERTY":
            return lambda col: np.ones(len(col), dtype=bool)
        if op == "NOT_HAS_PROPERTY":
            return lambda col: np.zeros(len(col), dtype=bool)
        if op in ("IN", "NOT_IN"):
            values = [_number(v) for v in f.get("values") or []]
            if any(v is None for v in values):
                return None
            wanted = np.array(values, dtype=np.float64 if any(isinstance(v, float) for v in values) else np.int64)
            return (lambda col: np.isin(col, wanted)) if op == "IN" else (lambda col: ~np.isin(col, wanted))
        x = _number(f.get("value"))
        if x is None:
            return None
        if op == "BETWEEN":
            y = _number(f.get("highValue"))
            if y is None:
                return None
            return lambda col: (col >= x) & (col <= y)
        return {
            "EQ": lambda col: col == x,
            "NEQ": lambda col: col != x,
            "LT": lambda col: col < x,
            "LTE": lambda col: col <= x,
            "GT": lambda col: col > x,
            "GTE": lambda col: col >= x,
        }.get(op)

    def _run(self, body: dict[str, Any]) -> tuple[int, np.ndarray]:
        """(total, the first SEARCH_CAP matching positions in result order)."""
        groups = wire._groups(body)
        compiled = [[(f, wire._compile_filter(f)) for f in filters] for filters in groups]
        sort = wire._sort_spec(body)
        query = body.get("query")
        live = self.live_mask()
        n = len(live)
        if compiled:
            mask = np.zeros(n, dtype=bool)
            for group in compiled:
                lo, hi = 0, n
                vector: list[tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]] = []
                slow: list[tuple[str, Callable[[Any], bool]]] = []
                for f, (prop, test) in group:
                    op = str(f.get("operator", "")).upper()
                    col = self._column(prop)
                    bounds = self._id_range(op, f) if prop == "hs_object_id" else None
                    vtest = self._vector_test(op, f) if col is not None and op in _VECTOR_OPS else None
                    if bounds is not None:
                        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
                    elif col is not None and vtest is not None:
                        vector.append((col, vtest))
                    else:
                        slow.append((prop, test))
                if hi <= lo:
                    continue
                sub = live[lo:hi].copy()
                for col, vtest in vector:
                    sub &= vtest(col[lo:hi])
                if slow:
                    keep = np.zeros(hi - lo, dtype=bool)
                    for p, record in self.portal._render_many(self.s, np.flatnonzero(sub) + lo):
                        props = record["properties"]
                        keep[p - lo] = all(test(wire.coerce(props.get(prop))) for prop, test in slow)
                    sub = keep
                mask[lo:hi] |= sub
            positions = np.flatnonzero(mask)
        else:
            positions = np.flatnonzero(live)
        if isinstance(query, str) and query.strip():
            q = query.strip()
            kept = [p for p, r in self.portal._render_many(self.s, positions) if wire._query_match(r, q)]
            positions = np.array(kept, dtype=np.int64)
        total = len(positions)
        cap = wire.SEARCH_CAP
        if sort is None or (sort[0] == "hs_object_id" and not sort[1]):
            return total, positions[:cap]
        prop, descending = sort
        if prop == "hs_object_id":
            return total, positions[::-1][:cap].copy()
        col = self._column(prop)
        if col is not None:
            keys = col[positions]
            return total, positions[_top_k(-keys if descending else keys, cap)]
        # Sorting on a property without a column: make the records (nulls last, ties by id).
        values: list[tuple[int, Any]] = [
            (p, wire.coerce(r["properties"].get(prop))) for p, r in self.portal._render_many(self.s, positions)
        ]
        present = [pv for pv in values if pv[1] is not None]
        missing = [pv for pv in values if pv[1] is None]
        present.sort(key=lambda pv: wire._sort_key(pv[1]), reverse=descending)
        return total, np.array([p for p, _ in present + missing][:cap], dtype=np.int64)

    # ------------------------------------------------------------------ associations
    def company_links(self, company_id: str) -> list[tuple[str, bool]]:
        """[(deal id, primary)] of live deals associated with a company (deals view only)."""
        portal = self.portal
        companies = portal._stores["companies"]
        if self.s.name != "deals" or company_id in portal._company_remap or companies.position(company_id) is None:
            return []
        comp_sorted, deal_pos, _ = portal.reverse_links()
        wanted = [company_id, *portal._merged_companies.get(company_id, [])]
        positions: list[np.ndarray] = []
        for cid in wanted:
            k = int(np.searchsorted(companies.ids, int(cid)))
            if k >= companies.n_base:
                continue
            lo, hi = np.searchsorted(comp_sorted, k, "left"), np.searchsorted(comp_sorted, k, "right")
            positions.append(deal_pos[lo:hi])
        pos = np.unique(np.concatenate(positions)) if positions else np.empty(0, dtype=np.int64)
        pos = pos[self.s.state[pos] == LIVE]
        extra = [p for p in self.s.extras if self.s.state[p] == LIVE]
        out: list[tuple[str, bool]] = []
        for _, record in portal._render_many(self.s, np.concatenate([pos, np.array(extra, dtype=np.int64)])):
            for link in record.get("_companies") or []:
                if str(link["id"]) == company_id:
                    out.append((record["id"], bool(link.get("primary"))))
        return out


def _top_k(keys: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k smallest keys, ordered by (key, index): a stable sort's first k, in O(n)."""
    m = len(keys)
    if m <= 4 * k:
        return np.argsort(keys, kind="stable")[:k]
    kth = np.partition(keys, k - 1)[k - 1]
    below = np.flatnonzero(keys < kth)
    ties = np.flatnonzero(keys == kth)[: k - len(below)]
    chosen = np.sort(np.concatenate([below, ties]))
    return chosen[np.argsort(keys[chosen], kind="stable")]
