"""The portal as data: `PortalData`, `make_record` and the helpers tests use to simulate change.

Records are stored exactly as HubSpot's API returns them (string-valued `properties`, ISO-Z
timestamps), so the server only has to select, project and page them; it never invents values. Deals
carry two private keys the server reads but never emits raw: `_history` (property history, newest
first) and `_companies` (company associations with a primary flag).

Mutations go through the helpers (`update`, `archive`, `merge`, `add`, `touch_all`), which bump
`version` so a running server rebuilds its indexes; they hold `lock`, which the server also takes,
so a test may change the portal while a sync is reading it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# The CRM v3 objects the portal holds, by their API path segment.
OBJECT_TYPES: tuple[str, ...] = (
    "deals",
    "companies",
    "calls",
    "emails",
    "meetings",
    "notes",
    "tasks",
    "goal_targets",
)

# HubSpot's six default call dispositions (outcome GUID -> label), as the calling API lists them.
STANDARD_DISPOSITIONS: tuple[dict[str, str], ...] = (
    {"id": "9d9162e7-6cf3-4944-bf63-4dff82258764", "label": "Busy"},
    {"id": "f240bbac-87c9-4f6e-bf70-924b57d47db7", "label": "Connected"},
    {"id": "a4c4c377-d246-4b32-a13b-75a56a4cd0ff", "label": "Left live message"},
    {"id": "b2cf5968-551e-4856-9783-52b3da59a7d0", "label": "Left voicemail"},
    {"id": "73a0d17f-1163-4015-bdd5-ec830791da20", "label": "No answer"},
    {"id": "17b47fee-58de-441e-a44c-c6300d46f273", "label": "Wrong number"},
)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


_DAY_PREFIX: dict[int, str] = {}
# Zero-padded numbers: indexing is twice as fast as format specs (the lazy portal formats millions).
_TWO = [f"{i:02d}" for i in range(100)]
_THREE = [f"{i:03d}" for i in range(1000)]


def iso_ms(ms: int) -> str:
    """Epoch milliseconds -> HubSpot's timestamp form, e.g. `2024-03-29T16:41:13.795Z`."""
    day, rem = divmod(int(ms), 86_400_000)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat() + "T"
        _DAY_PREFIX[day] = prefix
    sec, milli = divmod(rem, 1000)
    minute, sec = divmod(sec, 60)
    hour, minute = divmod(minute, 60)
    return f"{prefix}{_TWO[hour]}:{_TWO[minute]}:{_TWO[sec]}.{_THREE[milli]}Z"


def to_iso(value: dt.datetime | dt.date | str | int) -> str:
    """A datetime (naive means UTC), a date (midnight UTC), epoch ms or an ISO string -> ISO-Z with ms."""
    if isinstance(value, str):
        return iso_ms(to_epoch_ms(value))
    if isinstance(value, int):
        return iso_ms(value)
    return iso_ms(to_epoch_ms(value))


