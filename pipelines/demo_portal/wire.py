"""HubSpot's read semantics, without HTTP: which records a request sees, in what order, how they look.

Listing (id order, cursor paging, live xor archived), property projection (requested, default and
always-returned properties, history, inline associations), search (filter groups, one sort, offset
paging, the 10,000-result cap), batch reads and v4 association shapes. The server turns HTTP into
calls to this module; tests can call it directly.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pipelines.demo_portal.data import PortalData

LIST_MAX = 100
LIST_HISTORY_MAX = 50
LIST_DEFAULT = 10
SEARCH_MAX = 200
SEARCH_DEFAULT = 10
SEARCH_CAP = 10_000
SEARCH_MAX_GROUPS = 5
SEARCH_MAX_FILTERS_PER_GROUP = 6
SEARCH_MAX_FILTERS = 18
BATCH_MAX = 100
ASSOC_MAX = 500
ASSOC_BATCH_MAX = 1000
OWNERS_DEFAULT = 100
OWNERS_MAX = 500

# Properties HubSpot returns when the request names none.
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "deals": ("dealname", "amount", "closedate", "pipeline", "dealstage"),
    "companies": ("name", "domain"),
}
# Returned whatever properties are requested.
ALWAYS_CREATE_PROPERTY: dict[str, str] = {"deals": "createdate", "companies": "createdate"}

# v4 association types between deals and companies: (primary typeId, unlabeled typeId, v3 names).
ASSOCIATION_TYPES: dict[tuple[str, str], tuple[int, int, str, str]] = {
    ("deals", "companies"): (5, 341, "deal_to_company", "deal_to_company_unlabeled"),
    ("companies", "deals"): (6, 342, "company_to_deal", "company_to_deal_unlabeled"),
}


class WireError(Exception):
    """A request HubSpot would refuse; the server turns it into an error body."""

    def __init__(self, status: int, message: str, category: str = "VALIDATION_ERROR", **extra: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.extra = extra


# ---------------------------------------------------------------------------------------- parsing
def split_list(values: Iterable[str] | str | None) -> list[str]:
    """Repeated and comma-separated list parameters alike -> names, order kept, duplicates dropped."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise WireError(400, f"Invalid list value: {value!r}")
        for part in value.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def parse_bool(value: str | bool | None, name: str, default: bool = False) -> bool:
    """`True`, `true`, `TRUE`... as HubSpot does; anything else is a 400."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    low = value.strip().lower()
    if low == "true":
        return True
    if low == "false":
        return False
    raise WireError(400, f"Invalid value for query parameter {name}: {value!r} is not a boolean")


def parse_limit(value: Any, default: int, maximum: int, what: str) -> int:
    if value is None or value == "":
        return default
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise WireError(400, f"Invalid limit {value!r}: must be an integer") from None
    if limit < 1:
        raise WireError(400, f"limit must be at least 1, got {limit}")
    if limit > maximum:
        raise WireError(400, f"limit may not be greater than {maximum} {what}, got {limit}")
    return limit


# ------------------------------------------------------------------------------ value comparison
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def coerce(value: Any) -> float | str | None:
    """A property or filter value -> a comparable: numbers and datetimes (epoch ms) as float.

    HubSpot compares date properties as epoch milliseconds and accepts ISO strings for them, and
    compares numeric properties (hs_object_id, amount) as numbers. Anything else is a string.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value)
    if _NUMBER.match(text):
        return float(text)
    if _DATE.match(text) or _ISO.match(text):
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return (parsed - _EPOCH).total_seconds() * 1000.0
    return text


def _eq(a: float | str | None, b: float | str | None) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, float) and isinstance(b, float):
        return a == b
    return str(a).lower() == str(b).lower()


def _cmp(a: float | str | None, b: float | str | None) -> int | None:
    """-1/0/1, or None when the two are not comparable (missing, or number vs text)."""
    if a is None or b is None:
        return None
    if isinstance(a, float) != isinstance(b, float):
        return None
    return (a > b) - (a < b)  # type: ignore[operator]


# ----------------------------------------------------------------------------------------- index
Key = tuple[int, int]


