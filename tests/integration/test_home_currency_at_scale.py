"""Money at the scale of an IDR portal: deals in the billions, ARR in the trillions, every cent kept.

A portal whose home currency is the Indonesian rupiah (about 16,000 IDR to the US dollar) reports in
figures a USD portal never reaches. 360 won deals of 1 to 9.9 billion IDR with cents, 12-month
contracts, 40 accounts: ARR reaches about 2 trillion IDR. Every expected figure is summed here
with Python's Decimal from the amounts the portal serves; the marts must match to the cent, and
the terminal summary must print them without truncation at 80 columns.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from rich.console import Console

from pipelines.demo_portal import DemoPortalServer, PortalData
from pipelines.hubspot.client import HubSpotClient
from pipelines.report import print_summary
from pipelines.settings import Settings
from pipelines.sync import sync_portal
from pipelines.transform import build
from pipelines.warehouse.store import Warehouse
from tests.support.hand_portal import DEFAULT_PIPELINE, company, deal, owner

pytestmark = pytest.mark.integration

AS_OF = date(2024, 6, 30)
CENT = Decimal("0.01")


def idr_portal() -> tuple[PortalData, list[tuple[str, date, Decimal]]]:
    """360 won IDR deals closed January to June 2024 (12-month terms), and their (id, close day, amount)."""
    rng = random.Random(2024)
    companies = [company(str(2000 + i), f"PT Nusantara {i}") for i in range(40)]
    deals, won = [], []
    for i in range(360):
        closed = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 181))
        amount = Decimal(rng.randrange(1_000_000_000_00, 9_900_000_000_00)) / 100  # cents, in the billions
        deal_id = str(10_000 + i)
        deals.append(
            deal(
                deal_id,
                companies[i % 40]["id"],
                "11" if i % 3 else "12",
                "closedwon",
                f"{closed - timedelta(days=30)}T05:00:00Z",
                f"{closed}T05:00:00Z",
                str(amount),
                12,
                str(closed.replace(day=1)),
                currency="IDR",
                home_amount=str(amount),
            )
        )
        won.append((deal_id, closed, amount))
    portal = PortalData(
        objects={"companies": companies, "deals": deals},
        owners=[owner("11", 101, "Wayan"), owner("12", 102, "Sari")],
        pipelines=[DEFAULT_PIPELINE],
    )
    return portal, won


@pytest.fixture(scope="module")
def idr(tmp_path_factory):
    db = tmp_path_factory.mktemp("idr") / "idr.duckdb"
    portal, won = idr_portal()
    with DemoPortalServer(portal, token="t") as server:
        with Warehouse(db) as wh:
            sync_portal(HubSpotClient("t", server.url), wh, "idr-1")
    build(
        Settings(
            access_token=None,
            base_url="http://unused",
            db_path=db,
            as_of=AS_OF,
            timezone="Asia/Jakarta",
            quotas_path=None,
        )
    )
    con = duckdb.connect(str(db), read_only=True)
    yield con, won, db
    con.close()


def cents(value) -> Decimal:
    """A mart value (DECIMAL or DOUBLE) to the cent; a DOUBLE keeps cents exactly below about 9e13."""
    return (
        Decimal(str(value)).quantize(CENT) if isinstance(value, Decimal) else Decimal(repr(float(value))).quantize(CENT)
    )


def test_every_deal_amount_reaches_the_marts_to_the_cent(idr):
    con, won, _ = idr
    got = dict(con.execute("select deal_id, amount from marts.fct_deals").fetchall())
    assert {k: cents(v) for k, v in got.items()} == {deal_id: amount for deal_id, _, amount in won}


def test_arr_in_the_trillions_is_exact(idr):
    con, won, _ = idr
    total = sum(amount for _, _, amount in won)
    assert total > Decimal("1e12")  # trillions of rupiah
    arr, customers = con.execute("select arr, customers from marts.arr_monthly where month = '2024-06-01'").fetchone()
    assert cents(arr) == total and customers == 40  # every 12-month contract covers June
    assert str(con.execute("select typeof(arr) from marts.arr_monthly limit 1").fetchone()[0]).startswith("DECIMAL")
    bridge = con.execute("select sum(new_arr + expansion_arr) from marts.arr_monthly").fetchone()[0]
    assert cents(bridge) == total


def test_monthly_won_amounts_and_averages_are_exact(idr):
    con, won, _ = idr
    expected = {}
    for _, closed, amount in won:
        month = closed.replace(day=1)
        n, s = expected.get(month, (0, Decimal(0)))
        expected[month] = (n + 1, s + amount)
    rows = con.execute("""select month, deals_won, won_amount, avg_deal_size, pipeline_created_amount
                          from marts.sales_kpis_monthly where is_team_total and deals_won > 0""").fetchall()
    assert {m: (n, cents(s)) for m, n, s, _, _ in rows} == expected
    for month, n, _, avg, _ in rows:
        assert cents(avg) == (expected[month][1] / n).quantize(CENT)
    won_to_date = con.execute("select sum(won_amount) from marts.quota_attainment").fetchone()[0]
    assert won_to_date is None or cents(won_to_date) <= sum(a for _, _, a in won)


def test_the_terminal_summary_prints_trillions_readably_at_80_columns(idr):
    con, won, db = idr
    total = sum(amount for _, _, amount in won)
    trillions = f"{total / Decimal(10**12):.2f}T"  # ARR abbreviated in trillions, never cut
    terminal = Console(width=80, record=True, force_terminal=True, color_system=None)
    print_summary(db, AS_OF, terminal)
    text = terminal.export_text()
    assert "…" not in text, text
    assert max(len(line) for line in text.splitlines()) <= 80, text
    assert trillions in next(line for line in text.splitlines() if "2024-06" in line), text
    piped = Console(width=80, record=True, force_terminal=False, color_system=None)  # cron, CI, a log file
    print_summary(db, AS_OF, piped)
    assert f"ARR {trillions}" in next(line for line in piped.export_text().splitlines() if "2024-06" in line)
