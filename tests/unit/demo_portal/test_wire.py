"""The read semantics without HTTP: parameter forms, value comparison, cursors, search filters."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.demo_portal import PortalData, make_record, wire


def test_list_parameters_accept_repeated_and_comma_separated_forms():
    assert wire.split_list(["amount,dealstage", "closedate", "amount"]) == ["amount", "dealstage", "closedate"]
    assert wire.split_list("a, b,,c") == ["a", "b", "c"]
    assert wire.split_list(None) == []


@pytest.mark.parametrize(
    "text,value", [("True", True), ("true", True), ("FALSE", False), ("false", False), (None, False)]
)
def test_booleans_are_case_insensitive(text, value):
    assert wire.parse_bool(text, "archived") is value


def test_bad_boolean_is_a_400():
    with pytest.raises(wire.WireError) as e:
        wire.parse_bool("yes", "archived")
    assert e.value.status == 400


def test_dates_compare_as_epoch_ms_whatever_the_form():
    iso = wire.coerce("2024-04-01T00:00:00.000Z")
    assert iso == wire.coerce("1711929600000") == wire.coerce("2024-04-01T00:00:00Z") == wire.coerce(1711929600000)
    assert wire.coerce("2024-04-01") == iso
    assert wire.coerce("31/02/2024") == "31/02/2024"  # unparsable stays text
    assert wire.coerce("10") > wire.coerce("9")  # numbers as numbers


def test_record_keys_keep_an_idless_record_after_its_predecessor():
    records = [{"id": "5"}, {"id": None}, {"id": "7"}]
    assert wire.record_keys(records) == [(5, 0), (5, 1), (7, 0)]
    assert wire.decode_cursor(wire.encode_cursor((5, 1))) == (5, 1)
    with pytest.raises(wire.WireError):
        wire.decode_cursor("not-a-cursor")


def _view(values):
    t = dt.datetime(2026, 1, 1)
    records = [
        make_record(str(i + 1), {"x": v, "d": t + dt.timedelta(days=i)}, created_at=t) for i, v in enumerate(values)
    ]
    return wire.build_view(PortalData(objects={"deals": records}).objects["deals"])


def _ids(view, *filters, sorts=None):
    body = {"filterGroups": [{"filters": list(f)} for f in filters], "limit": 200}
    if sorts is not None:
        body["sorts"] = sorts
    return [r["id"] for r in wire.search_page(view, "deals", body)["results"]]


def test_search_operators():
    view = _view(["10", "20", None, "abc", "30"])
    f = lambda op, **kw: {"propertyName": "x", "operator": op, **kw}  # noqa: E731
    assert _ids(view, [f("EQ", value="20")]) == ["2"]
    assert _ids(view, [f("NEQ", value="20")]) == ["1", "3", "4", "5"]
    assert _ids(view, [f("LT", value="20")]) == ["1"]
    assert _ids(view, [f("LTE", value="20")]) == ["1", "2"]
    assert _ids(view, [f("GT", value="20")]) == ["5"]
    assert _ids(view, [f("GTE", value="20")]) == ["2", "5"]
    assert _ids(view, [f("BETWEEN", value="15", highValue="30")]) == ["2", "5"]
    assert _ids(view, [f("IN", values=["10", "ABC"])]) == ["1", "4"]
    assert _ids(view, [f("NOT_IN", values=["10", "abc"])]) == ["2", "3", "5"]
    assert _ids(view, [f("HAS_PROPERTY")]) == ["1", "2", "4", "5"]
    assert _ids(view, [f("NOT_HAS_PROPERTY")]) == ["3"]
    assert _ids(view, [f("CONTAINS_TOKEN", value="ab*")]) == ["4"]
    # groups are ORed, filters in a group ANDed
    assert _ids(view, [f("EQ", value="10")], [f("GTE", value="20"), f("LT", value="30")]) == ["1", "2"]


def test_search_on_dates_object_ids_and_sorting():
    view = _view(["3", "1", None, "2"])
    day3 = "2026-01-03T00:00:00.000Z"
    assert _ids(view, [{"propertyName": "d", "operator": "GTE", "value": "1767398400000"}]) == ["3", "4"]
    assert _ids(view, [{"propertyName": "d", "operator": "GTE", "value": day3}]) == ["3", "4"]
    assert _ids(view, [{"propertyName": "hs_object_id", "operator": "GT", "value": "2"}]) == ["3", "4"]
    assert _ids(view, sorts=[{"propertyName": "x", "direction": "DESCENDING"}]) == ["1", "4", "2", "3"]
    assert _ids(view, sorts=["x"]) == ["2", "4", "1", "3"]  # string form; nulls last
    assert _ids(view, sorts=["-x"]) == ["1", "4", "2", "3"]


@pytest.mark.parametrize(
    "body",
    [
        {"filterGroups": [{"filters": [{"propertyName": "x", "operator": "LIKE", "value": "1"}]}]},
        {"filterGroups": [{"filters": [{"operator": "EQ", "value": "1"}]}]},
        {"filterGroups": [{"filters": [{"propertyName": "x", "operator": "EQ"}]}]},
        {"filterGroups": [{"filters": [{"propertyName": "x", "operator": "BETWEEN", "value": "1"}]}]},
        {"filterGroups": [{"filters": []}] * 6},
        {"filterGroups": [{"filters": [{"propertyName": "x", "operator": "HAS_PROPERTY"}] * 7}]},
        {"filterGroups": [{"filters": [{"propertyName": "x", "operator": "HAS_PROPERTY"}] * 5}] * 4},
        {"limit": 201},
        {"limit": 0},
        {"after": "abc"},
        {"after": "10000"},
        {"after": "9900", "limit": 200},
    ],
)
def test_invalid_search_bodies_are_400(body):
    with pytest.raises(wire.WireError) as e:
        wire.search_page(_view(["1"]), "deals", body)
    assert e.value.status == 400


def test_projection_returns_requested_defaults_and_the_usual_three():
    record = make_record("1", {"dealname": "A", "amount": "5", "extra": "x"}, created_at=dt.date(2026, 1, 1))
    out = wire.project(record, "deals", ["amount", "missing"])
    assert out["properties"] == {
        "amount": "5",
        "createdate": record["createdAt"],
        "missing": None,
        "hs_lastmodifieddate": record["updatedAt"],
        "hs_object_id": "1",
    }
    default = wire.project(record, "deals", [])
    assert set(default["properties"]) == {
        "dealname",
        "amount",
        "closedate",
        "pipeline",
        "dealstage",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }
    call = wire.project(record, "calls", [])
    assert set(call["properties"]) == {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"}
    history = wire.project(record, "deals", [], history=["amount", "missing"])["propertiesWithHistory"]
    assert history == {
        "amount": [{"value": "5", "timestamp": record["updatedAt"], "sourceType": "CRM_UI"}],
        "missing": [],
    }