def record_keys(records: list[dict[str, Any]]) -> list[Key]:
    """Sort keys: (numeric id, 0); a record without a usable id keeps its place after its predecessor."""
    keys: list[Key] = []
    prev: Key = (-1, 0)
    for record in records:
        rid = record.get("id")
        try:
            key = (int(rid), 0)
        except (TypeError, ValueError):
            key = (prev[0], prev[1] + 1)
        keys.append(key)
        prev = key
    return keys


def encode_cursor(key: Key) -> str:
    return str(key[0]) if key[1] == 0 else f"{key[0]}.{key[1]}"


def decode_cursor(cursor: str) -> Key:
    try:
        if "." in cursor:
            a, b = cursor.split(".", 1)
            return (int(a), int(b))
        return (int(cursor), 0)
    except ValueError:
        raise WireError(400, f"Invalid paging cursor (after): {cursor!r}") from None


@dataclass
class View:
    """Records of one object type in id order, split live / archived, with lookup and value columns."""

    live: list[dict[str, Any]]
    live_keys: list[Key]
    archived: list[dict[str, Any]]
    archived_keys: list[Key]
    by_id: dict[str, dict[str, Any]]
    _columns: dict[str, list[float | str | None]] = field(default_factory=dict)
    _searches: OrderedDict[str, list[dict[str, Any]]] = field(default_factory=OrderedDict)
    _company_deals: dict[str, list[tuple[str, bool]]] | None = None

    def records(self, archived: bool) -> tuple[list[dict[str, Any]], list[Key]]:
        return (self.archived, self.archived_keys) if archived else (self.live, self.live_keys)

    # The read interface `list_page`, `search_page`, `batch_read`, `association_targets` and the
    # server use; the lazy portal's views (lazy/view.py) implement the same six methods.
    def lookup(self, rid: str) -> dict[str, Any] | None:
        """The record with this id, archived or not (None if there is none)."""
        return self.by_id.get(rid)

    def lookup_many(self, rids: list[str]) -> list[dict[str, Any] | None]:
        return [self.by_id.get(rid) for rid in rids]

    def deal_links(self, rids: list[str]) -> list[list[tuple[str, bool]]]:
        """For a deals view: each deal's company links [(company id, primary)]; none when archived."""
        return [company_links_of(self.by_id.get(rid)) for rid in rids]

    def list_chunk(self, archived: bool, after: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        """Up to `limit` records from the cursor on, in id order, and the next page's cursor (or None)."""
        records, keys = self.records(archived)
        start = bisect.bisect_left(keys, decode_cursor(after)) if after else 0
        nxt = start + limit
        return records[start:nxt], (encode_cursor(keys[nxt]) if nxt < len(records) else None)

    def search(self, body: dict[str, Any], offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """(total matches, the matches at [offset, offset + limit)) for a validated search body."""
        matches = search_matches(self, body)
        return len(matches), matches[offset : offset + limit]

    def company_links(self, company_id: str) -> list[tuple[str, bool]]:
        """For a deals view: [(deal id, primary)] of the live deals associated with a company."""
        return self.company_deals().get(company_id, [])

    def column(self, prop: str) -> list[float | str | None]:
        """Coerced values of one property over the live records (cached until the portal changes)."""
        col = self._columns.get(prop)
        if col is None:
            col = [coerce(r["properties"].get(prop)) for r in self.live]
            self._columns[prop] = col
        return col

    def company_deals(self) -> dict[str, list[tuple[str, bool]]]:
        """For a deals view: company id -> [(deal id, primary)] over live deals, in deal id order."""
        if self._company_deals is None:
            rev: dict[str, list[tuple[str, bool]]] = {}
            for deal in self.live:
                if deal.get("id") is None:
                    continue
                for link in deal.get("_companies") or []:
                    rev.setdefault(str(link["id"]), []).append((str(deal["id"]), bool(link.get("primary"))))
            self._company_deals = rev
        return self._company_deals


def company_links_of(deal: dict[str, Any] | None) -> list[tuple[str, bool]]:
    """A deal's company links [(company id, primary)]; none when it is archived or unknown."""
    if deal is None or deal.get("archived"):
        return []
    return [(str(link["id"]), bool(link.get("primary"))) for link in deal.get("_companies") or []]


def build_view(records: list[dict[str, Any]]) -> View:
    keyed = sorted(zip(record_keys(records), range(len(records)), strict=True), key=lambda kv: kv[0])
    live: list[dict[str, Any]] = []
    live_keys: list[Key] = []
    arch: list[dict[str, Any]] = []
    arch_keys: list[Key] = []
    by_id: dict[str, dict[str, Any]] = {}
    for key, i in keyed:
        record = records[i]
        if record.get("archived"):
            arch.append(record)
            arch_keys.append(key)
        else:
            live.append(record)
            live_keys.append(key)
        if record.get("id") is not None:
            by_id.setdefault(str(record["id"]), record)
    return View(live, live_keys, arch, arch_keys, by_id)


class Indexes:
    """Per-object views of a PortalData, rebuilt whenever the portal changes."""

    def __init__(self, portal: PortalData):
        self.portal = portal
        self._views: dict[str, tuple[tuple[int, int, int], View]] = {}

    def has(self, object_name: str) -> bool:
        return object_name in self.portal.objects

    def view(self, object_name: str) -> View:
        records = self.portal.objects.get(object_name, [])
        stamp = (self.portal.version, id(records), len(records))
        cached = self._views.get(object_name)
        if cached is None or cached[0] != stamp:
            cached = (stamp, build_view(records))
            self._views[object_name] = cached
        return cached[1]


def indexes_for(portal: Any) -> Any:
    """The object views the server reads: a portal that brings its own (`indexes()`, the lazy portal)
    is read through them; a PortalData through `Indexes`. Either answers `has(name)` and `view(name)`."""
    own = getattr(portal, "indexes", None)
    return own() if callable(own) else Indexes(portal)


# ------------------------------------------------------------------------------------ projection
def _history_entries(record: dict[str, Any], prop: str) -> list[dict[str, Any]]:
    stored = record.get("_history", {}).get(prop)
    if stored is not None:
        return [dict(entry) for entry in stored]
    value = record["properties"].get(prop)
    if value is None:
        return []
    return [{"value": value, "timestamp": record.get("updatedAt"), "sourceType": "CRM_UI"}]


def inline_associations(record: dict[str, Any], object_name: str, to_types: list[str]) -> dict[str, Any] | None:
    """v3 inline associations: the primary company twice (labelled and unlabeled), others once."""
    if object_name != "deals" or "companies" not in to_types:
        return None
    links = record.get("_companies") or []
    if not links:
        return None
    _, _, primary_name, unlabeled_name = ASSOCIATION_TYPES[("deals", "companies")]
    results = []
    for link in links:
        if link.get("primary"):
            results.append({"id": str(link["id"]), "type": primary_name})
        results.append({"id": str(link["id"]), "type": unlabeled_name})
    return {"companies": {"results": results}}


def project(
    record: dict[str, Any],
    object_name: str,
    properties: list[str] | None,
    history: list[str] | None = None,
    associations: list[str] | None = None,
) -> dict[str, Any]:
    """One record as the API shows it: the requested properties (null if absent) + the usual three."""
    props_src = record["properties"]
    names = list(properties) if properties else list(DEFAULT_PROPERTIES.get(object_name, ()))
    names.append(ALWAYS_CREATE_PROPERTY.get(object_name, "hs_createdate"))
    names.append("hs_lastmodifieddate")
    names.append("hs_object_id")
    props = {name: props_src.get(name) for name in sorted(set(names))}
    if props["hs_object_id"] is None and record.get("id") is not None and "hs_object_id" not in props_src:
        props["hs_object_id"] = record["id"]
    out: dict[str, Any] = {"id": record.get("id"), "properties": props}
    if history:
        out["propertiesWithHistory"] = {name: _history_entries(record, name) for name in history}
    out["createdAt"] = record.get("createdAt")
    out["updatedAt"] = record.get("updatedAt")
    out["archived"] = bool(record.get("archived", False))
    if record.get("archived"):
        out["archivedAt"] = record.get("archivedAt", record.get("updatedAt"))
    if associations:
        assoc = inline_associations(record, object_name, associations)
        if assoc:
            out["associations"] = assoc
    return out


# ------------------------------------------------------------------------------------------ list
def list_page(
    view: View,
    object_name: str,
    *,
    limit: int,
    after: str | None,
    archived: bool,
    properties: list[str],
    history: list[str],
    associations: list[str],
    link: Callable[[str], str],
) -> dict[str, Any]:
    """A list page in id order; `paging` only when more records follow (absent on the last page)."""
    chunk, cursor = view.list_chunk(archived, after, limit)
    body: dict[str, Any] = {"results": [project(r, object_name, properties, history, associations) for r in chunk]}
    if cursor is not None:
        body["paging"] = {"next": {"after": cursor, "link": link(cursor)}}
    return body


# ----------------------------------------------------------------------------------------- search
_OPERATORS = {
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
}


def _token_match(value: float | str | None, token: str) -> bool:
    if value is None:
        return False
    text = str(value).lower()
    pattern = token.lower()
    if "*" in pattern:
        regex = re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$")
        return any(regex.match(word) for word in re.split(r"\W+", text)) or bool(regex.match(text))
    return pattern in re.split(r"\W+", text) or pattern == text


def _compile_filter(f: Any) -> tuple[str, Callable[[float | str | None], bool]]:
    if not isinstance(f, dict):
        raise WireError(400, f"Invalid filter: {f!r}")
    prop = f.get("propertyName")
    op = str(f.get("operator", "")).upper()
    if not prop or not isinstance(prop, str):
        raise WireError(400, "Every filter needs a propertyName")
    if op not in _OPERATORS:
        raise WireError(400, f"Unknown filter operator {f.get('operator')!r}")
    if op == "HAS_PROPERTY":
        return prop, lambda v: v is not None and v != ""
    if op == "NOT_HAS_PROPERTY":
        return prop, lambda v: v is None or v == ""
    if op in ("IN", "NOT_IN"):
        values = f.get("values")
        if not isinstance(values, list) or not values:
            raise WireError(400, f"Operator {op} on {prop} needs a non-empty 'values' list")
        wanted = [coerce(x) for x in values]
        if op == "IN":
            return prop, lambda v: any(_eq(v, w) for w in wanted)
        return prop, lambda v: not any(_eq(v, w) for w in wanted)
    if "value" not in f or f["value"] is None:
        raise WireError(400, f"Operator {op} on {prop} needs a 'value'")
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(f["value"])
        if op == "CONTAINS_TOKEN":
            return prop, lambda v: _token_match(v, token)
        return prop, lambda v: not _token_match(v, token)
    target = coerce(f["value"])
    if op == "EQ":
        return prop, lambda v: _eq(v, target)
    if op == "NEQ":
        return prop, lambda v: not _eq(v, target)
    if op == "BETWEEN":
        if f.get("highValue") is None:
            raise WireError(400, f"Operator BETWEEN on {prop} needs a 'highValue'")
        high = coerce(f["highValue"])

        def between(v: float | str | None) -> bool:
            lo, hi = _cmp(v, target), _cmp(v, high)
            return lo is not None and hi is not None and lo >= 0 and hi <= 0

        return prop, between
    wanted_sign = {"LT": (-1,), "LTE": (-1, 0), "GT": (1,), "GTE": (1, 0)}[op]

    def ordered(v: float | str | None) -> bool:
        c = _cmp(v, target)
        return c is not None and c in wanted_sign

    return prop, ordered


def _groups(body: dict[str, Any]) -> list[list[Any]]:
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list):
        raise WireError(400, "filterGroups must be a list")
    out: list[list[Any]] = []
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list):
            raise WireError(400, "Every filter group needs a 'filters' list")
        out.append(filters)
    legacy = body.get("filters")  # Airbyte's legacy top-level filters: one more AND group
    if legacy:
        if not isinstance(legacy, list):
            raise WireError(400, "filters must be a list")
        out.append(legacy)
    if len(out) > SEARCH_MAX_GROUPS:
        raise WireError(400, f"Too many filter groups ({len(out)}); the maximum is {SEARCH_MAX_GROUPS}")
    total = 0
    for filters in out:
        if len(filters) > SEARCH_MAX_FILTERS_PER_GROUP:
            raise WireError(
                400, f"Too many filters in a group ({len(filters)}); the maximum is {SEARCH_MAX_FILTERS_PER_GROUP}"
            )
        total += len(filters)
    if total > SEARCH_MAX_FILTERS:
        raise WireError(400, f"Too many filters ({total}); the maximum is {SEARCH_MAX_FILTERS}")
    return out


