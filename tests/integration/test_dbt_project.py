"""The dbt project on a hand-made raw layer: `dbt build` (models, unit tests, data tests) passes and
a few mart values computed on paper come out exactly.

The raw rows are inserted with plain SQL into tables created by `create_raw_tables`, so this test
covers dbt alone (no portal, no loader). As of 2024-12-31, reporting zone UTC:

account c1: d1 12,000/12 mo from Jan; d2 6,000/12 mo from Apr (expansion); d13 2,400/24 mo from Oct
            (a closed 1.0 stage labelled "Signed" in another pipeline)       -> 12,000 / 18,000 / 19,200
account c2: d3 24,000/24 mo from Feb (12,000 a year) + d6 1,500/3 mo Feb-Apr (6,000 a year)
            -> 18,000, contraction to 12,000 in May; d8 is on company c5, merged into c2: +1,200 in Jul
account c3: d4 9,000/6 mo Mar-Aug (18,000 a year), churn in Sep, d5 6,000/12 mo from Nov (reactivation)
account c4: d7 10,000 EUR = 11,000 home from Jun (cost 4,000 EUR = 4,400 home); d19 (no owner) +1,000 in Oct
no account: d9 (company c6 deleted) and d10 (no company) count in deal KPIs only.
d11 lost; d12 sits in a closed 0.0 stage labelled "Closed Won" with hs_is_closed_won true: lost.
d14/d15 open; d16 archived, d17 merged into d3, d18 won after the as-of date: none of them count
(d18 does count as an opportunity created in December).

Activity, quotas, funnel, scorecard and plan (config tables written here as the Python side would):
o1's week of Monday 2024-12-02: dials c1 (Connected, 120 s), c2 (No answer), c3 (no direction, the
portal's custom "Demo booked"), c5 (Connected, 60 s), c7 (no outcome), c9 (Busy, Sunday 23:30); c4 is
inbound, c6 archived; m1 booked 12-03 (held 12-20), m2 booked 11-28; emails sent 2, received 1,
forwarded 1; one note; t1 completed, t2 open, t3 completed but due after the as-of date; c8 unowned.
Quotas: o1 goal Q4 30,000 (no Q4 win), o2 goal Q4 overridden by the file (2 deals, 8,000; bob by
email), o1 file H1 3 deals; an archived goal counts nowhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse.raw_tables import create_raw_tables

pytestmark = pytest.mark.integration

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

RAW_ROWS = """
insert into raw.deal_pipeline_stages
    (pipeline_id, pipeline_label, pipeline_display_order, pipeline_archived, stage_id, stage_label,
     display_order, is_closed, probability, archived)
values
    ('default', 'Sales Pipeline', 0, false, 'appointmentscheduled', 'Appointment Scheduled', 0, false, 0.2, false),
    ('default', 'Sales Pipeline', 0, false, 'qualifiedtobuy', 'Qualified To Buy', 1, false, 0.4, false),
    ('default', 'Sales Pipeline', 0, false, 'contractsent', 'Contract Sent', 2, false, 0.9, false),
    ('default', 'Sales Pipeline', 0, false, 'closedwon', 'Closed Won', 3, true, 1.0, false),
    ('default', 'Sales Pipeline', 0, false, 'closedlost', 'Closed Lost', 4, true, 0.0, false),
    ('renewals', 'Renewals', 1, false, '1001', 'Signed', 1, true, 1.0, false),
    ('renewals', 'Renewals', 1, false, '1002', 'Closed Won', 2, true, 0.0, false),
    ('renewals', 'Renewals', 1, false, '1003', 'Negotiation', 0, false, 0.5, false);

insert into raw.owners (id, email, first_name, last_name, user_id, primary_team_id, primary_team_name, archived)
values
    ('o1', 'alice@example.com', 'Alice', 'Archer', 101, 't1', 'East', false),
    ('o2', 'bob@example.com', 'Bob', 'Baker', 102, 't1', 'East', false);

insert into raw.companies (id, name, archived, hs_merged_object_ids)
values
    ('c1', 'Acme', false, null),
    ('c2', 'Globex', false, 'c5'),
    ('c3', 'Initech', false, null),
    ('c4', 'Umbrella', false, null),
    ('c5', 'Globex Old', false, null),
    ('c6', 'Deleted Co', true, null);

