from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr

from pipelines.errors import ConfigError
from pipelines.settings import Settings


def test_defaults_and_overrides():
    s = Settings.from_env(
        {"SALESMETRICS_AS_OF": "2024-06-30", "HUBSPOT_ACCESS_TOKEN": "pat-na1-secret"}, timezone="Europe/Berlin"
    )
    assert s.as_of == date(2024, 6, 30) and s.timezone == "Europe/Berlin"
    assert s.base_url == "https://api.hubapi.com" and s.db_path == Path("data/salesmetrics.duckdb")
    assert s.dbt_vars() == {
        "as_of_date": "2024-06-30",
        "reporting_timezone": "Europe/Berlin",
        "default_contract_term_months": 12,
    }
    assert s.require_token() == "pat-na1-secret"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SALESMETRICS_AS_OF": "30/06/2024"}, "SALESMETRICS_AS_OF must be a date as YYYY-MM-DD"),
        ({"SALESMETRICS_TIMEZONE": "Mars/Olympus"}, "SALESMETRICS_TIMEZONE 'Mars/Olympus' is not a known"),
        ({"HUBSPOT_BASE_URL": "api.hubapi.com"}, "HUBSPOT_BASE_URL must start with http"),
        ({"SALESMETRICS_QUOTAS": "/nonexistent/quotas.csv"}, "SALESMETRICS_QUOTAS points at /nonexistent/quotas.csv"),
    ],
)
def test_bad_configuration_names_the_variable(env, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Settings.from_env(env)


def test_missing_token_says_what_to_do():
    with pytest.raises(ConfigError, match="HUBSPOT_ACCESS_TOKEN is not set.*salesmetrics demo"):
        Settings.from_env({}).require_token()


def test_the_token_never_prints():
    s = Settings.from_env({"HUBSPOT_ACCESS_TOKEN": "pat-na1-secret"})
    assert "pat-na1-secret" not in repr(s) and "pat-na1-secret" not in f"{s.access_token}"
    assert isinstance(s.access_token, SecretStr) and s.access_token.get_secret_value() == "pat-na1-secret"


def test_a_dotenv_file_sits_between_the_environment_and_the_configuration_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "salesmetrics.yml").write_text("reporting:\n  timezone: Europe/Berlin\n  as_of: 2024-01-31\n")
    (tmp_path / ".env").write_text(
        "SALESMETRICS_TIMEZONE=Asia/Tokyo\nSALESMETRICS_AS_OF=2024-02-29\n"
        "HUBSPOT_ACCESS_TOKEN=pat-from-dotenv\nUNRELATED=1\n"
    )
    monkeypatch.setenv("SALESMETRICS_AS_OF", "2024-03-31")
    s = Settings.from_env()
    assert s.as_of == date(2024, 3, 31) and s.timezone == "Asia/Tokyo" and s.require_token() == "pat-from-dotenv"
    assert s.config.reporting.timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"HUBSPOT_TIER": "gold"}, "HUBSPOT_TIER must be one of free, starter"),
        (
            {"SALESMETRICS_QUARANTINE_MAX_SHARE": "2"},
            "SALESMETRICS_QUARANTINE_MAX_SHARE: Input should be less than or equal to 1",
        ),
    ],
)
def test_other_bad_settings_are_one_line_naming_the_variable(env, message):
    with pytest.raises(ConfigError, match=message) as info:
        Settings.from_env(env)
    assert "\n" not in str(info.value)