def _sort_spec(body: dict[str, Any]) -> tuple[str, bool] | None:
    sorts = body.get("sorts") or []
    if not isinstance(sorts, list):
        raise WireError(400, "sorts must be a list")
    if not sorts:
        return None
    first = sorts[0]  # HubSpot honours one sort
    if isinstance(first, str):
        return (first[1:], True) if first.startswith("-") else (first, False)
    if isinstance(first, dict) and isinstance(first.get("propertyName"), str):
        direction = str(first.get("direction", "ASCENDING")).upper()
        if direction not in ("ASCENDING", "DESCENDING"):
            raise WireError(400, f"Invalid sort direction {first.get('direction')!r}")
        return first["propertyName"], direction == "DESCENDING"
    raise WireError(400, f"Invalid sort: {first!r}")


def _sort_key(value: float | str | None) -> tuple[int, Any]:
    if value is None:
        return (2, 0)
    if isinstance(value, float):
        return (0, value)
    return (1, value.lower())


def _query_match(record: dict[str, Any], query: str) -> bool:
    q = query.lower()
    return any(isinstance(v, str) and q in v.lower() for v in record["properties"].values())


def search_matches(view: View, body: dict[str, Any]) -> list[dict[str, Any]]:
    """All live records matching the body's filters (OR of AND groups), sorted; cached per body."""
    cache_key = json.dumps(
        [body.get("filterGroups"), body.get("filters"), body.get("sorts"), body.get("query")],
        sort_keys=True,
        default=str,
    )
    hit = view._searches.get(cache_key)
    if hit is not None:
        view._searches.move_to_end(cache_key)
        return hit
    groups = [[_compile_filter(f) for f in filters] for filters in _groups(body)]
    sort = _sort_spec(body)
    query = body.get("query")
    candidates = [i for i, r in enumerate(view.live) if r.get("id") is not None]
    if groups:
        keep: set[int] = set()
        for group in groups:
            rows = candidates
            for prop, test in group:
                col = view.column(prop)
                rows = [i for i in rows if test(col[i])]
            keep.update(rows)
        candidates = [i for i in candidates if i in keep]
    if isinstance(query, str) and query.strip():
        candidates = [i for i in candidates if _query_match(view.live[i], query.strip())]
    # Default order and tie-break: id ascending (live records are already in id order).
    if sort is not None:
        col = view.column(sort[0])
        descending = sort[1]
        present = [i for i in candidates if col[i] is not None]
        missing = [i for i in candidates if col[i] is None]
        present.sort(key=lambda i: _sort_key(col[i]), reverse=descending)
        candidates = present + missing  # nulls last in either direction
    result = [view.live[i] for i in candidates]
    view._searches[cache_key] = result
    if len(view._searches) > 32:
        view._searches.popitem(last=False)
    return result