insert into raw.deals
    (id, dealname, pipeline, dealstage, hubspot_owner_id, primary_company_id, amount, amount_in_home_currency,
     contract_term_months, contract_start_date, cost_of_fulfillment, createdate, closedate, hs_is_closed_won,
     archived, hs_merged_object_ids)
values
    ('d1', 'Acme initial', 'default', 'closedwon', 'o1', 'c1', 12000, null, 12, null, 3000,
     '2023-12-01 09:00', '2024-01-15 10:00', true, false, null),
    ('d2', 'Acme expansion', 'default', 'closedwon', 'o1', 'c1', 6000, null, 12, '2024-04-01', null,
     '2024-03-01 09:00', '2024-03-20 10:00', true, false, null),
    ('d3', 'Globex 2y', 'default', 'closedwon', 'o2', 'c2', 24000, null, 24, '2024-02-01', null,
     '2024-01-05 00:00', '2024-01-25 12:00', true, false, 'd17'),
    ('d4', 'Initech 6m', 'default', 'closedwon', 'o2', 'c3', 9000, null, 6, '2024-03-01', null,
     '2024-02-01 00:00', '2024-02-20 00:00', true, false, null),
    ('d5', 'Initech back', 'default', 'closedwon', 'o2', 'c3', 6000, null, 12, '2024-11-01', null,
     '2024-10-01 00:00', '2024-10-25 00:00', true, false, null),
    ('d6', 'Globex pilot', 'default', 'closedwon', 'o2', 'c2', 1500, null, 3, '2024-02-01', null,
     '2024-01-10 00:00', '2024-01-30 00:00', true, false, null),
    ('d7', 'Umbrella EUR', 'default', 'closedwon', 'o1', 'c4', 10000, 11000, 12, null, 4000,
     '2024-05-01 00:00', '2024-06-10 00:00', true, false, null),
    ('d8', 'Globex old co', 'default', 'closedwon', 'o2', 'c5', 1200, null, 12, null, null,
     '2024-07-01 00:00', '2024-07-15 00:00', true, false, null),
    ('d9', 'Deleted co deal', 'default', 'closedwon', 'o1', 'c6', 5000, null, 12, null, null,
     '2024-07-20 00:00', '2024-08-05 00:00', true, false, null),
    ('d10', 'No company', 'default', 'closedwon', 'o2', null, 3000, null, 12, null, null,
     '2024-08-01 00:00', '2024-08-20 00:00', true, false, null),
    ('d11', 'Lost one', 'default', 'closedlost', 'o1', 'c1', 4000, null, null, null, null,
     '2024-01-10 00:00', '2024-02-10 00:00', false, false, null),
    ('d12', 'Lost by metadata', 'renewals', '1002', 'o2', 'c2', 8000, null, null, null, null,
     '2024-04-01 00:00', '2024-05-05 00:00', true, false, null),
    ('d13', 'Signed 2y', 'renewals', '1001', 'o1', 'c1', 2400, null, 24, '2024-10-01', null,
     '2024-09-01 00:00', '2024-09-28 00:00', true, false, null),
    ('d14', 'Open no amount', 'default', 'qualifiedtobuy', 'o1', 'c3', null, null, null, null, null,
     '2024-11-10 00:00', '2025-02-01 00:00', false, false, null),
    ('d15', 'Open with amount', 'default', 'contractsent', 'o2', 'c4', 5000, null, null, null, null,
     '2024-12-05 00:00', '2025-01-15 00:00', false, false, null),
    ('d16', 'Archived', 'default', 'closedwon', 'o1', 'c1', 99999, null, 12, null, null,
     '2024-01-01 00:00', '2024-02-01 00:00', true, true, null),
    ('d17', 'Merged away', 'default', 'closedwon', 'o2', 'c2', 77777, null, 12, null, null,
     '2024-01-01 00:00', '2024-02-01 00:00', true, false, null),
    ('d18', 'Future', 'default', 'closedwon', 'o1', 'c1', 50000, null, 12, null, null,
     '2024-12-01 00:00', '2025-01-10 00:00', true, false, null),
    ('d19', 'Unowned', 'default', 'closedwon', null, 'c4', 1000, null, 12, null, null,
     '2024-09-15 00:00', '2024-10-10 00:00', true, false, null);
