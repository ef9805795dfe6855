import pandas as pd
import pytest

from pipelines.hubspot.flatten import flatten_records
from pipelines.hubspot.objects import CRM_OBJECTS, DEALS, OWNERS_COLUMNS, PIPELINE_STAGES_COLUMNS
from pipelines.validate import SchemaDriftError, validate_frame
from schemas import SCHEMAS, deals_schema


@pytest.mark.parametrize("obj", CRM_OBJECTS, ids=lambda o: o.name)
def test_every_registry_column_is_declared_in_the_schema(obj):
    declared = set(SCHEMAS[obj.name].to_schema().columns)
    assert declared == {c for c in obj.columns if not c.startswith("_")}


def test_reference_schemas_match_their_tables():
    assert set(SCHEMAS["owners"].to_schema().columns) == {c for c in OWNERS_COLUMNS if not c.startswith("_")}
    assert set(SCHEMAS["deal_pipeline_stages"].to_schema().columns) == {
        c for c in PIPELINE_STAGES_COLUMNS if not c.startswith("_")
    }


BASE = {
    "pipeline": "default",
    "dealstage": "closedwon",
    "createdate": "2024-01-01T00:00:00Z",
    "hs_lastmodifieddate": "2024-01-02T00:00:00Z",
}


def deal(id_, **props):
    return {"id": id_, "properties": {**BASE, **props}, "updatedAt": "2024-01-02T00:00:00Z", "archived": False}


def test_bad_deals_are_rejected_with_check_column_and_value():
    records = [
        deal("1", amount="100"),
        deal("2", amount="-5"),
        deal("3", dealstage="nope"),
        deal(None),
        deal("5", closedate="31/02/2024"),
    ]
    frame, failures = flatten_records(DEALS, records)
    checked = validate_frame(frame, deals_schema({"closedwon", "closedlost"}), failures)
    assert checked.valid["id"].tolist() == ["1"]
    reasons = {(r.row, r.check_name, r.column_name, r.failure_value) for r in checked.rejected.itertuples()}
    assert (1, "greater_than_or_equal_to(0)", "amount", "-5.0") in reasons
    assert (2, "dealstage_in_pipelines", "dealstage", "nope") in reasons
    assert (4, "parse_datetime", "closedate", "31/02/2024") in reasons
    assert any(row == 3 and column == "id" for row, _, column, _ in reasons)
    assert checked.rejected_rows == 4


def test_without_known_stages_any_stage_passes():
    frame, failures = flatten_records(DEALS, [deal("1", dealstage="custom123")])
    assert validate_frame(frame, deals_schema(None), failures).rejected.empty


def test_a_missing_column_is_drift_and_raises_instead_of_quarantining():
    frame, failures = flatten_records(DEALS, [deal("1")])
    with pytest.raises(SchemaDriftError):
        validate_frame(frame.drop(columns=["amount"]), deals_schema(None), failures)


def test_goal_period_must_not_be_empty():
    from pipelines.hubspot.objects import GOAL_TARGETS

    props = {
        "hs_start_datetime": "2024-02-01T00:00:00Z",
        "hs_end_datetime": "2024-02-01T00:00:00Z",
        "hs_lastmodifieddate": "2024-01-01T00:00:00Z",
    }
    frame, failures = flatten_records(
        GOAL_TARGETS, [{"id": "1", "properties": props, "updatedAt": "2024-01-01T00:00:00Z"}]
    )
    checked = validate_frame(frame, SCHEMAS["goal_targets"], failures)
    assert checked.rejected["check_name"].tolist() == ["goal_period_is_not_empty"]
    assert isinstance(checked.valid, pd.DataFrame) and checked.valid.empty
