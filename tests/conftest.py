"""Test isolation: no test can reach the real HubSpot API or write outside its temp dir."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DISABLE_PANDERA_IMPORT_WARNING", "True")
os.environ["DO_NOT_TRACK"] = "1"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith(("HUBSPOT_", "SALESMETRICS_")):
            monkeypatch.delenv(name, raising=False)
    # Anything that forgets to say where to write lands in the test's own directory.
    monkeypatch.setenv("SALESMETRICS_DB", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("HUBSPOT_BASE_URL", "http://127.0.0.1:9")  # discard port: never the real API
    yield
