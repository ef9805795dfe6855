"""The quota file (CSV), read and checked before the first request.

A bad quota file must never reach the marts quietly: two rows for one owner and period used to be
added up (halving attainment), a row for an owner the portal lacks made a phantom quota. So every
row is checked here and the first problem stops the run with one line naming the file, the line
and the fix. Accepted: UTF-8 with or without a byte-order mark, LF or CRLF line ends. Refused with
a message saying how to save it: another encoding, semicolons between columns (Excel in many
locales; its decimal commas would be misread if we guessed).
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

from pipelines.errors import ConfigError
from schemas import QuotaFile

QUOTA_COLUMNS = ["owner_id", "owner_email", "period_start", "period_end", "quota_deals", "quota_revenue"]
HEADER = ",".join(QUOTA_COLUMNS)


class _Problems:
    """Problems in file order; the error shows the first and counts the rest (one line)."""

    def __init__(self, path: Path):
        self.path, self.items = path, []

    def add(self, line: int, text: str) -> None:
        self.items.append((line, text))

    def raise_if_any(self) -> None:
        if self.items:
            line, text = sorted(self.items)[0]
            more = f" ({len(self.items) - 1} more problems after it)" if len(self.items) > 1 else ""
            raise ConfigError(f"quota file {self.path} line {line}: {text}{more}")


def read_quota_file(path: Path) -> pd.DataFrame:
    """The checked quota rows (columns `QUOTA_COLUMNS`, dates as dates), or a `ConfigError`."""
    path = Path(path)
    text = _decode(path)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ConfigError(f"quota file {path} is empty: its first line must be the header {HEADER}.")
    header = [cell.strip().lower() for cell in rows[0]]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "semicolons" if ";" in header[0] else "tabs"
        raise ConfigError(
            f"quota file {path} line 1: the columns are separated by {sep}; save it as CSV with commas "
            f"(header {HEADER}) and decimal points."
        )
    missing = [c for c in ("period_start", "period_end") if c not in header]
    unknown = [c for c in header if c not in QUOTA_COLUMNS]
    if missing or unknown or not {"owner_id", "owner_email"} & set(header):
        raise ConfigError(
            f"quota file {path} line 1: the header must name owner_id or owner_email, period_start, period_end, "
            f"quota_deals, quota_revenue (missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'})."
        )
    problems = _Problems(path)
    records, lines = [], []
    for line, cells in _numbered(text):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) != len(header):
            problems.add(line, f"has {len(cells)} fields but the header has {len(header)}; one value per column.")
            continue
        record = _check_row(dict(zip(header, (c.strip() for c in cells), strict=True)), line, problems)
        if record is not None:
            records.append(record)
            lines.append(line)
    _check_periods(records, lines, problems)
    problems.raise_if_any()
    frame = pd.DataFrame(records, columns=QUOTA_COLUMNS)
    frame.index = pd.Index(lines, name="line")
    typed = QuotaFile.validate(
        frame.astype(
            {
                "period_start": "datetime64[us]",
                "period_end": "datetime64[us]",
                "quota_deals": "float64",
                "quota_revenue": "float64",
            }
        )
    )
    typed["period_start"] = typed["period_start"].dt.date
    typed["period_end"] = typed["period_end"].dt.date
    return typed


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the quota file {path}: {exc.strerror}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"quota file {path} line {line}: byte 0x{data[exc.start]:02x} is not UTF-8; save the file as "
            "'CSV UTF-8' (or convert it, e.g. iconv -f cp1252 -t utf-8)."
        ) from None


def _numbered(text: str) -> Iterable[tuple[int, list[str]]]:
    """Data rows with the line an editor shows them on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    line = reader.line_num + 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


def _check_row(cells: dict[str, str], line: int, problems: _Problems) -> dict | None:
    ok = True
    owner_id, email = cells.get("owner_id") or None, cells.get("owner_email") or None
    if not owner_id and not email:
        problems.add(line, "names no owner; fill owner_id or owner_email.")
        ok = False
    dates = {}
    for column in ("period_start", "period_end"):
        value = cells.get(column, "")
        try:
            dates[column] = date.fromisoformat(value)
        except ValueError:
            shown = f"{value!r} is not a date" if value else "is empty"
            problems.add(line, f"{column} {shown}; write it as YYYY-MM-DD.")
            ok = False
    if ok and dates["period_end"] <= dates["period_start"]:
        problems.add(
            line,
            f"period_end {dates['period_end']} is not after period_start {dates['period_start']}; "
            "a period is [start, end), e.g. 2026-01-01 to 2026-04-01 for Q1.",
        )
        ok = False
    quotas = {}
    for column in ("quota_deals", "quota_revenue"):
        value = cells.get(column, "")
        if not value:
            quotas[column] = None
            continue
        try:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
        except ValueError:
            problems.add(
                line,
                f"{column} {value!r} is not a number; write digits with a decimal point and no "
                "thousands separator, e.g. 12000.50.",
            )
            ok = False
            continue
        if number < 0:
            problems.add(line, f"{column} {value} is negative; a quota is 0 or more.")
            ok = False
        quotas[column] = number
    if ok and quotas["quota_deals"] is None and quotas["quota_revenue"] is None:
        problems.add(line, "sets no quota; fill quota_deals, quota_revenue or both.")
        ok = False
    if not ok:
        return None
    return {"owner_id": owner_id, "owner_email": email, **dates, **quotas}


