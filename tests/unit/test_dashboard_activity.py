"""The dashboard's rep activity payload: additive parts per rep, weeks by index, and the team's
week summed over every rep (no owner included), so the page can rebuild every ratio."""

from __future__ import annotations

import datetime as dt

import duckdb

from pipelines.dashboard.queries import ACTIVITY_PARTS, _activity


def test_reps_keep_their_weeks_by_index_and_the_team_sums_every_rep():
    con = duckdb.connect()
    con.execute("create schema marts")
    columns = ", ".join(f"{part} bigint" for part in ACTIVITY_PARTS)
    con.execute(f"create table marts.rep_activity_weekly (week_start date, owner_id varchar, {columns})")
    rows = [
        (dt.date(2026, 1, 5), "7", 10),
        (dt.date(2026, 1, 12), "7", 4),
        (dt.date(2026, 1, 12), "9", 3),
        (dt.date(2026, 1, 19), None, 2),
    ]
    # each part differs, so a part read into the wrong column shows
    values = [[week, owner, *(n * (i + 1) for i in range(len(ACTIVITY_PARTS)))] for week, owner, n in rows]
    placeholders = ", ".join(f"({', '.join('?' * len(values[0]))})" for _ in values)
    con.execute(f"insert into marts.rep_activity_weekly values {placeholders}", [v for row in values for v in row])

    payload = _activity(con)

    assert payload["weeks"] == ["2026-01-05", "2026-01-12", "2026-01-19"]
    assert payload["team"]["w"] == [0, 1, 2]
    assert payload["team"]["calls"] == [10, 7, 2]
    assert payload["team"]["emails_received"] == [10 * 9, 7 * 9, 2 * 9]
    reps = {rep["owner_id"]: rep for rep in payload["reps"]}
    assert set(reps) == {None, "7", "9"}
    assert reps["7"]["w"] == [0, 1] and reps["7"]["connected_calls"] == [20, 8]
    assert reps["9"]["w"] == [1] and reps["9"]["connected_talk_time_ms"] == [9]
    assert reps[None]["w"] == [2] and reps[None]["calls"] == [2]
