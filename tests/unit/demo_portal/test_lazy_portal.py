"""The lazy portal without HTTP: determinism, shape, memory at 1M deals + 5M engagements, and
read/change semantics checked against PortalData (the reference) on a materialised copy."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import tracemalloc

import numpy as np
import pytest

from pipelines.demo_portal import LAZY_SIZES, OBJECT_TYPES, STANDARD_DISPOSITIONS, PortalData, make_record, wire
from pipelines.demo_portal.data import iso_ms, to_epoch_ms
from pipelines.demo_portal.lazy import LazyPortal, generate_lazy_portal, split_engagements
from pipelines.demo_portal.lazy import streams as lr

from .conftest import END

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
DAY = 86_400_000


def lazy(seed: int = 7, deals: int = 2_000, engagements: int = 12_000, **kw) -> LazyPortal:
    return generate_lazy_portal(seed=seed, deals=deals, engagements=engagements, end_date=END, **kw)


def materialise(portal: LazyPortal) -> PortalData:
    """Every record (live and archived) of a lazy portal as a PortalData: the reference to compare with."""
    objects = {}
    for name in OBJECT_TYPES:
        ids = np.sort(np.concatenate([portal.ids(name), portal.ids(name, archived=True)]))
        objects[name] = portal.records(name, ids.tolist())
    return PortalData(
        objects=objects, owners=portal.owners, pipelines=portal.pipelines, dispositions=portal.dispositions
    )


# ------------------------------------------------------------------------------------ determinism
def test_hash_twins_agree():
    rng = random.Random(1)
    for _ in range(20):
        key = rng.getrandbits(64)
        idx = np.array([rng.randrange(10_000_000) for _ in range(50)], dtype=np.int64)
        assert lr.draws(key, idx).tolist() == [lr.draw(key, int(i)) for i in idx]


def test_same_seed_same_records_alone_or_in_a_batch_and_another_seed_differs():
    a, b, other = lazy(), lazy(), lazy(seed=8)
    for name in OBJECT_TYPES:
        ids = a.ids(name)
        assert np.array_equal(ids, b.ids(name))
        sample = ids[:: max(1, len(ids) // 40)].tolist()
        batch = [json.dumps(r, sort_keys=True) for r in a.records(name, sample)]
        alone = [json.dumps(b.get(name, i), sort_keys=True) for i in sample]
        assert batch == alone
        theirs = other.records(name, other.ids(name)[: len(sample)].tolist())
        assert [json.dumps(r, sort_keys=True) for r in theirs] != batch


def test_size_presets_and_engagement_split():
    assert LAZY_SIZES["xlarge"].deals == 1_000_000 and LAZY_SIZES["xlarge"].engagements == 5_000_000
    assert LAZY_SIZES["bench-100k"].deals == 100_000 and LAZY_SIZES["bench-100k"].engagements == 500_000
    split = split_engagements(5_000_003)
    assert sum(split.values()) == 5_000_003 and set(split) == {"calls", "emails", "meetings", "notes", "tasks"}
    portal = generate_lazy_portal(seed=7, size="bench-10k", end_date=END)
    counts = portal.counts()
    assert counts["deals"] == 10_000
    assert sum(counts[k] for k in split) == 50_000
    with pytest.raises(ValueError):
        generate_lazy_portal(size="huge", end_date=END)


# ------------------------------------------------------------------------------------ shape
def test_records_have_the_small_portals_shape(small):
    portal = lazy()
    for name in OBJECT_TYPES:
        mine = portal.records(name, portal.ids(name)[:300].tolist())
        theirs = [r for r in small.objects[name] if r["id"] is not None and not r["archived"]]
        assert {tuple(r) for r in mine} == {tuple(k for k in r) for r in theirs}, name
        my_props = set().union(*(r["properties"] for r in mine))
        their_props = set().union(*(r["properties"] for r in theirs))
        if name == "deals":  # stage entry/exit dates depend on which stages deals went through
            assert {p for p in their_props if not p.startswith("hs_date_")} <= my_props
        else:
            assert my_props == their_props, name
        for r in mine:
            assert all(v is None or isinstance(v, str) for v in r["properties"].values())
            assert ISO.match(r["createdAt"]) and ISO.match(r["updatedAt"])
            assert r["properties"]["hs_lastmodifieddate"] == r["updatedAt"]
            assert r["properties"]["hs_object_id"] == r["id"]


def test_a_realistic_mix_of_deals_and_calls():
    portal = lazy()
    deals = portal.records("deals", sorted(portal.ids("deals").tolist() + portal.ids("deals", archived=True).tolist()))
    stages = {d["properties"]["dealstage"] for d in deals}
    assert {"closedwon", "closedlost", "161432004", "161432005"} <= stages  # won/lost, renewed/churned
    assert stages & {"appointmentscheduled", "qualifiedtobuy", "presentationscheduled"}  # open deals
    assert {d["properties"]["contract_term_months"] for d in deals} == {"12", "24", None}
    assert {d["properties"]["deal_currency_code"] for d in deals} == {"USD", "EUR"}
    assert any(d["properties"]["amount"] is None for d in deals)
    assert sum(d["archived"] for d in deals) > 0
    end = to_epoch_ms(dt.datetime(2026, 11, 26, 23, 59, 59, 999000))
    for d in deals:
        history = d["_history"]["dealstage"]
        stamps = [to_epoch_ms(h["timestamp"]) for h in history]
        assert stamps == sorted(stamps, reverse=True) and history[0]["value"] == d["properties"]["dealstage"]
        created, modified = to_epoch_ms(d["createdAt"]), to_epoch_ms(d["updatedAt"])
        assert created <= stamps[-1] and stamps[0] <= modified <= end
        links = d.get("_companies", [])
        assert [link["primary"] for link in links] in ([], [True], [True, False])
    assert sum(bool(d.get("_companies")) for d in deals) > 0.9 * len(deals)
    calls = portal.records("calls", portal.ids("calls").tolist())
    dispositions = {c["properties"]["hs_call_disposition"] for c in calls}
    assert {d["id"] for d in STANDARD_DISPOSITIONS} < dispositions and None in dispositions


# ------------------------------------------------------------------------------------ scale
@pytest.fixture(scope="module")
def xlarge():
    """The 1M-deal, 5M-engagement portal, built under tracemalloc: (portal, current, peak). How fast
    it builds and answers is measured by benchmarks/demo_portal.py."""
    tracemalloc.start()
    portal = generate_lazy_portal(seed=7, size="xlarge", end_date=END)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return portal, current, peak


def test_xlarge_stays_small(xlarge):
    portal, current, peak = xlarge
    counts = portal.counts()
    records = sum(counts[k] for k in OBJECT_TYPES)
    assert counts["deals"] == 1_000_000
    assert sum(counts[k] for k in ("calls", "emails", "meetings", "notes", "tasks")) == 5_000_000
    assert portal.nbytes() <= 18 * records  # ids + lm + state: 17 bytes a record
    assert current < 150e6  # ~110 MB for 6.4M records; materialised dicts would be gigabytes
    assert peak < 400e6


# ------------------------------------------------------------------------------------ reads = reference
SEARCHES = [
    {
        "filterGroups": [
            {
                "filters": [
                    {
                        "propertyName": "hs_lastmodifieddate",
                        "operator": "BETWEEN",
                        "value": "2025-03-01T00:00:00Z",
                        "highValue": "2025-09-01T00:00:00.000Z",
                    }
                ]
            }
        ],
        "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"}],
    },
    {
        "filterGroups": [
            {"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "LT", "value": "2024-06-01"}]},
            {"filters": [{"propertyName": "hs_object_id", "operator": "GTE", "value": "{mid}"}]},
        ],
        "sorts": ["-hs_object_id"],
    },
    {
        "filterGroups": [
            {"filters": [{"propertyName": "hs_object_id", "operator": "IN", "values": ["{a}", "{b}", "1"]}]}
        ]
    },
    {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "hs_object_id", "operator": "NOT_IN", "values": ["{a}"]},
                    {"propertyName": "createdate", "operator": "GT", "value": "2025-01-01"},
                    {"propertyName": "hs_createdate", "operator": "LTE", "value": "2026-01-01"},
                ]
            }
        ],
        "sorts": [{"propertyName": "hs_createdate", "direction": "ASCENDING"}],
    },
    {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"},
                    {"propertyName": "hs_object_id", "operator": "LT", "value": "{mid}"},
                ]
            }
        ],
        "sorts": [{"propertyName": "amount", "direction": "DESCENDING"}],
    },
    {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "amount", "operator": "HAS_PROPERTY"},
                    {"propertyName": "hs_object_id", "operator": "NEQ", "value": "{b}"},
                ]
            }
        ],
        "query": "renewal",
        "sorts": [{"propertyName": "closedate", "direction": "ASCENDING"}],
    },
    {"filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "EQ", "value": "{lm}"}]}]},
    {
        "filterGroups": [
            {"filters": [{"propertyName": "hs_object_id", "operator": "BETWEEN", "value": "{a}", "highValue": "{b}"}]}
        ],
        "sorts": [{"propertyName": "hs_lastmodifieddate"}],
    },
    # Id bounds, exclusive and inclusive, on ids and between them (ids are integers; values need not be).
    {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "hs_object_id", "operator": "GT", "value": "{a}"},
                    {"propertyName": "hs_object_id", "operator": "LT", "value": "{b}"},
                ]
            }
        ],
        "sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
    },
    {
        "filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "LTE", "value": "{below_b}"}]}],
        "sorts": ["-hs_object_id"],
    },
    {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "hs_object_id", "operator": "GTE", "value": "{a}.5"},
                    {"propertyName": "hs_object_id", "operator": "LTE", "value": "{c}"},
                ]
            }
        ]
    },
    {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "hs_object_id", "operator": "GT", "value": "{below_b}"},
                    {"propertyName": "hs_object_id", "operator": "LT", "value": "{c}.5"},
                ]
            }
        ]
    },
    {
        "filterGroups": [
            {"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": "{c}.5"}]},
            {"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": "{a}"}]},
        ]
    },
    {},
]


def _fill(body: dict, portal: LazyPortal) -> dict:
    ids = portal.ids("deals")
    values = {
        "mid": str(ids[len(ids) // 2]),
        "a": str(ids[10]),
        "b": str(ids[500]),
        "c": str(ids[520]),
        "below_b": f"{ids[500] - 1}.5",
        "lm": str(int(portal.columns("deals")["lm"][700])),
    }
    text = json.dumps(body)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return json.loads(text)


@pytest.mark.parametrize("ties", [False, True])
def test_search_and_list_match_the_reference_implementation(ties):
    portal = lazy()
    if ties:  # 30% of deals share one hs_lastmodifieddate: sorts must break ties by id, both ways
        portal.update_fraction("deals", 0.3, "2026-12-01T00:00:00Z", seed=1)
    reference = materialise(portal)
    ref_views = wire.Indexes(reference)
    for raw in SEARCHES + [
        {"sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"}]},
        {"sorts": ["hs_lastmodifieddate"]},
    ]:
        body = _fill(raw, portal)
        for offset in (0, 150):
            page = {**body, "limit": 200, "after": str(offset), "properties": ["amount", "dealstage"]}
            got = wire.search_page(portal.view("deals"), "deals", page)
            want = wire.search_page(ref_views.view("deals"), "deals", page)
            assert got == want, body
        assert want["total"] > 0 or "EQ" in json.dumps(raw)
    for name, archived in (("deals", False), ("deals", True), ("calls", False), ("companies", False)):
        after = None
        while True:
            kw = dict(
                limit=100,
                after=after,
                archived=archived,
                properties=["amount"],
                history=["dealstage"],
                associations=["companies"],
                link=str,
            )
            got = wire.list_page(portal.view(name), name, **kw)
            assert got == wire.list_page(ref_views.view(name), name, **kw)
            if "paging" not in got:
                break
            after = got["paging"]["next"]["after"]


def test_associations_match_the_reference_both_ways():
    portal = lazy()
    reference = wire.Indexes(materialise(portal))
    deal_ids = portal.ids("deals")[:200].tolist()
    companies = set()
    for rid in map(str, deal_ids):
        got = wire.association_targets(portal.view("deals"), "deals", rid, "companies")
        assert got == wire.association_targets(reference.view("deals"), "deals", rid, "companies")
        companies.update(str(t["toObjectId"]) for t in got)
    assert len(companies) > 50
    for cid in sorted(companies)[:80]:
        got = wire.association_targets(portal.view("deals"), "companies", cid, "deals")
        assert got == wire.association_targets(reference.view("deals"), "companies", cid, "deals")
        assert got


# ------------------------------------------------------------------------------------ change = reference
def test_changes_match_portaldata_record_for_record():
    portal = lazy()
    reference = materialise(portal)
    v0 = portal.version
    deals = portal.ids("deals")
    open_deal = next(
        d["id"] for d in reference.objects["deals"] if d["properties"]["hs_is_closed"] == "false" and not d["archived"]
    )
    companies = portal.ids("companies")
    # A company merge moves deal associations: pick a survivor and a company with deals.
    merged_company = next(
        link["id"] for d in reference.objects["deals"] for link in d.get("_companies", []) if link["primary"]
    )
    survivor = next(str(c) for c in companies if str(c) != merged_company)
    new_deal = make_record(
        str(int(deals[-1]) + 1000),
        {"dealname": "New", "amount": 5},
        created_at="2026-11-27T09:00:00Z",
        companies=[survivor],
    )
    steps = [
        ("update", "deals", open_deal, {"dealstage": "contractsent", "amount": 1234.5}, "2026-11-27T10:00:00Z"),
        ("update", "calls", str(portal.ids("calls")[3]), {"hs_call_title": "Edited"}, "2026-11-27T10:00:01Z"),
        ("archive", "deals", str(deals[5]), "2026-11-27T11:00:00Z"),
        ("merge", "deals", str(deals[7]), str(deals[8]), "2026-11-27T12:00:00Z"),
        ("merge", "companies", survivor, merged_company, "2026-11-27T13:00:00Z"),
        ("add", "deals", new_deal),
        ("touch_all", "notes", "2026-11-28T00:00:00Z"),
    ]
    for op, *args in steps:
        mine = getattr(portal, op)(*args)
        theirs = getattr(reference, op)(*args)
        assert mine == theirs, op
    assert portal.version == v0 + len(steps)
    again = materialise(portal)
    for name in OBJECT_TYPES:
        assert again.objects[name] == reference.objects[name], name
    # A search for ids and an association read (records made light, without their properties)
    # show what the full records show, changed, archived, merged and added ones included.
    indexes = wire.Indexes(reference)
    for name in OBJECT_TYPES:
        for direction in ("ASCENDING", "DESCENDING"):
            for after in ("0", "200"):
                sort = {"propertyName": "hs_object_id", "direction": direction}
                body = {"sorts": [sort], "limit": 200, "after": after, "properties": ["hs_object_id"]}
                got = wire.search_page(portal.view(name), name, body)
                assert got == wire.search_page(indexes.view(name), name, body), (name, direction, after)
    every_deal = [d["id"] for d in reference.objects["deals"]]
    assert new_deal["id"] in every_deal and str(deals[5]) in every_deal
    for rid in every_deal:
        got = wire.association_targets(portal.view("deals"), "deals", rid, "companies")
        assert got == wire.association_targets(indexes.view("deals"), "deals", rid, "companies"), rid
    assert portal.get("deals", deals[8]) is None and portal.get("companies", merged_company) is None
    with pytest.raises(KeyError):
        portal.update("deals", deals[8], {"amount": 1}, "2026-11-29T00:00:00Z")
    with pytest.raises(ValueError):
        portal.add("deals", make_record(str(deals[0]), {}, created_at="2026-01-01"))


def test_touch_all_bumps_every_live_record_to_one_timestamp():
    portal = lazy()
    archived_before = portal.records("calls", portal.ids("calls", archived=True).tolist())
    at = "2026-12-01T08:00:00.000Z"
    n = portal.touch_all("calls", at)
    assert n == len(portal.ids("calls")) > 0
    cols = portal.columns("calls")
    assert set(cols["lm"][cols["state"] == 0].tolist()) == {to_epoch_ms(at)}
    sample = portal.records("calls", portal.ids("calls")[::97].tolist())
    assert {r["updatedAt"] for r in sample} == {r["properties"]["hs_lastmodifieddate"] for r in sample} == {at}
    assert portal.records("calls", portal.ids("calls", archived=True).tolist()) == archived_before


def test_update_fraction_changes_about_that_fraction():
    portal = lazy(deals=5_000)
    before = materialise(portal)
    live = len(portal.ids("deals"))
    window = ("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z")
    changed = portal.update_fraction("deals", 0.01, window, seed=3)
    assert len(changed) == round(0.01 * live) and np.all(np.diff(changed) > 0)
    lo, hi = to_epoch_ms(window[0]), to_epoch_ms(window[1])
    cols = portal.columns("deals")
    in_window = cols["ids"][(cols["lm"] >= lo) & (cols["lm"] < hi)]
    assert np.array_equal(in_window, changed)
    old = {d["id"]: d for d in before.objects["deals"]}
    stage_moves = 0
    for record in portal.records("deals", changed.tolist()):
        prior = old[record["id"]]
        assert record["properties"]["amount"] != prior["properties"]["amount"] or prior["properties"]["amount"] is None
        assert lo <= to_epoch_ms(record["updatedAt"]) < hi
        if record["properties"]["dealstage"] != prior["properties"]["dealstage"]:
            stage_moves += 1
            newest = record["_history"]["dealstage"][0]
            assert newest["value"] == record["properties"]["dealstage"]
            assert newest["timestamp"] == record["updatedAt"]
            assert record["_history"]["dealstage"][1:] == prior["_history"]["dealstage"]
    assert stage_moves > 0
    unchanged = [i for i in portal.ids("deals")[:300].tolist() if i not in set(changed.tolist())]
    assert portal.records("deals", unchanged) == [old[str(i)] for i in unchanged]
    again = portal.update_fraction("calls", 0.5, "2026-12-03T00:00:00Z", seed=1)
    assert len(again) == round(0.5 * len(portal.ids("calls")))
    assert not np.array_equal(again, portal.update_fraction("calls", 0.5, "2026-12-03T00:00:00Z", seed=2))


def test_iso_ms_matches_the_datetime_formula():
    rng = random.Random(3)
    for _ in range(5_000):
        ms = rng.randrange(0, 4_102_444_800_000)
        expected = (dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)).isoformat(timespec="milliseconds") + "Z"
        assert iso_ms(ms) == expected


def test_top_k_is_a_stable_sorts_prefix_on_both_paths():
    from pipelines.demo_portal.lazy.view import _top_k

    rng = np.random.default_rng(4)
    for n, k in ((500, 200), (100_000, 1_000), (100_000, 10_000)):  # argsort path, then partition path
        keys = rng.integers(0, n // 20, size=n)  # ~20 ties per key
        for sign in (1, -1):
            assert np.array_equal(_top_k(sign * keys, k), np.argsort(sign * keys, kind="stable")[:k])
