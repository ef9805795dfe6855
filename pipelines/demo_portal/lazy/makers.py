"""Records of the lazy portal, made on demand from (seed, object, index).

Each record gets its own `random.Random`, seeded by `streams.draw`, and is built by the shared
record builder (`records.py`) like the small portal's: same properties, same rules. Times the server
filters on come from the columns (`portal.py`); the makers work back from them.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipelines.demo_portal import records
from pipelines.demo_portal.data import STANDARD_DISPOSITIONS, iso_ms
from pipelines.demo_portal.lazy.streams import draw, stream_key
from pipelines.demo_portal.records import CompanyFacts, Deal, Rep
from pipelines.demo_portal.vocabulary import (
    CALL_TITLES,
    COMPANY_A,
    COMPANY_B,
    COMPANY_SUFFIX,
    DEFAULT_STAGES,
    EMAIL_SUBJECTS,
    INDUSTRIES,
    NOTE_BODIES,
    PRODUCTS,
    RENEWAL_PIPELINE_ID,
    RENEWAL_STAGES,
    STAGE_META,
    TLDS,
)


# ------------------------------------------------------------------------------------ companies
class Companies:
    """Company names, domains and segments by company index: shared by company and deal records."""

    def __init__(self, seed: int):
        pairs = [(a, b) for a in COMPANY_A for b in COMPANY_B]
        random.Random(stream_key(seed, "company-names")).shuffle(pairs)
        self._pairs = pairs
        self._key = stream_key(seed, "company-facts")

    def facts(self, k: int) -> CompanyFacts:
        a, b = self._pairs[k % len(self._pairs)]
        number = k // len(self._pairs)
        h = draw(self._key, k)
        unique = f"{a} {b}" if number == 0 else f"{a} {b} {number + 1}"
        suffix, tld = COMPANY_SUFFIX[h % len(COMPANY_SUFFIX)], TLDS[(h >> 8) % len(TLDS)]
        percentile = (h >> 16) % 100  # its midpoint picks the segment
        return records.company_facts(unique, suffix, tld, (percentile + 0.5) / 100)


@dataclass
class Env:
    """What every record maker needs besides its own draws."""

    seed: int
    start: int  # epoch ms, first day of the simulated window
    end: int  # epoch ms, end of end_date (inclusive)
    reps: list[Rep]
    companies: Companies
    months: list[int]  # goal months: epoch ms of each month's first day, plus the month after the last

    def pick_rep(self, rng: random.Random, t: int) -> Rep:
        rep = self.reps[rng.randrange(len(self.reps))]
        if not rep.active(t):
            rep = self.reps[rng.randrange(len(self.reps))]
        return rep


Made = tuple[dict[str, Any], dict[str, Any]]  # (properties, private keys: _history / _companies)


# ------------------------------------------------------------------------------------------ deals
def make_deal(env: Env, rng: random.Random, created: int, modified: int, links: list[tuple[int, bool]]) -> Made:
    """One deal created at `created` whose last change is at or before `modified`."""
    rep = env.pick_rep(rng, created)
    owner = rep if rng.random() > 0.02 else None
    primary = next((k for k, p in links if p), None)
    facts = env.companies.facts(primary) if primary is not None else None
    segment = facts.segment if facts else 0
    renewal = facts is not None and rng.random() < 0.15
    upsell = facts is not None and not renewal and rng.random() < 0.08
    term = records.contract_term(rng)
    amount: float | None = records.contract_amount(rng, segment, term or 12)
    if upsell:
        amount = records.round_amount(rng, amount * 0.35)
    won = records.wins(rng, rep, segment, 0.45 if renewal else (0.25 if upsell else 0.0))
    cycle = records.sales_cycle(rng, won, segment)
    product = rng.choice(PRODUCTS)
    if facts is None:
        name = f"Inbound lead - {product}"
    elif renewal:
        name = f"{facts.name} - Renewal {iso_ms(created)[:4]}"
    else:
        name = f"{facts.name} - {'Upsell ' if upsell else ''}{product}"
    closed_at: int | None = None
    expected: int | None = None
    if created + cycle <= env.end:
        closed_at = max(created + 1_000, min(created + cycle, modified))
        history = records.closed_history(rng, renewal, won, created, closed_at)
    else:
        won = False
        history = records.open_history(rng, renewal, (env.end - created) / cycle, created, modified)
        expected = records.expected_close(rng, created + cycle, env.end)
        if rng.random() < 0.15:
            amount = None
    contract_start, hide_start, cost = None, False, None
    if won and closed_at is not None:
        contract_start = iso_ms(closed_at)[:10]
        hide_start = rng.random() < 0.15
        if amount is not None and rng.random() < 0.5:
            cost = amount * rng.uniform(0.12, 0.45)
    currency, fx = ("EUR", rng.choice((1.07, 1.08, 1.09, 1.11))) if rng.random() < 0.01 else ("USD", 1.0)
    deal = Deal(
        key=0,
        name=name,
        pipeline=RENEWAL_PIPELINE_ID if renewal else "default",
        dealtype="existingbusiness" if (renewal or upsell) else "newbusiness",
        owner=owner,
        companies=links,
        created=created,
        amount=amount,
        term=term,
        history=history,
        closed=closed_at,
        expected_close=expected,
        won=won,
        contract_start=contract_start,
        hide_start=hide_start,
        cost=cost,
        currency=currency,
        fx=fx,
    )
    return records.deal_properties(deal), {"_history": {"dealstage": records.stage_history(deal)}, "_links": links}


# ------------------------------------------------------------------------------------ companies
def make_company(env: Env, rng: random.Random, k: int, created: int) -> Made:
    facts = env.companies.facts(k)
    revenue, industry = records.revenue_and_industry(rng, facts.segment)
    owner_id = env.pick_rep(rng, created).owner_id
    return records.company_properties(facts.name, facts.domain, revenue, industry, iso_ms(created), owner_id), {}


# ---------------------------------------------------------------------------------- engagements
# Each is made from its creation time (the columns hold it) backwards to when it happened.
def _owner(env: Env, rng: random.Random, t: int) -> str | None:
    rep = env.pick_rep(rng, t)
    return rep.owner_id if rng.random() > 0.01 else None


def make_call(env: Env, rng: random.Random, created: int, modified: int) -> Made:
    owner = _owner(env, rng, created)
    props, logged_after = records.call_properties(rng)
    props["hs_timestamp"] = iso_ms(created - logged_after)
    return records.stamp_engagement(props, iso_ms(created), owner), {}


def make_email(env: Env, rng: random.Random, created: int, modified: int) -> Made:
    owner = _owner(env, rng, created)
    props, logged_after = records.email_properties(rng)
    props["hs_timestamp"] = iso_ms(created - logged_after)
    return records.stamp_engagement(props, iso_ms(created), owner), {}


def make_meeting(env: Env, rng: random.Random, created: int, modified: int) -> Made:
    owner = _owner(env, rng, created)
    lead, length, outcome = records.meeting_plan(rng)
    start = created + lead
    if start + length > env.end and outcome in ("COMPLETED", "NO_SHOW"):
        outcome = "SCHEDULED"
    return records.stamp_engagement(records.meeting_properties(rng, start, length, outcome), iso_ms(created), owner), {}


def make_note(env: Env, rng: random.Random, created: int, modified: int) -> Made:
    owner = _owner(env, rng, created)
    return records.stamp_engagement(records.note_properties(rng, created), iso_ms(created), owner), {}


def make_task(env: Env, rng: random.Random, created: int, modified: int) -> Made:
    owner = _owner(env, rng, created)
    lead, status = records.task_plan(rng)
    completed = iso_ms(max(created, modified)) if status == "COMPLETED" else None
    props = records.task_properties(rng, created + lead, status, completed)
    return records.stamp_engagement(props, iso_ms(created), owner), {}


ENGAGEMENT_MAKERS: dict[str, Callable[[Env, random.Random, int, int], Made]] = {
    "calls": make_call,
    "emails": make_email,
    "meetings": make_meeting,
    "notes": make_note,
    "tasks": make_task,
}


# ---------------------------------------------------------------------------------------- goals
def make_goal(env: Env, rng: random.Random, rep: Rep, manager: Rep, month: int, created: int) -> Made:
    start_ms, end_ms = env.months[month], env.months[month + 1]
    year = int(iso_ms(start_ms)[:4])
    base = 20_000 * rng.uniform(1.2, 2.2) * (0.6 + rep.win_rate)
    target = round(base * (1.1 if iso_ms(start_ms)[5:7] in ("03", "06", "09", "12") else 1.0), -3)
    key = stream_key(env.seed, "goal-group", rep.owner_id, year)
    group = uuid.UUID(int=(draw(key, 0) << 64) | draw(key, 1), version=4)
    return records.goal_properties(rep, manager, start_ms, end_ms, year, str(group), target, iso_ms(created)), {}


# ------------------------------------------------------------------------------- changed values
def changed_properties(object_name: str, rng: random.Random, record: dict[str, Any] | None, at: int) -> dict[str, Any]:
    """New values for a record that `update_fraction` picked (what a rep's edit would change).

    Only deals need the current record (their new amount and stage follow the old ones).
    """
    if object_name == "deals":
        assert record is not None
        props = record["properties"]
        out: dict[str, Any] = {}
        if props.get("amount") is not None:
            value = records.money(records.round_amount(rng, float(props["amount"]) * rng.uniform(0.8, 1.3)))
            out["amount"] = value
            if props.get("deal_currency_code") == "USD":
                out["amount_in_home_currency"] = value
        else:
            out["amount"] = records.money(records.round_amount(rng, rng.uniform(4_000, 80_000)))
        if props.get("hs_is_closed") != "true":
            order = [s[0] for s in (RENEWAL_STAGES if props.get("pipeline") == RENEWAL_PIPELINE_ID else DEFAULT_STAGES)]
            current = props.get("dealstage")
            nxt = order.index(current) + 1 if current in order else 0
            nxt = min(nxt, len(order) - 3)  # stay open: the last two stages are the closed ones
            if order[nxt] != current:
                out["dealstage"] = order[nxt]
                out["hs_deal_stage_probability"] = STAGE_META[order[nxt]][0]
                out[f"hs_date_entered_{order[nxt]}"] = iso_ms(at)
        return out
    if object_name == "companies":
        return {"annualrevenue": str(int(rng.uniform(1, 400) * 1e6)), "industry": rng.choice(INDUSTRIES)}
    if object_name == "calls":
        label = rng.choice(STANDARD_DISPOSITIONS)
        return {"hs_call_disposition": label["id"], "hs_call_title": rng.choice(CALL_TITLES)}
    if object_name == "emails":
        return {"hs_email_subject": "Re: " + rng.choice(EMAIL_SUBJECTS)}
    if object_name == "meetings":
        return {"hs_meeting_outcome": rng.choice(("COMPLETED", "NO_SHOW", "CANCELED", "RESCHEDULED"))}
    if object_name == "notes":
        return {"hs_note_body": rng.choice(NOTE_BODIES).format(q=rng.randrange(1, 5)) + " (edited)"}
    if object_name == "tasks":
        return {"hs_task_status": "COMPLETED", "hs_task_completion_date": iso_ms(at)}
    if object_name == "goal_targets":
        return {"hs_target_amount": f"{round(rng.uniform(20_000, 90_000), -3):.2f}"}
    return {}