"""

ACTIVITY_ROWS = """
insert into raw.call_dispositions (id, label)
values
    ('f240bbac-87c9-4f6e-bf70-924b57d47db7', 'Connected'),
    ('aaaaaaaa-0000-0000-0000-000000000001', 'Demo booked');

insert into raw.calls (id, hubspot_owner_id, hs_timestamp, hs_call_direction, hs_call_disposition, hs_call_duration, archived)
values
    ('c1', 'o1', '2024-12-02 10:00', 'OUTBOUND', 'f240bbac-87c9-4f6e-bf70-924b57d47db7', 120000, false),
    ('c2', 'o1', '2024-12-03 10:00', 'OUTBOUND', '73a0d17f-1163-4015-bdd5-ec830791da20', 5000, false),
    ('c3', 'o1', '2024-12-04 10:00', null, 'aaaaaaaa-0000-0000-0000-000000000001', 30000, false),
    ('c4', 'o1', '2024-12-04 11:00', 'INBOUND', 'f240bbac-87c9-4f6e-bf70-924b57d47db7', 300000, false),
    ('c5', 'o1', '2024-12-05 10:00', 'OUTBOUND', 'f240bbac-87c9-4f6e-bf70-924b57d47db7', 60000, false),
    ('c6', 'o1', '2024-12-05 11:00', 'OUTBOUND', 'f240bbac-87c9-4f6e-bf70-924b57d47db7', 999000, true),
    ('c7', 'o1', '2024-12-06 10:00', 'OUTBOUND', null, null, false),
    ('c8', null, '2024-12-03 10:00', 'OUTBOUND', null, null, false),
    ('c9', 'o1', '2024-12-08 23:30', 'OUTBOUND', '9d9162e7-6cf3-4944-bf63-4dff82258764', 2000, false);

insert into raw.meetings (id, hubspot_owner_id, hs_timestamp, hs_createdate, archived)
values
    ('m1', 'o1', '2024-12-20 15:00', '2024-12-03 09:00', false),
    ('m2', 'o1', '2024-12-04 15:00', '2024-11-28 09:00', false);

insert into raw.emails (id, hubspot_owner_id, hs_timestamp, hs_email_direction, archived)
values
    ('e1', 'o1', '2024-12-02 09:00', 'EMAIL', false),
    ('e2', 'o1', '2024-12-03 09:00', 'EMAIL', false),
    ('e3', 'o1', '2024-12-03 12:00', 'INCOMING_EMAIL', false),
    ('e4', 'o1', '2024-12-04 09:00', 'FORWARDED_EMAIL', false);

insert into raw.notes (id, hubspot_owner_id, hs_timestamp, archived)
values ('n1', 'o1', '2024-12-05 16:00', false);

insert into raw.tasks (id, hubspot_owner_id, hs_timestamp, hs_task_status, archived)
values
    ('t1', 'o1', '2024-12-06 17:00', 'COMPLETED', false),
    ('t2', 'o1', '2024-12-06 17:00', 'NOT_STARTED', false),
    ('t3', 'o1', '2025-01-03 17:00', 'COMPLETED', false);

insert into raw.goal_targets (id, hs_assignee_user_id, hs_target_amount, hs_start_datetime, hs_end_datetime, archived)
values
    ('g1', '101', 30000, '2024-10-01 00:00', '2025-01-01 00:00', false),
    ('g2', '102', 10000, '2024-10-01 00:00', '2025-01-01 00:00', false),
    ('g3', '102', 99999, '2024-07-01 00:00', '2024-10-01 00:00', true);

insert into raw.deal_stage_history (deal_id, dealstage, changed_at)
values
    ('d3', 'appointmentscheduled', '2024-01-05 00:00'),
    ('d3', 'contractsent', '2024-01-10 00:00'),
    ('d3', 'closedwon', '2024-01-25 12:00'),
    ('d11', 'appointmentscheduled', '2024-01-10 00:00'),
    ('d11', 'qualifiedtobuy', '2024-01-20 00:00'),
    ('d11', 'closedlost', '2024-02-10 00:00'),
    ('d17', 'contractsent', '2024-01-02 00:00');
