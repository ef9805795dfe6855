"""A deterministic synthetic HubSpot portal: a B2B SaaS sales org whose data exercises every metric.

`generate_portal(seed, size, end_date)` simulates reps (with their own win rates and activity levels,
hires and departures), companies, new-business deals moving through stages, recurring contracts that
renew, expand, contract, churn and come back, daily rep activity (calls, emails, meetings, notes,
tasks) and monthly revenue goals, then plants a few deliberately bad records. Everything is drawn
from one `random.Random(seed)` in a fixed order and no wall clock is read, so the same
seed + size + end_date gives byte-identical JSON. Work is done in epoch milliseconds and formatted
once; timestamps of things that happened are never after `end_date` (open deals' expected close
dates and the current goal period's end may be). Records are built by `records.py`, shared with the
lazy portal.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import random
import uuid
from dataclasses import dataclass
from typing import Any

from pipelines.demo_portal import records
from pipelines.demo_portal.data import PortalData, iso_ms, to_epoch_ms
from pipelines.demo_portal.records import DAY, HOUR, MINUTE, Deal, Properties, Rep
from pipelines.demo_portal.vocabulary import (
    COMPANY_A,
    COMPANY_B,
    COMPANY_SUFFIX,
    CUSTOM_DISPOSITION,
    ORPHAN_STAGE,
    PRODUCTS,
    RENEWAL_PIPELINE_ID,
    TLDS,
)


@dataclass(frozen=True)
class SizeSpec:
    reps: int
    companies: int
    deals: int
    months: int
    activity_per_rep_day: float  # mean engagements per rep per working day at activity level 1.0


SIZES: dict[str, SizeSpec] = {
    "small": SizeSpec(reps=8, companies=120, deals=300, months=24, activity_per_rep_day=1.35),
    "medium": SizeSpec(reps=25, companies=1_000, deals=3_000, months=36, activity_per_rep_day=3.4),
    "large": SizeSpec(reps=250, companies=10_000, deals=30_000, months=36, activity_per_rep_day=3.4),
}


# ----------------------------------------------------------------------------------- simulation types
@dataclass
class _Company:
    key: int
    name: str
    domain: str
    industry: str | None
    segment: int
    owner: Rep | None
    annual_revenue: str | None
    created: int = 0
    customer_until: int = 0  # end of the latest won contract seen so far
    merged_into: _Company | None = None
    merged_at: int = 0
    id: str = ""


class _Generator:
    def __init__(self, seed: int, spec: SizeSpec, end_date: dt.date):
        self.rng = random.Random(seed)
        self.spec = spec
        self.end_date = end_date
        self.end = to_epoch_ms(end_date) + DAY - 1  # end of day, inclusive
        self.start_date = records.month_add(end_date, -spec.months)
        self.start = to_epoch_ms(self.start_date)
        self.reps: list[Rep] = []
        self.manager: Rep | None = None
        self.companies: list[_Company] = []
        self.deals: list[Deal] = []
        self._deal_key = 0
        self.protected: set[int] = set()  # story deals: no follow-ups, no quirks

    # ------------------------------------------------------------------ time helpers
    def work_time(self, day_ms: int) -> int:
        """A moment in working hours (13:00-23:00 UTC, US and EU overlap) on the given day."""
        return day_ms + 13 * HOUR + int(self.rng.random() * 10 * HOUR)

    def clamp(self, t: int) -> int:
        return min(t, self.end)

    # ------------------------------------------------------------------ owners
    def make_owners(self) -> list[dict[str, Any]]:
        self.manager, self.reps, owners = records.make_staff(self.rng, self.spec.reps, self.start, self.end)
        return owners

    def active_rep(self, t: int, prefer: Rep | None = None) -> Rep:
        if prefer is not None and prefer.active(t):
            return prefer
        active = [r for r in self.reps if r.active(t)]
        return self.rng.choice(active) if active else self.rng.choice(self.reps)

    # ------------------------------------------------------------------ companies
    def make_companies(self) -> None:
        rng = self.rng
        seen: set[str] = set()
        for key in range(self.spec.companies):
            while True:
                base = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}"
                if base not in seen or len(seen) >= len(COMPANY_A) * len(COMPANY_B):
                    break
            n = 2
            unique = base
            while unique in seen:
                unique = f"{base} {n}"
                n += 1
            seen.add(unique)
            suffix, tld = rng.choice(COMPANY_SUFFIX), rng.choice(TLDS)
            facts = records.company_facts(unique, suffix, tld, rng.random())
            revenue, industry = records.revenue_and_industry(rng, facts.segment)
            self.companies.append(
                _Company(
                    key=key,
                    name=facts.name,
                    domain=facts.domain,
                    industry=industry,
                    segment=facts.segment,
                    owner=None,
                    annual_revenue=revenue,
                )
            )

    # ------------------------------------------------------------------ deals
    def new_deal(self, **kw: Any) -> Deal:
        self._deal_key += 1
        deal = Deal(key=self._deal_key, **kw)
        self.deals.append(deal)
        return deal

    def simulate_deals(self) -> None:
        rng, spec = self.rng, self.spec
        n_new = int(spec.deals * 0.87)
        weights = [rng.paretovariate(2.5) for _ in self.companies]
        prospects = set(rng.sample(range(len(self.companies)), k=len(self.companies) // 6))
        pool = [c for c in self.companies if c.key not in prospects]
        cum_w = list(itertools.accumulate(weights[c.key] for c in pool))
        span = self.end - self.start
        # Deal flow grows a little over time (more reps, more marketing): creation biased later.
        times = sorted(self.start + int(span * (rng.random() ** 0.9)) for _ in range(n_new))
        for created in times:
            created = self.work_time(created - created % DAY)
            company = rng.choices(pool, cum_weights=cum_w)[0]
            for _ in range(3):  # current customers are pitched new business less often
                if company.customer_until <= created or rng.random() < 0.25:
                    break
                company = rng.choices(pool, cum_weights=cum_w)[0]
            self.open_new_business(company, created, "newbusiness")
        self.script_stories([self.companies[k] for k in sorted(prospects)])
        # Contracts, renewals and reactivations, in creation order so chains are followed to the end.
        i = 0
        while i < len(self.deals):
            deal = self.deals[i]
            i += 1
            if deal.won and deal.companies and deal.key not in self.protected:
                self.follow_contract(deal)
        # Company creation: before its first deal (prospects get a random date).
        first_deal: dict[int, int] = {}
        for deal in self.deals:
            for company, _ in deal.companies:
                first_deal[company.key] = min(first_deal.get(company.key, deal.created), deal.created)
        for company in self.companies:
            if company.key in first_deal:
                company.created = first_deal[company.key] - rng.randrange(1, 60) * DAY - rng.randrange(DAY)
            else:
                company.created = self.start + int(rng.random() * span)
            company.created = min(company.created, self.end - DAY)
            if company.owner is None:
                company.owner = self.active_rep(max(company.created, self.start))

    def open_new_business(
        self, company: _Company | None, created: int, dealtype: str, *, upsell: bool = False, win_bias: float = 0.0
    ) -> Deal:
        rng = self.rng
        owner = self.active_rep(created, company.owner if company else None)
        if company is not None and company.owner is None:
            company.owner = owner
        segment = company.segment if company else 0
        term = records.contract_term(rng)
        amount: float | None = records.contract_amount(rng, segment, term or 12)
        if upsell and amount is not None:
            amount = records.round_amount(rng, amount * 0.35)
        won = records.wins(rng, owner, segment, win_bias)
        cycle = records.sales_cycle(rng, won, segment)
        close = created + cycle
        product = rng.choice(PRODUCTS)
        name = f"{company.name if company else 'Unknown account'} - {'Upsell ' if upsell else ''}{product}"
        companies: list[tuple[_Company, bool]] = [(company, True)] if company else []
        if company is not None and rng.random() < 0.05:
            partner = rng.choice(self.companies)
            if partner is not company:
                companies.append((partner, False))
        deal_owner = owner if rng.random() > 0.02 else None
        deal = self.new_deal(
            name=name,
            pipeline="default",
            dealtype=dealtype,
            owner=deal_owner,
            companies=companies,
            created=created,
            amount=amount,
            term=term,
            history=[],
        )
        if close <= self.end:
            deal.history = records.closed_history(rng, False, won, created, close)
            deal.closed = close
            deal.won = won
        else:
            elapsed = (self.end - created) / max(cycle, 1)
            deal.history = records.open_history(rng, False, elapsed, created, self.end)
            deal.expected_close = records.expected_close(rng, close, self.end)
            if rng.random() < 0.15:
                deal.amount = None  # early deals often have no amount yet
        if deal.won:
            self.set_contract(deal)
            if company is not None:
                company.customer_until = max(company.customer_until, to_epoch_ms(self.contract_end(deal)))
        return deal

    def set_contract(self, deal: Deal) -> None:
        rng = self.rng
        assert deal.closed is not None
        close_day = records.date_of(deal.closed)
        r = rng.random()
        if r < 0.8:
            start = close_day
        elif r < 0.9:
            start = records.month_add(close_day.replace(day=1), 1)  # starts next month
        else:
            start = close_day - dt.timedelta(days=rng.randrange(5, 40))  # backdated
        deal.contract_start = start.isoformat()
        deal.hide_start = start == close_day and rng.random() < 0.15
        if deal.amount is not None and rng.random() < 0.5:
            deal.cost = deal.amount * rng.uniform(0.12, 0.45)

    def contract_end(self, deal: Deal) -> dt.date:
        assert deal.contract_start is not None
        return records.month_add(dt.date.fromisoformat(deal.contract_start), deal.term or 12)

    def follow_contract(self, deal: Deal) -> None:
        """What happens at the end of a won contract: renewal (flat/expansion/contraction), churn, upsell."""
        rng = self.rng
        company = deal.companies[0][0]
        end_day = self.contract_end(deal)
        end_ms = to_epoch_ms(end_day)
        # Mid-term upsell: another, overlapping contract (expansion ARR).
        if deal.pipeline == "default" and rng.random() < 0.08:
            t = to_epoch_ms(records.date_of(deal.closed or deal.created)) + rng.randrange(60, 240) * DAY
            if t < self.end:
                self.open_new_business(company, self.work_time(t), "existingbusiness", upsell=True, win_bias=0.25)
        r = rng.random()
        if r < 0.06:
            self.maybe_reactivate(company, end_ms)  # churn without a renewal deal at all
            return
        created = self.work_time(end_ms - rng.randrange(45, 90) * DAY)
        if created > self.end:
            return
        owner = self.active_rep(created, deal.owner or company.owner)
        churn = r < 0.25
        factor = 1.0
        if not churn:
            x = rng.random()
            if x < 0.28:
                factor = rng.uniform(1.1, 1.6)  # expansion
            elif x < 0.42:
                factor = rng.uniform(0.55, 0.9)  # contraction
        term = deal.term if rng.random() < 0.85 else records.contract_term(rng)
        amount = None
        if deal.amount is not None:
            amount = deal.amount * factor
            if term != deal.term:  # same yearly value over a different term
                amount = amount / (deal.term or 12) * (term or 12)
            if amount != deal.amount:
                amount = records.round_amount(rng, amount)
        close = self.work_time(end_ms - rng.randrange(0, 25) * DAY)
        renewal = self.new_deal(
            name=f"{company.name} - Renewal {end_day.year}",
            pipeline=RENEWAL_PIPELINE_ID,
            dealtype="existingbusiness",
            owner=owner if rng.random() > 0.02 else None,
            companies=list(deal.companies),
            created=created,
            amount=amount,
            term=term,
            history=[],
        )
        if close <= created:
            close = created + rng.randrange(2, 10) * DAY
        if close <= self.end:
            renewal.history = records.closed_history(rng, True, not churn, created, close)
            renewal.closed = close
            renewal.won = not churn
            if renewal.won:
                assert renewal.closed is not None
                renewal.contract_start = end_day.isoformat()  # continuous with the previous contract
                if renewal.amount is not None and rng.random() < 0.5:
                    renewal.cost = renewal.amount * rng.uniform(0.1, 0.35)
            else:
                self.maybe_reactivate(company, end_ms)
        else:
            elapsed = (self.end - created) / max(close - created, 1)
            renewal.history = records.open_history(rng, True, elapsed, created, self.end)
            renewal.expected_close = close

    def maybe_reactivate(self, company: _Company, churned_at: int) -> None:
        """A churned account may come back after a gap of months (a reactivation, in ARR terms)."""
        rng = self.rng
        if rng.random() < 0.45:
            t = churned_at + rng.randrange(90, 240) * DAY
            if t < self.end - 20 * DAY:
                self.open_new_business(company, self.work_time(t - t % DAY), "newbusiness", win_bias=0.35)

    def scripted(
        self,
        company: _Company,
        pipeline: str,
        dealtype: str,
        name: str,
        created: int,
        closed: int,
        won: bool,
        amount: float,
        start: dt.date | None = None,
    ) -> Deal | None:
        """A deal whose outcome is fixed (for the story accounts); None if it would close after the end."""
        created, closed = self.work_time(created - created % DAY), self.work_time(closed - closed % DAY)
        if closed > self.end:
            return None
        owner = self.active_rep(created, company.owner)
        company.owner = company.owner or owner
        outcome = "won" if won else "lost"
        if pipeline == "default":
            path = records.default_path(self.rng, outcome, 4)
        else:
            path = records.renewal_path(self.rng, outcome, 2)
        deal = self.new_deal(
            name=name,
            pipeline=pipeline,
            dealtype=dealtype,
            owner=owner,
            companies=[(company, True)],
            created=created,
            amount=amount,
            term=12,
            history=records.timed(self.rng, path, created, closed),
        )
        deal.closed, deal.won = closed, won
        if won:
            deal.contract_start = (start or records.date_of(closed)).isoformat()
        self.protected.add(deal.key)
        return deal

    def script_stories(self, prospects: list[_Company]) -> None:
        """Two accounts whose contracts make every ARR movement happen, whatever the seed.

        One lands, expands with an upsell, then renews lower (contraction); the other lands, churns
        at renewal and comes back months later (reactivation). Their deals are left out of quirks.
        """
        rng = self.rng
        grower, leaver = rng.sample(prospects, 2)
        t = self.start
        a = records.contract_amount(rng, grower.segment, 12)
        d1 = self.scripted(
            grower, "default", "newbusiness", f"{grower.name} - Platform", t + 3 * DAY, t + 25 * DAY, True, a
        )
        d2 = self.scripted(
            grower,
            "default",
            "existingbusiness",
            f"{grower.name} - Upsell Add-on Pack",
            t + 90 * DAY,
            t + 120 * DAY,
            True,
            records.round_amount(rng, a * 0.4),
        )
        for parent, factor in ((d1, 0.6), (d2, 1.0)):
            if parent is None or parent.amount is None:
                continue
            end = self.contract_end(parent)
            amount = records.round_amount(rng, parent.amount * factor) if factor != 1.0 else parent.amount
            self.scripted(
                grower,
                RENEWAL_PIPELINE_ID,
                "existingbusiness",
                f"{grower.name} - Renewal {end.year}",
                to_epoch_ms(end) - 60 * DAY,
                to_epoch_ms(end) - 10 * DAY,
                True,
                amount,
                start=end,
            )
        e1 = self.scripted(
            leaver,
            "default",
            "newbusiness",
            f"{leaver.name} - Team Edition",
            t + 10 * DAY,
            t + 40 * DAY,
            True,
            records.contract_amount(rng, leaver.segment, 12),
        )
        if e1 is not None:
            end_ms = to_epoch_ms(self.contract_end(e1))
            self.scripted(
                leaver,
                RENEWAL_PIPELINE_ID,
                "existingbusiness",
                f"{leaver.name} - Renewal",
                end_ms - 60 * DAY,
                end_ms - 15 * DAY,
                False,
                e1.amount or 0.0,
            )
            self.scripted(
                leaver,
                "default",
                "newbusiness",
                f"{leaver.name} - Platform (win-back)",
                end_ms + 120 * DAY,
                end_ms + 155 * DAY,
                True,
                records.contract_amount(rng, leaver.segment, 12),
            )

    # ------------------------------------------------------------------ quirks and damage
    def plant_deal_quirks(self) -> dict[str, list[Deal]]:
        """Reopened deals, currency, archive, merges and the deliberately bad records."""
        rng = self.rng
        n = len(self.deals)
        scale = max(1, n // 300)
        won = [d for d in self.deals if d.won and d.pipeline == "default" and d.amount is not None]
        lost = [d for d in self.deals if d.closed is not None and not d.won]
        open_ = [d for d in self.deals if d.closed is None]
        used: set[int] = set(self.protected)

        def take(pool: list[Deal], k: int, cond=lambda d: True) -> list[Deal]:
            cands = [d for d in pool if d.key not in used and cond(d)]
            picked = rng.sample(cands, min(k, len(cands)))
            used.update(d.key for d in picked)
            return picked

        # Reopened after closed-won: won, then back to contract sent, then won again later...
        for deal in take(won, 2 * scale, lambda d: d.closed is not None and d.closed + 30 * DAY < self.end):
            assert deal.closed is not None
            t_reopen = deal.closed + rng.randrange(1, 10) * DAY
            t_rewon = t_reopen + rng.randrange(3, 20) * DAY
            deal.history.append(("contractsent", t_reopen, "CRM_UI"))
            deal.history.append(("closedwon", t_rewon, "CRM_UI"))
            deal.closed = t_rewon
        # ...and one that is still open after being won once (no contract any more).
        for deal in take(
            won, 1, lambda d: d.closed is not None and d.closed + 5 * DAY < self.end and not self._has_renewal(d)
        ):
            assert deal.closed is not None
            deal.history.append(("decisionmakerboughtin", deal.closed + rng.randrange(1, 5) * DAY, "CRM_UI"))
            deal.expected_close = self.end + rng.randrange(10, 60) * DAY
            deal.closed, deal.won, deal.contract_start, deal.cost = None, False, None, None
        # Deals with no company at all (they count in deal metrics, never in account metrics).
        for deal in take(
            won + lost + open_, max(2, n // 150), lambda d: d.dealtype == "newbusiness" and not self._has_renewal(d)
        ):
            deal.companies = []
            deal.name = "Inbound lead - " + deal.name.split(" - ", 1)[-1]
        # Multi-currency: EUR amounts with the home-currency (USD) amount beside them.
        for deal in take(won, 2, lambda d: not self._has_renewal(d)):
            deal.currency = "EUR"
            deal.fx = rng.choice((1.07, 1.08, 1.09, 1.11))
        # hs_is_closed_won disagreeing with the stage (stage metadata wins downstream).
        flags = take(won, 1) + take(lost, 1)
        for deal in flags:
            deal.extra["hs_is_closed_won"] = "false" if deal.won else "true"
        # Archived (recycle bin): lost or open deals.
        for deal in take(lost + open_, 3 * scale):
            last = max(t for _, t, _ in deal.history)
            deal.archived_at = self.clamp(max(last, deal.created) + rng.randrange(1, 60) * DAY)
        # Merged duplicates: a second copy of a deal, created a little later, merged into the first.
        for deal in take(lost + won, 2 * scale, lambda d: d.created + 30 * DAY < self.end):
            created = deal.created + rng.randrange(HOUR, 5 * DAY)
            dup = self.new_deal(
                name=deal.name + " (duplicate)",
                pipeline="default",
                dealtype=deal.dealtype,
                owner=deal.owner,
                companies=list(deal.companies[:1]),
                created=created,
                amount=deal.amount,
                term=deal.term,
                history=[("appointmentscheduled", created, "CRM_UI")],
            )
            dup.merged_into = deal
            dup.merged_at = self.clamp(created + rng.randrange(1, 20) * DAY)
            used.add(dup.key)
        bad = {
            "negative_amount": take(won, 1, lambda d: not self._has_renewal(d)),
            "bad_closedate": take(lost, 1),
            "orphan_stage": take(open_, 1),
        }
        for deal in bad["negative_amount"]:
            deal.amount = -abs(deal.amount or 4_500.0)
            deal.cost = None
        for deal in bad["bad_closedate"]:
            assert deal.closed is not None
            day = records.date_of(deal.closed)
            deal.extra["closedate"] = f"31/02/{day.year}"
        for deal in bad["orphan_stage"]:
            last = deal.history[-1][1]
            t = max(last, min(self.end, max(last + HOUR, deal.created + DAY)))
            deal.history.append((ORPHAN_STAGE, t, "INTEGRATION"))
        return bad

    def _has_renewal(self, deal: Deal) -> bool:
        return deal.contract_start is not None and to_epoch_ms(self.contract_end(deal)) - 90 * DAY <= self.end

    # ------------------------------------------------------------------ records
    def deal_records(self) -> list[dict[str, Any]]:
        rng = self.rng
        self.deals.sort(key=lambda d: (d.created, d.key))
        next_id = 18_234_000_000 + rng.randrange(1_000_000)
        for deal in self.deals:
            next_id += rng.randrange(1, 120)
            deal.id = str(next_id)
        merged_into: dict[int, list[Deal]] = {}
        for deal in self.deals:
            if deal.merged_into is not None:
                merged_into.setdefault(deal.merged_into.key, []).append(deal)
        made = []
        for deal in self.deals:
            if deal.merged_into is not None:
                continue
            last_change = deal.history[-1][1]
            modified = last_change
            if rng.random() < 0.3:
                modified = self.clamp(last_change + rng.randrange(1, 45) * DAY)
            merged_ids = merged_into.get(deal.key, [])
            for dup in merged_ids:
                modified = max(modified, dup.merged_at)
            if deal.archived_at is not None:
                modified = max(modified, deal.archived_at)
            modified_iso = iso_ms(self.clamp(max(modified, deal.created)))
            props = records.deal_properties(deal, modified_iso, ";".join(d.id for d in merged_ids) or None)
            archived_at = None if deal.archived_at is None else iso_ms(deal.archived_at)
            record = records.api_record(deal.id, props, props["createdate"], modified_iso, archived_at)
            record["_history"] = {"dealstage": records.stage_history(deal)}
            record["_companies"] = [{"id": c.id, "primary": primary} for c, primary in deal.companies]
            made.append(record)
        return made

    def company_records(self) -> list[dict[str, Any]]:
        rng = self.rng
        # Duplicates that were merged into a survivor (same domain, slightly different name).
        dup_count = max(2, len(self.companies) // 60)
        survivors = rng.sample(self.companies, min(dup_count, len(self.companies)))
        dups = []
        for company in survivors:
            created = min(self.end - 2 * DAY, company.created + rng.randrange(1, 200) * DAY)
            words = company.name.split(" ")
            dup_name = " ".join(words[:2]) if len(words) > 2 else company.name + " Corp"
            dup = _Company(
                key=len(self.companies) + len(dups),
                name=dup_name,
                domain=company.domain,
                industry=company.industry,
                segment=company.segment,
                owner=company.owner,
                annual_revenue=None,
                created=created,
                merged_into=company,
                merged_at=self.clamp(created + rng.randrange(1, 30) * DAY),
            )
            dups.append(dup)
        everyone = sorted(self.companies + dups, key=lambda c: (c.created, c.key))
        next_id = 9_001_000_000 + rng.randrange(1_000_000)
        for company in everyone:
            next_id += rng.randrange(1, 60)
            company.id = str(next_id)
        made = []
        for company in everyone:
            if company.merged_into is not None:
                continue
            merged = [d for d in dups if d.merged_into is company]
            modified = self.clamp(company.created + rng.randrange(0, 400) * DAY + rng.randrange(DAY))
            for d in merged:
                modified = max(modified, d.merged_at)
            created, updated = iso_ms(company.created), iso_ms(modified)
            owner_id = company.owner.owner_id if company.owner else None
            props = records.company_properties(
                company.name,
                company.domain,
                company.annual_revenue,
                company.industry,
                created,
                owner_id,
                updated,
                ";".join(d.id for d in merged) or None,
                company.id,
            )
            made.append(records.api_record(company.id, props, created, updated))
        return made

    # ------------------------------------------------------------------ engagements
    def engagements(self) -> dict[str, list[dict[str, Any]]]:
        rng = self.rng
        rate = self.spec.activity_per_rep_day
        # (kind, share): calls dominate, as on a real sales floor.
        kinds = ("calls", "emails", "meetings", "notes", "tasks")
        cum = (0.46, 0.76, 0.84, 0.92, 1.0)
        raw: dict[str, list[tuple[int, int, str | None, dict[str, str | None]]]] = {k: [] for k in kinds}
        all_reps = [self.manager, *self.reps] if self.manager else list(self.reps)
        first_day = records.date_of(self.start)
        n_days = (self.end_date - first_day).days + 1
        for rep in all_reps:
            mean = rate * rep.activity
            owner_id = rep.owner_id
            for d in range(n_days):
                day = first_day + dt.timedelta(days=d)
                if day.weekday() >= 5:
                    continue
                day_ms = self.start + d * DAY
                if not rep.active(day_ms + 12 * HOUR):
                    continue
                # Poisson-ish count: sum of two uniform draws keeps variance without a Poisson sampler.
                n = int(mean * (rng.random() + rng.random()) + rng.random())
                for _ in range(n):
                    r = rng.random()
                    kind = (
                        kinds[0]
                        if r < cum[0]
                        else kinds[1]
                        if r < cum[1]
                        else kinds[2]
                        if r < cum[2]
                        else kinds[3]
                        if r < cum[3]
                        else kinds[4]
                    )
                    owner = owner_id if rng.random() > 0.01 else None
                    ts = self.work_time(day_ms)
                    rec = getattr(self, "_" + kind)(ts)
                    if rec is not None:
                        raw[kind].append((rec[0], min(rec[1], self.end), owner, rec[2]))
        out: dict[str, list[dict[str, Any]]] = {}
        bases = {
            "calls": 51_200_000_000,
            "emails": 52_400_000_000,
            "meetings": 53_600_000_000,
            "notes": 54_800_000_000,
            "tasks": 56_000_000_000,
        }
        for kind in kinds:
            items = raw[kind]
            items.sort(key=lambda x: x[0])  # ids follow creation order
            next_id = bases[kind] + rng.randrange(1_000_000)
            made = []
            for created, modified, owner, props in items:
                next_id += rng.randrange(1, 9)
                rid = str(next_id)
                created_iso = iso_ms(created)
                modified_iso = created_iso if modified == created else iso_ms(modified)
                records.stamp_engagement(props, created_iso, owner, modified_iso, rid)
                made.append(records.api_record(rid, props, created_iso, modified_iso))
            # A few archived (deleted) engagements.
            for record in rng.sample(made, min(len(made), max(1, len(made) // 500))):
                at = self.clamp(to_epoch_ms(record["updatedAt"]) + rng.randrange(1, 30) * DAY)
                record["archived"] = True
                record["archivedAt"] = iso_ms(at)
                record["updatedAt"] = record["properties"]["hs_lastmodifieddate"] = iso_ms(at)
            out[kind] = made
        return out

    # Each makes one engagement at work time `ts`: (created, modified, properties), or None if it
    # would be logged after the end date.
    def _calls(self, ts: int) -> tuple[int, int, Properties] | None:
        props, logged_after = records.call_properties(self.rng)
        created = self.clamp(ts + logged_after)
        props["hs_timestamp"] = iso_ms(min(ts, created))
        return created, created + self.rng.randrange(0, 2_000), props

    def _emails(self, ts: int) -> tuple[int, int, Properties] | None:
        props, logged_after = records.email_properties(self.rng)
        props["hs_timestamp"] = iso_ms(ts)
        created = ts + logged_after
        return None if created > self.end else (created, created, props)

    def _meetings(self, ts: int) -> tuple[int, int, Properties] | None:
        lead, length, outcome = records.meeting_plan(self.rng)
        booked = ts - lead
        modified = booked
        if outcome != "SCHEDULED":
            modified = self.clamp(ts + length + self.rng.randrange(10 * MINUTE, 2 * DAY))
        return booked, max(modified, booked), records.meeting_properties(self.rng, ts, length, outcome)

    def _notes(self, ts: int) -> tuple[int, int, Properties] | None:
        return ts, ts, records.note_properties(self.rng, ts)

    def _tasks(self, ts: int) -> tuple[int, int, Properties] | None:
        rng = self.rng
        lead, status = records.task_plan(rng)
        created = modified = ts - lead
        completion = None
        if status == "COMPLETED":
            done = self.clamp(ts - rng.randrange(0, 2 * DAY) + rng.randrange(0, DAY))
            modified = max(done, created + MINUTE)
            completion = iso_ms(modified)
        return created, max(modified, created), records.task_properties(rng, ts, status, completion)

    # ------------------------------------------------------------------ goals
    def goal_records(self) -> list[dict[str, Any]]:
        rng = self.rng
        assert self.manager is not None
        # Monthly quota: roughly what a rep at the team's average win rate closes, rounded.
        won_amounts = [d.amount for d in self.deals if d.won and d.amount and d.amount > 0]
        avg_deal = sum(won_amounts) / len(won_amounts) if won_amounts else 20_000.0
        months = []
        m = self.start_date.replace(day=1)
        while m <= self.end_date:
            months.append(m)
            m = records.month_add(m, 1)
        items = []
        for rep in self.reps:
            base = avg_deal * rng.uniform(1.2, 2.2) * (0.6 + rep.win_rate)
            uuids: dict[int, str] = {}
            for month in months:
                start_ms = to_epoch_ms(month)
                end_ms = to_epoch_ms(records.month_add(month, 1))
                if not (rep.hired < end_ms and (rep.left is None or rep.left > start_ms)):
                    continue
                year = month.year
                if year not in uuids:
                    uuids[year] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                # Goals for a year are set in mid-December before it (or when the rep joins).
                created = max(to_epoch_ms(dt.date(year - 1, 12, 10)) + rng.randrange(7 * DAY), rep.hired + DAY)
                created = min(created, self.end)
                modified = created
                target = base * (1.1 if month.month in (3, 6, 9, 12) else 1.0) * (1.06 ** (year - months[0].year))
                target = round(target, -3)
                if rng.random() < 0.1:  # a mid-year quota revision
                    modified = self.clamp(max(created, start_ms - 5 * DAY) + rng.randrange(DAY))
                    target = round(target * rng.uniform(0.85, 1.15), -3)
                items.append(
                    (
                        created,
                        modified,
                        records.goal_properties(
                            rep, self.manager, start_ms, end_ms, year, uuids[year], target, iso_ms(created)
                        ),
                    )
                )
        items.sort(key=lambda x: x[0])
        next_id = 44_027_000_000 + rng.randrange(1_000_000)
        made = []
        for created, modified, props in items:
            next_id += rng.randrange(1, 30)
            rid = str(next_id)
            mo = iso_ms(max(modified, created))
            props["hs_lastmodifieddate"], props["hs_object_id"] = mo, rid
            made.append(records.api_record(rid, props, props["hs_createdate"], mo))
        return made

    # ------------------------------------------------------------------ all
    def run(self) -> PortalData:
        owners = self.make_owners()
        self.make_companies()
        self.simulate_deals()
        self.plant_deal_quirks()
        companies = self.company_records()  # assigns company ids, needed by deal records
        deals = self.deal_records()
        eng = self.engagements()
        # The bad call: its id (and hs_object_id) is null, but it keeps its place in the list. It sits
        # on the first listing page, which every read lists: a first sync read from both ends lists
        # only up to where the search ranges begin, and search cannot find a record without an id.
        calls = eng["calls"]
        live_calls = [c for c in calls if not c["archived"]]
        if live_calls:
            victim = live_calls[self.rng.randrange(min(len(live_calls), 50))]
            victim["id"] = None
            victim["properties"]["hs_object_id"] = None
        goals = self.goal_records()
        objects = {"deals": deals, "companies": companies, **eng, "goal_targets": goals}
        return PortalData(
            objects=objects,
            owners=owners,
            pipelines=records.pipeline_records(self.start),
            dispositions=[dict(CUSTOM_DISPOSITION)],
        )


def generate_portal(seed: int = 7, size: str = "small", end_date: dt.date | None = None) -> PortalData:
    """Build the synthetic portal. `end_date` defaults to today (UTC); pass it for reproducible data."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(SIZES)}")
    end_date = records.last_day(end_date)
    # Hundreds of thousands of small dicts and no cycles: the cyclic GC would only slow the build down.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Generator(seed, SIZES[size], end_date).run()
    finally:
        if was_enabled:
            gc.enable()
