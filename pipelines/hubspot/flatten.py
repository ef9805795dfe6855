"""Flatten HubSpot JSON records into typed columnar frames.

HubSpot sends every property as a string (or null): numbers, booleans and dates included. Typing
happens here, column by column and vectorised; a value that does not parse is recorded as a
`ParseFailure` (and its record later quarantined) instead of silently becoming NULL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipelines.hubspot.client import CompanyLink
from pipelines.hubspot.objects import OWNERS_COLUMNS, PIPELINE_STAGES_COLUMNS, ChildTable, CrmObject, PropertyType

# Inline association types on v3 pages: the Primary label is `deal_to_company`; every associated
# company (primary or not) is repeated as `deal_to_company_unlabeled`.
PRIMARY_INLINE_TYPE = "deal_to_company"
UNLABELED_INLINE_TYPE = "deal_to_company_unlabeled"


@dataclass(frozen=True)
class ParseFailure:
    """A value that could not be typed: which row (frame index), column, type, and the value."""

    row: int
    column: str
    check: str
    value: str


def _blank_to_none(values: pd.Series) -> pd.Series:
    # HubSpot clears a property by sending "" rather than null.
    return values.where(values != "", None)


def parse_column(raw: pd.Series, kind: PropertyType) -> tuple[pd.Series, pd.Series]:
    """Type one column of HubSpot strings.

    Returns:
        (typed column, boolean mask of the rows whose non-empty value did not parse).
    """
    raw = _blank_to_none(raw.astype("object"))
    present = raw.notna()
    if kind == "string":
        return raw.astype("str").where(present, None).astype("str"), pd.Series(False, index=raw.index)
    if kind in ("number", "int"):
        typed = pd.to_numeric(raw, errors="coerce").astype("float64")
        failed = present & typed.isna()
        if kind == "int":
            failed |= present & typed.notna() & (typed % 1 != 0)
            typed = typed.where(~failed).astype("Int64")
        return typed, failed
    if kind == "bool":
        lowered = raw.astype("str").str.lower()
        typed = lowered.map({"true": True, "false": False}).astype("boolean")
        return typed.where(present, pd.NA).astype("boolean"), present & typed.isna()
    if kind == "datetime":
        return parse_timestamps(raw)
    raise ValueError(f"unknown property type {kind!r}")


def parse_timestamps(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO-8601 strings (any offset) or epoch milliseconds -> naive UTC timestamps (µs)."""
    present = raw.notna()
    # ISO first (the common case, one vectorised pass); epoch milliseconds only where ISO failed.
    typed = pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601")
    retry = present & typed.isna()
    if retry.any():
        text = raw[retry].astype("str")
        digits = text[text.str.fullmatch(r"-?\d{10,}")]
        if len(digits):
            millis = pd.to_numeric(digits, errors="coerce")
            typed[digits.index] = pd.to_datetime(millis, unit="ms", utc=True, errors="coerce")
    typed = typed.dt.tz_localize(None).astype("datetime64[us]")
    return typed, present & typed.isna()


def type_frame(frame: pd.DataFrame, columns: dict[str, PropertyType]) -> tuple[pd.DataFrame, list[ParseFailure]]:
    """Type every column of a frame of strings; collect the values that did not parse."""
    typed: dict[str, pd.Series] = {}
    failures: list[ParseFailure] = []
    for name, kind in columns.items():
        raw = frame[name] if name in frame else pd.Series(None, index=frame.index, dtype="object")
        typed[name], failed = parse_column(raw, kind)
        for row in failed[failed].index:
            failures.append(ParseFailure(int(row), name, f"parse_{kind}", str(raw[row])))
    return pd.DataFrame(typed, index=frame.index), failures


def flatten_records(
    obj: CrmObject, records: list[dict[str, Any]], links: list[CompanyLink] | None = None
) -> tuple[pd.DataFrame, list[ParseFailure]]:
    """CRM records (raw JSON dicts) -> one typed row per record, columns in `obj`'s order
    (without the load columns). The frame index is the record's position in `records`.

    `links` are the records' company links when they were read apart from the records (after a
    search); None means they are inline in the records (a listing)."""
    # Column by column (a dict of lists builds a frame far faster than a list of row dicts).
    props = [record.get("properties") or {} for record in records]
    data: dict[str, list[Any]] = {
        "id": [record.get("id") for record in records],
        "created_at": [record.get("createdAt") for record in records],
        "updated_at": [record.get("updatedAt") for record in records],
        "archived": ["true" if record.get("archived") else "false" for record in records],
        "archived_at": [record.get("archivedAt") for record in records],
    }
    for column in obj.properties:
        source = obj.source(column)
        data[column] = [p.get(source) for p in props]
    if obj.associations:
        primary = _primary_companies(inline_company_links(records) if links is None else links)
        data["primary_company_id"] = [primary.get(str(record.get("id"))) for record in records]
    columns = {k: v for k, v in obj.columns.items() if not k.startswith("_")}
    frame = pd.DataFrame(data, columns=list(columns), index=pd.RangeIndex(len(records)), dtype="object")
    return type_frame(frame, columns)


def inline_company_links(records: Iterable[dict[str, Any]]) -> list[CompanyLink]:
    """The company links inline in listed records (`associations=companies`, the v3 shape)."""
    return [
        (str(record.get("id")), str(item["id"]), item.get("type") == PRIMARY_INLINE_TYPE)
        for record in records
        for item in (((record.get("associations") or {}).get("companies") or {}).get("results") or [])
    ]


