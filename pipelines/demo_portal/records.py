"""The one record builder of the demo portal, shared by the small and the lazy generator.

The small generator (`generator.py`) simulates a sales org with one `random.Random` drawn in a fixed
order; the lazy one (`lazy/`) makes each record alone from its own `random.Random`. Both build their
records here, so a deal, a call or a goal has one shape and one set of rules, and the two cannot
drift. Each builder draws from the `rng` it is given in a fixed order: reordering draws changes every
generated portal. Timestamps are epoch milliseconds until a record is built, then ISO-Z.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pipelines.demo_portal.data import iso_ms
from pipelines.demo_portal.vocabulary import (
    CALL_OUTCOMES,
    CALL_TITLES,
    CUSTOM_DISPOSITION,
    DEFAULT_STAGES,
    DISPOSITION_IDS,
    EMAIL_SUBJECTS,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    MEETING_TITLES,
    NOTE_BODIES,
    RENEWAL_PIPELINE_ID,
    RENEWAL_STAGES,
    SEGMENTS,
    STAGE_META,
    TASK_SUBJECTS,
)

DAY = 86_400_000
HOUR = 3_600_000
MINUTE = 60_000

Properties = dict[str, Any]  # a record's `properties`: every value a string or None


# --------------------------------------------------------------------------------------- time and money
def month_add(d: dt.date, months: int) -> dt.date:
    """`d` moved by whole months, its day clipped to the target month's length."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def last_day(end_date: dt.date | None) -> dt.date:
    """A portal's end date: the given day (a datetime's date), or today (UTC) when None."""
    if end_date is None:
        return dt.datetime.now(dt.UTC).date()
    return end_date.date() if isinstance(end_date, dt.datetime) else end_date


