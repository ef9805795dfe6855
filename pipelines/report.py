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
    return "-" if value is None else f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


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