def _merged_links(links: Iterable[CompanyLink]) -> dict[tuple[str, str], bool]:
    """(record id, company id) -> is primary, in order of first mention: HubSpot lists a company once
    per association type, and it is primary when any of them is the Primary label."""
    merged: dict[tuple[str, str], bool] = {}
    for record_id, company_id, is_primary in links:
        merged[(record_id, company_id)] = merged.get((record_id, company_id), False) or is_primary
    return merged


def _primary_companies(links: Iterable[CompanyLink]) -> dict[str, str]:
    """record id -> its first company with the Primary label."""
    primary: dict[str, str] = {}
    for (record_id, company_id), is_primary in _merged_links(links).items():
        if is_primary:
            primary.setdefault(record_id, company_id)
    return primary


def listed_shape(records: list[dict[str, Any]], links: Iterable[CompanyLink]) -> list[dict[str, Any]]:
    """Records read by id, with their company links read apart, as a listing returns them (links
    inline, v3 shape): what the quarantine keeps of a record, whichever way it was read."""
    inline: dict[str, list[dict[str, str]]] = {}
    for (record_id, company_id), is_primary in _merged_links(links).items():
        types = [PRIMARY_INLINE_TYPE, UNLABELED_INLINE_TYPE] if is_primary else [UNLABELED_INLINE_TYPE]
        inline.setdefault(record_id, []).extend({"id": company_id, "type": t} for t in types)
    return [{**r, "associations": {"companies": {"results": inline.get(str(r["id"]), [])}}} for r in records]


def child_frame(
    child: ChildTable, records: list[dict[str, Any]], links: list[CompanyLink] | None = None
) -> pd.DataFrame:
    """A child table's rows for `records`: the history of a property, or one row per record and
    associated company (links inline in the records when `links` is None, else those of `links`
    whose record is in `records`)."""
    if child.history_of:
        return stage_history_frame(records, child.history_of)
    ids = {str(record["id"]) for record in records}
    merged = _merged_links(
        link for link in (inline_company_links(records) if links is None else links) if link[0] in ids
    )
    frame = pd.DataFrame(
        [(*key, primary) for key, primary in merged.items()], columns=[child.parent_column, "company_id", "is_primary"]
    )
    return frame.astype({child.parent_column: "str", "company_id": "str", "is_primary": "boolean"})


def stage_history_frame(records: Iterable[dict[str, Any]], prop: str = "dealstage") -> pd.DataFrame:
    """deal_id, dealstage, changed_at, source_type: one row per historical value of `prop`."""
    rows = []
    for record in records:
        for item in ((record.get("propertiesWithHistory") or {}).get(prop)) or []:
            rows.append(
                {
                    "deal_id": record["id"],
                    "dealstage": item.get("value"),
                    "changed_at": item.get("timestamp"),
                    "source_type": item.get("sourceType"),
                }
            )
    frame = pd.DataFrame(rows, columns=["deal_id", "dealstage", "changed_at", "source_type"])
    typed, _ = type_frame(
        frame, {"deal_id": "string", "dealstage": "string", "changed_at": "datetime", "source_type": "string"}
    )
    return typed.dropna(subset=["dealstage", "changed_at"]).reset_index(drop=True)


def owners_frame(owners: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[ParseFailure]]:
    """Owner JSON (camelCase, `userId` an int) -> typed rows; the primary team flattened."""
    rows = []
    for owner in owners:
        teams = owner.get("teams") or []
        primary = next((t for t in teams if t.get("primary")), teams[0] if teams else {})
        rows.append(
            {
                "id": owner.get("id"),
                "email": owner.get("email"),
                "first_name": owner.get("firstName"),
                "last_name": owner.get("lastName"),
                "user_id": owner.get("userId"),
                "primary_team_id": primary.get("id"),
                "primary_team_name": primary.get("name"),
                "created_at": owner.get("createdAt"),
                "updated_at": owner.get("updatedAt"),
                "archived": "true" if owner.get("archived") else "false",
            }
        )
    columns = {k: v for k, v in OWNERS_COLUMNS.items() if not k.startswith("_")}
    return type_frame(pd.DataFrame(rows, columns=list(columns)), columns)


def pipeline_stages_frame(pipelines: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[ParseFailure]]:
    """Deal pipelines JSON -> one typed row per (pipeline, stage); metadata values are strings."""
    rows = []
    for pipeline in pipelines:
        for stage in pipeline.get("stages") or []:
            metadata = stage.get("metadata") or {}
            rows.append(
                {
                    "pipeline_id": pipeline.get("id"),
                    "pipeline_label": pipeline.get("label"),
                    "pipeline_display_order": pipeline.get("displayOrder"),
                    "pipeline_archived": str(bool(pipeline.get("archived"))).lower(),
                    "stage_id": stage.get("id"),
                    "stage_label": stage.get("label"),
                    "display_order": stage.get("displayOrder"),
                    "is_closed": metadata.get("isClosed", "false"),
                    "probability": metadata.get("probability"),
                    "archived": str(bool(stage.get("archived"))).lower(),
                }
            )
    columns = {k: v for k, v in PIPELINE_STAGES_COLUMNS.items() if not k.startswith("_")}
    return type_frame(pd.DataFrame(rows, columns=list(columns)), columns)
