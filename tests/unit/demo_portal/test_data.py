"""PortalData and make_record: cheap to build by hand, and the change helpers behave like HubSpot."""

from __future__ import annotations

import copy
import datetime as dt
import pickle

import pytest

from pipelines.demo_portal import OBJECT_TYPES, PortalData, make_record
from pipelines.demo_portal.data import iso_ms, to_epoch_ms, to_iso


def test_make_record_builds_the_api_shape():
    r = make_record(
        42,
        {"amount": 12.5, "hs_is_closed": True, "n": 3, "none": None},
        created_at=dt.datetime(2026, 1, 2, 3, 4, 5, 678000),
        updated_at="2026-02-01T00:00:00Z",
    )
    assert r == {
        "id": "42",
        "properties": {
            "amount": "12.5",
            "hs_is_closed": "true",
            "n": "3",
            "none": None,
            "hs_object_id": "42",
            "createdate": "2026-01-02T03:04:05.678Z",
            "hs_createdate": "2026-01-02T03:04:05.678Z",
            "hs_lastmodifieddate": "2026-02-01T00:00:00.000Z",
        },
        "createdAt": "2026-01-02T03:04:05.678Z",
        "updatedAt": "2026-02-01T00:00:00.000Z",
        "archived": False,
    }


def test_make_record_archived_history_and_companies():
    r = make_record(
        "1",
        {},
        created_at=dt.date(2026, 1, 1),
        archived=True,
        history={"dealstage": [{"value": "closedwon", "timestamp": dt.date(2026, 1, 2), "sourceType": "CRM_UI"}]},
        companies=["9001", "9002"],
    )
    assert r["archived"] is True and r["archivedAt"] == r["updatedAt"] == "2026-01-01T00:00:00.000Z"
    assert r["_history"]["dealstage"][0]["timestamp"] == "2026-01-02T00:00:00.000Z"
    assert r["_companies"] == [{"id": "9001", "primary": True}, {"id": "9002", "primary": False}]


def test_portal_defaults_every_object_type_to_an_empty_list():
    portal = PortalData(objects={"deals": [make_record("1", {}, created_at=dt.date(2026, 1, 1))]})
    assert set(portal.objects) == set(OBJECT_TYPES)
    assert portal.objects["calls"] == [] and portal.owners == [] and portal.pipelines == []
    assert portal.dispositions == []


def test_timestamp_helpers_round_trip():
    assert iso_ms(0) == "1970-01-01T00:00:00.000Z"
    assert to_epoch_ms("2024-04-01T00:00:00Z") == 1711929600000
    assert to_iso(dt.datetime(2024, 4, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2)))) == "2024-04-01T00:00:00.000Z"
    for ms in (1, 999, 1711929673795, -1):
        assert to_epoch_ms(iso_ms(ms)) == ms


def test_update_sets_properties_bumps_timestamps_and_extends_history(tiny):
    before = tiny.version
    at = dt.datetime(2026, 5, 1, 9, 30)
    tiny.update("deals", "102", {"dealstage": "closedwon", "amount": 700}, at)
    deal = tiny.get("deals", "102")
    assert deal["properties"]["amount"] == "700"
    assert deal["updatedAt"] == deal["properties"]["hs_lastmodifieddate"] == "2026-05-01T09:30:00.000Z"
    assert tiny.version > before
    # A deal with stored history gets a newest entry when the stage changes (and none when it does not).
    tiny.update("deals", "101", {"dealstage": "contractsent"}, at)
    tiny.update("deals", "101", {"dealstage": "contractsent"}, at)
    history = tiny.get("deals", "101")["_history"]["dealstage"]
    assert [h["value"] for h in history] == ["contractsent", "closedwon", "appointmentscheduled"]
    with pytest.raises(KeyError):
        tiny.update("deals", "404", {}, at)


def test_archive_moves_a_record_to_the_recycle_bin(tiny):
    tiny.archive("deals", "102", "2026-06-01T00:00:00Z")
    deal = tiny.get("deals", "102")
    assert deal["archived"] is True and deal["archivedAt"] == "2026-06-01T00:00:00.000Z"
    assert deal["updatedAt"] == deal["archivedAt"]


def test_merge_removes_the_merged_record_and_lists_it_on_the_survivor(tiny):
    tiny.merge("deals", "101", "102", dt.datetime(2026, 7, 1))
    tiny.merge("deals", "101", "99", dt.datetime(2026, 7, 2))
    assert tiny.get("deals", "102") is None and tiny.get("deals", "99") is None
    survivor = tiny.get("deals", "101")
    assert survivor["properties"]["hs_merged_object_ids"] == "102;99"
    assert survivor["updatedAt"] == "2026-07-02T00:00:00.000Z"
    assert survivor["_companies"] == [{"id": "9001", "primary": True}, {"id": "9002", "primary": False}]


def test_merging_companies_moves_deal_associations_to_the_survivor(tiny):
    tiny.merge("companies", "9001", "9002", dt.datetime(2026, 7, 1))
    assert tiny.get("deals", "101")["_companies"] == [{"id": "9001", "primary": True}]
    assert tiny.get("deals", "99")["_companies"] == [{"id": "9001", "primary": True}]


def test_touch_all_bumps_every_live_record(tiny):
    n = tiny.touch_all("deals", dt.datetime(2026, 8, 1))
    assert n == 3
    stamps = {d["updatedAt"] for d in tiny.objects["deals"] if not d["archived"]}
    assert stamps == {"2026-08-01T00:00:00.000Z"}
    assert tiny.get("deals", "103")["updatedAt"] != "2026-08-01T00:00:00.000Z"


def test_add_and_copies(tiny):
    tiny.add("deals", make_record("104", {"dealname": "New"}, created_at=dt.date(2026, 9, 1)))
    assert tiny.get("deals", "104")["properties"]["dealname"] == "New"
    clone = copy.deepcopy(tiny)
    clone.update("deals", "104", {"dealname": "Changed"}, dt.date(2026, 9, 2))
    assert tiny.get("deals", "104")["properties"]["dealname"] == "New"
    assert pickle.loads(pickle.dumps(tiny)).to_json() == tiny.to_json()