def search_page(view: View, object_name: str, body: Any) -> dict[str, Any]:
    """One search page: `total`, `results` and `paging.next.after` (an offset) when more follow."""
    if not isinstance(body, dict):
        raise WireError(400, "The search request body must be a JSON object")
    limit = parse_limit(body.get("limit"), SEARCH_DEFAULT, SEARCH_MAX, "for search")
    raw_after = body.get("after")
    if raw_after in (None, ""):
        offset = 0
    else:
        try:
            offset = int(raw_after)
        except (TypeError, ValueError):
            raise WireError(400, f"Invalid after {raw_after!r}: search paging uses numeric offsets") from None
        if offset < 0:
            raise WireError(400, f"Invalid after {raw_after!r}")
    if offset >= SEARCH_CAP or offset + limit > SEARCH_CAP:
        raise WireError(
            400,
            f"Search results are limited to {SEARCH_CAP} records: after ({offset}) + limit ({limit}) "
            f"may not exceed {SEARCH_CAP}. Narrow the filters instead of paging further.",
        )
    properties = split_list(body.get("properties"))
    total, chunk = view.search(body, offset, limit)
    out: dict[str, Any] = {
        "total": total,
        "results": [project(r, object_name, properties) for r in chunk],
    }
    if offset + limit < total:
        out["paging"] = {"next": {"after": str(offset + limit)}}
    return out


