"""Batch reads (200 / 207) and v4 associations."""

from __future__ import annotations

import json

from hubspot import HubSpot

from .conftest import TOKEN, call


def test_batch_read_all_found_is_200(tiny_server):
    reply = call(
        tiny_server,
        "POST",
        "/crm/v3/objects/deals/batch/read?archived=False",
        {"inputs": [{"id": "101"}, {"id": "99"}], "properties": ["amount"], "propertiesWithHistory": ["dealstage"]},
    )
    assert reply.status == 200
    body = reply.json
    assert body["status"] == "COMPLETE" and "numErrors" not in body
    assert [r["id"] for r in body["results"]] == ["101", "99"]
    assert body["results"][0]["properties"]["amount"] == "1000"
    assert [h["value"] for h in body["results"][0]["propertiesWithHistory"]["dealstage"]] == [
        "closedwon",
        "appointmentscheduled",
    ]
    assert body["startedAt"] <= body["completedAt"]


def test_batch_read_with_missing_ids_is_207(tiny_server):
    reply = call(
        tiny_server,
        "POST",
        "/crm/v3/objects/deals/batch/read",
        {"inputs": [{"id": "101"}, {"id": "555"}, {"id": "103"}], "properties": []},
    )
    assert reply.status == 207
    body = reply.json
    assert [r["id"] for r in body["results"]] == ["101"]
    assert body["numErrors"] == 1
    error = body["errors"][0]
    assert error["category"] == "OBJECT_NOT_FOUND" and error["context"]["ids"] == ["555", "103"]
    archived = call(tiny_server, "POST", "/crm/v3/objects/deals/batch/read?archived=true", {"inputs": [{"id": "103"}]})
    assert archived.status == 200 and archived.json["results"][0]["archived"] is True


def test_batch_read_207_through_the_client(small, small_server):
    ids = [d["id"] for d in small.objects["deals"] if not d["archived"]][:3]
    batch = HubSpot(access_token=TOKEN, host=small_server.url).crm.deals.batch_api.read(
        {"inputs": [{"id": i} for i in ids] + [{"id": "1"}], "properties": ["amount"]}, archived=False
    )
    assert type(batch).__name__ == "BatchResponseSimplePublicObjectWithErrors"
    assert sorted(r.id for r in batch.results) == sorted(ids)
    assert batch.num_errors == 1 and batch.errors[0].context == {"ids": ["1"]}


def test_batch_read_limits_and_bad_bodies(tiny_server):
    path = "/crm/v3/objects/deals/batch/read"
    over = call(tiny_server, "POST", path, {"inputs": [{"id": str(i)} for i in range(101)]})
    assert over.status == 400 and over.json["category"] == "VALIDATION_ERROR"
    assert call(tiny_server, "POST", path, {"inputs": [{"id": str(i)} for i in range(100)]}).status == 207
    assert call(tiny_server, "POST", "/crm/v3/objects/deals/batch/read", {"ids": ["1"]}).status == 400
    broken = call(tiny_server, "POST", "/crm/v3/objects/deals/batch/read", raw_body=b'{"inputs": [')
    assert broken.status == 400 and broken.json["category"] == "VALIDATION_ERROR"


def test_v4_associations_per_deal(tiny_server):
    body = call(tiny_server, "GET", "/crm/v4/objects/deals/101/associations/companies").json
    assert body == {
        "results": [
            {
                "toObjectId": 9001,
                "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"},
                    {"category": "HUBSPOT_DEFINED", "typeId": 341, "label": None},
                ],
            },
            {"toObjectId": 9002, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 341, "label": None}]},
        ]
    }
    assert call(tiny_server, "GET", "/crm/v4/objects/deals/102/associations/companies").json == {"results": []}
    reverse = call(tiny_server, "GET", "/crm/v4/objects/companies/9002/associations/deals").json
    assert [r["toObjectId"] for r in reverse["results"]] == [99, 101]


def test_v4_batch_leaves_out_ids_without_associations(tiny_server):
    reply = call(
        tiny_server,
        "POST",
        "/crm/v4/associations/deals/companies/batch/read",
        {"inputs": [{"id": "101"}, {"id": "102"}, {"id": "99"}, {"id": "404"}]},
    )
    assert reply.status == 200
    results = reply.json["results"]
    assert [r["from"]["id"] for r in results] == ["101", "99"]
    assert results[1]["to"] == [
        {
            "toObjectId": 9002,
            "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"},
                {"category": "HUBSPOT_DEFINED", "typeId": 341, "label": None},
            ],
        }
    ]
    assert json.loads(reply.raw)["results"][0]["to"][0]["toObjectId"] == 9001  # a JSON number


def test_v4_batch_through_the_client(small, small_server):
    deals = [d for d in small.objects["deals"] if not d["archived"]][:100]
    hs = HubSpot(access_token=TOKEN, host=small_server.url)
    inputs = {"inputs": [{"id": d["id"]} for d in deals]}
    batch = hs.crm.associations.v4.batch_api.get_page("deals", "companies", inputs)
    expected = {d["id"]: [c["id"] for c in d["_companies"]] for d in deals if d["_companies"]}
    got = {r._from.id: [t.to_object_id for t in r.to] for r in batch.results}
    assert got == expected