def _owner(record: dict) -> str:
    return f"owner_id {record['owner_id']}" if record["owner_id"] else f"owner_email {record['owner_email'].lower()}"


def _check_periods(records: list[dict], lines: list[int], problems: _Problems) -> None:
    """One row per owner and period, and no two periods of one owner overlapping (rows are never added up)."""
    by_owner: dict[str, list[tuple[dict, int]]] = {}
    for record, line in zip(records, lines, strict=True):
        by_owner.setdefault(_owner(record), []).append((record, line))
    for owner, rows in by_owner.items():
        rows.sort(key=lambda r: (r[0]["period_start"], r[1]))
        for (earlier, earlier_line), (later, line) in itertools.pairwise(rows):
            first, second = sorted([(earlier_line, earlier), (line, later)], key=lambda r: r[0])
            period = f"{second[1]['period_start']} to {second[1]['period_end']}"
            if (earlier["period_start"], earlier["period_end"]) == (later["period_start"], later["period_end"]):
                problems.add(
                    second[0],
                    f"repeats the quota of {owner} for {period} (line {first[0]}); keep one "
                    "row per owner and period (rows are not added up).",
                )
            elif later["period_start"] < earlier["period_end"]:
                problems.add(
                    second[0],
                    f"the period {period} of {owner} overlaps line {first[0]} "
                    f"({first[1]['period_start']} to {first[1]['period_end']}); one owner's "
                    "periods must not overlap.",
                )


def unknown_owners(frame: pd.DataFrame, owners: pd.DataFrame) -> list[tuple[int, str]]:
    """(line, 'owner_id 123') for quota rows whose owner is not among `owners` (columns id, email)."""
    ids = set(owners["id"].dropna().astype(str))
    emails = set(owners["email"].dropna().astype(str).str.strip().str.lower())
    out = []
    for line, row in frame.iterrows():
        if row["owner_id"] is not None and not pd.isna(row["owner_id"]):
            if str(row["owner_id"]) not in ids:
                out.append((int(line), f"owner_id {row['owner_id']}"))
        elif str(row["owner_email"]).strip().lower() not in emails:
            out.append((int(line), f"owner_email {row['owner_email']}"))
    return out


def check_owners(path: Path, frame: pd.DataFrame, owners: pd.DataFrame, source: str) -> None:
    """Every quota row names an owner the portal has; `source` says where `owners` came from."""
    unknown = unknown_owners(frame, owners)
    if unknown:
        line, owner = unknown[0]
        more = f" ({len(unknown) - 1} more rows like it)" if len(unknown) > 1 else ""
        raise ConfigError(
            f"quota file {path} line {line}: {owner} is not one of the {len(owners)} owners {source}; fix the "
            f"owner or remove the row{more}."
        )


def hubspot_owners(client) -> pd.DataFrame:
    """The portal's owners, active and deactivated (a rep who left still has quotas), as (id, email)."""
    owners = client.owners(archived=False) + client.owners(archived=True)
    return pd.DataFrame([{"id": str(o.get("id")), "email": o.get("email")} for o in owners], columns=["id", "email"])


def check_quota_owners(path: Path | None, db_path: Path, fetch_owners=None) -> None:
    """Before the first request: the owners the last sync stored, and only if some quota row names
    an owner they lack, HubSpot's current owners (`fetch_owners`, the run's first request)."""
    if path is None:
        return
    frame = read_quota_file(path)
    if frame.empty:
        return
    stored = _stored_owners(db_path)
    if stored is not None and not unknown_owners(frame, stored):
        return
    if fetch_owners is not None:
        check_owners(path, frame, fetch_owners(), "HubSpot lists")
    elif stored is not None:
        check_owners(path, frame, stored, "the last sync stored")


def _stored_owners(db_path: Path) -> pd.DataFrame | None:
    from pipelines.warehouse.store import connect

    if not Path(db_path).exists():
        return None
    con = connect(Path(db_path))
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'owners'"
        ).fetchone()[0]
        frame = con.execute("select id, email from raw.owners").df() if exists else None
    finally:
        con.close()
    return frame if frame is not None and len(frame) else None
