"""List and get-by-id endpoints, through the real hubspot client where natural."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hubspot import HubSpot

from pipelines.demo_portal import DemoPortalServer

from .conftest import TOKEN, call


def client(server: DemoPortalServer) -> HubSpot:
    return HubSpot(access_token=TOKEN, host=server.url)


def live(portal, name):
    return [r for r in portal.objects[name] if not r["archived"]]


def test_pages_follow_id_order_and_the_last_page_has_no_paging(small, small_server):
    api = client(small_server).crm.deals.basic_api
    ids, after, pages = [], None, []
    while True:
        resp = api.get_page(limit=100, after=after, _preload_content=False)
        page = json.loads(resp.data)
        pages.append(page)
        ids += [r["id"] for r in page["results"]]
        if "paging" not in page:
            break
        assert set(page["paging"]["next"]) == {"after", "link"}
        after = page["paging"]["next"]["after"]
    assert ids == [d["id"] for d in live(small, "deals")]
    assert len(pages) == -(-len(ids) // 100)
    assert all(len(p["results"]) == 100 for p in pages[:-1])


def test_generic_get_all_survives_the_last_page(small, small_server):
    # The generic helper crashes on `"paging": {}`; HubSpot omits paging on the last page and so must we.
    calls = client(small_server).crm.objects.get_all("calls", properties=["hs_call_disposition"])
    assert len(calls) == len(live(small, "calls"))
    assert sum(1 for c in calls if c.id is None) == 1  # the id-less call is served, in its place


def test_idless_record_is_neither_skipped_nor_repeated_with_tiny_pages(tiny, tiny_server):
    seen, after = [], None
    for _ in range(10):
        path = "/crm/v3/objects/calls?limit=1&properties=hs_call_direction" + (f"&after={after}" if after else "")
        page = call(tiny_server, "GET", path).json
        seen += [r["properties"]["hs_call_direction"] for r in page["results"]]
        if "paging" not in page:
            break
        after = page["paging"]["next"]["after"]
    assert seen == ["OUTBOUND", "INBOUND", "OUTBOUND"]


def test_next_link_is_absolute_and_keeps_the_query(small_server):
    first = call(small_server, "GET", "/crm/v3/objects/companies?limit=7&properties=name,domain&properties=industry")
    link = first.json["paging"]["next"]["link"]
    assert link.startswith(small_server.url + "/crm/v3/objects/companies?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert query["limit"] == ["7"] and query["after"] == [first.json["paging"]["next"]["after"]]
    second = call(small_server, "GET", link[len(small_server.url) :])
    assert second.status == 200 and len(second.json["results"]) == 7
    assert set(second.json["results"][0]["properties"]) >= {"name", "domain", "industry"}
    assert second.json["results"][0]["id"] > first.json["results"][-1]["id"]


def test_limits(small_server):
    assert len(call(small_server, "GET", "/crm/v3/objects/deals").json["results"]) == 10
    assert len(call(small_server, "GET", "/crm/v3/objects/deals?limit=100").json["results"]) == 100
    too_many = call(small_server, "GET", "/crm/v3/objects/deals?limit=101")
    assert too_many.status == 400 and too_many.json["category"] == "VALIDATION_ERROR"
    history = "/crm/v3/objects/deals?propertiesWithHistory=dealstage&limit="
    assert len(call(small_server, "GET", history + "50").json["results"]) == 50
    assert call(small_server, "GET", history + "51").status == 400
    assert call(small_server, "GET", "/crm/v3/objects/deals?limit=0").status == 400
    assert call(small_server, "GET", "/crm/v3/objects/deals?limit=ten").status == 400


def test_real_client_get_all_with_history_pages_at_50(small, small_server):
    deals = client(small_server).crm.deals.get_all(properties_with_history=["dealstage"])
    assert len(deals) == len(live(small, "deals"))
    for deal, record in zip(deals, live(small, "deals"), strict=True):
        history = deal.properties_with_history["dealstage"]
        assert [h.value for h in history] == [h["value"] for h in record["_history"]["dealstage"]]
        assert deal.properties["dealstage"] == history[0].value


def test_properties_repeated_or_comma_separated_give_the_same_answer(small_server):
    a = call(small_server, "GET", "/crm/v3/objects/deals?limit=5&properties=amount&properties=dealstage")
    b = call(small_server, "GET", "/crm/v3/objects/deals?limit=5&properties=amount,dealstage")
    assert a.json["results"] == b.json["results"]
    assert a.json["paging"]["next"]["after"] == b.json["paging"]["next"]["after"]
    props = a.json["results"][0]["properties"]
    assert set(props) == {"amount", "dealstage", "createdate", "hs_lastmodifieddate", "hs_object_id"}
    unknown = call(small_server, "GET", "/crm/v3/objects/deals?limit=1&properties=no_such_prop")
    assert unknown.json["results"][0]["properties"]["no_such_prop"] is None


def test_default_properties_without_a_properties_parameter(small_server):
    deal = call(small_server, "GET", "/crm/v3/objects/deals?limit=1").json["results"][0]
    assert set(deal["properties"]) == {
        "dealname",
        "amount",
        "closedate",
        "pipeline",
        "dealstage",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }
    note = call(small_server, "GET", "/crm/v3/objects/notes?limit=1").json["results"][0]
    assert set(note["properties"]) == {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"}
    assert set(deal) == {"id", "properties", "createdAt", "updatedAt", "archived"}


@pytest.mark.parametrize("flag", ["true", "True", "TRUE"])
def test_archived_listing_returns_only_archived_records(small, small_server, flag):
    page = call(small_server, "GET", f"/crm/v3/objects/deals?limit=100&archived={flag}").json
    expected = [d["id"] for d in small.objects["deals"] if d["archived"]]
    assert [r["id"] for r in page["results"]] == expected and expected
    assert all(r["archived"] is True and r["archivedAt"] for r in page["results"])
    live_page = call(small_server, "GET", "/crm/v3/objects/deals?limit=100&archived=False").json
    assert not any(r["archived"] for r in live_page["results"])
    assert call(small_server, "GET", "/crm/v3/objects/deals?archived=maybe").status == 400


def test_inline_associations_duplicate_the_primary_company(tiny_server):
    page = call(tiny_server, "GET", "/crm/v3/objects/deals?associations=companies&limit=100").json
    by_id = {r["id"]: r for r in page["results"]}
    assert by_id["101"]["associations"]["companies"]["results"] == [
        {"id": "9001", "type": "deal_to_company"},
        {"id": "9001", "type": "deal_to_company_unlabeled"},
        {"id": "9002", "type": "deal_to_company_unlabeled"},
    ]
    assert "associations" not in by_id["102"]  # no companies: no key
    plain = call(tiny_server, "GET", "/crm/v3/objects/deals?limit=100").json
    assert all("associations" not in r for r in plain["results"])


def test_inline_associations_through_the_client(small, small_server):
    deals = client(small_server).crm.deals.get_all(associations=["companies"])
    with_secondary = [d for d in small.objects["deals"] if len(d["_companies"]) > 1 and not d["archived"]]
    target = next(d for d in deals if d.id == with_secondary[0]["id"])
    kinds = [(a.id, a.type) for a in target.associations["companies"].results]
    primary = with_secondary[0]["_companies"][0]["id"]
    assert kinds.count((primary, "deal_to_company")) == 1
    assert kinds.count((primary, "deal_to_company_unlabeled")) == 1
    assert len(kinds) == 1 + len(with_secondary[0]["_companies"])


def test_get_by_id(small, small_server):
    record = live(small, "deals")[3]
    got = client(small_server).crm.deals.basic_api.get_by_id(
        record["id"], properties=["amount"], properties_with_history=["dealstage"]
    )
    assert got.id == record["id"] and got.properties["amount"] == record["properties"]["amount"]
    assert got.properties_with_history["dealstage"][0].value == record["properties"]["dealstage"]
    missing = call(small_server, "GET", "/crm/v3/objects/deals/1")
    assert missing.status == 404 and missing.json["category"] == "OBJECT_NOT_FOUND"
    archived = next(d for d in small.objects["deals"] if d["archived"])
    assert call(small_server, "GET", f"/crm/v3/objects/deals/{archived['id']}").status == 404
    got_archived = call(small_server, "GET", f"/crm/v3/objects/deals/{archived['id']}?archived=true")
    assert got_archived.status == 200 and got_archived.json["archived"] is True


def test_goals_owners_and_pipelines_through_the_client(small, small_server):
    hs = client(small_server)
    goals = hs.crm.objects.goals.basic_api.get_page(limit=100, properties=["hs_target_amount"])
    assert len(goals.results) == 100 and goals.results[0].properties["hs_target_amount"]
    owners = hs.crm.owners.get_all()
    assert {o.id for o in owners} == {o["id"] for o in small.owners if not o["archived"]}
    assert all(isinstance(o.user_id, int) for o in owners)
    archived = hs.crm.owners.owners_api.get_page(archived=True)
    assert {o.id for o in archived.results} == {o["id"] for o in small.owners if o["archived"]}
    pipelines = hs.crm.pipelines.pipelines_api.get_all(object_type="deals")
    assert [p.id for p in pipelines.results] == [p["id"] for p in small.pipelines]
    assert pipelines.results[0].stages[5].metadata == {"isClosed": "true", "probability": "1.0"}


def test_owner_endpoints(small, small_server):
    assert call(small_server, "GET", "/crm/v3/owners").json == call(small_server, "GET", "/crm/v3/owners/").json
    page = call(small_server, "GET", "/crm/v3/owners/?limit=3").json
    assert len(page["results"]) == 3 and page["paging"]["next"]["link"].startswith("http://")
    assert call(small_server, "GET", "/crm/v3/owners/?limit=501").status == 400
    assert call(small_server, "GET", "/crm/v3/owners/?limit=500").status == 200
    owner = next(o for o in small.owners if not o["archived"])
    by_email = call(small_server, "GET", f"/crm/v3/owners/?email={owner['email'].upper()}").json
    assert [o["id"] for o in by_email["results"]] == [owner["id"]]
    assert call(small_server, "GET", f"/crm/v3/owners/{owner['id']}").json == owner
    by_user = call(small_server, "GET", f"/crm/v3/owners/{owner['userId']}?idProperty=userId")
    assert by_user.json["id"] == owner["id"]
    assert call(small_server, "GET", "/crm/v3/owners/1").status == 404


def test_dispositions_lists_the_standard_six_and_the_custom_ones(small, small_server):
    body = call(small_server, "GET", "/calling/v1/dispositions").json
    assert isinstance(body, list) and len(body) == 7
    assert {"id": "f240bbac-87c9-4f6e-bf70-924b57d47db7", "label": "Connected"} in body
    assert small.dispositions[0] in body


def test_change_during_a_sync_is_seen_by_the_next_page(fresh_small):
    with DemoPortalServer(fresh_small) as server:
        first = call(server, "GET", "/crm/v3/objects/deals?limit=100&properties=amount").json
        later = live(fresh_small, "deals")[150]
        fresh_small.update("deals", later["id"], {"amount": "1"}, "2026-11-26T12:00:00Z")
        early = first["results"][0]["id"]
        fresh_small.archive("deals", early, "2026-11-26T12:00:00Z")
        second = call(
            server, "GET", f"/crm/v3/objects/deals?limit=100&properties=amount&after={first['paging']['next']['after']}"
        ).json
        changed = next(r for r in second["results"] if r["id"] == later["id"])
        assert changed["properties"]["amount"] == "1"
        assert changed["updatedAt"] == "2026-11-26T12:00:00.000Z"
        assert second["results"][0]["id"] == first["paging"]["next"]["after"]  # id cursor: nothing skipped
        again = call(server, "GET", "/crm/v3/objects/deals?limit=100").json
        assert early not in [r["id"] for r in again["results"]]
