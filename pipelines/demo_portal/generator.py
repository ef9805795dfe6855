"""A deterministic synthetic HubSpot portal: a B2B SaaS sales org whose data exercises every metric.

`generate_portal(seed, size, end_date)` simulates reps (with their own win rates and activity levels,
hires and departures), companies, new-business deals moving through stages, recurring contracts that
renew, expand, contract, churn and come back, daily rep activity (calls, emails, meetings, notes,
tasks) and monthly revenue goals, then plants a few deliberately bad records. Everything is drawn
from one `random.Random(seed)` in a fixed order and no wall clock is read, so the same
seed + size + end_date gives byte-identical JSON. Work is done in epoch milliseconds and formatted
once; timestamps of things that happened are never after `end_date` (open deals' expected close
dates and the current goal period's end may be).
"""

from __future__ import annotations

import calendar
import datetime as dt
import gc
import itertools
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from pipelines.demo_portal.data import STANDARD_DISPOSITIONS, PortalData, iso_ms, to_epoch_ms

DAY = 86_400_000
HOUR = 3_600_000
MINUTE = 60_000


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

# --------------------------------------------------------------------------------------- pipelines
DEFAULT_STAGES: tuple[tuple[str, str, str, bool], ...] = (
    ("appointmentscheduled", "Appointment Scheduled", "0.2", False),
    ("qualifiedtobuy", "Qualified To Buy", "0.4", False),
    ("presentationscheduled", "Presentation Scheduled", "0.6", False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
    ("contractsent", "Contract Sent", "0.9", False),
    ("closedwon", "Closed Won", "1.0", True),
    ("closedlost", "Closed Lost", "0.0", True),
)
RENEWAL_PIPELINE_ID = "75817263"
RENEWAL_STAGES: tuple[tuple[str, str, str, bool], ...] = (
    ("161432001", "Renewal Due", "0.3", False),
    ("161432002", "In Negotiation", "0.6", False),
    ("161432003", "Verbal Commit", "0.9", False),
    ("161432004", "Renewed", "1.0", True),
    ("161432005", "Churned", "0.0", True),
)
ORPHAN_STAGE = "98127364"  # a stage deleted from its pipeline: in no pipeline any more

CUSTOM_DISPOSITION = {"id": "4c8a9f7e-2b31-4d6a-9e0f-3a5b7c9d1e2f", "label": "Meeting booked"}
_DISP = {d["label"]: d["id"] for d in STANDARD_DISPOSITIONS}

# --------------------------------------------------------------------------------------- words
FIRST_NAMES = (
    "Avery", "Jordan", "Priya", "Mateo", "Hannah", "Kenji", "Fatima", "Lucas", "Chloe", "Omar", "Sofia",
    "Daniel", "Aisha", "Noah", "Elena", "Ravi", "Grace", "Tomasz", "Leila", "Marcus", "Ingrid", "Diego",
    "Mei", "Samuel", "Zoe", "Björn", "Amara", "Felix", "Nadia", "Oliver", "Yuki", "Carmen", "Ethan",
    "Sara", "Kwame", "Julia", "Arjun", "Rosa", "Henrik", "Lina",
)
LAST_NAMES = (
    "Nguyen", "Okafor", "Schmidt", "Patel", "García", "Kowalski", "Johansson", "Murphy", "Tanaka", "Rossi",
    "Haddad", "Williams", "Dubois", "Chen", "Novak", "Silva", "Andersen", "Kaur", "Brown", "Ivanova",
    "Moreau", "Baker", "Lindqvist", "Osei", "Fischer", "Romero", "Park", "Walsh", "Costa", "Meyer",
)
COMPANY_A = (
    "Blue", "North", "Bright", "Iron", "Silver", "Cedar", "Summit", "Harbor", "Atlas", "Nova", "Pioneer",
    "Granite", "Evergreen", "Crescent", "Falcon", "Orbit", "Vertex", "Willow", "Beacon", "Copper", "Lumen",
    "Quantum", "Redwood", "Sterling", "Tidal", "Union", "Velvet", "Wander", "Zenith", "Arc", "Bay", "Cobalt",
)
COMPANY_B = (
    "Analytics", "Logistics", "Labs", "Systems", "Foods", "Health", "Robotics", "Software", "Capital",
    "Energy", "Retail", "Media", "Freight", "Dynamics", "Networks", "Works", "Clinics", "Learning", "Metals",
    "Partners", "Pharma", "Studios", "Textiles", "Ventures", "Brewing", "Insurance", "Motors", "Security",
)
COMPANY_SUFFIX = ("Inc.", "LLC", "GmbH", "Ltd", "", "", "Co.", "Group", "AG", "S.A.")
TLDS = ("com", "com", "com", "io", "de", "co.uk", "net", "fr")
INDUSTRIES = (
    "COMPUTER_SOFTWARE", "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE", "RETAIL", "LOGISTICS_AND_SUPPLY_CHAIN",
    "MARKETING_AND_ADVERTISING", "EDUCATION_MANAGEMENT", "CONSTRUCTION", "REAL_ESTATE", "FOOD_BEVERAGES",
    "INSURANCE", "AUTOMOTIVE", "TELECOMMUNICATIONS", "MANUFACTURING",
)
PRODUCTS = ("Platform", "Analytics Suite", "Starter Bundle", "Enterprise Plan", "Team Edition", "Add-on Pack")
CALL_TITLES = ("Discovery call", "Follow-up", "Demo recap", "Pricing discussion", "Check-in", "Cold call")
MEETING_TITLES = ("Discovery meeting", "Product demo", "Technical deep dive", "Negotiation", "QBR", "Kickoff")
EMAIL_SUBJECTS = (
    "Quick question", "Following up", "Proposal attached", "Re: pricing", "Next steps", "Intro",
    "Re: contract", "Meeting notes", "Your trial",
)
NOTE_BODIES = (
    "Spoke with the champion; budget confirmed for Q{q}.",
    "Decision maker wants a security review first.",
    "Competitor in the deal; they are cheaper on seats.",
    "Customer asked for a multi-year quote.",
    "Left a voicemail, will try again Thursday.",
)
TASK_SUBJECTS = ("Send proposal", "Call back", "Prepare demo", "Update CRM", "Follow up on contract", "Book QBR")

SEGMENTS = (  # name, share, annual contract value range (USD), cycle-length factor
    ("smb", 0.55, (4_000, 24_000), 0.7),
    ("mid", 0.33, (20_000, 80_000), 1.0),
    ("ent", 0.12, (70_000, 300_000), 1.7),
)


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


# ----------------------------------------------------------------------------------- simulation types
@dataclass
class _Rep:
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


@dataclass
class _Company:
    key: int
    name: str
    domain: str
    industry: str | None
    segment: int
    owner: _Rep | None
    annual_revenue: str | None
    created: int = 0
    customer_until: int = 0  # end of the latest won contract seen so far
    merged_into: "_Company | None" = None
    merged_at: int = 0
    id: str = ""


@dataclass
class _Deal:
    key: int
    name: str
    pipeline: str
    dealtype: str
    owner: _Rep | None
    companies: list[tuple[_Company, bool]]
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
    modified: int = 0
    archived_at: int | None = None
    merged_into: "_Deal | None" = None
    merged_at: int = 0
    extra: dict[str, str | None] = field(default_factory=dict)
    id: str = ""


def _month_add(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _day_ms(d: dt.date) -> int:
    return to_epoch_ms(d)


def _date_of(ms: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=ms // DAY)


def _round_amount(rng: random.Random, value: float) -> float:
    """Amounts as people type them: mostly whole hundreds, some to the cent."""
    if rng.random() < 0.8:
        return float(round(value, -2 if abs(value) >= 1000 else 0))
    return round(value, 2)


def _money(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}"


class _Generator:
    def __init__(self, seed: int, spec: SizeSpec, end_date: dt.date):
        self.rng = random.Random(seed)
        self.spec = spec
        self.end_date = end_date
        self.end = _day_ms(end_date) + DAY - 1  # end of day, inclusive
        self.start_date = _month_add(end_date, -spec.months)
        self.start = _day_ms(self.start_date)
        self.reps: list[_Rep] = []
        self.manager: _Rep | None = None
        self.companies: list[_Company] = []
        self.deals: list[_Deal] = []
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
        rng, spec = self.rng, self.spec
        names: list[tuple[str, str]] = []
        while len(names) < spec.reps + 1:
            pair = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
            if pair not in names or len(names) >= len(FIRST_NAMES) * len(LAST_NAMES):
                names.append(pair)
        teams = (("368389", "Sales East"), ("368390", "Sales West"))
        owner_id, user_id = 41_629_700 + rng.randrange(100), 9_586_400 + rng.randrange(100)
        span = self.end - self.start
        n_leavers = max(2, round(spec.reps * 0.06))
        n_joiners = max(1, round(spec.reps * 0.1))
        for i, (first, last) in enumerate(names):
            owner_id += rng.randrange(1, 40_000)
            user_id += rng.randrange(1, 5_000)
            manager = i == 0
            joiner = not manager and 1 <= i <= n_joiners
            leaver = not manager and n_joiners < i <= n_joiners + n_leavers
            hired = self.start - rng.randrange(30, 900) * DAY
            if joiner:
                hired = self.start + int(span * rng.uniform(0.2, 0.6))
            left = self.start + int(span * rng.uniform(0.35, 0.8)) if leaver else None
            rep = _Rep(
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
            if manager:
                self.manager = rep
            else:
                self.reps.append(rep)
        owners = []
        assert self.manager is not None
        for rep in [self.manager, *self.reps]:
            slug = unicodedata.normalize("NFKD", f"{rep.first}.{rep.last}".lower())
            slug = slug.encode("ascii", "ignore").decode("ascii")
            updated = rep.left if rep.left is not None else min(self.end, rep.hired + rng.randrange(1, 400) * DAY)
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
        return owners

    def active_rep(self, t: int, prefer: _Rep | None = None) -> _Rep:
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
            suffix = rng.choice(COMPANY_SUFFIX)
            name = f"{unique} {suffix}".strip()
            domain = unique.lower().replace(" ", "") + "." + rng.choice(TLDS)
            r = rng.random()
            segment = 0 if r < SEGMENTS[0][1] else (1 if r < SEGMENTS[0][1] + SEGMENTS[1][1] else 2)
            revenue = None
            if rng.random() < 0.85:
                revenue = str(int(rng.uniform(1, 40) * (10 ** (6 + segment))))
            self.companies.append(
                _Company(
                    key=key,
                    name=name,
                    domain=domain,
                    industry=rng.choice(INDUSTRIES) if rng.random() < 0.9 else None,
                    segment=segment,
                    owner=None,
                    annual_revenue=revenue,
                )
            )

    # ------------------------------------------------------------------ deals
    def new_deal(self, **kw: Any) -> _Deal:
        self._deal_key += 1
        deal = _Deal(key=self._deal_key, **kw)
        self.deals.append(deal)
        return deal

    def default_path(self, outcome: str, reach: int) -> list[str]:
        """Stage ids a default-pipeline deal passes through (skips and a rare step back)."""
        rng = self.rng
        stages = [s[0] for s in DEFAULT_STAGES[:5]]
        first = 0 if rng.random() < 0.88 else 1
        path = [stages[first]]
        for k in range(first + 1, reach + 1):
            if k < reach and rng.random() < 0.15:
                continue  # skipped stage
            path.append(stages[k])
            if k >= 2 and rng.random() < 0.05:
                path.append(stages[k - 1])  # moved back...
                path.append(stages[k])  # ...and forward again
        if outcome == "won":
            path.append("closedwon")
        elif outcome == "lost":
            path.append("closedlost")
        return path

    def renewal_path(self, outcome: str, reach: int) -> list[str]:
        return renewal_path(self.rng, outcome, reach)

    def timed(self, path: list[str], start: int, end: int) -> list[tuple[str, int, str]]:
        """Spread a stage path over [start, end]: first entry at start, last at end."""
        rng = self.rng
        if len(path) == 1:
            return [(path[0], start, "CRM_UI")]
        inner = sorted(start + int(rng.random() * (end - start)) for _ in range(len(path) - 2))
        times = [start, *inner, end]
        for i in range(1, len(times)):  # strictly increasing
            if times[i] <= times[i - 1]:
                times[i] = times[i - 1] + 1_000
        out = []
        for i, (stage, t) in enumerate(zip(path, times, strict=True)):
            source = "CRM_UI" if i == 0 or rng.random() < 0.85 else "AUTOMATION_PLATFORM"
            out.append((stage, t, source))
        return out

    def amount_for(self, company: _Company | None, term: int) -> float:
        seg = SEGMENTS[company.segment if company is not None else 0]
        lo, hi = seg[2]
        acv = lo * (hi / lo) ** self.rng.random()
        return _round_amount(self.rng, acv * term / 12)

    def pick_term(self) -> int | None:
        r = self.rng.random()
        return 12 if r < 0.66 else (24 if r < 0.95 else None)

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

    def open_new_business(self, company: _Company | None, created: int, dealtype: str, *, upsell: bool = False,
                          win_bias: float = 0.0) -> _Deal:
        rng = self.rng
        owner = self.active_rep(created, company.owner if company else None)
        if company is not None and company.owner is None:
            company.owner = owner
        term = self.pick_term()
        seg = SEGMENTS[company.segment if company else 0]
        amount: float | None = self.amount_for(company, term or 12)
        if upsell and amount is not None:
            amount = _round_amount(rng, amount * 0.35)
        won = rng.random() < min(0.95, owner.win_rate * (1.15 - 0.25 * (company.segment if company else 0)) + win_bias)
        cycle = int(rng.gammavariate(2.2, 22 if won else 18) * seg[3] * DAY) + rng.randrange(2 * DAY)
        cycle = max(cycle, 3 * DAY)
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
            name=name, pipeline="default", dealtype=dealtype, owner=deal_owner, companies=companies,
            created=created, amount=amount, term=term, history=[],
        )
        if close <= self.end:
            outcome = "won" if won else "lost"
            reach = 4 if won else rng.choice((0, 0, 1, 1, 2, 3, 4))
            deal.history = self.timed(self.default_path(outcome, reach), created, close)
            deal.closed = close
            deal.won = won
        else:
            elapsed = (self.end - created) / max(cycle, 1)
            reach = min(4, int(elapsed * 5))
            deal.history = self.timed(self.default_path("open", reach), created,
                                      created + int((self.end - created) * rng.uniform(0.3, 1.0)))
            if rng.random() < 0.12:
                deal.expected_close = None
            else:
                deal.expected_close = max(close, self.end + rng.randrange(7, 90) * DAY)
                deal.expected_close -= deal.expected_close % DAY
                deal.expected_close += 17 * HOUR
            if rng.random() < 0.15:
                deal.amount = None  # early deals often have no amount yet
        if deal.won:
            self.set_contract(deal)
            if company is not None:
                company.customer_until = max(company.customer_until, _day_ms(self.contract_end(deal)))
        return deal

    def set_contract(self, deal: _Deal) -> None:
        rng = self.rng
        assert deal.closed is not None
        close_day = _date_of(deal.closed)
        r = rng.random()
        if r < 0.8:
            start = close_day
        elif r < 0.9:
            start = _month_add(close_day.replace(day=1), 1)  # starts next month
        else:
            start = close_day - dt.timedelta(days=rng.randrange(5, 40))  # backdated
        deal.contract_start = start.isoformat()
        deal.hide_start = start == close_day and rng.random() < 0.15
        if deal.amount is not None and rng.random() < 0.5:
            deal.cost = deal.amount * rng.uniform(0.12, 0.45)

    def contract_end(self, deal: _Deal) -> dt.date:
        assert deal.contract_start is not None
        return _month_add(dt.date.fromisoformat(deal.contract_start), deal.term or 12)

    def follow_contract(self, deal: _Deal) -> None:
        """What happens at the end of a won contract: renewal (flat/expansion/contraction), churn, upsell."""
        rng = self.rng
        company = deal.companies[0][0]
        end_day = self.contract_end(deal)
        end_ms = _day_ms(end_day)
        # Mid-term upsell: another, overlapping contract (expansion ARR).
        if deal.pipeline == "default" and rng.random() < 0.08:
            t = _day_ms(_date_of(deal.closed or deal.created)) + rng.randrange(60, 240) * DAY
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
        term = deal.term if rng.random() < 0.85 else self.pick_term()
        amount = None
        if deal.amount is not None:
            amount = deal.amount * factor
            if term != deal.term:  # same yearly value over a different term
                amount = amount / (deal.term or 12) * (term or 12)
            if amount != deal.amount:
                amount = _round_amount(rng, amount)
        close = self.work_time(end_ms - rng.randrange(0, 25) * DAY)
        renewal = self.new_deal(
            name=f"{company.name} - Renewal {end_day.year}", pipeline=RENEWAL_PIPELINE_ID,
            dealtype="existingbusiness", owner=owner if rng.random() > 0.02 else None,
            companies=list(deal.companies), created=created, amount=amount, term=term, history=[],
        )
        if close <= created:
            close = created + rng.randrange(2, 10) * DAY
        if close <= self.end:
            outcome = "lost" if churn else "won"
            reach = rng.choice((0, 1, 2)) if churn else 2
            renewal.history = self.timed(self.renewal_path(outcome, reach), created, close)
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
            reach = min(2, int((self.end - created) / max(close - created, 1) * 3))
            renewal.history = self.timed(self.renewal_path("open", reach), created,
                                         created + int((self.end - created) * rng.uniform(0.3, 1.0)))
            renewal.expected_close = close

    def maybe_reactivate(self, company: _Company, churned_at: int) -> None:
        """A churned account may come back after a gap of months (a reactivation, in ARR terms)."""
        rng = self.rng
        if rng.random() < 0.45:
            t = churned_at + rng.randrange(90, 240) * DAY
            if t < self.end - 20 * DAY:
                self.open_new_business(company, self.work_time(t - t % DAY), "newbusiness", win_bias=0.35)

    def scripted(self, company: _Company, pipeline: str, dealtype: str, name: str, created: int, closed: int,
                 won: bool, amount: float, start: dt.date | None = None) -> _Deal | None:
        """A deal whose outcome is fixed (for the story accounts); None if it would close after the end."""
        created, closed = self.work_time(created - created % DAY), self.work_time(closed - closed % DAY)
        if closed > self.end:
            return None
        owner = self.active_rep(created, company.owner)
        company.owner = company.owner or owner
        outcome = "won" if won else "lost"
        path = self.default_path(outcome, 4) if pipeline == "default" else self.renewal_path(outcome, 2)
        deal = self.new_deal(name=name, pipeline=pipeline, dealtype=dealtype, owner=owner,
                             companies=[(company, True)], created=created, amount=amount, term=12,
                             history=self.timed(path, created, closed))
        deal.closed, deal.won = closed, won
        if won:
            deal.contract_start = (start or _date_of(closed)).isoformat()
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
        a = self.amount_for(grower, 12)
        d1 = self.scripted(grower, "default", "newbusiness", f"{grower.name} - Platform", t + 3 * DAY,
                           t + 25 * DAY, True, a)
        d2 = self.scripted(grower, "default", "existingbusiness", f"{grower.name} - Upsell Add-on Pack",
                           t + 90 * DAY, t + 120 * DAY, True, _round_amount(rng, a * 0.4))
        for parent, factor in ((d1, 0.6), (d2, 1.0)):
            if parent is None or parent.amount is None:
                continue
            end = self.contract_end(parent)
            self.scripted(grower, RENEWAL_PIPELINE_ID, "existingbusiness", f"{grower.name} - Renewal {end.year}",
                          _day_ms(end) - 60 * DAY, _day_ms(end) - 10 * DAY, True,
                          _round_amount(rng, parent.amount * factor) if factor != 1.0 else parent.amount, start=end)
        e1 = self.scripted(leaver, "default", "newbusiness", f"{leaver.name} - Team Edition", t + 10 * DAY,
                           t + 40 * DAY, True, self.amount_for(leaver, 12))
        if e1 is not None:
            end_ms = _day_ms(self.contract_end(e1))
            self.scripted(leaver, RENEWAL_PIPELINE_ID, "existingbusiness", f"{leaver.name} - Renewal",
                          end_ms - 60 * DAY, end_ms - 15 * DAY, False, e1.amount or 0.0)
            self.scripted(leaver, "default", "newbusiness", f"{leaver.name} - Platform (win-back)",
                          end_ms + 120 * DAY, end_ms + 155 * DAY, True, self.amount_for(leaver, 12))

    # ------------------------------------------------------------------ quirks and damage
    def plant_deal_quirks(self) -> dict[str, list[_Deal]]:
        """Reopened deals, currency, archive, merges and the deliberately bad records."""
        rng = self.rng
        n = len(self.deals)
        scale = max(1, n // 300)
        won = [d for d in self.deals if d.won and d.pipeline == "default" and d.amount is not None]
        lost = [d for d in self.deals if d.closed is not None and not d.won]
        open_ = [d for d in self.deals if d.closed is None]
        used: set[int] = set(self.protected)

        def take(pool: list[_Deal], k: int, cond=lambda d: True) -> list[_Deal]:
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
        for deal in take(won, 1, lambda d: d.closed is not None and d.closed + 5 * DAY < self.end and
                         not self._has_renewal(d)):
            assert deal.closed is not None
            deal.history.append(("decisionmakerboughtin", deal.closed + rng.randrange(1, 5) * DAY, "CRM_UI"))
            deal.expected_close = self.end + rng.randrange(10, 60) * DAY
            deal.closed, deal.won, deal.contract_start, deal.cost = None, False, None, None
        # Deals with no company at all (they count in deal metrics, never in account metrics).
        for deal in take(won + lost + open_, max(2, n // 150),
                         lambda d: d.dealtype == "newbusiness" and not self._has_renewal(d)):
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
                name=deal.name + " (duplicate)", pipeline="default", dealtype=deal.dealtype, owner=deal.owner,
                companies=list(deal.companies[:1]), created=created, amount=deal.amount, term=deal.term,
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
            day = _date_of(deal.closed)
            deal.extra["closedate"] = f"31/02/{day.year}"
        for deal in bad["orphan_stage"]:
            last = deal.history[-1][1]
            t = max(last, min(self.end, max(last + HOUR, deal.created + DAY)))
            deal.history.append((ORPHAN_STAGE, t, "INTEGRATION"))
        return bad

    def _has_renewal(self, deal: _Deal) -> bool:
        return deal.contract_start is not None and _day_ms(self.contract_end(deal)) - 90 * DAY <= self.end

    # ------------------------------------------------------------------ records
    def deal_records(self) -> list[dict[str, Any]]:
        rng = self.rng
        stage_meta = {s[0]: (s[2], s[3]) for s in DEFAULT_STAGES + RENEWAL_STAGES}
        self.deals.sort(key=lambda d: (d.created, d.key))
        next_id = 18_234_000_000 + rng.randrange(1_000_000)
        for deal in self.deals:
            next_id += rng.randrange(1, 120)
            deal.id = str(next_id)
        merged_into: dict[int, list[_Deal]] = {}
        for deal in self.deals:
            if deal.merged_into is not None:
                merged_into.setdefault(deal.merged_into.key, []).append(deal)
        records = []
        for deal in self.deals:
            if deal.merged_into is not None:
                continue
            stage, _, _ = deal.history[-1]
            prob, closed = stage_meta.get(stage, ("0.5", False))
            won = closed and prob == "1.0"
            last_change = deal.history[-1][1]
            modified = last_change
            if rng.random() < 0.3:
                modified = self.clamp(last_change + rng.randrange(1, 45) * DAY)
            merged_ids = merged_into.get(deal.key, [])
            for dup in merged_ids:
                modified = max(modified, dup.merged_at)
            if deal.archived_at is not None:
                modified = max(modified, deal.archived_at)
            modified = self.clamp(max(modified, deal.created))
            amount = None
            home = None
            if deal.amount is not None:
                amount = _money(deal.amount)
                home = amount if deal.currency == "USD" else f"{deal.amount * deal.fx:.2f}"
            if deal.closed is not None:
                closedate: str | None = iso_ms(deal.closed)
            elif deal.expected_close is not None:
                closedate = iso_ms(deal.expected_close)
            else:
                closedate = None
            created_iso = iso_ms(deal.created)
            modified_iso = iso_ms(modified)
            props: dict[str, str | None] = {
                "amount": amount,
                "amount_in_home_currency": home,
                "closedate": closedate,
                "contract_start_date": None if deal.hide_start else deal.contract_start,
                "contract_term_months": None if deal.term is None else str(deal.term),
                "cost_of_fulfillment": None if deal.cost is None else f"{deal.cost:.2f}",
                "createdate": created_iso,
                "deal_currency_code": deal.currency,
                "dealname": deal.name,
                "dealstage": stage,
                "dealtype": deal.dealtype,
                "hs_createdate": created_iso,
                "hs_deal_stage_probability": prob if stage in stage_meta else None,
                "hs_is_closed": "true" if closed else "false",
                "hs_is_closed_won": "true" if won else "false",
                "hs_lastmodifieddate": modified_iso,
                "hs_merged_object_ids": ";".join(d.id for d in merged_ids) or None,
                "hs_object_id": deal.id,
                "hubspot_owner_id": deal.owner.owner_id if deal.owner else None,
                "pipeline": deal.pipeline,
            }
            if deal.closed is not None and deal.amount is not None:
                props["hs_closed_amount"] = amount if won else "0"
            if deal.closed is not None:
                props["days_to_close"] = str(max(0, (deal.closed - deal.created) // DAY))
            # Per-stage entry/exit times (latest visit), as HubSpot's hs_date_entered_<stage> props.
            for i, (st, t, _) in enumerate(deal.history):
                props[f"hs_date_entered_{st}"] = iso_ms(t)
                if i + 1 < len(deal.history):
                    props[f"hs_date_exited_{st}"] = iso_ms(deal.history[i + 1][1])
                else:
                    props.pop(f"hs_date_exited_{st}", None)
            props.update(deal.extra)
            history = []
            for st, t, source in reversed(deal.history):  # newest first
                entry: dict[str, Any] = {"value": st, "timestamp": iso_ms(t), "sourceType": source}
                if source == "CRM_UI" and deal.owner is not None:
                    entry["sourceId"] = f"userId:{deal.owner.user_id}"
                    entry["updatedByUserId"] = deal.owner.user_id
                history.append(entry)
            record: dict[str, Any] = {
                "id": deal.id,
                "properties": props,
                "createdAt": created_iso,
                "updatedAt": modified_iso,
                "archived": deal.archived_at is not None,
            }
            if deal.archived_at is not None:
                record["archivedAt"] = iso_ms(deal.archived_at)
            record["_history"] = {"dealstage": history}
            record["_companies"] = [{"id": c.id, "primary": primary} for c, primary in deal.companies]
            records.append(record)
        return records

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
                key=len(self.companies) + len(dups), name=dup_name,
                domain=company.domain, industry=company.industry, segment=company.segment, owner=company.owner,
                annual_revenue=None, created=created, merged_into=company,
                merged_at=self.clamp(created + rng.randrange(1, 30) * DAY),
            )
            dups.append(dup)
        everyone = sorted(self.companies + dups, key=lambda c: (c.created, c.key))
        next_id = 9_001_000_000 + rng.randrange(1_000_000)
        for company in everyone:
            next_id += rng.randrange(1, 60)
            company.id = str(next_id)
        records = []
        for company in everyone:
            if company.merged_into is not None:
                continue
            merged = [d for d in dups if d.merged_into is company]
            modified = self.clamp(company.created + rng.randrange(0, 400) * DAY + rng.randrange(DAY))
            for d in merged:
                modified = max(modified, d.merged_at)
            created_iso = iso_ms(company.created)
            records.append(
                {
                    "id": company.id,
                    "properties": {
                        "annualrevenue": company.annual_revenue,
                        "createdate": created_iso,
                        "domain": company.domain,
                        "hs_lastmodifieddate": iso_ms(modified),
                        "hs_merged_object_ids": ";".join(d.id for d in merged) or None,
                        "hs_object_id": company.id,
                        "hubspot_owner_id": company.owner.owner_id if company.owner else None,
                        "industry": company.industry,
                        "name": company.name,
                    },
                    "createdAt": created_iso,
                    "updatedAt": iso_ms(modified),
                    "archived": False,
                }
            )
        return records

    # ------------------------------------------------------------------ engagements
    def engagements(self) -> dict[str, list[dict[str, Any]]]:
        rng = self.rng
        rate = self.spec.activity_per_rep_day
        # (kind, share): calls dominate, as on a real sales floor.
        kinds = ("calls", "emails", "meetings", "notes", "tasks")
        cum = (0.46, 0.76, 0.84, 0.92, 1.0)
        raw: dict[str, list[tuple[int, int, str | None, dict[str, str | None]]]] = {k: [] for k in kinds}
        all_reps = [self.manager, *self.reps] if self.manager else list(self.reps)
        first_day = _date_of(self.start)
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
                    kind = kinds[0] if r < cum[0] else kinds[1] if r < cum[1] else kinds[2] if r < cum[2] \
                        else kinds[3] if r < cum[3] else kinds[4]
                    owner = owner_id if rng.random() > 0.01 else None
                    ts = self.work_time(day_ms)
                    rec = getattr(self, "_" + kind)(ts, rep)
                    if rec is not None:
                        raw[kind].append((rec[0], min(rec[1], self.end), owner, rec[2]))
        out: dict[str, list[dict[str, Any]]] = {}
        bases = {"calls": 51_200_000_000, "emails": 52_400_000_000, "meetings": 53_600_000_000,
                 "notes": 54_800_000_000, "tasks": 56_000_000_000}
        for kind in kinds:
            items = raw[kind]
            items.sort(key=lambda x: x[0])  # ids follow creation order
            next_id = bases[kind] + rng.randrange(1_000_000)
            records = []
            for created, modified, owner, props in items:
                next_id += rng.randrange(1, 9)
                rid = str(next_id)
                created_iso = iso_ms(created)
                modified_iso = created_iso if modified == created else iso_ms(modified)
                props["hs_createdate"] = created_iso
                props["hs_lastmodifieddate"] = modified_iso
                props["hs_object_id"] = rid
                props["hubspot_owner_id"] = owner
                records.append({"id": rid, "properties": props, "createdAt": created_iso,
                                "updatedAt": modified_iso, "archived": False})
            # A few archived (deleted) engagements.
            for record in rng.sample(records, min(len(records), max(1, len(records) // 500))):
                at = self.clamp(to_epoch_ms(record["updatedAt"]) + rng.randrange(1, 30) * DAY)
                record["archived"] = True
                record["archivedAt"] = iso_ms(at)
                record["updatedAt"] = record["properties"]["hs_lastmodifieddate"] = iso_ms(at)
            out[kind] = records
        return out

    _CALL_OUTCOMES = (  # disposition label or None, cumulative share, status, duration range (s)
        ("No answer", 0.30, "NO_ANSWER", (0, 30)),
        ("Left voicemail", 0.54, "COMPLETED", (20, 60)),
        ("Connected", 0.79, "COMPLETED", (60, 1500)),
        ("Busy", 0.84, "BUSY", (0, 8)),
        ("Left live message", 0.89, "COMPLETED", (30, 120)),
        ("Wrong number", 0.92, "COMPLETED", (10, 45)),
        ("custom", 0.95, "COMPLETED", (120, 900)),
        (None, 0.98, "COMPLETED", (5, 600)),  # logged without an outcome
        (None, 1.00, "FAILED", (0, 0)),
    )

    def _calls(self, ts: int, rep: _Rep) -> tuple[int, int, dict[str, str | None]] | None:
        rng = self.rng
        r = rng.random()
        label, _, status, (lo, hi) = next(o for o in self._CALL_OUTCOMES if r < o[1])
        if label == "custom":
            disposition: str | None = CUSTOM_DISPOSITION["id"]
        else:
            disposition = _DISP[label] if label else None
        duration = int((lo + rng.random() * (hi - lo)) * 1000)
        inbound = rng.random() < 0.14
        if inbound and label in ("No answer", "Left voicemail", "Busy", "Left live message"):
            label, disposition, status, duration = "Connected", _DISP["Connected"], "COMPLETED", \
                int(rng.uniform(60, 900) * 1000)
        created = self.clamp(ts + duration + rng.randrange(5_000, 300_000))
        ts = min(ts, created)
        props = {
            "hs_call_direction": "INBOUND" if inbound else "OUTBOUND",
            "hs_call_disposition": disposition,
            "hs_call_duration": str(duration),
            "hs_call_status": status,
            "hs_call_title": rng.choice(CALL_TITLES),
            "hs_timestamp": iso_ms(ts),
        }
        return created, created + rng.randrange(0, 2_000), props

    def _emails(self, ts: int, rep: _Rep) -> tuple[int, int, dict[str, str | None]] | None:
        rng = self.rng
        r = rng.random()
        direction = "EMAIL" if r < 0.6 else ("INCOMING_EMAIL" if r < 0.96 else "FORWARDED_EMAIL")
        s = rng.random()
        status = "SENT"
        if direction == "EMAIL":
            status = "SENT" if s < 0.95 else ("BOUNCED" if s < 0.99 else "FAILED")
        subject = rng.choice(EMAIL_SUBJECTS)
        props = {
            "hs_email_direction": direction,
            "hs_email_status": status,
            "hs_email_subject": ("Re: " + subject) if direction == "INCOMING_EMAIL" else subject,
            "hs_timestamp": iso_ms(ts),
        }
        created = ts + rng.randrange(100, 5_000)
        if created > self.end:
            return None
        return created, created, props

    def _meetings(self, ts: int, rep: _Rep) -> tuple[int, int, dict[str, str | None]] | None:
        rng = self.rng
        booked = ts - rng.randrange(1, 15) * DAY - rng.randrange(HOUR)
        length = rng.choice((30, 30, 45, 60)) * MINUTE
        r = rng.random()
        outcome = "COMPLETED" if r < 0.7 else "NO_SHOW" if r < 0.8 else "CANCELED" if r < 0.88 \
            else "RESCHEDULED" if r < 0.95 else "SCHEDULED"
        modified = booked
        if outcome != "SCHEDULED":
            modified = self.clamp(ts + length + rng.randrange(10 * MINUTE, 2 * DAY))
        props = {
            "hs_meeting_end_time": iso_ms(ts + length),
            "hs_meeting_outcome": outcome,
            "hs_meeting_start_time": iso_ms(ts),
            "hs_meeting_title": rng.choice(MEETING_TITLES),
            "hs_timestamp": iso_ms(ts),
        }
        return booked, max(modified, booked), props

    def _notes(self, ts: int, rep: _Rep) -> tuple[int, int, dict[str, str | None]] | None:
        rng = self.rng
        body = rng.choice(NOTE_BODIES).format(q=rng.randrange(1, 5))
        return ts, ts, {"hs_note_body": body, "hs_timestamp": iso_ms(ts)}

    def _tasks(self, ts: int, rep: _Rep) -> tuple[int, int, dict[str, str | None]] | None:
        rng = self.rng
        created = ts - rng.randrange(0, 10) * DAY - rng.randrange(HOUR)
        r = rng.random()
        status = "COMPLETED" if r < 0.7 else "NOT_STARTED" if r < 0.85 else "IN_PROGRESS" if r < 0.9 \
            else "WAITING" if r < 0.95 else "DEFERRED"
        modified = created
        completion = None
        if status == "COMPLETED":
            done = self.clamp(ts - rng.randrange(0, 2 * DAY) + rng.randrange(0, DAY))
            done = max(done, created + MINUTE)
            completion = iso_ms(done)
            modified = done
        props = {
            "hs_task_completion_date": completion,
            "hs_task_priority": rng.choice(("NONE", "LOW", "MEDIUM", "MEDIUM", "HIGH")),
            "hs_task_status": status,
            "hs_task_subject": rng.choice(TASK_SUBJECTS),
            "hs_task_type": rng.choice(("TODO", "TODO", "CALL", "EMAIL")),
            "hs_timestamp": iso_ms(ts),
        }
        return created, max(modified, created), props

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
            m = _month_add(m, 1)
        items = []
        for rep in self.reps:
            base = avg_deal * rng.uniform(1.2, 2.2) * (0.6 + rep.win_rate)
            uuids: dict[int, str] = {}
            for month in months:
                start_ms = _day_ms(month)
                end_ms = _day_ms(_month_add(month, 1))
                if not (rep.hired < end_ms and (rep.left is None or rep.left > start_ms)):
                    continue
                year = month.year
                if year not in uuids:
                    uuids[year] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                # Goals for a year are set in mid-December before it (or when the rep joins).
                created = max(_day_ms(dt.date(year - 1, 12, 10)) + rng.randrange(7 * DAY), rep.hired + DAY)
                created = min(created, self.end)
                modified = created
                target = base * (1.1 if month.month in (3, 6, 9, 12) else 1.0) * (1.06 ** (year - months[0].year))
                target = round(target, -3)
                if rng.random() < 0.1:  # a mid-year quota revision
                    modified = self.clamp(max(created, start_ms - 5 * DAY) + rng.randrange(DAY))
                    target = round(target * rng.uniform(0.85, 1.15), -3)
                items.append((created, modified, {
                    "hs_assignee_team_id": None,
                    "hs_assignee_user_id": str(rep.user_id),
                    "hs_created_by_user_id": str(self.manager.user_id),
                    "hs_end_datetime": iso_ms(end_ms),
                    "hs_goal_name": f"Revenue Goal {year} - {rep.first} {rep.last}",
                    "hs_goal_type": "revenue",
                    "hs_group_correlation_uuid": uuids[year],
                    "hs_milestone": "monthly",
                    "hs_start_datetime": iso_ms(start_ms),
                    "hs_target_amount": f"{target:.2f}",
                }))
        items.sort(key=lambda x: x[0])
        next_id = 44_027_000_000 + rng.randrange(1_000_000)
        records = []
        for created, modified, props in items:
            next_id += rng.randrange(1, 30)
            rid = str(next_id)
            c, mo = iso_ms(created), iso_ms(max(modified, created))
            props.update({"hs_createdate": c, "hs_lastmodifieddate": mo, "hs_object_id": rid})
            records.append({"id": rid, "properties": dict(sorted(props.items())), "createdAt": c,
                            "updatedAt": mo, "archived": False})
        return records

    # ------------------------------------------------------------------ pipelines
    def pipelines(self) -> list[dict[str, Any]]:
        def stages(defs: tuple[tuple[str, str, str, bool], ...], created: str) -> list[dict[str, Any]]:
            return [
                {
                    "id": sid, "label": label, "displayOrder": i, "archived": False,
                    "metadata": {"isClosed": "true" if closed else "false", "probability": prob},
                    "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                    "createdAt": created, "updatedAt": created,
                }
                for i, (sid, label, prob, closed) in enumerate(defs)
            ]

        base = iso_ms(self.start - 400 * DAY)
        renew = iso_ms(self.start - 200 * DAY)
        return [
            {"id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": False,
             "createdAt": base, "updatedAt": renew, "stages": stages(DEFAULT_STAGES, base)},
            {"id": RENEWAL_PIPELINE_ID, "label": "Renewals", "displayOrder": 1, "archived": False,
             "createdAt": renew, "updatedAt": renew, "stages": stages(RENEWAL_STAGES, renew)},
        ]

    # ------------------------------------------------------------------ all
    def run(self) -> PortalData:
        owners = self.make_owners()
        self.make_companies()
        self.simulate_deals()
        self.plant_deal_quirks()
        companies = self.company_records()  # assigns company ids, needed by deal records
        deals = self.deal_records()
        eng = self.engagements()
        # The bad call: its id (and hs_object_id) is null, but it keeps its place in the list.
        calls = eng["calls"]
        live_calls = [c for c in calls if not c["archived"]]
        if live_calls:
            victim = live_calls[len(live_calls) // 2 + self.rng.randrange(max(1, len(live_calls) // 4))]
            victim["id"] = None
            victim["properties"]["hs_object_id"] = None
        goals = self.goal_records()
        objects = {"deals": deals, "companies": companies, **eng, "goal_targets": goals}
        return PortalData(
            objects=objects,
            owners=owners,
            pipelines=self.pipelines(),
            dispositions=[dict(CUSTOM_DISPOSITION)],
        )


def generate_portal(seed: int = 7, size: str = "small", end_date: dt.date | None = None) -> PortalData:
    """Build the synthetic portal. `end_date` defaults to today (UTC); pass it for reproducible data."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(SIZES)}")
    if end_date is None:
        end_date = dt.datetime.now(dt.timezone.utc).date()
    if isinstance(end_date, dt.datetime):
        end_date = end_date.date()
    # Hundreds of thousands of small dicts and no cycles: the cyclic GC would only slow the build down.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Generator(seed, SIZES[size], end_date).run()
    finally:
        if was_enabled:
            gc.enable()