# ------------------------------------------------------------------------------------ batch read
def batch_read(view: View, object_name: str, body: Any, archived: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """Records for the body's inputs (input order, duplicates once) and the ids not found."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise WireError(400, "The batch read body needs an 'inputs' list")
    inputs = body["inputs"]
    if len(inputs) > BATCH_MAX:
        raise WireError(400, f"Batch read accepts at most {BATCH_MAX} inputs, got {len(inputs)}")
    id_property = body.get("idProperty")
    if id_property not in (None, "", "hs_object_id"):
        raise WireError(400, f"idProperty {id_property!r} is not a unique property of {object_name}")
    properties = split_list(body.get("properties"))
    history = split_list(body.get("propertiesWithHistory"))
    rids: list[str] = []
    seen: set[str] = set()
    for item in inputs:
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            raise WireError(400, f"Invalid batch input {item!r}: each input needs an 'id'")
        rid = str(item["id"])
        if rid in seen:
            continue
        seen.add(rid)
        rids.append(rid)
    found: list[dict[str, Any]] = []
    missing: list[str] = []
    for rid, record in zip(rids, view.lookup_many(rids), strict=True):
        if record is None or bool(record.get("archived")) != archived:
            missing.append(rid)
        else:
            found.append(project(record, object_name, properties, history))
    return found, missing


# ---------------------------------------------------------------------------------- associations
def association_targets(deals: View, from_type: str, from_id: str, to_type: str) -> list[dict[str, Any]]:
    """v4 `to` entries: one per associated record, with every association type between the pair.

    `deals` is the deals view (associations live on deals as `_companies`); archived deals have none.
    """
    return association_targets_many(deals, from_type, [from_id], to_type)[0]


def association_targets_many(
    deals: View, from_type: str, from_ids: list[str], to_type: str
) -> list[list[dict[str, Any]]]:
    """`association_targets` for several records at once (a batch read makes its deals together)."""
    types = ASSOCIATION_TYPES.get((from_type, to_type))
    if types is None:
        return [[] for _ in from_ids]
    primary_type, unlabeled_type, _, _ = types
    if from_type == "deals":
        every = deals.deal_links(from_ids)
    else:
        every = [deals.company_links(from_id) for from_id in from_ids]
    out = []
    for links in every:
        targets = []
        for to_id, primary in links:
            kinds = []
            if primary:
                kinds.append({"category": "HUBSPOT_DEFINED", "typeId": primary_type, "label": "Primary"})
            kinds.append({"category": "HUBSPOT_DEFINED", "typeId": unlabeled_type, "label": None})
            targets.append({"toObjectId": int(to_id), "associationTypes": kinds})
        out.append(targets)
    return out


def association_page(targets: list[dict[str, Any]], limit: int, after: str | None) -> dict[str, Any]:
    """Offset paging over one record's associations; `paging` only when more follow."""
    try:
        start = int(after) if after else 0
    except ValueError:
        raise WireError(400, f"Invalid paging cursor (after): {after!r}") from None
    out: dict[str, Any] = {"results": targets[start : start + limit]}
    if start + limit < len(targets):
        out["paging"] = {"next": {"after": str(start + limit)}}
    return out


# ----------------------------------------------------------------------------------------- owners
def owners_page(
    owners: list[dict[str, Any]],
    *,
    limit: int,
    after: str | None,
    archived: bool,
    email: str | None,
    link: Callable[[str], str],
) -> dict[str, Any]:
    """Owners in id order, live xor archived, optionally one email; cursor = next owner's id."""
    selected = [o for o in owners if bool(o.get("archived")) == archived]
    if email:
        selected = [o for o in selected if str(o.get("email", "")).lower() == email.lower()]
    selected.sort(key=lambda o: int(o["id"]) if str(o["id"]).isdigit() else 0)
    start = 0
    if after:
        try:
            floor = int(after)
        except ValueError:
            raise WireError(400, f"Invalid paging cursor (after): {after!r}") from None
        while start < len(selected) and int(selected[start]["id"]) < floor:
            start += 1
    out: dict[str, Any] = {"results": selected[start : start + limit]}
    if start + limit < len(selected):
        cursor = str(selected[start + limit]["id"])
        out["paging"] = {"next": {"after": cursor, "link": link(cursor)}}
    return out
