"""The terminal leaderboard ranks the last complete month and labels the running one partial."""

from __future__ import annotations

from datetime import date

import duckdb
from rich.console import Console

from pipelines.report import print_leaderboard, reporting_months

SCORES = """
create schema marts;
create table marts.dim_owners as
    select * from (values ('o1', 'Ann Archer', 'ann@example.com'), ('o2', 'Bob Baker', 'bob@example.com'))
    as t(owner_id, owner_name, email);
create table marts.rep_scorecard_summary as
    select * from (values
        (date '2026-11-01', 'o1', 300.0, 1), (date '2026-11-01', 'o2', 120.0, 2),
        (date '2026-12-01', 'o2', 45.0, 1), (date '2026-12-01', 'o1', 10.0, 2))
    as t(month, owner_id, total_points, rank);
create table marts.north_star_plan (period_start date, period_end date, revenue_target double, won_to_date double,
    pace double, deals_needed bigint, opportunities_needed bigint, pipeline_coverage double, avg_deal_size double,
    win_rate double);
"""


def test_reporting_months():
    assert reporting_months(date(2026, 12, 2)) == (date(2026, 11, 1), date(2026, 12, 1))
    assert reporting_months(date(2026, 11, 30)) == (date(2026, 11, 1), None)
    assert reporting_months(date(2026, 1, 15)) == (date(2025, 12, 1), date(2026, 1, 1))
    assert reporting_months(date(2024, 2, 29)) == (date(2024, 2, 1), None)


def leaderboard(tmp_path, as_of: date) -> str:
    db = tmp_path / "w.duckdb"
    if not db.exists():
        con = duckdb.connect(str(db))
        con.execute(SCORES)
        con.close()
    console = Console(record=True, width=150)
    print_leaderboard(db, console, as_of)
    return console.export_text()


def test_two_days_into_december_ranks_november_and_labels_december_partial(tmp_path):
    text = leaderboard(tmp_path, date(2026, 12, 2))
    flat = " ".join(text.split())  # rich wraps titles and headers to the table's width
    assert "Rep scorecard, 2026-11 (last complete month" in flat
    assert "2026-12 to 02 (partial)" in flat
    lines = [line for line in text.splitlines() if "Archer" in line or "Baker" in line]
    # ranked on November (Ann first), December to date beside it (Bob leads it)
    assert "Ann Archer" in lines[0] and "300.0" in lines[0] and "10.0" in lines[0]
    assert "Bob Baker" in lines[1] and "120.0" in lines[1] and "45.0" in lines[1]


def test_on_the_last_day_of_a_month_that_month_is_complete(tmp_path):
    text = leaderboard(tmp_path, date(2026, 12, 31))
    flat = " ".join(text.split())
    assert "Rep scorecard, 2026-12 (last complete month" in flat and "partial" not in flat
    lines = [line for line in text.splitlines() if "Archer" in line or "Baker" in line]
    assert "Bob Baker" in lines[0] and "45.0" in lines[0]
