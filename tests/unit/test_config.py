from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.config import load_config
from pipelines.errors import ConfigError
from pipelines.hubspot.flatten import flatten_records
from pipelines.quotas import read_quota_file
from pipelines.settings import Settings
from pipelines.sync import crm_objects
from pipelines.warehouse.config_tables import write_config_tables

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path, text, name="salesmetrics.yml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_documented_example_file_is_valid_and_equals_the_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no salesmetrics.yml here: the built-in defaults
    assert load_config(REPO / "salesmetrics.yml") == load_config(None)


@pytest.mark.parametrize(
    "text, message",
    [
        ("reporting:\n  colour: red\n", "unknown key 'reporting.colour'"),
        (
            "scorecard:\n  measures:\n    - {measure: deals_won, weight: heavy, benchmark: 2}\n",
            "'scorecard.measures.0.weight': Input should be a valid number",
        ),
        (
            "scorecard:\n  measures:\n    - {measure: smiles, weight: 1, benchmark: 2}\n",
            "'scorecard.measures.0.measure' is 'smiles'; allowed: 'opportunities_created'",
        ),
        (
            "scorecard:\n  measures:\n    - {measure: calls, weight: 1, benchmark: 2}\n"
            "    - {measure: calls, weight: 2, benchmark: 2}\n",
            "repeated: calls",
        ),
        ("reporting:\n  timezone: Mars/Olympus\n", "'reporting.timezone': Value error, 'Mars/Olympus' is not an IANA"),
        ("activity:\n  daily_goals: {calls: -5}\n", "goal for calls must be a positive number"),
        ("activity:\n  daily_goals: {smiles: 5}\n", "'activity.daily_goals.smiles.[key]'"),
        (
            "north_star:\n  revenue_targets: [{period_start: 2026-02-01, period_end: 2026-01-01, revenue_target: 5}]\n",
            "period_end must be after period_start",
        ),
        ("- just\n- a list\n", "must hold a mapping of sections"),
        ("schedule:\n  cron: '0 6 * *'\n", "'schedule.cron': Value error, a cron has 5 fields"),
        ("schedule:\n  cron: '0 24 * * *'\n", "hour field '24' is not a cron field of numbers 0-23"),
        ("schedule:\n  cron: '*/0 * * * *'\n", "is not a cron field of numbers 0-59"),
    ],
)
def test_bad_configuration_names_the_key_and_what_is_allowed(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[").replace(".", r"\.")):
        load_config(write(tmp_path, text))


def test_bad_configuration_stops_settings_before_any_work(tmp_path):
    path = write(tmp_path, "deals:\n  default_contract_term_months: -1\n")
    with pytest.raises(ConfigError, match="deals.default_contract_term_months"):
        Settings.from_env({"SALESMETRICS_CONFIG": str(path)})


def test_environment_wins_over_the_file(tmp_path):
    path = write(tmp_path, "reporting:\n  timezone: Europe/Berlin\n  as_of: 2024-01-31\n")
    settings = Settings.from_env({"SALESMETRICS_CONFIG": str(path), "SALESMETRICS_TIMEZONE": "Asia/Tokyo"})
    assert settings.timezone == "Asia/Tokyo" and settings.as_of == date(2024, 1, 31)


def test_a_recurring_revenue_target_covers_the_as_of_period_and_those_before():
    config = load_config(None).north_star.model_copy(update={"period": "quarter", "revenue_target": 1e6})
    targets = config.targets(date(2026, 11, 26), periods_back=1)
    assert [(t.period_start, t.period_end) for t in targets] == [
        (date(2026, 7, 1), date(2026, 10, 1)),
        (date(2026, 10, 1), date(2027, 1, 1)),
    ]


def test_the_scorecard_csv_replaces_the_inline_measures_and_is_checked(tmp_path):
    write(tmp_path, "measure,weight,benchmark\ndeals_won,30,3\nnotes,0.5,20\n", "scorecard.csv")
    config = load_config(write(tmp_path, "scorecard:\n  file: scorecard.csv\n"))
    assert [(m.measure, m.weight) for m in config.scorecard.measures] == [("deals_won", 30), ("notes", 0.5)]
    write(tmp_path, "measure,weight,benchmark\ndeals_won,lots,3\n", "scorecard.csv")
    with pytest.raises(ConfigError, match="scorecard.csv line 2: 'measures.0.weight'"):
        load_config(tmp_path / "salesmetrics.yml")


HEADER = "owner_id,owner_email,period_start,period_end,quota_deals,quota_revenue\n"


def test_the_quota_file_is_read_with_a_bom_and_crlf(tmp_path):
    good = tmp_path / "quotas.csv"
    good.write_bytes(
        b"\xef\xbb\xbf" + (HEADER + ",ann@example.com,2024-01-01,2024-02-01,3,\n").replace("\n", "\r\n").encode()
    )
    frame = read_quota_file(good)
    assert frame.iloc[0]["quota_deals"] == 3 and frame.iloc[0]["period_start"] == date(2024, 1, 1)
    assert frame.iloc[0]["owner_email"] == "ann@example.com" and pd.isna(frame.iloc[0]["owner_id"])


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "is empty: its first line must be the header"),
        ("who,when\nann,2024\n", "line 1: the header must name owner_id or owner_email"),
        (HEADER.replace(",", ";") + "1;;2024-01-01;2024-02-01;3;\n", "line 1: the columns are separated by semicolons"),
        (
            HEADER + "1,,2024-01-01,2024-04-01,3,\n1,,2024-01-01,2024-04-01,2,\n",
            "line 3: repeats the quota of owner_id 1 for 2024-01-01 to 2024-04-01 (line 2)",
        ),
        (
            HEADER + "1,,2024-01-01,2024-04-01,3,\n1,,2024-03-01,2024-06-01,2,\n",
            "line 3: the period 2024-03-01 to 2024-06-01 of owner_id 1 overlaps line 2",
        ),
        (
            HEADER + ",Ann@x.com,2024-01-01,2024-04-01,3,\n,ann@x.com,2024-01-01,2024-04-01,3,\n",
            "line 3: repeats the quota of owner_email ann@x.com",
        ),
        (HEADER + "1,,2024-01-01,2024-04-01,lots,\n", "line 2: quota_deals 'lots' is not a number"),
        (HEADER + "1,,2024-01-01,2024-04-01,,-5\n", "line 2: quota_revenue -5 is negative"),
        (HEADER + "1,,2024-01-01,2024-04-01,,\n", "line 2: sets no quota"),
        (HEADER + ",,2024-01-01,2024-04-01,3,\n", "line 2: names no owner"),
        (HEADER + "1,,,2024-04-01,3,\n", "line 2: period_start is empty; write it as YYYY-MM-DD"),
        (HEADER + "1,,01/02/2024,2024-04-01,3,\n", "line 2: period_start '01/02/2024' is not a date"),
        (HEADER + "1,,2024-04-01,2024-01-01,3,\n", "line 2: period_end 2024-01-01 is not after period_start"),
        (HEADER + "1,,2024-01-01,2024-04-01,3\n", "line 2: has 5 fields but the header has 6"),
    ],
    ids=[
        "empty",
        "header",
        "semicolons",
        "duplicate",
        "overlap",
        "duplicate-email",
        "non-numeric",
        "negative",
        "no-quota",
        "no-owner",
        "empty-date",
        "bad-date",
        "reversed",
        "short-row",
    ],
)
def test_a_bad_quota_file_names_the_line_and_the_fix(tmp_path, body, message):
    path = write(tmp_path, body, "quotas.csv")
    with pytest.raises(ConfigError) as info:
        read_quota_file(path)
    assert message in str(info.value) and str(path) in str(info.value) and "\n" not in str(info.value)
    assert "pandera" not in str(info.value) and "coerce" not in str(info.value)


