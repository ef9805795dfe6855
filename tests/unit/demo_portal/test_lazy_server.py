"""The lazy portal served by the same DemoPortalServer, read through the real hubspot client."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hubspot import HubSpot
from hubspot.crm.objects.calls.exceptions import ApiException

from pipelines.demo_portal import DemoPortalServer, FaultRule, generate_lazy_portal, make_record
from pipelines.demo_portal.data import to_epoch_ms
from pipelines.demo_portal.lazy import LazyPortal

from .conftest import END, TOKEN, call

# 66k engagements: 30,360 calls, enough to page past the 10,000-result search cap twice.
DEALS, ENGAGEMENTS = 4_000, 66_000


@pytest.fixture
def portal() -> LazyPortal:
    return generate_lazy_portal(seed=7, deals=DEALS, engagements=ENGAGEMENTS, end_date=END)


@pytest.fixture
def server(portal):
    with DemoPortalServer(portal, token=TOKEN) as server:
        yield server


def calls_api(server):
    return HubSpot(access_token=TOKEN, host=server.url).crm.objects.calls


def window_search(api, filters, sort, floor_prop="hs_object_id", limit=200):
    """Page a search to the end with an id floor: offsets up to the cap, then a new floor."""
    got, floor, total_first = [], None, None
    while True:
        after = 0
        page_filters = list(filters)
        if floor is not None:
            page_filters.append({"propertyName": floor_prop, "operator": "GT", "value": floor})
        while True:
            body = {
                "filterGroups": [{"filters": page_filters}],
                "sorts": [sort],
                "limit": limit,
                "after": str(after),
                "properties": ["hs_lastmodifieddate"],
            }
            page = json.loads(api.search_api.do_search(public_object_search_request=body, _preload_content=False).data)
            if total_first is None:
                total_first = page["total"]
            got += page["results"]
            if "paging" not in page:
                return got, total_first
            after = int(page["paging"]["next"]["after"])
            if after + limit > 10_000:
                break
        floor = got[-1]["id"]


def test_paging_through_the_client_visits_every_live_record_once(portal, server):
    ids = portal.ids("calls")
    assert len(ids) > 30_000
    for i in (0, 17, len(ids) // 2, len(ids) - 1):
        portal.archive("calls", ids[i], "2026-11-27T00:00:00Z")
    portal.merge("calls", ids[100], ids[101], "2026-11-27T00:00:00Z")
    portal.add("calls", make_record(None, {"hs_call_title": "Created mid-sync"}, created_at="2026-11-27T01:00:00Z"))
    api = calls_api(server).basic_api
    for archived in (False, True):
        seen, after, pages = [], None, 0
        while True:
            page = json.loads(
                api.get_page(
                    limit=100, after=after, archived=archived, properties=["hs_call_title"], _preload_content=False
                ).data
            )
            pages += 1
            seen += [r["id"] for r in page["results"]]
            assert all(r["archived"] is archived for r in page["results"])
            if "paging" not in page:
                break
            after = page["paging"]["next"]["after"]
        expected = [str(i) for i in portal.ids("calls", archived=archived)]
        assert seen == expected and len(set(seen)) == len(seen)
        assert pages == -(-len(expected) // 100)
    assert str(ids[101]) not in seen and str(ids[17]) in seen


def test_search_window_with_an_id_floor_returns_the_exact_set_past_the_cap(portal, server):
    cols = portal.columns("calls")
    lo, hi = int(np.quantile(cols["lm"], 0.1)), int(np.quantile(cols["lm"], 0.8))
    live = cols["state"] == 0
    expected = cols["ids"][live & (cols["lm"] >= lo) & (cols["lm"] < hi)]
    assert len(expected) > 20_000  # two id floors past the 10,000 cap
    api = calls_api(server)
    filters = [
        {"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": str(lo)},
        {"propertyName": "hs_lastmodifieddate", "operator": "LT", "value": str(hi)},
    ]
    got, total = window_search(api, filters, {"propertyName": "hs_object_id", "direction": "ASCENDING"})
    assert total == len(expected)
    assert [r["id"] for r in got] == [str(i) for i in expected]
    assert all(lo <= to_epoch_ms(r["properties"]["hs_lastmodifieddate"]) < hi for r in got)
    # Offset paging alone stops at the cap, as on HubSpot.
    with pytest.raises(ApiException) as e:
        api.search_api.do_search(
            public_object_search_request={"filterGroups": [{"filters": filters}], "limit": 200, "after": "9900"}
        )
    assert e.value.status == 400


def test_touch_all_then_the_id_floor_still_reaches_every_record():
    portal = generate_lazy_portal(seed=7, deals=1_000, engagements=50_000, end_date=END)  # 23,000 calls
    at = "2026-12-01T08:00:00.000Z"
    touched = portal.touch_all("calls", at)
    assert touched > 20_000  # two id floors past the 10,000 cap
    with DemoPortalServer(portal, token=TOKEN) as server:
        api = calls_api(server)
        filters = [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": str(to_epoch_ms(at))}]
        got, total = window_search(api, filters, {"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"})
    assert total == touched == len(portal.ids("calls"))
    assert [r["id"] for r in got] == [str(i) for i in portal.ids("calls")]  # ties come in id order
    assert {r["properties"]["hs_lastmodifieddate"] for r in got} == {at}


def test_update_fraction_is_found_by_a_window_search(portal, server):
    window = ("2026-12-01T00:00:00Z", "2026-12-01T06:00:00Z")
    changed = portal.update_fraction("calls", 0.01, window, seed=5)
    assert len(changed) == round(0.01 * len(portal.ids("calls")))
    lo, hi = (to_epoch_ms(t) for t in window)
    api = calls_api(server)
    filters = [
        {"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": window[0]},
        {"propertyName": "hs_lastmodifieddate", "operator": "LT", "value": window[1]},
    ]
    got, total = window_search(api, filters, {"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"})
    assert total == len(changed) and sorted(int(r["id"]) for r in got) == changed.tolist()
    stamps = [to_epoch_ms(r["properties"]["hs_lastmodifieddate"]) for r in got]
    assert stamps == sorted(stamps) and lo <= stamps[0] and stamps[-1] < hi
    # Deals: open ones move a stage on, with a history entry the client can read.
    before = {r["id"]: r for r in portal.records("deals", portal.ids("deals").tolist())}
    deals = portal.update_fraction("deals", 0.3, "2026-12-02T00:00:00.000Z", seed=5)
    was_open = [str(i) for i in deals if before[str(i)]["properties"]["hs_is_closed"] == "false"][:100]
    assert len(was_open) > 10
    batch = HubSpot(access_token=TOKEN, host=server.url).crm.deals.batch_api.read(
        batch_read_input_simple_public_object_id={
            "inputs": [{"id": i} for i in was_open],
            "properties": ["dealstage", "amount"],
            "propertiesWithHistory": ["dealstage"],
        },
        _preload_content=False,
    )
    results = json.loads(batch.data)["results"]
    assert sorted(r["id"] for r in results) == sorted(was_open)
    assert all(r["updatedAt"] == "2026-12-02T00:00:00.000Z" for r in results)
    moved = 0
    for r in results:
        history = r["propertiesWithHistory"]["dealstage"]
        old_stage = before[r["id"]]["properties"]["dealstage"]
        if r["properties"]["dealstage"] != old_stage:
            moved += 1
            assert history[0] == {
                "value": r["properties"]["dealstage"],
                "timestamp": "2026-12-02T00:00:00.000Z",
                "sourceType": "CRM_UI",
            }
            assert history[1]["value"] == old_stage
    assert moved > 0


def test_every_server_knob_works_on_the_lazy_portal(portal, server):
    deal = str(portal.ids("deals")[3])
    assert call(server, "GET", f"/crm/v3/objects/deals/{deal}", token="wrong").status == 401
    server.faults.add(FaultRule(status=429, count=1, path_prefix="/crm/v3/objects/deals"))
    assert call(server, "GET", "/crm/v3/objects/deals").status == 429
    got = call(server, "GET", f"/crm/v3/objects/deals/{deal}?properties=amount&associations=companies")
    assert got.status == 200 and got.json["id"] == deal and "X-HubSpot-RateLimit-Remaining" in got.headers
    server.denied_scopes = {"crm.objects.calls.read"}
    assert call(server, "GET", "/crm/v3/objects/calls").status == 403
    assert call(server, "GET", "/crm/v3/objects/widgets").status == 404
    assert call(server, "GET", "/crm/v3/owners/").json["results"][0]["id"] == portal.owners[0]["id"]
    assert [p["id"] for p in call(server, "GET", "/crm/v3/pipelines/deals").json["results"]][0] == "default"
    # v4 associations both ways agree with the deal's own companies.
    company = got.json["associations"]["companies"]["results"][0]["id"]
    to_companies = call(server, "GET", f"/crm/v4/objects/deals/{deal}/associations/companies").json["results"]
    assert company in [str(t["toObjectId"]) for t in to_companies]
    to_deals = call(server, "GET", f"/crm/v4/objects/companies/{company}/associations/deals").json["results"]
    assert int(deal) in [t["toObjectId"] for t in to_deals]
    server.rate_limit, server.limiter.burst_limit = True, 2
    statuses = [call(server, "GET", f"/crm/v3/objects/deals/{deal}").status for _ in range(3)]
    assert statuses[-1] == 429