def to_epoch_ms(value: dt.datetime | dt.date | str | int) -> int:
    """The inverse of `iso_ms`, accepting the same inputs as `to_iso`."""
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _prop(value: Any) -> str | None:
    """HubSpot sends every property value as a string (or null)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date)):
        return to_iso(value)
    return str(value)


def make_record(
    id: str | int | None,
    properties: dict[str, Any],
    created_at: dt.datetime | dt.date | str,
    updated_at: dt.datetime | dt.date | str | None = None,
    archived: bool = False,
    archived_at: dt.datetime | dt.date | str | None = None,
    *,
    history: dict[str, list[dict[str, Any]]] | None = None,
    companies: Iterable[dict[str, Any] | str] | None = None,
) -> dict[str, Any]:
    """Build one API record the way HubSpot returns it.

    Property values are turned into strings (numbers via `str`, booleans to "true"/"false",
    datetimes to ISO-Z). `hs_object_id`, `createdate`, `hs_createdate` and `hs_lastmodifieddate`
    are filled from the id and timestamps unless given. `history` (newest first) and `companies`
    (`[{"id": "9001", "primary": True}]`, or bare ids where the first is primary) are for deals.
    """
    created = to_iso(created_at)
    updated = to_iso(updated_at) if updated_at is not None else created
    rid = None if id is None else str(id)
    props = {k: _prop(v) for k, v in properties.items()}
    props.setdefault("hs_object_id", rid)
    props.setdefault("createdate", created)
    props.setdefault("hs_createdate", created)
    props.setdefault("hs_lastmodifieddate", updated)
    record: dict[str, Any] = {
        "id": rid,
        "properties": props,
        "createdAt": created,
        "updatedAt": updated,
        "archived": bool(archived),
    }
    if archived:
        record["archivedAt"] = to_iso(archived_at) if archived_at is not None else updated
    if history is not None:
        record["_history"] = {
            name: [{**entry, "timestamp": to_iso(entry["timestamp"])} for entry in entries]
            for name, entries in history.items()
        }
    if companies is not None:
        links = []
        for i, c in enumerate(companies):
            if isinstance(c, dict):
                links.append({"id": str(c["id"]), "primary": bool(c.get("primary", False))})
            else:
                links.append({"id": str(c), "primary": i == 0})
        record["_companies"] = links
    return record


def merged_links(links: list[dict[str, Any]], survivor_of: dict[str, str]) -> list[dict[str, Any]]:
    """A deal's company links after company merges: links to a merged company move to its survivor,
    and two links to one company become one, primary if either was."""
    moved: list[dict[str, Any]] = []
    for link in links:
        cid = survivor_of.get(str(link["id"]), str(link["id"]))
        same = next((m for m in moved if m["id"] == cid), None)
        if same is None:
            moved.append({"id": cid, "primary": bool(link["primary"])})
        else:
            same["primary"] = same["primary"] or bool(link["primary"])
    return moved


@dataclass
class PortalData:
    """A whole portal: CRM records per object type, owners, deal pipelines, custom dispositions.

    Cheap to write by hand; missing object types default to empty lists.
    """

    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    owners: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[dict[str, Any]] = field(default_factory=list)
    dispositions: list[dict[str, str]] = field(default_factory=list)
    # Bumped by every helper mutation; the server's indexes are keyed on it.
    version: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in OBJECT_TYPES:
            self.objects.setdefault(name, [])
        self.lock = threading.RLock()

    # The lock cannot be pickled or deep-copied; a copy gets a fresh one.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("lock", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lock = threading.RLock()

    # ------------------------------------------------------------------ reading
    def get(self, object_name: str, id: str | int) -> dict[str, Any] | None:
        """The record with this id (archived or not), or None."""
        key = str(id)
        for record in self.objects.get(object_name, ()):
            if record.get("id") == key:
                return record
        return None

    def counts(self) -> dict[str, int]:
        """Record counts per object type (archived included), plus owners."""
        out = {name: len(records) for name, records in self.objects.items()}
        out["owners"] = len(self.owners)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "objects": self.objects,
            "owners": self.owners,
            "pipelines": self.pipelines,
            "dispositions": self.dispositions,
        }

    def to_json(self) -> str:
        """Canonical JSON of the whole portal (private keys included); equal portals give equal bytes."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    # ------------------------------------------------------------------ change
    def _require(self, object_name: str, id: str | int) -> dict[str, Any]:
        record = self.get(object_name, id)
        if record is None:
            raise KeyError(f"{object_name} {id} not found")
        return record

    def _bump(self, record: dict[str, Any], at: str) -> None:
        record["updatedAt"] = at
        record["properties"]["hs_lastmodifieddate"] = at

    def update(
        self, object_name: str, id: str | int, properties: dict[str, Any], at: dt.datetime | str
    ) -> dict[str, Any]:
        """Set properties and bump `hs_lastmodifieddate`/`updatedAt` to `at`.

        A changed property that has a history (a deal's `dealstage`) gets a new newest entry.
        """
        stamp = to_iso(at)
        with self.lock:
            record = self._require(object_name, id)
            for name, value in properties.items():
                value = _prop(value)
                history = record.get("_history", {}).get(name)
                if history is not None and record["properties"].get(name) != value:
                    history.insert(0, {"value": value, "timestamp": stamp, "sourceType": "CRM_UI"})
                record["properties"][name] = value
            self._bump(record, stamp)
            self.version += 1
            return record

    def archive(self, object_name: str, id: str | int, at: dt.datetime | str) -> dict[str, Any]:
        """Move a record to the recycle bin: only `archived=true` listings show it from now on."""
        stamp = to_iso(at)
        with self.lock:
            record = self._require(object_name, id)
            record["archived"] = True
            record["archivedAt"] = stamp
            self._bump(record, stamp)
            self.version += 1
            return record

    def merge(
        self, object_name: str, survivor_id: str | int, merged_id: str | int, at: dt.datetime | str
    ) -> dict[str, Any]:
        """Merge `merged_id` into `survivor_id` the way HubSpot does.

        The merged record disappears without being archived; the survivor's `hs_merged_object_ids`
        gets the id appended (`;`-separated) and the survivor is updated at `at`. Merging companies
        moves deal associations from the merged company to the survivor (the deals are not bumped).
        """
        stamp = to_iso(at)
        with self.lock:
            survivor = self._require(object_name, survivor_id)
            merged = self._require(object_name, merged_id)
            self.objects[object_name].remove(merged)
            ids = survivor["properties"].get("hs_merged_object_ids")
            survivor["properties"]["hs_merged_object_ids"] = f"{ids};{merged['id']}" if ids else merged["id"]
            self._bump(survivor, stamp)
            if object_name == "companies":
                for deal in self.objects.get("deals", ()):
                    links = deal.get("_companies")
                    if not links:
                        continue
                    deal["_companies"] = merged_links(links, {merged["id"]: survivor["id"]})
            self.version += 1
            return survivor

    def add(self, object_name: str, record: dict[str, Any]) -> dict[str, Any]:
        """Add a new record (e.g. one created while a sync runs)."""
        with self.lock:
            self.objects.setdefault(object_name, []).append(record)
            self.version += 1
            return record

    def touch_all(self, object_name: str, at: dt.datetime | str) -> int:
        """Bump every live record of a type to `at`, like a pipeline edit that touches all deals."""
        stamp = to_iso(at)
        with self.lock:
            n = 0
            for record in self.objects.get(object_name, ()):
                if not record.get("archived"):
                    self._bump(record, stamp)
                    n += 1
            self.version += 1
            return n