"""

# The `config` schema as the Python side writes it before every build (pipelines/warehouse/config_tables.py).
CONFIG_ROWS = """
create schema if not exists config;
create or replace table config.scorecard_measures (measure varchar, weight double, benchmark double);
insert into config.scorecard_measures values
    ('opportunities_created', 15, 4), ('deals_won', 25, 2), ('meetings_booked', 5, 8),
    ('connected_calls', 1, 40), ('calls', 0.2, 200);
create or replace table config.activity_goals (measure varchar, daily_goal double);
insert into config.activity_goals values ('calls', 50);
create or replace table config.positive_dispositions (label varchar);
insert into config.positive_dispositions values ('Connected'), ('demo booked');
create or replace table config.revenue_targets (period_start date, period_end date, revenue_target double);
insert into config.revenue_targets values ('2024-01-01', '2025-01-01', 100000), ('2025-01-01', '2026-01-01', 50000);
create or replace table config.north_star_deal_types (deal_type varchar);
insert into config.north_star_deal_types values ('newbusiness'), (null);
create or replace table config.quotas (owner_id varchar, owner_email varchar, period_start date, period_end date,
                                       quota_deals double, quota_revenue double);
insert into config.quotas values
    (null, 'BOB@example.com', '2024-10-01', '2025-01-01', 2, 8000),
    ('o1', null, '2024-01-01', '2024-07-01', 3, null);
