"""The generated portal: deterministic, believable, and carrying every case the pipeline must survive."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import re

import pytest

from pipelines.demo_portal import STANDARD_DISPOSITIONS, generate_portal
from pipelines.demo_portal.data import to_epoch_ms

from .conftest import END

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
END_MS = to_epoch_ms(END) + 86_400_000 - 1
ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")


def stage_meta(portal):
    return {s["id"]: s["metadata"] for p in portal.pipelines for s in p["stages"]}


def test_same_seed_gives_identical_json_and_other_inputs_differ():
    a = generate_portal(seed=11, size="small", end_date=END).to_json()
    b = generate_portal(seed=11, size="small", end_date=END).to_json()
    assert a == b
    assert generate_portal(seed=12, size="small", end_date=END).to_json() != a
    assert generate_portal(seed=11, size="small", end_date=END - dt.timedelta(days=1)).to_json() != a


def test_small_size():
    portal = generate_portal(seed=3, size="small", end_date=END)
    counts = portal.counts()
    engagements = sum(counts[k] for k in ENGAGEMENTS)
    assert 240 <= counts["deals"] <= 380
    assert 115 <= counts["companies"] <= 125
    assert 3_500 <= engagements <= 7_500
    assert counts["owners"] == 9
    assert counts["goal_targets"] > 100


def test_unknown_size_is_refused():
    with pytest.raises(ValueError):
        generate_portal(seed=1, size="huge", end_date=END)


def test_records_are_api_shaped_and_nothing_happens_after_end_date(small):
    event_props = ("hs_timestamp", "hs_lastmodifieddate", "hs_createdate", "createdate")
    for name, records in small.objects.items():
        assert records, name
        for r in records:
            assert set(r) - {"_history", "_companies"} <= {
                "id",
                "properties",
                "createdAt",
                "updatedAt",
                "archived",
                "archivedAt",
            }
            assert ISO.match(r["createdAt"]) and ISO.match(r["updatedAt"]), r
            assert r["createdAt"] <= r["updatedAt"], r
            assert to_epoch_ms(r["updatedAt"]) <= END_MS
            assert ("archivedAt" in r) == r["archived"]
            assert all(v is None or isinstance(v, str) for v in r["properties"].values()), r
            for prop in event_props:
                value = r["properties"].get(prop)
                if value is not None:
                    assert ISO.match(value) and to_epoch_ms(value) <= END_MS, (name, prop, value)
            assert r["properties"]["hs_lastmodifieddate"] == r["updatedAt"]
    for deal in small.objects["deals"]:
        for entry in deal["_history"]["dealstage"]:
            assert to_epoch_ms(entry["timestamp"]) <= END_MS


def test_ids_are_numeric_unique_and_in_ascending_order(small):
    for name, records in small.objects.items():
        ids = [r["id"] for r in records if r["id"] is not None]
        assert all(i.isdigit() for i in ids), name
        assert len(set(ids)) == len(ids), name
        assert ids == sorted(ids, key=int), name
        for r in records:
            if r["id"] is not None:
                assert r["properties"]["hs_object_id"] == r["id"]
    ranges = [(int(rs[0]["id"]), int(rs[-1]["id"])) for rs in small.objects.values()]
    ranges.sort()
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges)), "id ranges overlap between types"


def test_each_kind_of_bad_record_is_planted_whatever_the_seed():
    for seed in (1, 2, 7):
        portal = generate_portal(seed=seed, size="small", end_date=END)
        deals = portal.objects["deals"]
        stages = stage_meta(portal)
        negative = [d for d in deals if (d["properties"]["amount"] or "").startswith("-")]
        unparsable = []
        for d in deals:
            value = d["properties"]["closedate"]
            if value is None:
                continue
            try:
                dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                unparsable.append(value)
        orphans = [d for d in deals if d["properties"]["dealstage"] not in stages]
        idless = [c for c in portal.objects["calls"] if c["id"] is None]
        assert len(negative) >= 1 and len(unparsable) >= 1 and len(orphans) >= 1, seed
        assert unparsable[0].startswith("31/02/")
        assert len(idless) == 1 and idless[0]["properties"]["hs_object_id"] is None
        bad_share = (len(negative) + len(unparsable) + len(orphans)) / len(deals)
        assert bad_share < 0.05


def test_every_standard_disposition_and_the_custom_one_appear(small):
    used = collections.Counter(c["properties"]["hs_call_disposition"] for c in small.objects["calls"])
    for disposition in STANDARD_DISPOSITIONS:
        assert used[disposition["id"]] > 0, disposition["label"]
    assert len(small.dispositions) == 1
    assert used[small.dispositions[0]["id"]] > 0
    assert used[None] > 0  # some calls have no outcome
    assert set(used) <= {d["id"] for d in STANDARD_DISPOSITIONS} | {small.dispositions[0]["id"], None}


def test_call_fields_are_realistic(small):
    by_label = {d["label"]: d["id"] for d in STANDARD_DISPOSITIONS}
    calls = [c["properties"] for c in small.objects["calls"]]
    directions = collections.Counter(c["hs_call_direction"] for c in calls)
    assert directions["OUTBOUND"] > 4 * directions["INBOUND"] > 0
    assert {c["hs_call_status"] for c in calls} >= {"COMPLETED", "NO_ANSWER", "BUSY", "FAILED"}
    for c in calls:
        ms = int(c["hs_call_duration"])
        if c["hs_call_disposition"] == by_label["Connected"]:
            assert 60_000 <= ms <= 25 * 60_000
        elif c["hs_call_disposition"] == by_label["Left voicemail"]:
            assert 20_000 <= ms <= 60_000
        elif c["hs_call_disposition"] == by_label["No answer"]:
            assert 0 <= ms <= 30_000


def test_other_engagements_carry_their_fields(small):
    emails = collections.Counter(e["properties"]["hs_email_direction"] for e in small.objects["emails"])
    assert emails["EMAIL"] > emails["INCOMING_EMAIL"] > emails["FORWARDED_EMAIL"] > 0
    outcomes = {m["properties"]["hs_meeting_outcome"] for m in small.objects["meetings"]}
    assert outcomes == {"SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"}
    for m in small.objects["meetings"]:
        p = m["properties"]
        assert p["hs_meeting_start_time"] == p["hs_timestamp"] < p["hs_meeting_end_time"]
        assert p["hs_createdate"] <= p["hs_timestamp"]  # booked before it happens
    statuses = {t["properties"]["hs_task_status"] for t in small.objects["tasks"]}
    assert statuses == {"COMPLETED", "NOT_STARTED", "IN_PROGRESS", "WAITING", "DEFERRED"}
    owners = {o["id"] for o in small.owners}
    ownerless = 0
    for name in ENGAGEMENTS:
        for r in small.objects[name]:
            p = r["properties"]
            assert p["hs_timestamp"] and p["hs_createdate"] and p["hs_lastmodifieddate"], name
            assert p["hubspot_owner_id"] is None or p["hubspot_owner_id"] in owners
            ownerless += p["hubspot_owner_id"] is None
    assert 0 < ownerless < 0.03 * sum(len(small.objects[n]) for n in ENGAGEMENTS)


def test_deal_pipelines_match_hubspot_defaults_plus_a_custom_one(small):
    default, second = small.pipelines
    assert default["id"] == "default"
    assert [(s["id"], s["metadata"]["probability"], s["metadata"]["isClosed"]) for s in default["stages"]] == [
        ("appointmentscheduled", "0.2", "false"),
        ("qualifiedtobuy", "0.4", "false"),
        ("presentationscheduled", "0.6", "false"),
        ("decisionmakerboughtin", "0.8", "false"),
        ("contractsent", "0.9", "false"),
        ("closedwon", "1.0", "true"),
        ("closedlost", "0.0", "true"),
    ]
    assert [s["displayOrder"] for s in default["stages"]] == list(range(7))
    assert second["id"].isdigit() and all(s["id"].isdigit() for s in second["stages"])
    closed = {s["metadata"]["probability"] for s in second["stages"] if s["metadata"]["isClosed"] == "true"}
    assert closed == {"1.0", "0.0"}
    used = collections.Counter(d["properties"]["pipeline"] for d in small.objects["deals"])
    assert used["default"] > used[second["id"]] > 0


def test_deal_stage_flags_agree_with_stage_except_the_deliberate_ones(small):
    stages = stage_meta(small)
    disagree = 0
    for d in small.objects["deals"]:
        p = d["properties"]
        meta = stages.get(p["dealstage"])
        if meta is None:
            continue
        won = meta["isClosed"] == "true" and meta["probability"] == "1.0"
        assert p["hs_is_closed"] == meta["isClosed"]
        assert p["hs_deal_stage_probability"] == meta["probability"]
        disagree += p["hs_is_closed_won"] != ("true" if won else "false")
        if meta["isClosed"] == "true":
            assert p["closedate"] is not None
    assert 1 <= disagree <= 2


def test_stage_history_is_newest_first_and_realistic(small):
    default_order = [s["id"] for s in small.pipelines[0]["stages"][:5]]
    skipped = backwards = reopened = 0
    for d in small.objects["deals"]:
        history = d["_history"]["dealstage"]
        assert history[0]["value"] == d["properties"]["dealstage"]
        assert history[-1]["timestamp"] == d["createdAt"]
        stamps = [h["timestamp"] for h in history]
        assert stamps == sorted(stamps, reverse=True)
        values = [h["value"] for h in reversed(history)]  # oldest first
        ranks = [default_order.index(v) for v in values if v in default_order]
        skipped += any(b - a > 1 for a, b in itertools.pairwise(ranks))
        backwards += any(b < a for a, b in itertools.pairwise(ranks))
        reopened += "closedwon" in values[:-1]
    assert skipped > 5 and backwards >= 1 and reopened >= 1


def test_owners_managers_and_deactivated_reps(small):
    owners = {o["id"]: o for o in small.owners}
    archived = [o for o in small.owners if o["archived"]]
    assert 1 <= len(archived) <= 2
    owned = collections.Counter(d["properties"]["hubspot_owner_id"] for d in small.objects["deals"])
    assert all(owned[o["id"]] > 0 for o in archived)  # deactivated reps still own deals
    assert owned[None] > 0  # and a few deals have no owner
    assert all(isinstance(o["userId"], int) and str(o["userId"]) not in owners for o in small.owners)
    assert len({o["userId"] for o in small.owners}) == len(small.owners)
    creators = {g["properties"]["hs_created_by_user_id"] for g in small.objects["goal_targets"]}
    assert len(creators) == 1  # the manager sets everyone's goals
    assert all(o["teams"] for o in small.owners)


def test_win_rates_and_activity_differ_between_reps(small):
    stages = stage_meta(small)
    won, closed = collections.Counter(), collections.Counter()
    for d in small.objects["deals"]:
        meta = stages.get(d["properties"]["dealstage"])
        owner = d["properties"]["hubspot_owner_id"]
        if meta and meta["isClosed"] == "true" and d["properties"]["pipeline"] == "default":
            closed[owner] += 1
            won[owner] += meta["probability"] == "1.0"
    rates = [won[o] / closed[o] for o in closed if closed[o] >= 10]
    assert max(rates) - min(rates) > 0.1
    calls = collections.Counter(c["properties"]["hubspot_owner_id"] for c in small.objects["calls"])
    busiest, quietest = max(calls.values()), min(v for k, v in calls.items() if k is not None)
    assert busiest > 2 * quietest


def test_contract_properties(small):
    stages = stage_meta(small)
    deals = [d["properties"] for d in small.objects["deals"]]
    won = [p for p in deals if stages.get(p["dealstage"], {}).get("probability") == "1.0"]
    terms = collections.Counter(p["contract_term_months"] for p in deals)
    assert set(terms) == {"12", "24", None}
    assert 0 < sum(1 for p in won if p["contract_start_date"] is None) < 0.2 * len(won)
    starts = [p for p in won if p["contract_start_date"]]
    assert any(p["contract_start_date"] != p["closedate"][:10] for p in starts if "/" not in p["closedate"])
    assert sum(1 for p in starts if p["contract_start_date"] == p["closedate"][:10]) > len(starts) / 2
    with_cost = sum(1 for p in won if p["cost_of_fulfillment"])
    assert 0.3 * len(won) < with_cost < 0.7 * len(won)
    assert {p["dealtype"] for p in deals} == {"newbusiness", "existingbusiness"}
    eur = [p for p in deals if p["deal_currency_code"] == "EUR"]
    assert 1 <= len(eur) <= 2
    for p in eur:
        assert float(p["amount_in_home_currency"]) > float(p["amount"]) > 0
    for p in deals:
        if p["deal_currency_code"] == "USD":
            assert p["amount_in_home_currency"] == p["amount"]


def _arr_movements(portal):
    """ARR movements per account-month, as docs/metrics.md defines them."""
    stages = stage_meta(portal)
    arr = collections.defaultdict(lambda: collections.defaultdict(float))
    for d in portal.objects["deals"]:
        p = d["properties"]
        meta = stages.get(p["dealstage"])
        if d["archived"] or not meta or meta["probability"] != "1.0" or meta["isClosed"] != "true":
            continue
        primary = [c["id"] for c in d["_companies"] if c["primary"]]
        if not primary or p["amount"] is None or "/" in (p["closedate"] or ""):
            continue
        term = int(p["contract_term_months"] or 12)
        start = dt.date.fromisoformat(p["contract_start_date"] or p["closedate"][:10])
        first = start.year * 12 + start.month - 1
        for m in range(first, first + term):
            arr[primary[0]][m] += float(p["amount_in_home_currency"]) * 12 / term
    asof = END.year * 12 + END.month - 1
    moves = collections.Counter()
    for months in arr.values():
        prev, seen = 0.0, False
        for m in range(min(months), asof + 1):
            a = months.get(m, 0.0)
            if prev == 0 and a > 0:
                moves["reactivation" if seen else "new"] += 1
            elif prev > 0 and a == 0:
                moves["churn"] += 1
            elif a > prev + 0.01:
                moves["expansion"] += 1
            elif 0 < a < prev - 0.01:
                moves["contraction"] += 1
            seen = seen or a > 0
            prev = a
    return moves


@pytest.mark.parametrize("seed", [1, 2, 7, 8])
def test_every_arr_movement_occurs(seed):
    moves = _arr_movements(generate_portal(seed=seed, size="small", end_date=END))
    for kind in ("new", "expansion", "contraction", "churn", "reactivation"):
        assert moves[kind] > 0, (kind, moves)


def test_renewals_are_existing_business_and_follow_a_won_contract(small):
    deals = small.objects["deals"]
    renewal_pipeline = small.pipelines[1]["id"]
    renewals = [d for d in deals if d["properties"]["pipeline"] == renewal_pipeline]
    assert renewals and all(d["properties"]["dealtype"] == "existingbusiness" for d in renewals)
    stages = stage_meta(small)
    won_by_company = collections.defaultdict(list)
    for d in deals:
        if stages.get(d["properties"]["dealstage"], {}).get("probability") == "1.0" and d["_companies"]:
            won_by_company[d["_companies"][0]["id"]].append(d["createdAt"])
    for r in renewals:
        company = r["_companies"][0]["id"]
        assert any(created < r["createdAt"] for created in won_by_company[company])


def test_archived_and_merged_records(small):
    deals = small.objects["deals"]
    archived = [d for d in deals if d["archived"]]
    assert archived and all(d["archivedAt"] >= d["createdAt"] for d in archived)
    for name in ("deals", "companies"):
        ids = {r["id"] for r in small.objects[name]}
        survivors = [r for r in small.objects[name] if r["properties"].get("hs_merged_object_ids")]
        assert survivors, name
        for s in survivors:
            for merged in s["properties"]["hs_merged_object_ids"].split(";"):
                assert merged.isdigit() and merged not in ids  # gone, not archived
    assert any(d["_companies"] for d in deals if d["properties"].get("hs_merged_object_ids"))


def test_company_associations(small):
    deals = small.objects["deals"]
    company_ids = {c["id"] for c in small.objects["companies"]}
    no_company = [d for d in deals if not d["_companies"]]
    secondary = [d for d in deals if len(d["_companies"]) > 1]
    assert 1 <= len(no_company) <= len(deals) * 0.05
    assert secondary
    for d in deals:
        if d["_companies"]:
            assert [c["primary"] for c in d["_companies"]].count(True) == 1
            assert d["_companies"][0]["primary"]
            assert all(c["id"] in company_ids for c in d["_companies"])
    for c in small.objects["companies"]:
        p = c["properties"]
        assert p["name"] and p["domain"] and p["hubspot_owner_id"]


def test_goal_targets_are_monthly_revenue_goals_for_owners(small):
    users = {str(o["userId"]): o for o in small.owners}
    goals = [g["properties"] for g in small.objects["goal_targets"]]
    for g in goals:
        assert g["hs_assignee_user_id"] in users
        assert g["hs_goal_type"] == "revenue"
        start = dt.datetime.fromisoformat(g["hs_start_datetime"].replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(g["hs_end_datetime"].replace("Z", "+00:00"))
        assert start.day == 1 and start.time() == dt.time(0) and end.day == 1
        assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == 1
        assert float(g["hs_target_amount"]) > 0
        assert g["hs_createdate"] <= g["hs_lastmodifieddate"]
    per_rep = collections.Counter(g["hs_assignee_user_id"] for g in goals)
    assert len(per_rep) == len(small.owners) - 1  # every rep, not the manager
    assert max(per_rep.values()) == 25  # 24 months back from the end date's month, inclusive


def test_medium_size():
    portal = generate_portal(seed=7, size="medium", end_date=END)
    counts = portal.counts()
    assert 2_700 <= counts["deals"] <= 3_700
    assert 950 <= counts["companies"] <= 1_050
    assert 45_000 <= sum(counts[k] for k in ENGAGEMENTS) <= 75_000
    assert counts["owners"] == 26
