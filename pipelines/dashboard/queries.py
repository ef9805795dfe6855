"""What the dashboard shows, read from the warehouse (read-only, after dbt has finished).

Every number comes from a mart as it is, except where a view needs a roll-up the marts do not
hold (team activity per week, funnel over the last twelve cohorts, quota pace): those are
computed here from the marts' own numerators and denominators, and named in the page.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from pipelines.warehouse.store import connect

Columns = dict[str, list[Any]]

OWNERS_SQL = """
select owner_id as id, coalesce(owner_name, email, owner_id) as name, is_archived as archived
from marts.dim_owners order by name, id
"""

HEALTH_SQL = """
select a.month, a.arr, a.customers, a.new_arr, a.expansion_arr, a.reactivation_arr, a.contraction_arr,
       a.churned_arr, c.logo_churn_rate, 1 - c.gross_revenue_churn_rate as grr, c.net_revenue_retention as nrr
from marts.arr_monthly a left join marts.churn_monthly c using (month)
order by a.month
"""

KPIS_SQL = """
select month, owner_id, is_team_total, deals_won, deals_lost, win_rate, won_amount, avg_deal_size, arpa,
       profit_margin, avg_sales_cycle_days, opportunities_created, pipeline_created_amount
from marts.sales_kpis_monthly
order by owner_id nulls first, month
"""

# Quota periods that contain the as-of date; pace follows the north star's rule: attainment over
# the share of the period elapsed, the as-of day included.
QUOTA_SQL = """
select owner_id, period_start, period_end, quota_revenue, won_amount, revenue_attainment,
       quota_deals, deals_won, deal_attainment,
       (date_diff('day', period_start, $as_of::date) + 1) / date_diff('day', period_start, period_end) as elapsed_share,
       revenue_attainment / ((date_diff('day', period_start, $as_of::date) + 1)
                             / date_diff('day', period_start, period_end)) as revenue_pace,
       deal_attainment / ((date_diff('day', period_start, $as_of::date) + 1)
                          / date_diff('day', period_start, period_end)) as deal_pace
from marts.quota_attainment
where period_start <= $as_of::date and $as_of::date < period_end
order by revenue_attainment desc nulls last, owner_id
"""

# Conversion of each stage pair over the cohorts created in the last twelve months (ratio of the
# mart's own counts), beside every cohort's own rate for the heatmap.
FUNNEL_SQL = """
select f.pipeline_id, any_value(s.pipeline_label) as pipeline, f.from_stage_position as position,
       any_value(fs.deal_stage_label) || ' → ' || any_value(s.deal_stage_label) as stage_pair,
       sum(f.deals_reached_from) as reached_from, sum(f.deals_reached_to) as reached_to,
       sum(f.deals_reached_to) / nullif(sum(f.deals_reached_from), 0) as conversion_rate
from marts.funnel_conversion f
left join marts.dim_deal_stages s on s.pipeline_id = f.pipeline_id and s.deal_stage_id = f.to_stage_id
left join marts.dim_deal_stages fs on fs.pipeline_id = f.pipeline_id and fs.deal_stage_id = f.from_stage_id
where f.cohort_month > date_trunc('month', $as_of::date) - interval 12 month
group by f.pipeline_id, f.from_stage_position
order by f.pipeline_id = 'default' desc, f.pipeline_id, position
"""

# Rep activity ships only the additive parts; the page takes each ratio from them with the mart's
# own formula. Weeks are sent once and referred to by index: the large demo's 37,000 rep-weeks
# went from 3.2 MB of JSON (week and owner strings, three ratio columns per row) to a third of it.
ACTIVITY_PARTS = (
    "calls",
    "connected_calls",
    "connected_talk_time_ms",
    "connected_calls_with_duration",
    "positive_dials",
    "dials_with_disposition",
    "meetings_booked",
    "emails_sent",
    "emails_received",
)
ACTIVITY_SQL = f"""
select week_start, owner_id, {", ".join(ACTIVITY_PARTS)}
from marts.rep_activity_weekly
order by owner_id nulls first, week_start
"""
# The team's week: sums of every rep's parts (reps with no owner included), ratios from the sums.
TEAM_ACTIVITY_SQL = f"""
select week_start, {", ".join(f"sum({part})::bigint as {part}" for part in ACTIVITY_PARTS)}
from marts.rep_activity_weekly
group by week_start
order by week_start
"""

SCORECARD_SQL = """
select s.month, s.owner_id, s.total_points, s.rank
from marts.rep_scorecard_summary s
where s.month in ($last_complete::date, $current::date)
order by s.month, s.rank, s.owner_id
"""

NORTH_STAR_SQL = """
select period_start, period_end, revenue_target, won_to_date, expected_to_date, pace, deals_needed,
       opportunities_needed, pipeline_coverage, avg_deal_size, win_rate, weighted_open_pipeline, remaining_target
