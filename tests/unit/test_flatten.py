import pandas as pd

from pipelines.hubspot.flatten import (
    child_frame,
    flatten_records,
    listed_shape,
    owners_frame,
    parse_column,
    pipeline_stages_frame,
    stage_history_frame,
)
from pipelines.hubspot.objects import CALLS, DEAL_COMPANIES, DEALS


def deal(id_, **props):
    return {
        "id": id_,
        "properties": props,
        "createdAt": "2024-01-01T00:00:00Z",
        "updatedAt": "2024-01-02T00:00:00.123Z",
        "archived": False,
    }


def test_numbers_dates_and_booleans_are_typed_from_strings():
    frame, failures = flatten_records(
        DEALS,
        [
            deal(
                "1",
                amount="12500.50",
                closedate="2024-03-29T16:41:13.795Z",
                hs_is_closed_won="true",
                contract_term_months="24",
            )
        ],
    )
    row = frame.iloc[0]
    assert failures == []
    assert row["amount"] == 12500.5 and frame["amount"].dtype == "float64"
    assert row["closedate"] == pd.Timestamp("2024-03-29 16:41:13.795")
    assert row["hs_is_closed_won"] is True or row["hs_is_closed_won"] == True  # noqa: E712 (pandas BooleanDtype)
    assert row["contract_term_months"] == 24.0
    assert row["updated_at"] == pd.Timestamp("2024-01-02 00:00:00.123")


def test_timestamps_with_offsets_and_epoch_millis_become_naive_utc():
    typed, failed = parse_column(pd.Series(["2024-01-31T23:30:00+02:00", "1706745600000", None, ""]), "datetime")
    assert typed.iloc[0] == pd.Timestamp("2024-01-31 21:30:00")
    assert typed.iloc[1] == pd.Timestamp("2024-02-01 00:00:00")
    assert pd.isna(typed.iloc[2]) and pd.isna(typed.iloc[3])
    assert not failed.any()


def test_values_that_do_not_parse_are_reported_not_nulled_silently():
    _, failures = flatten_records(DEALS, [deal("1", amount="12,5k", closedate="31/02/2024", hs_is_closed="maybe")])
    found = {(f.column, f.check, f.value) for f in failures}
    assert found == {
        ("amount", "parse_number", "12,5k"),
        ("closedate", "parse_datetime", "31/02/2024"),
        ("hs_is_closed", "parse_bool", "maybe"),
    }


def test_empty_string_means_cleared_property_not_a_parse_failure():
    frame, failures = flatten_records(DEALS, [deal("1", amount="", closedate="")])
    assert failures == [] and pd.isna(frame.loc[0, "amount"]) and pd.isna(frame.loc[0, "closedate"])


def test_primary_company_is_the_deal_to_company_type_and_duplicates_collapse():
    record = deal("1")
    record["associations"] = {
        "companies": {
            "results": [
                {"id": "9", "type": "deal_to_company"},
                {"id": "9", "type": "deal_to_company_unlabeled"},
                {"id": "8", "type": "deal_to_company_unlabeled"},
            ]
        }
    }
    frame, _ = flatten_records(DEALS, [record])
    assert frame.loc[0, "primary_company_id"] == "9"
    links = child_frame(DEAL_COMPANIES, [record]).sort_values("company_id").to_dict("records")
    assert links == [
        {"deal_id": "1", "company_id": "8", "is_primary": False},
        {"deal_id": "1", "company_id": "9", "is_primary": True},
    ]


def test_stage_history_has_one_row_per_value():
    record = deal("1")
    record["propertiesWithHistory"] = {
        "dealstage": [
            {"value": "closedwon", "timestamp": "2024-03-29T16:41:13.795Z", "sourceType": "CRM_UI"},
            {"value": "appointmentscheduled", "timestamp": "2024-02-01T09:12:44.120Z", "sourceType": "CRM_UI"},
        ]
    }
    history = stage_history_frame([record])
    assert history["dealstage"].tolist() == ["closedwon", "appointmentscheduled"]
    assert history["changed_at"].iloc[1] == pd.Timestamp("2024-02-01 09:12:44.120")


def test_columns_follow_the_registry_and_missing_properties_are_null():
    frame, _ = flatten_records(
        CALLS, [{"id": "5", "properties": {"hs_call_duration": "185000"}, "updatedAt": "2024-01-01T00:00:00Z"}]
    )
    assert list(frame.columns) == [c for c in CALLS.columns if not c.startswith("_")]
    assert frame.loc[0, "hs_call_duration"] == 185000.0 and pd.isna(frame.loc[0, "hs_call_direction"])


def test_owners_and_pipeline_metadata_strings_are_typed():
    owners, failures = owners_frame(
        [
            {
                "id": "41",
                "email": "a@x.io",
                "userId": 9586504,
                "archived": True,
                "teams": [{"id": "3", "name": "Sales", "primary": True}],
            }
        ]
    )
    assert failures == [] and owners.loc[0, "user_id"] == 9586504 and owners.loc[0, "primary_team_name"] == "Sales"
    assert bool(owners.loc[0, "archived"]) is True
    stages, failures = pipeline_stages_frame(
        [
            {
                "id": "default",
                "label": "Sales",
                "displayOrder": 0,
                "stages": [
                    {
                        "id": "closedwon",
                        "label": "Won",
                        "displayOrder": 5,
                        "metadata": {"isClosed": "true", "probability": "1.0"},
                    }
                ],
            }
        ]
    )
    assert failures == [] and stages.loc[0, "probability"] == 1.0 and bool(stages.loc[0, "is_closed"]) is True


def test_company_links_read_apart_feed_the_primary_company_and_the_child_rows_of_the_given_records():
    links = [("1", "9", False), ("1", "8", True), ("1", "9", False), ("2", "7", True)]  # as the client returns them
    frame, _ = flatten_records(DEALS, [deal("1"), deal("3")], links)
    assert frame["primary_company_id"].tolist()[0] == "8" and pd.isna(frame.loc[1, "primary_company_id"])
    rows = child_frame(DEAL_COMPANIES, [deal("1")], links).to_dict("records")
    assert rows == [
        {"deal_id": "1", "company_id": "9", "is_primary": False},
        {"deal_id": "1", "company_id": "8", "is_primary": True},
    ]


def test_a_record_read_apart_from_its_links_is_kept_as_a_listing_returns_it():
    listed = deal("1")
    listed["associations"] = {
        "companies": {
            "results": [
                {"id": "9", "type": "deal_to_company"},
                {"id": "9", "type": "deal_to_company_unlabeled"},
                {"id": "8", "type": "deal_to_company_unlabeled"},
            ]
        }
    }
    assert listed_shape([deal("1")], [("1", "9", True), ("1", "9", False), ("1", "8", False)]) == [listed]
