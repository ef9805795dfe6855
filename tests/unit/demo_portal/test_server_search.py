"""Search over HTTP: filters, one sort, offset paging, the 200 page size and the 10,000-result cap."""

from __future__ import annotations

import pytest
from hubspot import HubSpot
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException

from pipelines.demo_portal.data import to_epoch_ms

from .conftest import TOKEN, call


def search(server, obj, body):
    return call(server, "POST", f"/crm/v3/objects/{obj}/search", body)


def window(prop, lo, hi):
    return {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": prop, "operator": "GTE", "value": str(lo)},
                    {"propertyName": prop, "operator": "LT", "value": str(hi)},
                ]
            }
        ]
    }


def test_incremental_window_through_the_real_client(small, small_server):
    lo, hi = to_epoch_ms("2026-01-01T00:00:00Z"), to_epoch_ms("2026-07-01T00:00:00Z")
    expected = sorted(
        (
            c
            for c in small.objects["calls"]
            if c["id"] and not c["archived"] and lo <= to_epoch_ms(c["properties"]["hs_lastmodifieddate"]) < hi
        ),
        key=lambda c: (c["properties"]["hs_lastmodifieddate"], int(c["id"])),
    )
    assert len(expected) > 200
    api = HubSpot(access_token=TOKEN, host=small_server.url).crm.objects.calls.search_api
    got, after = [], "0"
    while after is not None:
        page = api.do_search(
            public_object_search_request={
                **window("hs_lastmodifieddate", lo, hi),
                "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
                "properties": ["hs_call_duration"],
                "limit": 200,
                "after": after,
            }
        )
        assert page.total == len(expected)
        got += [r.id for r in page.results]
        after = page.paging.next.after if page.paging else None
    assert got == [c["id"] for c in expected]


def test_iso_and_epoch_values_give_the_same_matches(small_server):
    epoch = search(
        small_server,
        "deals",
        window("createdate", to_epoch_ms("2026-03-01T00:00:00Z"), to_epoch_ms("2026-04-01T00:00:00Z")),
    )
    iso = search(small_server, "deals", window("createdate", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00.000Z"))
    assert epoch.json["total"] == iso.json["total"] > 0
    assert epoch.json["results"] == iso.json["results"]


def test_object_id_floor_compares_numbers(small, small_server):
    ids = [int(d["id"]) for d in small.objects["deals"] if not d["archived"]]
    floor = ids[len(ids) // 2]
    body = {
        "filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "GTE", "value": floor}]}],
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "limit": 200,
    }
    found = search(small_server, "deals", body).json
    assert found["total"] == len([i for i in ids if i >= floor])
    assert [int(r["id"]) for r in found["results"]] == sorted(i for i in ids if i >= floor)[:200]


def test_results_shape_no_archived_no_associations_no_history(small, small_server):
    body = {"limit": 200, "properties": ["amount", "dealstage"]}
    page = search(
        small_server, "deals", {**body, "associations": ["companies"], "propertiesWithHistory": ["dealstage"]}
    )
    live_ids = {d["id"] for d in small.objects["deals"] if not d["archived"]}
    assert page.json["total"] == len(live_ids)
    for r in page.json["results"]:
        assert set(r) == {"id", "properties", "createdAt", "updatedAt", "archived"}
        assert r["id"] in live_ids and r["archived"] is False
    assert page.json["paging"]["next"] == {"after": "200"}


def test_search_skips_the_idless_call(small, small_server):
    total = search(small_server, "calls", {"limit": 1}).json["total"]
    assert total == sum(1 for c in small.objects["calls"] if c["id"] and not c["archived"])


def test_filter_groups_or_and_operators(small, small_server):
    won = [d for d in small.objects["deals"] if not d["archived"] and d["properties"]["dealstage"] == "closedwon"]
    body = {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"},
                    {"propertyName": "amount", "operator": "HAS_PROPERTY"},
                ]
            },
            {"filters": [{"propertyName": "pipeline", "operator": "IN", "values": ["nope"]}]},
        ],
        "limit": 200,
    }
    assert search(small_server, "deals", body).json["total"] == sum(1 for d in won if d["properties"]["amount"])
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "amount", "operator": "BETWEEN", "value": "10000", "highValue": "20000"}]}
        ],
        "limit": 200,
    }
    amounts = [
        float(r["properties"]["amount"])
        for r in search(small_server, "deals", {**body, "properties": ["amount"]}).json["results"]
    ]
    assert amounts and all(10000 <= a <= 20000 for a in amounts)


def test_page_size_and_the_10k_cap(small_server):
    assert len(search(small_server, "calls", {"limit": 200}).json["results"]) == 200
    assert search(small_server, "calls", {}).json["paging"]["next"]["after"] == "10"
    too_big = search(small_server, "calls", {"limit": 201})
    assert too_big.status == 400 and too_big.json["category"] == "VALIDATION_ERROR"
    at_cap = search(small_server, "calls", {"limit": 200, "after": "10000"})
    assert at_cap.status == 400 and at_cap.json["category"] == "VALIDATION_ERROR"
    assert search(small_server, "calls", {"limit": 200, "after": "9900"}).status == 400  # after + limit > 10k
    last_allowed = search(small_server, "calls", {"limit": 200, "after": "9800"})
    assert last_allowed.status == 200 and last_allowed.json["results"] == []


def test_the_cap_surfaces_as_a_400_in_the_client(small_server):
    api = HubSpot(access_token=TOKEN, host=small_server.url).crm.objects.search_api
    with pytest.raises(ObjectsApiException) as e:
        api.do_search("calls", public_object_search_request={"limit": 100, "after": "10000"})
    assert e.value.status == 400


def test_search_has_no_rate_limit_headers_but_lists_do(small_server):
    found = search(small_server, "deals", {"limit": 1})
    assert not [h for h in found.headers if h.lower().startswith("x-hubspot-ratelimit")]
    listed = call(small_server, "GET", "/crm/v3/objects/deals?limit=1")
    assert int(listed.headers["X-HubSpot-RateLimit-Max"]) == 100
    assert listed.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert "X-HubSpot-RateLimit-Remaining" in listed.headers and "X-HubSpot-RateLimit-Daily" in listed.headers


def test_updates_invalidate_cached_searches(fresh_small):
    from pipelines.demo_portal import DemoPortalServer

    with DemoPortalServer(fresh_small) as server:
        body = {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "2026-11-27T00:00:00Z"}
                    ]
                }
            ]
        }
        assert search(server, "deals", body).json["total"] == 0
        deal = next(d for d in fresh_small.objects["deals"] if not d["archived"])
        fresh_small.update("deals", deal["id"], {"dealname": "Renamed"}, "2026-11-28T00:00:00Z")
        after = search(server, "deals", {**body, "properties": ["dealname"]}).json
        assert after["total"] == 1 and after["results"][0]["properties"]["dealname"] == "Renamed"
