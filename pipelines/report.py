"""The short KPI summary printed after a run: the last months of ARR, customers, churn and deals."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rich.console import Console

from pipelines.tables import print_table
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
select s.rank, coalesce(o.owner_name, o.email, s.owner_id) as rep, s.total_points, p.total_points, p.rank
from marts.rep_scorecard_summary s
left join marts.rep_scorecard_summary p on p.owner_id = s.owner_id and p.month = $partial_month
left join marts.dim_owners o on o.owner_id = s.owner_id
where s.month = $month
order by s.rank, rep
limit $top
"""


def reporting_months(as_of: date) -> tuple[date, date | None]:
    """(the last complete month, the as-of month if it is still running, else None).

    A month is complete when the as-of date is its last day: ranking reps on two days of a month
    would reward whoever logged calls first.
    """
    month = as_of.replace(day=1)
    if (as_of + timedelta(days=1)).day == 1:
        return month, None
    previous = (month - timedelta(days=1)).replace(day=1)
    return previous, month


NORTH_STAR_SQL = """
select period_start, period_end, revenue_target, won_to_date, pace, deals_needed, opportunities_needed,
       pipeline_coverage, avg_deal_size, win_rate
from marts.north_star_plan
order by period_start desc
limit 1
"""


def print_leaderboard(db_path: Path, console: Console, as_of: date, top: int = 5) -> None:
    """The scorecard of the last complete month, with the running month to date beside it, labelled partial."""
    complete, partial = reporting_months(as_of)
    con = connect(Path(db_path), read_only=True)
    try:
        rows = con.execute(LEADERBOARD_SQL, {"month": complete, "partial_month": partial, "top": top}).fetchall()
        north = con.execute(NORTH_STAR_SQL).fetchone()
    finally:
        con.close()
    if rows:
        headers = ["rank", "rep", f"points {complete:%Y-%m}"]
        if partial:
            headers += [f"{partial:%Y-%m} to {as_of:%d} (partial)", "rank to date"]
        cells = []
        for rank, rep, points, partial_points, partial_rank in rows:
            row = [str(rep), str(rank), f"{points:,.1f}"]
            if partial:
                row += [
                    "-" if partial_points is None else f"{partial_points:,.1f}",
                    "-" if partial_rank is None else str(partial_rank),
                ]
            cells.append(row)
        print_table(
            console,
            f"Rep scorecard, {complete:%Y-%m} (last complete month, weighted points)",
            ["rep", *[h for h in headers if h != "rep"]],
            cells,
        )
    if north:
        start, end, target, won, pace, deals, opps, coverage, deal_size, win_rate = north
        console.print(
            f"North star {start:%Y-%m-%d}..{end:%Y-%m-%d}: target {_money(target)}, won {_money(won)} "
            f"(pace {_pct(pace)}); needs {deals if deals is not None else '-'} deals at "
            f"{_money(deal_size)} and {opps if opps is not None else '-'} opportunities at {_pct(win_rate)} win rate; "
            f"weighted pipeline coverage {'-' if coverage is None else f'{coverage:.2f}x'}",
            highlight=False,
        )


def print_summary(db_path: Path, as_of: date, console: Console | None = None, months: int = 6) -> None:
    console = console or Console()
    _, partial = reporting_months(as_of)
    rows = []
    for month, arr, customers, churn, won, win_rate, deal_size in kpi_rows(db_path, months):
        label = f"{month:%Y-%m}" + (f" to {as_of:%d}" if month == partial else "")
        rows.append([label, _money(arr), str(customers), _pct(churn), str(won or 0), _pct(win_rate), _money(deal_size)])
    print_table(
        console,
        f"Sales KPIs, last {months} months ({db_path})",
        ["month", "ARR", "customers", "logo churn", "deals won", "win rate", "avg deal size"],
        rows,
    )
    print_leaderboard(db_path, console, as_of)