def test_a_quota_file_in_another_encoding_is_named(tmp_path):
    path = tmp_path / "quotas.csv"
    path.write_bytes((HEADER + ",jos\u00e9@x.com,2024-01-01,2024-04-01,3,\n").encode("cp1252"))
    with pytest.raises(ConfigError, match="line 2: byte 0xe9 is not UTF-8; save the file as 'CSV UTF-8'"):
        read_quota_file(path)


def test_config_tables_are_written_for_dbt():
    con = duckdb.connect()
    write_config_tables(con, load_config(REPO / "salesmetrics.yml"), date(2026, 11, 26), None)
    assert con.execute(
        "select measure, weight from config.scorecard_measures order by weight desc limit 1"
    ).fetchall() == [("deals_won", 25.0)]
    assert con.execute("select * from config.activity_goals").fetchall() == [("calls", 50.0)]
    assert con.execute("select count(*) from config.quotas").fetchone() == (0,)
    # the north star plans new business by default: `newbusiness`, or no type (NULL)
    assert con.execute("select deal_type from config.north_star_deal_types order by 1 nulls last").fetchall() == [
        ("newbusiness",),
        (None,),
    ]


def test_north_star_deal_types_are_configurable(tmp_path):
    config = load_config(write(tmp_path, "north_star:\n  deal_types: [NewBusiness, existingbusiness, '', null]\n"))
    # HubSpot's values match case-insensitively; '' and null both mean "no type" (once)
    assert config.north_star.deal_types == ["newbusiness", "existingbusiness", None]
    con = duckdb.connect()
    write_config_tables(con, config, date(2026, 11, 26), None)
    assert con.execute("select count(*), count(deal_type) from config.north_star_deal_types").fetchone() == (3, 2)
    with pytest.raises(ConfigError, match="north_star.deal_types"):
        load_config(write(tmp_path, "north_star:\n  deal_types: []\n"))


def test_the_property_mapping_reads_custom_properties_into_our_columns():
    deals = next(o for o in crm_objects({"contract_term_months": "term_in_months_c"}) if o.name == "deals")
    assert "term_in_months_c" in deals.api_properties and "contract_term_months" not in deals.api_properties
    frame, _ = flatten_records(
        deals,
        [
            {
                "id": "1",
                "properties": {"term_in_months_c": "24", "contract_term_months": "6"},
                "updatedAt": "2024-01-01T00:00:00Z",
            }
        ],
    )
    assert frame.loc[0, "contract_term_months"] == 24.0
