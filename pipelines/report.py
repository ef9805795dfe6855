"""The short KPI summary printed after a run: the last months of ARR, customers, churn and deals."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipelines.warehouse.store import connect

SUMMARY_SQL = """
with arr as (select month, arr, customers from marts.arr_monthly),
churn as (select month, logo_churn_rate from marts.churn_monthly),
deals as (
    select month, deals_won, deals_lost, win_rate, avg_deal_size
    from marts.sales_kpis_monthly where is_team_total
)
select a.month, a.arr, a.customers, c.logo_churn_rate, d.deals_won, d.win_rate, d.avg_deal_size
from arr a
left join churn c using (month)
left join deals d using (month)
order by a.month desc
limit ?
"""


def kpi_rows(db_path: Path, months: int = 6) -> list[tuple]:
    con = connect(Path(db_path), read_only=True)
    try:
        return list(reversed(con.execute(SUMMARY_SQL, [months]).fetchall()))
    finally:
        con.close()


def _money(value: float | None) -> str:
    """Whole units up to hundreds of millions; billions and trillions (an IDR portal) abbreviated."""
    if value is None:
        return "-"
    for limit, suffix in ((1e12, "T"), (1e9, "B")):
        if abs(value) >= limit:
            return f"{float(value) / limit:,.2f}{suffix}"
    return f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


LEADERBOARD_SQL = """
with latest as (select max(month) as month from marts.rep_scorecard_summary)
select s.rank, coalesce(o.owner_name, o.email, s.owner_id) as rep, s.total_points, s.month
from marts.rep_scorecard_summary s
join latest using (month)
left join marts.dim_owners o on o.owner_id = s.owner_id
order by s.rank, rep
limit ?
"""

NORTH_STAR_SQL = """
select period_start, period_end, revenue_target, won_to_date, pace, deals_needed, opportunities_needed,
       pipeline_coverage, avg_deal_size, win_rate
from marts.north_star_plan
order by period_start desc
limit 1
"""


def print_leaderboard(db_path: Path, console: Console, top: int = 5) -> None:
    con = connect(Path(db_path), read_only=True)
    try:
        rows = con.execute(LEADERBOARD_SQL, [top]).fetchall()
        north = con.execute(NORTH_STAR_SQL).fetchone()
    finally:
        con.close()
    if rows:
        table = Table(title=f"Rep scorecard, {rows[0][3]:%Y-%m} (weighted points)")
        for header in ("rank", "rep", "points"):
            table.add_column(header, justify="left" if header == "rep" else "right")
        for rank, rep, points, _ in rows:
            table.add_row(str(rank), str(rep), f"{points:,.1f}")
        console.print(table)
    if north:
        start, end, target, won, pace, deals, opps, coverage, deal_size, win_rate = north
        console.print(
            f"North star {start:%Y-%m-%d}..{end:%Y-%m-%d}: target {_money(target)}, won {_money(won)} "
            f"(pace {_pct(pace)}); needs {deals if deals is not None else '-'} deals at "
            f"{_money(deal_size)} and {opps if opps is not None else '-'} opportunities at {_pct(win_rate)} win rate; "
            f"weighted pipeline coverage {'-' if coverage is None else f'{coverage:.2f}x'}",
            highlight=False,
        )


def print_summary(db_path: Path, console: Console | None = None, months: int = 6) -> None:
    console = console or Console()
    table = Table(title=f"Sales KPIs, last {months} months ({db_path})")
    for header in ("month", "ARR", "customers", "logo churn", "deals won", "win rate", "avg deal size"):
        table.add_column(header, justify="right")
    for month, arr, customers, churn, won, win_rate, deal_size in kpi_rows(db_path, months):
        table.add_row(
            f"{month:%Y-%m}", _money(arr), str(customers), _pct(churn), str(won or 0), _pct(win_rate), _money(deal_size)
        )
    console.print(table)
    print_leaderboard(db_path, console)