def date_of(ms: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=ms // DAY)


def round_amount(rng: random.Random, value: float) -> float:
    """Amounts as people type them: mostly whole hundreds, some to the cent."""
    if rng.random() < 0.8:
        return float(round(value, -2 if abs(value) >= 1000 else 0))
    return round(value, 2)


def money(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}"


def api_record(
    rid: str | None, properties: Properties, created: str, updated: str, archived_at: str | None = None
) -> dict[str, Any]:
    """A record as HubSpot's API returns it (`archivedAt` only on archived records)."""
    record: dict[str, Any] = {
        "id": rid,
        "properties": properties,
        "createdAt": created,
        "updatedAt": updated,
        "archived": archived_at is not None,
    }
    if archived_at is not None:
        record["archivedAt"] = archived_at
    return record


# --------------------------------------------------------------------------------------- owners
@dataclass
class Rep:
    """A sales rep (or the manager): an owner record plus how the simulation lets them behave."""

    owner_id: str
    user_id: int
    first: str
    last: str
    team: tuple[str, str]
    win_rate: float
    activity: float
    hired: int  # epoch ms
    left: int | None  # deactivation time (archived owner) or None
    is_manager: bool = False

    def active(self, t: int) -> bool:
        return self.hired <= t and (self.left is None or t < self.left)


class Staff(NamedTuple):
    manager: Rep
    reps: list[Rep]
    owners: list[dict[str, Any]]  # the owner records, by id


def make_staff(rng: random.Random, n_reps: int, start: int, end: int) -> Staff:
    """A manager and `n_reps` reps over two teams, some hired or gone within [start, end]."""
    names: list[tuple[str, str]] = []
    while len(names) < n_reps + 1:
        pair = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if pair not in names or len(names) >= len(FIRST_NAMES) * len(LAST_NAMES):
            names.append(pair)
    teams = (("368389", "Sales East"), ("368390", "Sales West"))
    owner_id, user_id = 41_629_700 + rng.randrange(100), 9_586_400 + rng.randrange(100)
    span = end - start
    n_leavers = max(2, round(n_reps * 0.06))
    n_joiners = max(1, round(n_reps * 0.1))
    staff: list[Rep] = []
    for i, (first, last) in enumerate(names):
        owner_id += rng.randrange(1, 40_000)
        user_id += rng.randrange(1, 5_000)
        manager = i == 0
        joiner = not manager and 1 <= i <= n_joiners
        leaver = not manager and n_joiners < i <= n_joiners + n_leavers
        hired = start - rng.randrange(30, 900) * DAY
        if joiner:
            hired = start + int(span * rng.uniform(0.2, 0.6))
        left = start + int(span * rng.uniform(0.35, 0.8)) if leaver else None
        staff.append(
            Rep(
                owner_id=str(owner_id),
                user_id=user_id,
                first=first,
                last=last,
                team=teams[0] if manager else teams[i % 2],
                win_rate=0.3 if manager else rng.uniform(0.15, 0.48),
                activity=0.15 if manager else rng.uniform(0.55, 1.6),
                hired=hired,
                left=left,
                is_manager=manager,
            )
        )
    owners = []
    for rep in staff:
        slug = unicodedata.normalize("NFKD", f"{rep.first}.{rep.last}".lower())
        slug = slug.encode("ascii", "ignore").decode("ascii")
        updated = rep.left if rep.left is not None else min(end, rep.hired + rng.randrange(1, 400) * DAY)
        teams_json = [{"id": rep.team[0], "name": rep.team[1], "primary": True}]
        if rep.is_manager:
            teams_json.append({"id": teams[1][0], "name": teams[1][1], "primary": False})
        owners.append(
            {
                "id": rep.owner_id,
                "email": f"{slug}@northwind-saas.example",
                "type": "PERSON",
                "firstName": rep.first,
                "lastName": rep.last,
                "userId": rep.user_id,
                "userIdIncludingInactive": rep.user_id,
                "createdAt": iso_ms(rep.hired),
                "updatedAt": iso_ms(max(updated, rep.hired)),
                "archived": rep.left is not None,
                "teams": teams_json,
            }
        )
    owners.sort(key=lambda o: int(o["id"]))
    seen: dict[str, int] = {}
    for owner in owners:  # past 1,200 reps the names repeat: number the emails (jordan.park2@...)
        n = seen[owner["email"]] = seen.get(owner["email"], 0) + 1
        if n > 1:
            local, _, domain = owner["email"].partition("@")
            owner["email"] = f"{local}{n}@{domain}"
    return Staff(staff[0], staff[1:], owners)


# --------------------------------------------------------------------------------------- pipelines
def pipeline_records(start: int) -> list[dict[str, Any]]:
    """The sales and renewal pipelines, created before the simulated window that starts at `start`."""

    def stages(defs: tuple[tuple[str, str, str, bool], ...], created: str) -> list[dict[str, Any]]:
        return [
            {
                "id": sid,
                "label": label,
                "displayOrder": i,
                "archived": False,
                "metadata": {"isClosed": "true" if closed else "false", "probability": prob},
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                "createdAt": created,
                "updatedAt": created,
            }
            for i, (sid, label, prob, closed) in enumerate(defs)
        ]

    base = iso_ms(start - 400 * DAY)
    renew = iso_ms(start - 200 * DAY)
    return [
        {
            "id": "default",
            "label": "Sales Pipeline",
            "displayOrder": 0,
            "archived": False,
            "createdAt": base,
            "updatedAt": renew,
            "stages": stages(DEFAULT_STAGES, base),
        },
        {
            "id": RENEWAL_PIPELINE_ID,
            "label": "Renewals",
            "displayOrder": 1,
            "archived": False,
            "createdAt": renew,
            "updatedAt": renew,
            "stages": stages(RENEWAL_STAGES, renew),
        },
    ]


# --------------------------------------------------------------------------------------- companies
@dataclass(frozen=True)
class CompanyFacts:
    name: str
    domain: str
    segment: int  # index into SEGMENTS


_SEGMENT_BOUNDS = tuple(itertools.accumulate(share for _, share, _, _ in SEGMENTS))


def company_facts(unique: str, suffix: str, tld: str, u: float) -> CompanyFacts:
    """A company's name and domain from its unique base name, and its segment from `u` in [0, 1)."""
    segment = 0 if u < _SEGMENT_BOUNDS[0] else (1 if u < _SEGMENT_BOUNDS[1] else 2)
    return CompanyFacts(f"{unique} {suffix}".strip(), unique.lower().replace(" ", "") + "." + tld, segment)


def revenue_and_industry(rng: random.Random, segment: int) -> tuple[str | None, str | None]:
    """Annual revenue (larger segments earn more) and industry; either may be left empty."""
    revenue = str(int(rng.uniform(1, 40) * (10 ** (6 + segment)))) if rng.random() < 0.85 else None
    return revenue, rng.choice(INDUSTRIES) if rng.random() < 0.9 else None


def company_properties(
    name: str,
    domain: str,
    revenue: str | None,
    industry: str | None,
    created: str,
    owner_id: str | None,
    modified: str | None = None,
    merged_ids: str | None = None,
    rid: str | None = None,
) -> Properties:
    return {
        "annualrevenue": revenue,
        "createdate": created,
        "domain": domain,
        "hs_lastmodifieddate": modified,
        "hs_merged_object_ids": merged_ids,
        "hs_object_id": rid,
        "hubspot_owner_id": owner_id,
        "industry": industry,
        "name": name,
    }


# --------------------------------------------------------------------------------------- deals
@dataclass
class Deal:
    """A deal as both generators decide it; `deal_properties` and `stage_history` turn it into a record."""

    key: int
    name: str
    pipeline: str
    dealtype: str
    owner: Rep | None
    companies: list[tuple[Any, bool]]  # (company, primary): the small portal's companies or lazy positions
    created: int
    amount: float | None
    term: int | None  # contract_term_months; None = property left empty
    history: list[tuple[str, int, str]]  # (stage, ts, sourceType), oldest first
    closed: int | None = None  # close time for closed deals
    expected_close: int | None = None  # open deals
    won: bool = False
    contract_start: str | None = None  # YYYY-MM-DD (drives renewals even when not shown)
    hide_start: bool = False  # contract_start_date left empty in HubSpot
    cost: float | None = None
    currency: str = "USD"
    fx: float = 1.0
    archived_at: int | None = None
    merged_into: Deal | None = None
    merged_at: int = 0
    extra: dict[str, str | None] = field(default_factory=dict)  # properties set by hand (planted damage)
    id: str = ""


def default_path(rng: random.Random, outcome: str, reach: int) -> list[str]:
    """Stage ids a default-pipeline deal passes through up to stage `reach` (skips and a rare step
    back), then its outcome if closed."""
    stages = [s[0] for s in DEFAULT_STAGES[:5]]
    first = 0 if rng.random() < 0.88 else 1
    path = [stages[first]]
    for k in range(first + 1, reach + 1):
        if k < reach and rng.random() < 0.15:
            continue  # skipped stage
        path.append(stages[k])
        if k >= 2 and rng.random() < 0.05:
            path += [stages[k - 1], stages[k]]  # moved back and forward again
    if outcome == "won":
        path.append("closedwon")
    elif outcome == "lost":
        path.append("closedlost")
    return path


def renewal_path(rng: random.Random, outcome: str, reach: int) -> list[str]:
    """Stages of a renewal deal up to stage `reach` (some skipped), then its outcome, if closed."""
    stages = [s[0] for s in RENEWAL_STAGES[:3]]
    path = [stages[0]]
    for k in range(1, reach + 1):
        if k < reach and rng.random() < 0.25:
            continue
        path.append(stages[k])
    if outcome == "won":
        path.append(RENEWAL_STAGES[3][0])
    elif outcome == "lost":
        path.append(RENEWAL_STAGES[4][0])
    return path


def timed(rng: random.Random, path: list[str], start: int, end: int) -> list[tuple[str, int, str]]:
    """Stage moves spread over [start, end], strictly increasing, first at start, last at end.

    Moves drawn onto the same millisecond are set 1 ms apart and the last is held at `end`, so a
    closed deal's history ends exactly when it closed, never after the portal's end date.
    """
    end = max(end, start + len(path))
    inner = sorted(start + int(rng.random() * (end - start)) for _ in range(len(path) - 2))
    times = [start, *inner, end] if len(path) > 1 else [start]
    for i in range(1, len(times)):
        times[i] = max(times[i], times[i - 1] + 1)
    for i in range(len(times) - 2, -1, -1):  # the last stays at end
        times[i] = min(times[i], times[i + 1] - 1)
    return [
        (stage, t, "CRM_UI" if i == 0 or rng.random() < 0.85 else "AUTOMATION_PLATFORM")
        for i, (stage, t) in enumerate(zip(path, times, strict=True))
    ]


def closed_history(
    rng: random.Random, renewal: bool, won: bool, created: int, closed: int
) -> list[tuple[str, int, str]]:
    """A closed deal's stage moves from `created` to `closed`: a won deal went all the way, a lost
    one got anywhere first."""
    outcome = "won" if won else "lost"
    if renewal:
        path = renewal_path(rng, outcome, 2 if won else rng.choice((0, 1, 2)))
    else:
        path = default_path(rng, outcome, 4 if won else rng.choice((0, 0, 1, 1, 2, 3, 4)))
    return timed(rng, path, created, closed)


def open_history(
    rng: random.Random, renewal: bool, elapsed: float, created: int, until: int
) -> list[tuple[str, int, str]]:
    """An open deal's stage moves: as far as it got `elapsed` (a fraction) of the way to its planned
    close, spread from `created` over a random 30-100% of the time up to `until`."""
    if renewal:
        path = renewal_path(rng, "open", min(2, int(elapsed * 3)))
    else:
        path = default_path(rng, "open", min(4, int(elapsed * 5)))
    return timed(rng, path, created, created + int((until - created) * rng.uniform(0.3, 1.0)))


def contract_term(rng: random.Random) -> int | None:
    """Contract months: mostly 12, some 24, a few left empty."""
    r = rng.random()
    return 12 if r < 0.66 else (24 if r < 0.95 else None)


def contract_amount(rng: random.Random, segment: int, term: int) -> float:
    """A contract's value over `term` months: log-uniform within its segment's yearly range."""
    lo, hi = SEGMENTS[segment][2]
    return round_amount(rng, lo * (hi / lo) ** rng.random() * term / 12)


def wins(rng: random.Random, rep: Rep, segment: int, bias: float = 0.0) -> bool:
    """Whether a deal is won: the rep's win rate, lower for larger segments, raised by `bias`."""
    return rng.random() < min(0.95, rep.win_rate * (1.15 - 0.25 * segment) + bias)


def sales_cycle(rng: random.Random, won: bool, segment: int) -> int:
    """Ms from creation to close: gamma-distributed, longer for larger segments, at least three days."""
    cycle = int(rng.gammavariate(2.2, 22 if won else 18) * SEGMENTS[segment][3] * DAY) + rng.randrange(2 * DAY)
    return max(cycle, 3 * DAY)


def expected_close(rng: random.Random, planned: int, end: int) -> int | None:
    """An open deal's expected close (17:00 UTC, a week or more after `end`), or None when left empty."""
    if rng.random() < 0.12:
        return None
    at = max(planned, end + rng.randrange(7, 90) * DAY)
    return at - at % DAY + 17 * HOUR


def deal_properties(deal: Deal, modified: str | None = None, merged_ids: str | None = None) -> Properties:
    """A deal's properties, with the stage flags its last stage implies and per-stage entry/exit dates."""
    stage = deal.history[-1][0]
    prob, closed = STAGE_META.get(stage, ("0.5", False))
    won = closed and prob == "1.0"
    amount = home = None
    if deal.amount is not None:
        amount = money(deal.amount)
        home = amount if deal.currency == "USD" else f"{deal.amount * deal.fx:.2f}"
    closedate = deal.closed if deal.closed is not None else deal.expected_close
    created = iso_ms(deal.created)
    props: Properties = {
        "amount": amount,
        "amount_in_home_currency": home,
        "closedate": None if closedate is None else iso_ms(closedate),
        "contract_start_date": None if deal.hide_start else deal.contract_start,
        "contract_term_months": None if deal.term is None else str(deal.term),
        "cost_of_fulfillment": None if deal.cost is None else f"{deal.cost:.2f}",
        "createdate": created,
        "deal_currency_code": deal.currency,
        "dealname": deal.name,
        "dealstage": stage,
        "dealtype": deal.dealtype,
        "hs_createdate": created,
        "hs_deal_stage_probability": prob if stage in STAGE_META else None,
        "hs_is_closed": "true" if closed else "false",
        "hs_is_closed_won": "true" if won else "false",
        "hs_lastmodifieddate": modified,
        "hs_merged_object_ids": merged_ids,
        "hs_object_id": deal.id or None,
        "hubspot_owner_id": deal.owner.owner_id if deal.owner else None,
        "pipeline": deal.pipeline,
    }
    if deal.closed is not None:
        if deal.amount is not None:
            props["hs_closed_amount"] = amount if won else "0"
        props["days_to_close"] = str(max(0, (deal.closed - deal.created) // DAY))
    # Per-stage entry/exit times (latest visit), as HubSpot's hs_date_entered_<stage> props.
    stamps = [iso_ms(t) for _, t, _ in deal.history]
    for i, (st, _, _) in enumerate(deal.history):
        props[f"hs_date_entered_{st}"] = stamps[i]
        if i + 1 < len(stamps):
            props[f"hs_date_exited_{st}"] = stamps[i + 1]
        else:
            props.pop(f"hs_date_exited_{st}", None)
    props.update(deal.extra)
    return props


def stage_history(deal: Deal) -> list[dict[str, Any]]:
    """The `dealstage` property history, newest first; moves made in the UI name the deal's owner."""
    entries = []
    for st, t, source in reversed(deal.history):
        entry: dict[str, Any] = {"value": st, "timestamp": iso_ms(t), "sourceType": source}
        if source == "CRM_UI" and deal.owner is not None:
            entry["sourceId"] = f"userId:{deal.owner.user_id}"
            entry["updatedByUserId"] = deal.owner.user_id
        entries.append(entry)
    return entries


# --------------------------------------------------------------------------------------- engagements
# Each builder leaves the time its caller decides (`hs_timestamp`) as None, in its place.
def call_properties(rng: random.Random) -> tuple[Properties, int]:
    """A call's outcome, direction and title, and the ms from dialling to logging it."""
    r = rng.random()
    label, _, status, (lo, hi) = next(o for o in CALL_OUTCOMES if r < o[1])
    disposition = CUSTOM_DISPOSITION["id"] if label == "custom" else (DISPOSITION_IDS[label] if label else None)
    duration = int((lo + rng.random() * (hi - lo)) * 1000)
    inbound = rng.random() < 0.14
    if inbound and label in ("No answer", "Left voicemail", "Busy", "Left live message"):
        disposition, status, duration = DISPOSITION_IDS["Connected"], "COMPLETED", int(rng.uniform(60, 900) * 1000)
    logged_after = duration + rng.randrange(5_000, 300_000)
    return {
        "hs_call_direction": "INBOUND" if inbound else "OUTBOUND",
        "hs_call_disposition": disposition,
        "hs_call_duration": str(duration),
        "hs_call_status": status,
        "hs_call_title": rng.choice(CALL_TITLES),
        "hs_timestamp": None,
    }, logged_after


def email_properties(rng: random.Random) -> tuple[Properties, int]:
    """An email's direction, status and subject, and the ms from sending to logging it."""
    r = rng.random()
    direction = "EMAIL" if r < 0.6 else ("INCOMING_EMAIL" if r < 0.96 else "FORWARDED_EMAIL")
    s = rng.random()
    status = "SENT"
    if direction == "EMAIL":
        status = "SENT" if s < 0.95 else ("BOUNCED" if s < 0.99 else "FAILED")
    subject = rng.choice(EMAIL_SUBJECTS)
    return {
        "hs_email_direction": direction,
        "hs_email_status": status,
        "hs_email_subject": ("Re: " + subject) if direction == "INCOMING_EMAIL" else subject,
        "hs_timestamp": None,
    }, rng.randrange(100, 5_000)


def meeting_plan(rng: random.Random) -> tuple[int, int, str]:
    """(ms booked ahead of its start, length in ms, outcome) of a meeting."""
    lead = rng.randrange(1, 15) * DAY + rng.randrange(HOUR)
    length = rng.choice((30, 30, 45, 60)) * MINUTE
    r = rng.random()
    outcome = (
        "COMPLETED"
        if r < 0.7
        else "NO_SHOW"
        if r < 0.8
        else "CANCELED"
        if r < 0.88
        else "RESCHEDULED"
        if r < 0.95
        else "SCHEDULED"
    )
    return lead, length, outcome


def meeting_properties(rng: random.Random, start: int, length: int, outcome: str) -> Properties:
    return {
        "hs_meeting_end_time": iso_ms(start + length),
        "hs_meeting_outcome": outcome,
        "hs_meeting_start_time": iso_ms(start),
        "hs_meeting_title": rng.choice(MEETING_TITLES),
        "hs_timestamp": iso_ms(start),
    }


def note_properties(rng: random.Random, at: int) -> Properties:
    return {"hs_note_body": rng.choice(NOTE_BODIES).format(q=rng.randrange(1, 5)), "hs_timestamp": iso_ms(at)}


def task_plan(rng: random.Random) -> tuple[int, str]:
    """(ms from creating a task to its due time, status) of a task."""
    lead = rng.randrange(0, 10) * DAY + rng.randrange(HOUR)
    r = rng.random()
    status = (
        "COMPLETED"
        if r < 0.7
        else "NOT_STARTED"
        if r < 0.85
        else "IN_PROGRESS"
        if r < 0.9
        else "WAITING"
        if r < 0.95
        else "DEFERRED"
    )
    return lead, status


def task_properties(rng: random.Random, due: int, status: str, completed: str | None) -> Properties:
    return {
        "hs_task_completion_date": completed,
        "hs_task_priority": rng.choice(("NONE", "LOW", "MEDIUM", "MEDIUM", "HIGH")),
        "hs_task_status": status,
        "hs_task_subject": rng.choice(TASK_SUBJECTS),
        "hs_task_type": rng.choice(("TODO", "TODO", "CALL", "EMAIL")),
        "hs_timestamp": iso_ms(due),
    }


def stamp_engagement(
    props: Properties, created: str, owner_id: str | None, modified: str | None = None, rid: str | None = None
) -> Properties:
    """The properties every engagement carries besides its own, appended in HubSpot's order."""
    props["hs_createdate"] = created
    props["hs_lastmodifieddate"] = modified
    props["hs_object_id"] = rid
    props["hubspot_owner_id"] = owner_id
    return props


# --------------------------------------------------------------------------------------- goals
def goal_properties(
    rep: Rep, manager: Rep, start_ms: int, end_ms: int, year: int, group: str, target: float, created: str
) -> Properties:
    """A monthly revenue goal the manager set for a rep, properties in name order as HubSpot sends them."""
    return {
        "hs_assignee_team_id": None,
        "hs_assignee_user_id": str(rep.user_id),
        "hs_created_by_user_id": str(manager.user_id),
        "hs_createdate": created,
        "hs_end_datetime": iso_ms(end_ms),
        "hs_goal_name": f"Revenue Goal {year} - {rep.first} {rep.last}",
        "hs_goal_type": "revenue",
        "hs_group_correlation_uuid": group,
        "hs_lastmodifieddate": None,
        "hs_milestone": "monthly",
        "hs_object_id": None,
        "hs_start_datetime": iso_ms(start_ms),
        "hs_target_amount": f"{target:.2f}",
    }