"""


def run_dbt(args: list[str], db: Path) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "SALESMETRICS_DB": str(db), "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [
            str(dbt) if dbt.exists() else "dbt",
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=DBT_PROJECT_DIR,
    )


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    db = tmp_path_factory.mktemp("dbt") / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    create_raw_tables(con)
    con.execute(RAW_ROWS)
    con.execute(ACTIVITY_ROWS)
    con.execute(CONFIG_ROWS)
    con.close()
    started = time.perf_counter()
    proc = run_dbt(["build", "--vars", json.dumps({"as_of_date": "2024-12-31", "reporting_timezone": "UTC"})], db)
    elapsed = time.perf_counter() - started
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-5000:]
    assert "ERROR=0" in output and "WARN=0" in output, output[-3000:]
    print(f"dbt build: {elapsed:.1f}s")
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_arr_monthly_bridge(marts):
    got = rows(
        marts,
        """
        select strftime(month, '%Y-%m'), arr, customers, new_arr, expansion_arr, contraction_arr,
               churned_arr, reactivation_arr
        from marts.arr_monthly order by month""",
    )
    assert got == [
        ("2024-01", 12000, 1, 12000, 0, 0, 0, 0),
        ("2024-02", 30000, 2, 18000, 0, 0, 0, 0),
        ("2024-03", 48000, 3, 18000, 0, 0, 0, 0),
        ("2024-04", 54000, 3, 0, 6000, 0, 0, 0),
        ("2024-05", 48000, 3, 0, 0, 6000, 0, 0),
        ("2024-06", 59000, 4, 11000, 0, 0, 0, 0),
        ("2024-07", 60200, 4, 0, 1200, 0, 0, 0),
        ("2024-08", 60200, 4, 0, 0, 0, 0, 0),
        ("2024-09", 42200, 3, 0, 0, 0, 18000, 0),
        ("2024-10", 44400, 3, 0, 2200, 0, 0, 0),
        ("2024-11", 50400, 4, 0, 0, 0, 0, 6000),
        ("2024-12", 50400, 4, 0, 0, 0, 0, 0),
    ]


def test_account_movements(marts):
    got = rows(
        marts,
        """
        select account_id, strftime(month, '%Y-%m'), arr, prev_arr, movement
        from marts.arr_by_account_month where movement <> 'flat' order by month, account_id""",
    )
    assert got == [
        ("c1", "2024-01", 12000, 0, "new"),
        ("c2", "2024-02", 18000, 0, "new"),
        ("c3", "2024-03", 18000, 0, "new"),
        ("c1", "2024-04", 18000, 12000, "expansion"),
        ("c2", "2024-05", 12000, 18000, "contraction"),
        ("c4", "2024-06", 11000, 0, "new"),
        ("c2", "2024-07", 13200, 12000, "expansion"),
        ("c3", "2024-09", 0, 18000, "churn"),
        ("c1", "2024-10", 19200, 18000, "expansion"),
        ("c4", "2024-10", 12000, 11000, "expansion"),
        ("c3", "2024-11", 6000, 0, "reactivation"),
    ]
    # churned accounts keep rows at 0 until they come back; no account for deleted/absent companies
    assert rows(
        marts, "select arr from marts.arr_by_account_month where account_id = 'c3' and month = '2024-10-01'"
    ) == [(0,)]
    assert rows(marts, "select distinct account_id from marts.arr_by_account_month order by 1") == [
        ("c1",),
        ("c2",),
        ("c3",),
        ("c4",),
    ]


def test_churn_in_september(marts):
    got = rows(
        marts,
        """
        select customers_start, churned_customers, logo_churn_rate, arr_start, churned_arr, contraction_arr,
               gross_revenue_churn_rate, net_revenue_retention
        from marts.churn_monthly where month = '2024-09-01'""",
    )
    assert got == [(4, 1, 0.25, 60200, 18000, 0, pytest.approx(18000 / 60200), pytest.approx(42200 / 60200))]
    assert rows(marts, "select min(month), max(month), count(*) from marts.churn_monthly") == [
        (date(2024, 2, 1), date(2024, 12, 1), 11)
    ]


def test_team_deal_kpis_over_a_year(marts):
    got = rows(
        marts,
        """
        select strftime(month, '%Y-%m'), deals_won, deals_lost, win_rate, won_amount, avg_deal_size, arpa,
               avg_profit_per_deal, profit_margin, avg_sales_cycle_days, avg_won_cycle_days,
               opportunities_created, pipeline_created_amount
        from marts.sales_kpis_monthly where is_team_total order by month""",
    )
    by_month = {r[0]: r[1:] for r in got}
    assert list(by_month) == ["2023-12"] + [f"2024-{m:02d}" for m in range(1, 13)]
    cycle_d1 = 45 + 1 / 24  # 2023-12-01 09:00 -> 2024-01-15 10:00
    assert by_month["2024-01"] == (
        3,
        0,
        1.0,
        37500,
        12500,
        37500 / 2,
        9000,
        0.75,
        pytest.approx((cycle_d1 + 20.5 + 20) / 3),
        pytest.approx((cycle_d1 + 20.5 + 20) / 3),
        3,
        29500,
    )
    assert by_month["2024-02"] == (1, 1, 0.5, 9000, 9000, 9000, None, None, 25.0, 19.0, 1, 9000)
    # d12: closed 0.0 stage labelled "Closed Won", hs_is_closed_won true -> lost; d7 created in May, home currency
    assert by_month["2024-05"] == (0, 1, 0.0, 0, None, None, None, None, 34.0, None, 1, 11000)
    # d7: 11,000 home, cost 4,000 EUR x 1.1 = 4,400 home
    assert by_month["2024-06"][:8] == (1, 0, 1.0, 11000, 11000, 11000, pytest.approx(6600), pytest.approx(0.6))
    # d9 (deleted company) and d10 (no company): in deal size, not in ARPA
    assert by_month["2024-08"][:6] == (2, 0, 1.0, 8000, 4000, None)
    # d18 won after the as-of date: only an opportunity created in December
    assert by_month["2024-12"] == (0, 0, None, 0, None, None, None, None, None, None, 2, 55000)


def test_owner_rows_and_the_unowned_row(marts):
    got = rows(
        marts,
        """
        select owner_id, deals_won, won_amount, arpa from marts.sales_kpis_monthly
        where month = '2024-10-01' order by is_team_total, owner_id nulls last""",
    )
    assert got == [("o2", 1, 6000, 6000), (None, 1, 1000, 1000), (None, 2, 7000, 3500)]


def test_outcome_mismatch_is_flagged_and_excluded_deals_are_gone(marts):
    assert rows(marts, "select deal_id from intermediate.int_deals_enriched where has_outcome_mismatch") == [("d12",)]
    assert rows(
        marts,
        """select count(*) from intermediate.int_deals_enriched
                          where deal_id in ('d16', 'd17')""",
    ) == [(0,)]
    assert rows(marts, "select is_archived, is_merged from staging.stg_hubspot__deals where deal_id = 'd17'") == [
        (False, True)
    ]


def test_quota_attainment_merges_goals_and_the_file(marts):
    got = rows(
        marts,
        """
        select owner_id, strftime(period_start, '%Y-%m-%d'), strftime(period_end, '%Y-%m-%d'), quota_deals, deals_won,
               deal_attainment, quota_revenue, won_amount, revenue_attainment, quota_source
        from marts.quota_attainment order by owner_id, period_start""",
    )
    assert got == [
        # H1 file line: d1, d2 and d7 (11,000 home) won; no revenue quota
        ("o1", "2024-01-01", "2024-07-01", 3, 3, 1.0, None, 29000, None, "file"),
        # Q4 goal, nothing won (d18 closes after the as-of date): 0.0, not NULL
        ("o1", "2024-10-01", "2025-01-01", None, 0, None, 30000, 0, 0.0, "goal"),
        # Q4 goal replaced by bob's file line: d5 won; d19 (no owner) counts for nobody
        ("o2", "2024-10-01", "2025-01-01", 2, 1, 0.5, 8000, 6000, 0.75, "file_over_goal"),
    ]


def test_rep_activity_week(marts):
    got = rows(
        marts,
        """
        select owner_id, calls, inbound_calls, connected_calls, avg_talk_time_seconds, positive_disposition_rate,
               meetings_booked, meetings_per_conversation, emails_sent, emails_received, emails_received_per_sent,
               notes, tasks_completed
        from marts.rep_activity_weekly where week_start = '2024-12-02' order by owner_id nulls last""",
    )
    assert got == [
        ("o1", 6, 1, 2, 90.0, 0.6, 1, 0.5, 2, 1, 0.5, 1, 1),
        (None, 1, 0, 0, None, None, 0, None, 0, 0, None, 0, 0),
    ]
    # m2 was booked on 11-28: it counts in the week of 11-25, whenever it takes place
    assert rows(
        marts,
        """select week_start, meetings_booked, calls from marts.rep_activity_weekly
                          where owner_id = 'o1' and week_start < '2024-12-02'""",
    ) == [(date(2024, 11, 25), 1, 0)]
    # t3 is due after the as-of date
    assert rows(marts, "select max(week_start) from marts.rep_activity_weekly") == [(date(2024, 12, 2),)]


def test_rep_activity_day_and_goal(marts):
    got = rows(
        marts,
        """
        select activity_date, calls, connected_calls, calls_goal, calls_goal_attainment, notes_goal, notes_goal_attainment
        from marts.rep_activity_daily where owner_id = 'o1' and activity_date between '2024-12-02' and '2024-12-03'
        order by activity_date""",
    )
    assert got == [(date(2024, 12, 2), 1, 1, 50, 0.02, None, None), (date(2024, 12, 3), 1, 0, 50, 0.02, None, None)]


def test_funnel_january_cohort(marts):
    got = rows(
        marts,
        """
        select from_stage_id, to_stage_id, deals_reached_from, deals_reached_to, conversion_rate, cohort_deals
        from marts.funnel_conversion where pipeline_id = 'default' and cohort_month = '2024-01-01'
        order by from_stage_position""",
    )
    # d3 skipped qualifiedtobuy and won, d6 won with no history, d11 was lost after qualifiedtobuy;
    # d16 (archived) and d17 (merged) are not in the cohort
    assert got == [
        ("appointmentscheduled", "qualifiedtobuy", 3, 3, 1.0, 3),
        ("qualifiedtobuy", "contractsent", 3, 2, pytest.approx(2 / 3), 3),
        ("contractsent", "closedwon", 2, 2, 1.0, 3),
    ]
    # renewals: Negotiation -> Signed only (the 0.0 "Closed Won" stage is a lost stage)
    assert rows(
        marts,
        """select distinct from_stage_id, to_stage_id from marts.funnel_conversion
                          where pipeline_id = 'renewals'""",
    ) == [("1003", "1001")]


def test_scorecard_december(marts):
    got = rows(
        marts,
        """
        select owner_id, measure, actual, attainment, points from marts.rep_scorecard
        where month = '2024-12-01' order by owner_id, measure""",
    )
    assert got == [
        ("o1", "calls", 6, 0.03, pytest.approx(1.2)),
        ("o1", "connected_calls", 2, 0.05, 2),
        ("o1", "deals_won", 0, 0.0, 0),
        ("o1", "meetings_booked", 1, 0.125, 5),
        ("o1", "opportunities_created", 1, 0.25, 15),
        ("o2", "calls", 0, 0.0, 0),
        ("o2", "connected_calls", 0, 0.0, 0),
        ("o2", "deals_won", 0, 0.0, 0),
        ("o2", "meetings_booked", 0, 0.0, 0),
        ("o2", "opportunities_created", 1, 0.25, 15),
    ]
    assert rows(
        marts,
        """select owner_id, total_points, rank from marts.rep_scorecard_summary
                          where month = '2024-12-01' order by rank""",
    ) == [("o1", 23.2, 1), ("o2", 15, 2)]
    # the unowned dial c8 is not scored
    assert rows(marts, "select count(*) from marts.rep_scorecard_summary where owner_id is null") == [(0,)]


def test_north_star_plan(marts):
    got = rows(
        marts,
        """
        select strftime(period_start, '%Y'), avg_deal_size, win_rate, deals_needed, opportunities_needed, won_to_date,
               expected_to_date, pace, pipeline_coverage
        from marts.north_star_plan order by period_start""",
    )
    # 2024: 12 won for 82,100 and 2 lost; 15 deals of 6,841.67, 15 / (12/14) = 17.5 -> 18 opportunities;
    # the period ends with the as-of day (period_end = as-of + 1 day): no pipeline coverage
    assert got[0] == (
        "2024",
        pytest.approx(82100 / 12),
        pytest.approx(12 / 14),
        15,
        18,
        82100,
        100000,
        pytest.approx(0.821),
        None,
    )
    # 2025 has not started: nothing expected, pace NULL; d15 (5,000 at 0.9, closing 2025-01-15) covers 4,500
    assert got[1] == ("2025", pytest.approx(82100 / 12), pytest.approx(12 / 14), 8, 10, 0, 0, None, pytest.approx(0.09))


def test_dimensional_marts(marts):
    assert rows(marts, "select count(*), count(*) filter (where deal_id in ('d16', 'd17')) from marts.fct_deals") == [
        (17, 0)
    ]
    assert rows(
        marts,
        """select amount, amount_deal_currency, cost_of_fulfillment, arr from marts.fct_deals
                          where deal_id = 'd7'""",
    ) == [(11000, 10000, pytest.approx(4400), 11000)]
    assert rows(marts, """select engagement_type, count(*) from marts.fct_engagements group by 1 order by 1""") == [
        ("call", 8),
        ("email", 4),
        ("meeting", 2),
        ("note", 1),
        ("task", 3),
    ]
    assert rows(marts, """select call_disposition_label from marts.fct_engagements where engagement_id = 'c3'""") == [
        ("Demo booked",)
    ]
    assert rows(marts, "select company_id, is_merged, account_id from marts.dim_companies order by 1") == [
        ("c1", False, "c1"),
        ("c2", False, "c2"),
        ("c3", False, "c3"),
        ("c4", False, "c4"),
        ("c5", True, "c2"),
    ]
    assert rows(
        marts,
        "select deal_stage_id, is_won, is_lost from marts.dim_deal_stages where pipeline_id = 'renewals' order by 1",
    ) == [("1001", True, False), ("1002", False, True), ("1003", False, False)]
    assert rows(marts, "select owner_id, user_id, is_archived from marts.dim_owners order by 1") == [
        ("o1", 101, False),
        ("o2", 102, False),
    ]


def test_the_yml_documents_every_column_of_every_mart(marts):
    """The yml is the contract a reader sees (docs, lead/lag meta): it lists exactly the built columns."""
    import yaml

    documented = {}
    for path in (DBT_PROJECT_DIR / "models" / "marts").glob("*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            documented[model["name"]] = [c["name"] for c in model.get("columns", [])]
    built = {}
    for table, column in rows(
        marts,
        """select table_name, column_name from information_schema.columns
                                        where table_schema = 'marts' order by table_name, ordinal_position""",
    ):
        built.setdefault(table, []).append(column)
    assert set(built) == set(documented)
    for table, columns in built.items():
        assert sorted(columns) == sorted(documented[table]), table
