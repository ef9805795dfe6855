"""The lazy portal: columns per object type, records made on demand, change kept as overrides.

Change is stored as sparse overrides on top of the generated base (`update`, `archive`, `merge`,
`add`) or written straight into the columns (`touch_all`, `update_fraction`); every mutation bumps
`version` and holds `lock`, like PortalData.

What it leaves out: the small portal's hand-planted bad records and scripted ARR accounts. Searches
filter and sort without making records on `hs_object_id`, `hs_lastmodifieddate` and the creation
dates (`createdate` / `hs_createdate`, as generated); any other filter, sort or `query` is still
answered correctly, by making the candidate records (slow on millions, fine once narrowed).
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipelines.demo_portal.data import OBJECT_TYPES, _prop, iso_ms, merged_links, to_epoch_ms
from pipelines.demo_portal.lazy import makers, streams
from pipelines.demo_portal.lazy.store import ARCHIVED, GONE, LIVE, Store
from pipelines.demo_portal.lazy.view import LazyView
from pipelines.demo_portal.records import DAY, HOUR, api_record, last_day, make_staff, month_add, pipeline_records
from pipelines.demo_portal.vocabulary import CUSTOM_DISPOSITION
from pipelines.demo_portal.wire import ALWAYS_CREATE_PROPERTY

# Share of engagements per type (calls dominate, as on a real sales floor), as in the small portal.
ENGAGEMENT_SHARES: dict[str, float] = {"calls": 0.46, "emails": 0.30, "meetings": 0.08, "notes": 0.08, "tasks": 0.08}


@dataclass(frozen=True)
class LazySpec:
    deals: int
    engagements: int


LAZY_SIZES: dict[str, LazySpec] = {
    "bench-10k": LazySpec(deals=10_000, engagements=50_000),
    "bench-100k": LazySpec(deals=100_000, engagements=500_000),
    "xlarge": LazySpec(deals=1_000_000, engagements=5_000_000),
}

_ID_BASES = {  # first id (plus a seeded offset below 1,000,000) and the largest gap between ids
    "deals": (18_234_000_000, 120),
    "companies": (9_001_000_000, 60),
    "calls": (51_200_000_000, 9),
    "emails": (52_400_000_000, 9),
    "meetings": (53_600_000_000, 9),
    "notes": (54_800_000_000, 9),
    "tasks": (56_000_000_000, 9),
    "goal_targets": (44_027_000_000, 30),
}
_ARCHIVED_PER_10K = {"deals": 100, "calls": 20, "emails": 20, "meetings": 20, "notes": 20, "tasks": 20}
_MAX_COMPANIES = 1 << 23
_RENDER_BATCH = 5_000


def split_engagements(total: int) -> dict[str, int]:
    """Engagement counts per type summing exactly to `total` (the remainder goes to calls)."""
    counts = {name: int(total * share) for name, share in ENGAGEMENT_SHARES.items()}
    counts["calls"] += total - sum(counts.values())
    return counts


# ------------------------------------------------------------------------------------ the portal
class LazyPortal:
    """A portal whose records are made on demand; read by `DemoPortalServer` like a PortalData.

    Build it with `generate_lazy_portal`. Reading: `get`, `records`, `ids`, `columns`, `counts`,
    `nbytes`. Change (all bump `version`): `update`, `archive`, `merge`, `add`, `touch_all`,
    `update_fraction`. Records returned are fresh dicts: changing them changes nothing.
    """

    object_names: tuple[str, ...] = OBJECT_TYPES

    def __init__(
        self,
        *,
        seed: int,
        end_date: dt.date,
        counts: dict[str, int],
        owners: int,
        months: int,
    ):
        self.seed = seed
        self.end_date = end_date
        self.lock = threading.RLock()
        self.version = 0
        start_date = month_add(end_date, -months)
        self.start = to_epoch_ms(start_date)
        self.end = to_epoch_ms(end_date) + DAY - 1  # end of day, inclusive
        self._manager, self._reps, owners = make_staff(random.Random(seed), owners, self.start, self.end)
        self.owners: list[dict[str, Any]] = owners
        self.pipelines: list[dict[str, Any]] = pipeline_records(self.start)
        self.dispositions: list[dict[str, str]] = [dict(CUSTOM_DISPOSITION)]
        month_starts = []
        m = start_date.replace(day=1)
        while m <= month_add(end_date.replace(day=1), 1):
            month_starts.append(to_epoch_ms(m))
            m = month_add(m, 1)
        self._month_starts = np.array(month_starts, dtype=np.int64)
        self._env = makers.Env(
            seed=seed,
            start=self.start,
            end=self.end,
            reps=self._reps,
            companies=makers.Companies(seed),
            months=month_starts,
        )
        counts = dict(counts)
        counts["goal_targets"] = len(self._reps) * (len(month_starts) - 1)
        self._stores: dict[str, Store] = {}
        for name in OBJECT_TYPES:
            self._stores[name] = self._build(name, counts.get(name, 0))
        self._company_remap: dict[str, str] = {}  # merged company id -> survivor id
        self._merged_companies: dict[str, list[str]] = {}  # survivor id -> merged ids
        self._reverse: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._views: dict[str, LazyView] = {}

    # ------------------------------------------------------------------ build
    def _build(self, name: str, n: int) -> Store:
        key = streams.stream_key(self.seed, "lazy", name)
        idx = np.arange(n, dtype=np.int64)
        base, max_gap = _ID_BASES[name]
        first = base + random.Random(streams.stream_key(self.seed, "id-base", name)).randrange(1_000_000)
        gaps = 1 + streams.ranks(key + 1, idx, max_gap)
        ids = first + np.cumsum(gaps)
        created_fn, base_lm_fn = self._formulas(name, key, n)
        created = created_fn(idx)
        lm = base_lm_fn(idx, created)
        del created
        state = np.zeros(n, dtype=np.uint8)
        per_10k = _ARCHIVED_PER_10K.get(name, 0)
        if per_10k:
            state[streams.ranks(key + 2, idx, 10_000) < per_10k] = ARCHIVED
        return Store(name, n, ids, lm, state, key, created_fn, base_lm_fn)

    def _formulas(self, name: str, key: int, n: int) -> tuple[Callable, Callable]:
        """(created(idx), base_lm(idx, created)) of one type: vectorised, and pure functions of the
        index, so a record made alone gets the same times as the columns built at once."""
        start, end = self.start, self.end
        if name == "goal_targets":  # one per rep and month, month-major
            reps = max(1, len(self._reps))
            months = self._month_starts

            def goal_created(idx: np.ndarray) -> np.ndarray:
                planned = _year_starts(months[idx // reps]) - 22 * DAY + streams.ranks(key + 3, idx, 7 * DAY)  # ~Dec 10
                return np.minimum(np.maximum(planned, start - 30 * DAY), end)

            def goal_lm(idx: np.ndarray, created: np.ndarray) -> np.ndarray:
                revised = streams.ranks(key + 4, idx, 10) == 0  # a mid-year quota revision
                at = np.maximum(created, months[idx // reps] - 5 * DAY) + streams.ranks(key + 5, idx, DAY)
                return np.where(revised, np.minimum(at, end), created)

            return goal_created, goal_lm

        lo, hi = (start - 365 * DAY, end - DAY) if name == "companies" else (start, end - HOUR)

        def created_fn(idx: np.ndarray) -> np.ndarray:  # increasing with the id, evenly over [lo, hi)
            return streams.spread_created(key + 3, idx, n, lo, hi)

        if name == "companies":

            def company_lm(idx: np.ndarray, created: np.ndarray) -> np.ndarray:
                return streams.within(created, streams.ranks(key + 4, idx, 400 * DAY), end)

            return created_fn, company_lm
        if name == "deals":

            def deal_lm(idx: np.ndarray, created: np.ndarray) -> np.ndarray:  # median ~60 days after creation
                r = streams.ranks(key + 4, idx, 10_000)
                return streams.within(created, (r * r * (240 * DAY)) // 100_000_000, end, floor=1_000)

            return created_fn, deal_lm
        # Engagements: most are final when logged (a second or two later); some are edited later.
        later, short, long = {"tasks": (70, 2_000, 14 * DAY), "emails": (5, 500, 3 * DAY)}.get(
            name, (25, 2_000, 30 * DAY)
        )

        def engagement_lm(idx: np.ndarray, created: np.ndarray) -> np.ndarray:
            h = streams.draws(key + 4, idx)
            edited = (h % np.uint64(100)).astype(np.int64) < later
            rest = h >> np.uint64(8)
            delay = np.where(edited, rest % np.uint64(long), rest % np.uint64(short)).astype(np.int64)
            return streams.within(created, delay, end)

        return created_fn, engagement_lm

    def _deal_links(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Company positions per deal: primary (-1: none) and an unlabeled partner (-1: none)."""
        n_comp = self._stores["companies"].n_base
        key = self._stores["deals"].key + 6
        h = streams.draws(key, idx)
        if n_comp == 0:
            none = np.full(len(idx), -1, dtype=np.int64)
            return none, none.copy()
        x = (h & np.uint64((1 << 20) - 1)) + np.uint64(1 << 19)  # [2^19, 3 * 2^19): older companies
        primary = (((x * x - np.uint64(1 << 38)) >> np.uint64(20)) * np.uint64(n_comp)) >> np.uint64(21)
        primary = np.minimum(primary.astype(np.int64), n_comp - 1)  # get up to 3x the deals of newer ones
        no_company = ((h >> np.uint64(24)) % np.uint64(100)).astype(np.int64) < 2
        primary[no_company] = -1
        has_partner = (((h >> np.uint64(32)) % np.uint64(100)).astype(np.int64) < 5) & ~no_company
        partner = np.where(has_partner, streams.ranks(key + 1, idx, n_comp), -1)
        partner[partner == primary] = -1
        return primary, partner

    # ------------------------------------------------------------------ the server's interface
    def indexes(self) -> LazyPortal:
        return self

    def has(self, object_name: str) -> bool:
        return object_name in self._stores

    def view(self, object_name: str) -> LazyView:
        view = self._views.get(object_name)
        if view is None:
            view = self._views[object_name] = LazyView(self, self._stores[object_name])
        return view

    # ------------------------------------------------------------------ reading
    def _store(self, object_name: str) -> Store:
        try:
            return self._stores[object_name]
        except KeyError:
            raise KeyError(f"unknown object type {object_name!r}") from None

    def counts(self) -> dict[str, int]:
        """Records per object type (archived included, merged-away excluded), plus owners."""
        out = {name: int(np.count_nonzero(s.state != GONE)) for name, s in self._stores.items()}
        out["owners"] = len(self.owners)
        return out

    def nbytes(self) -> int:
        """Bytes held in the columns of all object types (the portal's size, overrides aside)."""
        return sum(s.nbytes() for s in self._stores.values())

    def columns(self, object_name: str) -> dict[str, np.ndarray]:
        """Read-only views of one type's columns: `ids`, `lm` (epoch ms), `state` (0 live, 1 archived, 2 gone)."""
        s = self._store(object_name)
        out = {}
        for name, col in (("ids", s.ids), ("lm", s.lm), ("state", s.state)):
            v = col.view()
            v.flags.writeable = False
            out[name] = v
        return out

    def ids(self, object_name: str, archived: bool = False) -> np.ndarray:
        """Ids (int64, ascending) of the live (or archived) records."""
        s = self._store(object_name)
        with self.lock:
            return s.ids[s.state == (ARCHIVED if archived else LIVE)].copy()

    def get(self, object_name: str, id: str | int) -> dict[str, Any] | None:
        """The record with this id (archived or not), or None."""
        s = self._store(object_name)
        with self.lock:
            p = s.position(id)
            return None if p is None else self._render(s, np.array([p]))[0]

    def records(self, object_name: str, ids: Iterable[str | int]) -> list[dict[str, Any] | None]:
        self._store(object_name)
        with self.lock:
            return self.view(object_name).lookup_many([str(i) for i in ids])

    # ------------------------------------------------------------------ making records
    def _render(self, s: Store, positions: np.ndarray, light: bool = False) -> list[dict[str, Any]]:
        """The records at these positions, as the API shapes them (plus `_history` and `_companies`).

        `light` skips making the properties: the record carries only its id, timestamps, creation
        property and (deals) company links, which is all a search for `hs_object_id` or an
        association read shows. Making a deal is most of the portal's time, and a sync that finds
        deals by search would otherwise have each one made three times.
        """
        positions = np.asarray(positions, dtype=np.int64)
        out: list[dict[str, Any]] = []
        base_mask = positions < s.n_base
        idx = positions[base_mask]
        if len(idx):
            created = s.created_fn(idx)
            base_lm = s.base_lm_fn(idx, created)
            seeds = streams.draws(s.key + 7, idx)
        links = self._deal_links(idx) if s.name == "deals" and len(idx) else None
        j = 0
        for p in positions.tolist():
            if p >= s.n_base:
                record = copy.deepcopy(s.extras[p])
                archived_at = record.get("archivedAt")
            else:
                c, m = int(created[j]), int(base_lm[j])
                deal_links: list[tuple[int, bool]] = []
                if links is not None:
                    pair = ((int(links[0][j]), True), (int(links[1][j]), False))
                    deal_links = [(k, pr) for k, pr in pair if k >= 0]
                if light:
                    props = {ALWAYS_CREATE_PROPERTY.get(s.name, "hs_createdate"): iso_ms(c)}
                    private: dict[str, Any] = {"_links": deal_links} if s.name == "deals" else {}
                else:
                    rng = random.Random(int(seeds[j]))
                    if s.name == "deals":
                        props, private = makers.make_deal(self._env, rng, c, m, deal_links)
                    elif s.name == "companies":
                        props, private = makers.make_company(self._env, rng, p, c)
                    elif s.name == "goal_targets":
                        reps = len(self._reps)
                        props, private = makers.make_goal(
                            self._env, rng, self._reps[p % reps], self._manager, p // reps, c
                        )
                    else:
                        props, private = makers.ENGAGEMENT_MAKERS[s.name](self._env, rng, c, m)
                record = {"id": None, "properties": props, "createdAt": iso_ms(c)}
                if "_history" in private:
                    record["_history"] = private["_history"]
                if "_links" in private:
                    record["_companies"] = self._company_links(private["_links"])
                archived_at = iso_ms(m)
                j += 1
            rid = str(int(s.ids[p]))
            props = record["properties"]
            ov = s.overrides.get(p)
            if ov is not None:
                props.update(ov.get("props", {}))
                for name, entries in ov.get("history", {}).items():
                    record.setdefault("_history", {})[name] = [dict(e) for e in entries]
                if "archivedAt" in ov:
                    archived_at = iso_ms(ov["archivedAt"])
            stamp = iso_ms(int(s.lm[p]))
            props["hs_object_id"] = rid
            props["hs_lastmodifieddate"] = stamp
            archived_at = (archived_at or stamp) if s.state[p] == ARCHIVED else None
            shaped = api_record(rid, props, record["createdAt"], stamp, archived_at)
            if "_history" in record:
                shaped["_history"] = record["_history"]
            if "_companies" in record:
                companies = record["_companies"]
                remap = self._company_remap
                shaped["_companies"] = merged_links(companies, remap) if remap else companies
            out.append(shaped)
        return out

    def _company_links(self, links: list[tuple[int, bool]]) -> list[dict[str, Any]]:
        ids = self._stores["companies"].ids
        return [{"id": str(int(ids[k])), "primary": primary} for k, primary in links]

    def _render_many(self, s: Store, positions: np.ndarray) -> Iterable[tuple[int, dict[str, Any]]]:
        for i in range(0, len(positions), _RENDER_BATCH):
            chunk = positions[i : i + _RENDER_BATCH]
            yield from zip(chunk.tolist(), self._render(s, chunk), strict=True)

    def reverse_links(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(company positions sorted, deal positions, primary flags) over the generated deals."""
        if self._reverse is None:
            deals = self._stores["deals"]
            idx = np.arange(deals.n_base, dtype=np.int64)
            primary, partner = self._deal_links(idx)
            comp = np.concatenate([primary, partner])
            pos = np.concatenate([idx, idx])
            flag = np.concatenate([np.ones(len(idx), bool), np.zeros(len(idx), bool)])
            keep = comp >= 0
            comp, pos, flag = comp[keep], pos[keep], flag[keep]
            order = np.lexsort((pos, comp))
            self._reverse = (comp[order], pos[order], flag[order])
        return self._reverse

    # ------------------------------------------------------------------ change
    def _locate(self, object_name: str, id: str | int) -> tuple[Store, int]:
        s = self._store(object_name)
        p = s.position(id)
        if p is None:
            raise KeyError(f"{object_name} {id} not found")
        return s, p

    def update(
        self, object_name: str, id: str | int, properties: dict[str, Any], at: dt.datetime | str | int
    ) -> dict[str, Any]:
        """Set properties and bump `hs_lastmodifieddate`/`updatedAt` to `at` (history as PortalData.update)."""
        stamp = to_epoch_ms(at)
        with self.lock:
            s, p = self._locate(object_name, id)
            current = self._render(s, np.array([p]))[0]
            self._apply(s, p, current, {k: _prop(v) for k, v in properties.items()}, stamp)
            s.lm[p] = stamp
            self.version += 1
            return self._render(s, np.array([p]))[0]

    def _apply(self, s: Store, p: int, current: dict[str, Any], values: dict[str, Any], stamp: int) -> None:
        ov = s.overrides.setdefault(p, {})
        props = ov.setdefault("props", {})
        for name, value in values.items():
            history = current.get("_history", {}).get(name)
            if history is not None and current["properties"].get(name) != value:
                history.insert(0, {"value": value, "timestamp": iso_ms(stamp), "sourceType": "CRM_UI"})
                ov.setdefault("history", {})[name] = history
            current["properties"][name] = value
            props[name] = value

    def archive(self, object_name: str, id: str | int, at: dt.datetime | str | int) -> dict[str, Any]:
        """Move a record to the recycle bin: only `archived=true` listings show it from now on."""
        stamp = to_epoch_ms(at)
        with self.lock:
            s, p = self._locate(object_name, id)
            s.state[p] = ARCHIVED
            s.overrides.setdefault(p, {})["archivedAt"] = stamp
            s.lm[p] = stamp
            self.version += 1
            return self._render(s, np.array([p]))[0]

    def merge(
        self, object_name: str, survivor_id: str | int, merged_id: str | int, at: dt.datetime | str | int
    ) -> dict[str, Any]:
        """Merge `merged_id` into `survivor_id` as PortalData.merge does (companies move their deals)."""
        stamp = to_epoch_ms(at)
        with self.lock:
            s, sp = self._locate(object_name, survivor_id)
            _, mp = self._locate(object_name, merged_id)
            survivor = self._render(s, np.array([sp]))[0]
            merged = str(int(s.ids[mp]))
            ids = survivor["properties"].get("hs_merged_object_ids")
            s.overrides.setdefault(sp, {}).setdefault("props", {})["hs_merged_object_ids"] = (
                f"{ids};{merged}" if ids else merged
            )
            s.state[mp] = GONE
            s.lm[sp] = stamp
            if object_name == "companies":
                target = survivor["id"]
                for old, new in list(self._company_remap.items()):
                    if new == merged:
                        self._company_remap[old] = target
                self._company_remap[merged] = target
                self._merged_companies.setdefault(target, []).extend([merged, *self._merged_companies.pop(merged, [])])
            self.version += 1
            return self._render(s, np.array([sp]))[0]

    def add(self, object_name: str, record: dict[str, Any]) -> dict[str, Any]:
        """Add a record (e.g. one created while a sync runs). Its id must be above every existing id
        (None: the next free id). Returns the record as stored."""
        with self.lock:
            s = self._store(object_name)
            top = int(s.ids[-1]) if len(s.ids) else 0
            record = copy.deepcopy(record)
            if record.get("id") is None:
                record["id"] = str(top + 1)
                record.setdefault("properties", {})["hs_object_id"] = record["id"]
            rid = int(record["id"])
            if rid <= top:
                raise ValueError(f"added {object_name} need an id above {top}, got {rid}")
            p = len(s.ids)
            s.ids = np.append(s.ids, rid)
            s.lm = np.append(s.lm, to_epoch_ms(record.get("updatedAt") or record["createdAt"]))
            s.state = np.append(s.state, np.uint8(ARCHIVED if record.get("archived") else LIVE))
            s.extras[p] = record
            self.version += 1
            return record

    def touch_all(self, object_name: str, at: dt.datetime | str | int) -> int:
        """Bump every live record of a type to `at` (a pipeline edit that touches all deals)."""
        stamp = to_epoch_ms(at)
        with self.lock:
            s = self._store(object_name)
            live = s.state == LIVE
            s.lm[live] = stamp
            self.version += 1
            return int(np.count_nonzero(live))

    def update_fraction(
        self,
        object_name: str,
        fraction: float,
        at: dt.datetime | str | int | tuple[Any, Any],
        seed: int = 0,
    ) -> np.ndarray:
        """Give round(fraction x live records) random live records new property values and a new
        `hs_lastmodifieddate`: `at`, or spread uniformly over [start, end) when `at` is a pair.

        Deals get a new amount (open ones also move one stage on, with a history entry); other types
        a property a rep would edit. Returns the changed ids (int64, ascending).
        """
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"fraction must be within [0, 1], got {fraction}")
        with self.lock:
            s = self._store(object_name)
            live = np.flatnonzero(s.state == LIVE)
            k = int(round(fraction * len(live)))
            gen = np.random.default_rng([seed, streams.stream_key(self.seed, "update", object_name) & 0xFFFFFFFF])
            chosen = np.sort(gen.choice(live, size=k, replace=False)) if k else np.empty(0, dtype=np.int64)
            if isinstance(at, tuple):
                lo, hi = to_epoch_ms(at[0]), to_epoch_ms(at[1])
                if hi <= lo:
                    raise ValueError("the update window must end after it starts")
                stamps = gen.integers(lo, hi, size=k, dtype=np.int64)
            else:
                stamps = np.full(k, to_epoch_ms(at), dtype=np.int64)
            key = streams.stream_key(self.seed, "update-values", object_name, seed)
            if object_name == "deals":
                records: Iterable[tuple[int, dict[str, Any] | None]] = self._render_many(s, chosen)
            else:
                records = ((p, None) for p in chosen.tolist())
            for (p, current), stamp in zip(records, stamps.tolist(), strict=True):
                rng = random.Random(streams.draw(key, p))
                values = makers.changed_properties(object_name, rng, current, stamp)
                if current is None:
                    s.overrides.setdefault(p, {}).setdefault("props", {}).update(values)
                else:
                    self._apply(s, p, current, values, stamp)
            s.lm[chosen] = stamps
            self.version += 1
            return s.ids[chosen].copy()


def _year_starts(month_starts: np.ndarray) -> np.ndarray:
    """Epoch ms of January 1st of each timestamp's year."""
    years = month_starts.astype("datetime64[ms]").astype("datetime64[Y]")
    return years.astype("datetime64[ms]").astype(np.int64)


# ------------------------------------------------------------------------------------ factory
def generate_lazy_portal(
    seed: int = 7,
    deals: int = 1_000_000,
    engagements: int = 5_000_000,
    *,
    size: str | None = None,
    companies: int | None = None,
    owners: int | None = None,
    end_date: dt.date | None = None,
    months: int = 36,
) -> LazyPortal:
    """A lazy portal of `deals` deals and `engagements` engagements (split 46/30/8/8/8 % over calls,
    emails, meetings, notes, tasks), or the `size` preset (LAZY_SIZES: bench-10k, bench-100k, xlarge).

    `companies` defaults to deals // 3 (at least 50), `owners` to deals // 500 (8..2,000); goal
    targets are one per rep and month. `end_date` defaults to today (UTC); the same arguments give
    the same records.
    """
    if size is not None:
        if size not in LAZY_SIZES:
            raise ValueError(f"unknown lazy size {size!r}; expected one of {sorted(LAZY_SIZES)}")
        deals, engagements = LAZY_SIZES[size].deals, LAZY_SIZES[size].engagements
    if deals < 0 or engagements < 0:
        raise ValueError("deals and engagements must not be negative")
    end_date = last_day(end_date)
    n_companies = max(50, deals // 3) if companies is None else companies
    if not 0 <= n_companies <= _MAX_COMPANIES:
        raise ValueError(f"companies must be within [0, {_MAX_COMPANIES}]")
    n_owners = min(2_000, max(8, deals // 500)) if owners is None else owners
    if n_owners < 2:
        raise ValueError("owners must be at least 2 (a manager and a rep)")
    counts = {"deals": deals, "companies": n_companies, **split_engagements(engagements)}
    return LazyPortal(seed=seed, end_date=end_date, counts=counts, owners=n_owners - 1, months=months)