from marts.north_star_plan
order by period_start
"""

SYNC_SQL = """
select object, max(finished_at) as last_synced, arg_max(mode, finished_at) as mode
from raw.sync_log group by object order by object
"""

QUARANTINE_SQL = """
select object, count(distinct coalesce(record_id, md5(raw_record::varchar))) as records
from raw.quarantine group by object order by object
"""


def _plain(value: Any) -> Any:
    """DuckDB values as JSON values: dates as ISO strings, decimals as floats, no NaN or infinity."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _columns(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> Columns:
    cursor = con.execute(sql, params or {})
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return {name: [_plain(row[i]) for row in rows] for i, name in enumerate(names)}


def _activity(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """{weeks: [iso...], team: {w: [week index...], part: [...]}, reps: [{owner_id, w, part...}]}."""
    team = _columns(con, TEAM_ACTIVITY_SQL)
    weeks = team.pop("week_start")
    index = {week: i for i, week in enumerate(weeks)}
    rows = _columns(con, ACTIVITY_SQL)
    reps: list[dict[str, Any]] = []
    for i, owner in enumerate(rows["owner_id"]):
        if not reps or reps[-1]["owner_id"] != owner:
            reps.append({"owner_id": owner, "w": [], **{part: [] for part in ACTIVITY_PARTS}})
        rep = reps[-1]
        rep["w"].append(index[rows["week_start"][i]])
        for part in ACTIVITY_PARTS:
            rep[part].append(rows[part][i])
    return {"weeks": weeks, "team": {"w": list(range(len(weeks))), **team}, "reps": reps}


def last_complete_month(as_of: dt.date) -> dt.date:
    """The as-of day counts in full: the as-of month is complete only on its last day."""
    tomorrow = as_of + dt.timedelta(days=1)
    first = tomorrow.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def read_dashboard_data(db_path: Path, as_of: dt.date) -> dict[str, Any]:
    """Everything the page needs, as JSON-ready columns, from one read-only connection."""
    current = as_of.replace(day=1)
    last_complete = last_complete_month(as_of)
    con = connect(Path(db_path), read_only=True)
    try:
        con.execute("set enable_progress_bar = false")  # a slow query must not draw on the build's terminal
        return {
            "reps": _columns(con, OWNERS_SQL),
            "health": _columns(con, HEALTH_SQL),
            "kpis": _columns(con, KPIS_SQL),
            "quota": _columns(con, QUOTA_SQL, {"as_of": as_of}),
            "funnel": _columns(con, FUNNEL_SQL, {"as_of": as_of}),
            "activity": _activity(con),
            "scorecard": _columns(con, SCORECARD_SQL, {"last_complete": last_complete, "current": current}),
            "north_star": _columns(con, NORTH_STAR_SQL),
            "sync": _columns(con, SYNC_SQL),
            "quarantine": _columns(con, QUARANTINE_SQL),
            "months": {
                "as_of_month": current.isoformat(),
                "last_complete_month": last_complete.isoformat(),
                "current_is_partial": current != last_complete,
            },
        }
    finally:
        con.close()
